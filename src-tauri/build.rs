fn main() {
    // The app's own commands are listed here: Tauri then requires each to be granted by a
    // capability (capabilities/main.json), so the allow-list is explicit and reviewed.
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(relais_commands())))
        .expect("tauri build script");
}

/// Keep in step with `generate_handler!` in src/lib.rs (a test checks it).
fn relais_commands() -> &'static [&'static str] {
    &[
        "app_info",
        "set_lang",
        "set_autolock",
        "touch",
        "create_vault",
        "unlock",
        "open_demo",
        "lock",
        "dashboard",
        "week",
        "persons",
        "search",
        "person_file",
        "add_record",
        "update_record",
        "set_referral_status",
        "schema",
        "change_passphrase",
        "recovery_status",
        "set_recovery",
        "identity",
        "contacts",
        "add_contact_card",
        "verify_contact",
        "remove_contact",
        "pick_file",
        "export_bundle",
        "open_import",
        "apply_import",
        "cancel_import",
        "conflicts",
        "resolve_conflict",
        "suggest",
        "organisations",
        "summary_preview",
        "save_summary",
        "stats",
        "backup_status",
        "set_backup_reminder",
        "backup_vault",
        "retention_info",
        "set_retention_years",
        "set_case_retention",
        "destroy_person",
        "trash_list",
        "trash_delete",
        "trash_restore",
        "trash_empty",
        "incidents",
        "export_incidents",
        "copied",
    ]
}
