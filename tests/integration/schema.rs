//! The schema a fresh vault gets, against the committed snapshot `schema/schema.sql`; and the
//! record specs of the core against the tables.

use relais_core::record::Kind;
use relais_tests::TestVault;

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema/schema.sql");

fn dump(store: &relais_core::Store) -> String {
    let mut st = store
        .conn()
        .prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type DESC, name")
        .unwrap();
    let rows: Vec<String> = st.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    let mut out = String::from("-- Schema of a fresh Relais vault. Generated: do not edit by hand.\n");
    out.push_str("-- Regenerate with RELAIS_BLESS=1 cargo test -p relais-tests schema (and review the diff).\n\n");
    for r in rows {
        out.push_str(&r);
        out.push_str(";\n\n");
    }
    out
}

#[test]
fn fresh_vault_matches_schema_snapshot() {
    let (_tv, store) = TestVault::new();
    let actual = dump(&store);
    if std::env::var_os("RELAIS_BLESS").is_some() {
        std::fs::write(SNAPSHOT, &actual).unwrap();
    }
    let expected = std::fs::read_to_string(SNAPSHOT).expect("schema/schema.sql is committed");
    assert_eq!(actual, expected, "the schema changed: add a migration, then regenerate schema/schema.sql with RELAIS_BLESS=1");
}

/// The person columns schemas 7 and 8 added, in their order.
const PERSON_LATER: [&str; 12] = [
    "notice_given_on",
    "consent_by",
    "dpj_reported_on",
    "risk_level",
    "risk_reviewed_on",
    "organised_crime",
    "no_contact_order",
    "protection_conditions",
    "protection_until",
    "gender",
    "indigenous",
    "interpreter_outside_community",
];

#[test]
fn record_specs_match_the_tables() {
    let (_tv, store) = TestVault::new();
    for kind in Kind::ALL {
        let mut st = store.conn().prepare(&format!("SELECT name FROM pragma_table_info('{}')", kind.table())).unwrap();
        let cols: Vec<String> = st.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        // Columns added by a later migration (ALTER TABLE … ADD COLUMN) come last in the table.
        let later: &[&str] = match kind {
            Kind::Person => &PERSON_LATER,
            Kind::Appointment => &["interpreter_needed", "interpreter_provider", "interpreter_outside_confirmed", "accompaniment_minutes"],
            Kind::Note => &["minutes"],
            Kind::Deadline => &["permit_status"],
            _ => &[],
        };
        let mut expected: Vec<String> = ["id", "created_at", "updated_at", "revision"].iter().map(|s| s.to_string()).collect();
        expected.extend(kind.columns().iter().filter(|c| !later.contains(&c.name)).map(|c| c.name.to_owned()));
        // Added by schema 4, so after the columns: authorship and version vector (and, for a
        // case, who holds it).
        expected.extend(["created_by", "updated_by", "versions"].map(String::from));
        if kind == Kind::Person {
            expected.push("owner".into());
        }
        expected.extend(later.iter().map(|s| s.to_string()));
        // Derived, kept by triggers (schema 12), not a field of the record.
        if kind == Kind::Person {
            expected.push("last_contact".into());
        }
        assert_eq!(cols, expected, "{}", kind.table());
    }
}

#[test]
fn sqlcipher_is_built_to_keep_temp_data_in_memory() {
    let (_tv, store) = TestVault::new();
    let opts: Vec<String> =
        store.conn().prepare("PRAGMA compile_options").unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert!(opts.iter().any(|o| o == "TEMP_STORE=3"), "SQLITE_TEMP_STORE=3 missing from {opts:?}: check .cargo/config.toml");
    let cipher: String = store.conn().query_row("PRAGMA cipher_version", [], |r| r.get(0)).unwrap();
    assert!(cipher.starts_with('4'), "SQLCipher 4 expected, got {cipher}");
    // The store asks for temp data in memory; with TEMP_STORE=3 that is also all the pragma can
    // say (asked for files, SQLite still keeps temp data in memory: the no_temp_files test
    // proves nothing is written).
    let ts: i64 = store.conn().query_row("PRAGMA temp_store", [], |r| r.get(0)).unwrap();
    assert_eq!(ts, 2, "temp_store is MEMORY");
}

/// The dashboard's counting triggers are generated (one set of conditions for seven tables):
/// the migration committed is the generator's output, so neither is edited alone.
#[test]
fn the_dashboard_counts_migration_is_the_generated_one() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let out = std::process::Command::new("python3").arg(format!("{dir}/tests/tools/dashboard_counts.py")).output().expect("python3");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let committed = std::fs::read(format!("{dir}/schema/migrations/0016_dashboard_counts.sql")).unwrap();
    assert_eq!(String::from_utf8_lossy(&committed), String::from_utf8_lossy(&out.stdout));
}
