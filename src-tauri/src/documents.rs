//! Documents: attach a file chosen in the open dialog, show one inside the window, save a copy
//! through the save dialog. The bytes go from the vault to the page in memory (an IPC response,
//! never a file); a copy on disk is only what the worker saves, told it is not encrypted.

use relais_core::Kind;
use relais_core::case::documents;
use tauri::{AppHandle, Manager};

use crate::api::{DocumentArgs, DocumentTotals};
use crate::commands::{Res, on_store};
use crate::handoff::chosen;
use crate::{AppState, Hold};

/// Attaches the file chosen last in the open dialog to a person's case. The file is read whole
/// once its size is known to be within the limit; nothing of it is written anywhere else.
#[tauri::command]
pub async fn add_document(app: AppHandle, args: DocumentArgs) -> Res<String> {
    let path = chosen(&app.state::<AppState>(), false)?;
    on_store(&app, Hold::Short, move |s| {
        let bytes = documents::read_file(&path)?;
        let mut f = relais_core::Fields::new();
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
                f.insert(k.to_owned(), serde_json::Value::String(v));
            }
        };
        put("person_id", Some(args.person_id));
        put("title", Some(args.title));
        put("kind", Some(args.kind));
        put("dated_on", args.dated_on);
        put("consent_id", args.consent_id);
        put("deadline_id", args.deadline_id);
        put("proceeding_id", args.proceeding_id);
        put("file_name", path.file_name().map(|n| n.to_string_lossy().into_owned()));
        documents::add(s, f, &bytes)
    })
    .await
}

/// A document's bytes, for the page to show (an image, a PDF through pdf.js): sent as the raw
/// bytes of the IPC response, in memory.
#[tauri::command]
pub async fn document_content(app: AppHandle, id: String) -> Res<tauri::ipc::Response> {
    on_store(&app, Hold::Short, move |s| {
        let (_, bytes) = documents::content(s, &id)?;
        Ok(tauri::ipc::Response::new(bytes.to_vec()))
    })
    .await
}

/// Writes an unencrypted copy of a document where the save dialog said (the page warned first);
/// the copy is recorded in the person's history.
#[tauri::command]
pub async fn save_document_copy(app: AppHandle, id: String) -> Res<String> {
    let path = chosen(&app.state::<AppState>(), true)?;
    on_store(&app, Hold::Short, move |s| {
        s.resolve(Kind::Document, &id)?;
        documents::save_copy(s, &id, &path)?;
        Ok(path.display().to_string())
    })
    .await
}

/// How many documents the cases hold and their total size: shown before a bundle is made.
#[tauri::command]
pub async fn document_totals(app: AppHandle, persons: Vec<String>) -> Res<DocumentTotals> {
    on_store(&app, Hold::Short, move |s| {
        let (count, bytes) = documents::totals(s, &persons)?;
        Ok(DocumentTotals { count, bytes, max_bytes: documents::MAX_IN_BUNDLE })
    })
    .await
}
