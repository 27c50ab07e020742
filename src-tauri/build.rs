// The app's own commands come from `commands.in.rs`, the one list of them: Tauri requires each
// to be granted by a capability, so this script writes the permission of each (the app manifest)
// and the capability of the window (`capabilities/main.json`, committed: the allow-list stays
// explicit and reviewed in every diff).

macro_rules! relais_commands {
    ($($module:ident :: $name:ident : $args:literal => $result:literal),* $(,)?) => {
        const COMMANDS: &[&str] = &[$(stringify!($name)),*];
    };
}
include!("commands.in.rs");

/// What the window may do besides the app's commands: listen to the progress and lock events.
const CORE_PERMISSIONS: &[&str] = &["core:event:allow-listen", "core:event:allow-unlisten"];

const DESCRIPTION: &str = "The one window of Relais: its own commands, and the progress and lock events. Files are chosen through the dialog plugin on the Rust side, never from the webview. Nothing else: no shell, no http, no fs.";

fn main() {
    println!("cargo:rerun-if-changed=commands.in.rs");
    write_capability();
    pack_relative_relocations();
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)))
        .expect("tauri build script");
}

/// `capabilities/main.json` from the list; written only when it changes.
fn write_capability() {
    let permissions: Vec<String> = CORE_PERMISSIONS
        .iter()
        .map(|p| p.to_string())
        .chain(COMMANDS.iter().map(|c| format!("allow-{}", c.replace('_', "-"))))
        .map(|p| format!("    \"{p}\""))
        .collect();
    let json = format!(
        "{{\n  \"$schema\": \"../gen/schemas/desktop-schema.json\",\n  \"identifier\": \"main\",\n  \"description\": \"{DESCRIPTION}\",\n  \"windows\": [\"main\"],\n  \"permissions\": [\n{}\n  ]\n}}\n",
        permissions.join(",\n")
    );
    let path = std::path::Path::new("capabilities/main.json");
    if std::fs::read_to_string(path).ok().as_deref() != Some(json.as_str()) {
        std::fs::write(path, json).expect("write capabilities/main.json");
    }
}

/// Links the program (and the hello world it is measured against) with its relative relocations
/// packed (`DT_RELR`) when this machine's C library can load them (glibc 2.36 and later): 120 000
/// of them, 2.8 MB that the loader read at every start and that stayed counted in the program's
/// memory (docs/DESIGN.md, "The desktop app"). Elsewhere, linked as before. A program so linked
/// does not start on an older glibc (Ubuntu 22.04 has 2.35): the package then depends on
/// `libc6 (>= 2.36)` (packaging/deb.sh), so that apt refuses it there; built there from the
/// sources, it links as before.
fn pack_relative_relocations() {
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    if var("CARGO_CFG_TARGET_OS") != "linux" || var("CARGO_CFG_TARGET_ENV") != "gnu" {
        return;
    }
    // Debian's and Ubuntu's multiarch path for the target's architecture; elsewhere, or when it
    // is not there (another architecture's build), nothing changes.
    let arch = var("CARGO_CFG_TARGET_ARCH");
    let Some((path, libc)) = [format!("/lib/{arch}-linux-gnu/libc.so.6"), format!("/usr/lib/{arch}-linux-gnu/libc.so.6")]
        .into_iter()
        .find_map(|p| std::fs::read(&p).ok().map(|bytes| (p, bytes)))
    else {
        return;
    };
    // Looked at again when the C library changes (an upgrade to 2.36).
    println!("cargo:rerun-if-changed={path}");
    if libc.windows(17).any(|w| w == b"GLIBC_ABI_DT_RELR") {
        println!("cargo:rustc-link-arg=-Wl,-z,pack-relative-relocs");
    }
}
