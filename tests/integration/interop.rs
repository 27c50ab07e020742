//! Tools nobody here wrote read what Relais writes: an SQLCipher 4 reader (PyPI's
//! sqlcipher3-binary, installed by `make test` into a venv) opens the vault with its raw key,
//! and the standard `age` command decrypts the recovery key file.

use std::process::Command;

use relais_core::secret::Passphrase;
use relais_core::vault::{self, Vault};
use relais_tests::{PASS, TestVault};

fn python() -> String {
    std::env::var("RELAIS_TEST_PYTHON")
        .unwrap_or_else(|_| panic!("RELAIS_TEST_PYTHON is not set: run `make test`, which installs the SQLCipher reader into a venv"))
}

const READER: &str = r#"
import sys, sqlcipher3
con = sqlcipher3.connect(sys.argv[1])
con.execute("PRAGMA key = \"x'%s'\"" % sys.argv[2])
try:
    print(con.execute("PRAGMA cipher_version").fetchone()[0])
    for (alias,) in con.execute("SELECT alias FROM persons ORDER BY alias"):
        print(alias)
except sqlcipher3.DatabaseError as e:
    print("ERROR", e)
    sys.exit(7)
"#;

#[test]
fn an_outside_sqlcipher_reader_opens_the_vault_with_its_key() {
    let tv = TestVault::empty();
    tv.ok(&["init"]);
    tv.ok(&["person", "add", "--alias", "Hirondelle"]);
    tv.ok(&["person", "add", "--alias", "Sarcelle"]);
    let key = Vault::open(&tv.dir).unwrap().unwrap_key(&Passphrase::new(PASS)).unwrap();
    let db = tv.dir.join(vault::DB_FILE);
    let out = Command::new(python()).args(["-c", READER, db.to_str().unwrap(), &key.to_hex()]).output().expect("python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "reader failed: {stdout} {}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with('4'), "SQLCipher 4 reader expected: {stdout}");
    assert_eq!(&lines[1..], ["Hirondelle", "Sarcelle"]);

    // A wrong key is refused by the same reader.
    let wrong = "00".repeat(32);
    let out = Command::new(python()).args(["-c", READER, db.to_str().unwrap(), &wrong]).output().unwrap();
    assert_eq!(out.status.code(), Some(7), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("file is not a database"));
}

#[test]
fn the_age_command_decrypts_the_recovery_key_file() {
    let tv = TestVault::empty();
    let (identity, recipient) = vault::generate_recovery_identity();
    let id_file = tv.tmp.path().join("org-recovery.txt");
    std::fs::write(&id_file, identity.as_bytes()).unwrap();
    tv.ok(&["init", "--recovery-recipient", &recipient]);
    let out = Command::new("age")
        .args(["-d", "-i", id_file.to_str().unwrap(), tv.dir.join(vault::RECOVERY_FILE).to_str().unwrap()])
        .output()
        .expect("the `age` command (Debian package age; `make test` installs it)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let key = Vault::open(&tv.dir).unwrap().unwrap_key(&Passphrase::new(PASS)).unwrap();
    assert_eq!(out.stdout.as_slice(), key.expose().as_slice());
    // The passphrase key file is a standard age scrypt file too.
    let header = std::fs::read(tv.dir.join(vault::KEY_FILE)).unwrap();
    assert!(header.starts_with(b"age-encryption.org/v1\n-> scrypt "));
}

mod bundles {
    //! The standard `age` command opens a bundle with the identity from `identity export-age`,
    //! its plaintext validates against schema/bundle.schema.json (with Python's jsonschema),
    //! and `age` re-encryption keeps the signature meaningful.
    use super::python;
    use std::process::Command;

    use relais_tests::TestVault;

    const VALIDATE: &str = r#"
import sys, json, jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
jsonschema.Draft202012Validator.check_schema(schema)
jsonschema.validate(doc, schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
print("valid", sum(len(v) for v in doc["content"]["records"].values()))
"#;

    fn card(tv: &TestVault, path: &std::path::Path) {
        std::fs::write(path, tv.ok(&["identity", "card"])).unwrap();
    }

    /// Vault A (with 2 demo cases) and B, each in the other's contacts, verified.
    fn setup() -> (TestVault, TestVault) {
        let a = TestVault::empty();
        let b = TestVault::empty();
        a.ok(&["init", "--name", "Marie"]);
        b.ok(&["init", "--name", "Jean"]);
        a.ok(&["demo", "--persons", "2", "--seed", "9"]);
        let (ca, cb) = (a.tmp.path().join("a.card"), b.tmp.path().join("b.card"));
        card(&a, &ca);
        card(&b, &cb);
        a.ok(&["contact", "import-card", cb.to_str().unwrap()]);
        b.ok(&["contact", "import-card", ca.to_str().unwrap()]);
        a.ok(&["contact", "verify", "Jean"]);
        b.ok(&["contact", "verify", "Marie"]);
        (a, b)
    }

    #[test]
    fn the_age_command_opens_a_bundle_and_the_plaintext_matches_the_schema() {
        let (a, b) = setup();
        let id_file = b.tmp.path().join("b-identity.txt");
        b.ok(&["identity", "export-age", id_file.to_str().unwrap()]);
        for armor in [false, true] {
            let bundle = a.tmp.path().join(if armor { "x.relais.txt" } else { "x.relais" });
            let mut args = vec!["export", "--to", "Jean", "--all", "-o", bundle.to_str().unwrap(), "--override-reason", "Essai"];
            if armor {
                args.push("--armor");
            }
            a.ok(&args);
            let bytes = std::fs::read(&bundle).unwrap();
            assert_eq!(bytes.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"), armor);
            let plain = b.tmp.path().join("plain.json");
            let out = Command::new("age")
                .args(["-d", "-i", id_file.to_str().unwrap(), "-o", plain.to_str().unwrap(), bundle.to_str().unwrap()])
                .output()
                .unwrap();
            assert!(out.status.success(), "age: {}", String::from_utf8_lossy(&out.stderr));
            let schema = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema/bundle.schema.json");
            let out = Command::new(python()).args(["-c", VALIDATE, schema, plain.to_str().unwrap()]).output().unwrap();
            assert!(out.status.success(), "schema: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            assert!(String::from_utf8_lossy(&out.stdout).starts_with("valid "));
            let _ = std::fs::remove_file(&plain);
        }
    }

    #[test]
    fn reencrypted_by_age_to_the_same_vault_imports_to_another_is_refused() {
        let (a, b) = setup();
        let c = TestVault::empty();
        c.ok(&["init", "--name", "Tiers"]);
        let ca = c.tmp.path().join("a.card");
        card(&a, &ca);
        c.ok(&["contact", "import-card", ca.to_str().unwrap()]);
        c.ok(&["contact", "verify", "Marie"]);
        let bundle = a.tmp.path().join("x.relais");
        a.ok(&["export", "--to", "Jean", "--all", "-o", bundle.to_str().unwrap(), "--override-reason", "Essai"]);
        let id_file = b.tmp.path().join("b-identity.txt");
        b.ok(&["identity", "export-age", id_file.to_str().unwrap()]);
        let plain = b.tmp.path().join("plain.json");
        assert!(
            Command::new("age")
                .args(["-d", "-i", id_file.to_str().unwrap(), "-o", plain.to_str().unwrap(), bundle.to_str().unwrap()])
                .status()
                .unwrap()
                .success()
        );
        let recipient = |tv: &TestVault| -> String {
            let v: serde_json::Value = serde_json::from_str(&tv.ok(&["--json", "identity", "show"])).unwrap();
            v["age_recipient"].as_str().unwrap().to_owned()
        };
        // Re-encrypted by age to B again: the signature is inside, it still imports.
        let again = b.tmp.path().join("again.relais");
        assert!(
            Command::new("age")
                .args(["-r", &recipient(&b), "-o", again.to_str().unwrap(), plain.to_str().unwrap()])
                .status()
                .unwrap()
                .success()
        );
        let out = b.ok(&["--json", "import", again.to_str().unwrap()]);
        assert!(out.contains("\"applied\": true"), "{out}");
        // Re-encrypted to C, who trusts A: refused, the signed recipients do not name C.
        let to_c = b.tmp.path().join("to-c.relais");
        assert!(
            Command::new("age")
                .args(["-r", &recipient(&c), "-o", to_c.to_str().unwrap(), plain.to_str().unwrap()])
                .status()
                .unwrap()
                .success()
        );
        let out = c.run(&["--json", "import", to_c.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1));
        let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
        assert_eq!(err["error"]["code"], "BundleReaddressed");
        assert!(c.ok(&["person", "list"]).contains("(aucun)"));
    }
}
