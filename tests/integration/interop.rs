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
