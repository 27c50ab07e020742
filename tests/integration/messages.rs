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
