//! Every message of the core, the CLI and the app exists in French and in English, with the same
//! substitutions.

use std::path::Path;

use relais_tests::catalogue_problems;

#[test]
fn every_message_exists_in_both_languages() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for dir in ["crates/relais-core/locales", "crates/relais-cli/locales", "src-tauri/locales"] {
        let problems = catalogue_problems(&root.join(dir));
        assert!(problems.is_empty(), "{dir}: {problems:?}");
    }
}

#[test]
fn the_check_catches_a_missing_language_and_different_substitutions() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("m.yml"),
        "_version: 2\na.b:\n  fr: \"Bonjour %{x}\"\n  en: \"Hello\"\nc.d:\n  fr: \"Seul\"\ne.f:\n  fr: \"Oui\"\n  en: \"Yes\"\n",
    )
    .unwrap();
    assert_eq!(catalogue_problems(tmp.path()), ["a.b: substitutions differ", "c.d: missing fr or en"]);
}

/// The French labels a pivot worker found wrong (an anglicism, calques, unclear words, "(s)"
/// plurals, a curly apostrophe among straight ones) stay fixed: none of the old wordings is in
/// any catalogue a person reads.
#[test]
fn no_label_is_left_in_its_old_wording() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let files = [
        "schema/catalogues.json",
        "ui/src/locales/fr.json",
        "ui/src/locales/en.json",
        "crates/relais-core/locales/core.yml",
        "crates/relais-cli/locales/cli.yml",
        "src-tauri/locales/app.yml",
    ];
    let old = [
        "Assistance légale",
        "Nom d'usage",
        "Nom d’usage",
        "nom d'usage",
        "nom d’usage",
        "\"Provenance\"",
        "\"Manière\"",
        "\"Tenu\"",
        "Remis à la supervision",
        "Décision du DPCP",
        "Conférence de cas",
        "Réglages",
        "(s)",
        "(ies)",
        // One apostrophe, the straight one of the keyboard; one spelling of the English
        // « organisation », the brief's (docs/WRITING.md).
        "’",
        "rganization",
    ];
    let mut found = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(root.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        for w in old {
            if text.contains(w) {
                found.push(format!("{f}: {w}"));
            }
        }
    }
    let demo = std::fs::read_to_string(root.join("crates/relais-core/src/demo.rs")).unwrap();
    if demo.contains("Conférence de cas") {
        found.push("the demo's notes: Conférence de cas".into());
    }
    assert!(found.is_empty(), "old wordings left: {found:?}");
}
