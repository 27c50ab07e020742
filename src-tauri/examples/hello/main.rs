//! `make bench`'s Tauri hello world (tests/benches/ui.py): the baseline of the app's idle memory.
//! The same tauri crate, features and release profile as the app, one window of the same size,
//! a page of a few words; incognito as the app is, except under WebDriver (which, as for the
//! app, automates only a persistent web context).

fn main() {
    // Drawn as the app is: on the CPU on a machine without a GPU that can render.
    relais_app::draw_on_the_cpu_without_a_gpu();
    let automated = std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() == Ok("true");
    tauri::Builder::default()
        .setup(move |app| {
            tauri::WebviewWindowBuilder::new(app, "main", tauri::WebviewUrl::App("index.html".into()))
                .title("Hello")
                .inner_size(1280.0, 800.0)
                .incognito(!automated)
                .build()?;
            Ok(())
        })
        .run(tauri::generate_context!("examples/hello/tauri.conf.json"))
        .expect("hello world");
}
