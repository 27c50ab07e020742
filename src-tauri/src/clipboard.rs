//! Clipboard hygiene: whatever a worker copies from the app (an address, a file number…) is
//! case data sitting where every other program can read it. The page reports each copy; 30 s
//! later, or at once when the vault locks, the clipboard is cleared, if it still holds what the
//! app put there (something copied since in another program is left alone).

use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::Duration;

use tauri::{AppHandle, Manager};
use tauri_plugin_clipboard_manager::ClipboardExt;

use crate::AppState;

/// How long a copy stays on the clipboard: half a minute (see [`crate::minute`]).
fn delay() -> Duration {
    crate::minute() / 2
}

fn fingerprint(text: &str) -> u64 {
    let mut h = DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// The page copied something (its `copy` event): clear it after the [`delay`].
#[tauri::command]
pub fn copied(app: AppHandle) {
    std::thread::spawn(move || {
        // Let the copy land on the clipboard first.
        std::thread::sleep(Duration::from_millis(300));
        let Ok(text) = app.clipboard().read_text() else { return };
        let state = app.state::<AppState>();
        let copy = {
            let mut slot = state.copied.lock().expect("clipboard lock");
            let n = slot.map_or(0, |(n, _)| n) + 1;
            *slot = Some((n, fingerprint(&text)));
            n
        };
        std::thread::sleep(delay());
        clear_if_ours(&app, Some(copy));
    });
}

/// Clears the clipboard if it still holds the app's last copy (`copy`: only if that copy is
/// still the last one; `None`: whichever it was, as when the vault locks).
pub fn clear_if_ours(app: &AppHandle, copy: Option<u64>) {
    let state = app.state::<AppState>();
    let mut slot = state.copied.lock().expect("clipboard lock");
    let Some((n, hash)) = *slot else { return };
    if copy.is_some_and(|c| c != n) {
        return;
    }
    if app.clipboard().read_text().is_ok_and(|t| fingerprint(&t) == hash) {
        let _ = app.clipboard().clear();
    }
    *slot = None;
}
