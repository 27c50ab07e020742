//! The vault's keys: wrong passphrase, passphrase change, recovery, newer schema, damaged files.

use relais_core::Error;
use relais_core::secret::Passphrase;
use relais_core::vault::{self, Owner, Vault};
use relais_tests::{PASS, TestVault};

#[test]
fn wrong_passphrase_has_its_own_exit_code_and_changes_nothing() {
    let tv = TestVault::empty();
    tv.ok(&["init", "--name", "Test"]);
    let before: Vec<_> = relais_tests::files_under(&tv.dir).iter().map(|f| (f.clone(), std::fs::read(f).unwrap())).collect();
    let out = tv.cmd().env("RELAIS_PASSPHRASE", "pas la bonne phrase du tout").args(["person", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Phrase de passe incorrecte"), "{err}");
    let out = tv.cmd().env("RELAIS_PASSPHRASE", "nope").args(["--lang", "en", "person", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Wrong passphrase"));
    let after: Vec<_> = relais_tests::files_under(&tv.dir).iter().map(|f| (f.clone(), std::fs::read(f).unwrap())).collect();
    assert_eq!(before, after, "a failed unlock must not touch the vault");
}

/// `relais import` of a file it cannot read says so before it asks for the passphrase (and
/// spends a second deriving the key): here with a wrong one, which would otherwise be said.
#[test]
fn an_import_of_a_file_that_cannot_be_read_says_so_first() {
    let tv = TestVault::empty();
    tv.ok(&["init", "--name", "Test"]);
    let missing = tv.dir.join("absent.relais");
    for (file, fr, en) in [
        (missing.as_path(), "fichier ou dossier introuvable", "no such file or folder"),
        (tv.dir.as_path(), "c'est un dossier, pas un fichier", "it is a folder, not a file"),
    ] {
        let out = tv.cmd().env("RELAIS_PASSPHRASE", "pas la bonne phrase du tout").arg("import").arg(file).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("Impossible de lire le fichier") && err.contains(fr), "{err}");
        let out = tv.cmd().env("RELAIS_PASSPHRASE", "nope").args(["--lang", "en", "import", "--dry-run"]).arg(file).output().unwrap();
        assert!(String::from_utf8_lossy(&out.stderr).contains(en), "{}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn weak_passphrase_is_refused_at_init() {
    let tv = TestVault::empty();
    let out = tv.cmd().env("RELAIS_PASSPHRASE", "motdepasse1").args(["init"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("trop faible"));
    assert!(!tv.dir.join(vault::KEY_FILE).exists());
}

#[test]
fn init_refuses_to_overwrite_a_vault() {
    let (tv, _s) = TestVault::new();
    let key_before = std::fs::read(tv.dir.join(vault::KEY_FILE)).unwrap();
    let err = Vault::create(&tv.dir, &Passphrase::new(PASS), &Owner::default(), None).unwrap_err();
    assert!(matches!(err, Error::VaultExists(_)));
    assert_eq!(key_before, std::fs::read(tv.dir.join(vault::KEY_FILE)).unwrap());
}

#[test]
fn passwd_round_trip_through_the_cli() {
    let tv = TestVault::empty();
    tv.ok(&["init"]);
    tv.ok(&["person", "add", "--alias", "Colibri"]);
    let db_before = std::fs::read(tv.dir.join(vault::DB_FILE)).unwrap();
    let new = "nouvelle phrase solide 42 hibou";
    let out = tv.cmd().env("RELAIS_NEW_PASSPHRASE", new).args(["passwd"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Old passphrase refused, new one opens the same data.
    assert_eq!(tv.run(&["person", "list"]).status.code(), Some(3));
    let list = tv.cmd().env("RELAIS_PASSPHRASE", new).args(["person", "list"]).output().unwrap();
    assert!(String::from_utf8_lossy(&list.stdout).contains("Colibri"));
    // The database has a new key: a new file (its first 16 bytes are SQLCipher's random salt).
    assert_ne!(std::fs::read(tv.dir.join(vault::DB_FILE)).unwrap()[..16], db_before[..16]);
    // A weak new passphrase is refused and the current one keeps working.
    let out = tv.cmd().env("RELAIS_PASSPHRASE", new).env("RELAIS_NEW_PASSPHRASE", "abc").args(["passwd"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let list = tv.cmd().env("RELAIS_PASSPHRASE", new).args(["person", "list"]).output().unwrap();
    assert!(list.status.success());
}

#[test]
fn recover_with_the_organisation_identity() {
    let tv = TestVault::empty();
    let (identity, recipient) = vault::generate_recovery_identity();
    let id_file = tv.tmp.path().join("recovery.txt");
    std::fs::write(&id_file, identity.as_bytes()).unwrap();
    tv.ok(&["init", "--recovery-recipient", &recipient]);
    assert!(tv.dir.join(vault::RECOVERY_FILE).is_file());
    tv.ok(&["person", "add", "--alias", "Mésange"]);
    let new = "le chat dort sous la neige 19";
    let out = tv
        .cmd()
        .env_remove("RELAIS_PASSPHRASE")
        .env("RELAIS_NEW_PASSPHRASE", new)
        .args(["recover", "--identity", id_file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(tv.run(&["person", "list"]).status.code(), Some(3), "old passphrase must stop working");
    let list = tv.cmd().env("RELAIS_PASSPHRASE", new).args(["person", "list"]).output().unwrap();
    assert!(String::from_utf8_lossy(&list.stdout).contains("Mésange"));

    // Another identity does not open it, and nothing changes.
    let (other, _) = vault::generate_recovery_identity();
    let other_file = tv.tmp.path().join("other.txt");
    std::fs::write(&other_file, other.as_bytes()).unwrap();
    let key_before = std::fs::read(tv.dir.join(vault::KEY_FILE)).unwrap();
    let out = tv
        .cmd()
        .env("RELAIS_NEW_PASSPHRASE", "encore une autre phrase 77")
        .args(["recover", "--identity", other_file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("identité de récupération"));
    assert_eq!(key_before, std::fs::read(tv.dir.join(vault::KEY_FILE)).unwrap());
}

#[test]
fn a_recovery_key_can_be_set_later_and_then_recovers() {
    let (tv, s) = TestVault::new();
    drop(s);
    let v = Vault::open(&tv.dir).unwrap();
    assert!(!v.has_recovery());
    let (identity, recipient) = vault::generate_recovery_identity();
    // A wrong passphrase or a malformed recipient: refused, and no file appears.
    assert!(matches!(v.set_recovery(&Passphrase::new("pas la bonne phrase du tout"), &recipient), Err(Error::WrongPassphrase)));
    assert!(matches!(v.set_recovery(&Passphrase::new(PASS), "age1pasunecle"), Err(Error::InvalidRecipient)));
    assert!(!v.has_recovery());
    v.set_recovery(&Passphrase::new(PASS), &recipient).unwrap();
    assert!(v.has_recovery());
    let new = Passphrase::new("le héron guette au bord du fleuve 12");
    v.recover(&identity, &new).unwrap();
    assert!(v.unlock(&new).is_ok());
    assert!(matches!(v.unlock(&Passphrase::new(PASS)), Err(Error::WrongPassphrase)));
    let store = v.unlock(&new).unwrap();
    let actions = relais_tests::audit_actions(&store);
    assert!(actions.iter().any(|a| a == "vault.recovery") && actions.iter().any(|a| a == "vault.recover"), "{actions:?}");
}

#[test]
fn vault_without_recovery_key_says_so() {
    let (tv, _s) = TestVault::new();
    let (identity, _) = vault::generate_recovery_identity();
    let err = Vault::open(&tv.dir).unwrap().recover(&identity, &Passphrase::new("une phrase neuve et longue 5")).unwrap_err();
    assert!(matches!(err, Error::NoRecoveryKey));
}

#[test]
fn newer_schema_is_refused_and_left_alone() {
    let (tv, store) = TestVault::new();
    store.conn().execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 'x')", []).unwrap();
    drop(store);
    let out = tv.run(&["person", "list"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("version plus récente") && err.contains("99"), "{err}");
    let out = tv.run(&["--json", "person", "list"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(v["error"]["code"], "UnsupportedVersion");
}

#[test]
fn damaged_or_foreign_key_file_is_reported_not_misread() {
    let (tv, _s) = TestVault::new();
    let key = tv.dir.join(vault::KEY_FILE);
    // Not an age file.
    std::fs::write(&key, b"garbage").unwrap();
    assert!(matches!(Vault::open(&tv.dir).unwrap().unlock(&Passphrase::new(PASS)), Err(Error::DamagedKeyFile(_))));
    // A valid key file of another vault: the passphrase opens it, the database does not.
    let (other, _s2) = TestVault::new();
    std::fs::copy(other.dir.join(vault::KEY_FILE), &key).unwrap();
    assert!(matches!(Vault::open(&tv.dir).unwrap().unlock(&Passphrase::new(PASS)), Err(Error::DamagedVault(_))));
}

#[test]
fn key_file_rewrite_is_atomic_and_private() {
    let (tv, s) = TestVault::new();
    drop(s);
    let v = Vault::open(&tv.dir).unwrap();
    let mut store = v.unlock(&Passphrase::new(PASS)).unwrap();
    v.change_passphrase(&mut store, &Passphrase::new(PASS), &Passphrase::new("une autre phrase bien longue 8")).unwrap();
    drop(store);
    let leftovers: Vec<_> = relais_tests::files_under(&tv.dir).into_iter().filter(|f| f.to_string_lossy().ends_with(".tmp")).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(tv.dir.join(vault::KEY_FILE)).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "key file readable by others: {mode:o}");
    }
}

/// The scrypt work factor named in an age key file's header (`-> scrypt SALT LOG_N`).
fn key_file_work_factor(bytes: &[u8]) -> Option<u8> {
    let text = String::from_utf8_lossy(bytes);
    text.lines().find_map(|l| l.strip_prefix("-> scrypt ")?.split(' ').nth(1)?.parse().ok())
}

/// Relais writes its key files at a fixed work factor, not age's "one second on this machine",
/// so a vault set up on a fast machine opens on a slow one; a file asking for more than Relais
/// accepts is refused at once, with a message that says what to do.
#[test]
fn key_files_have_a_fixed_work_factor_and_too_costly_ones_are_refused_before_any_work() {
    let tv = relais_tests::TestVault::empty();
    let out = tv.cmd().env_remove(relais_core::vault::TEST_KDF_ENV).args(["init", "--name", "Marie"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let key_file = tv.dir.join(relais_core::vault::KEY_FILE);
    assert_eq!(key_file_work_factor(&std::fs::read(&key_file).unwrap()), Some(relais_core::vault::SCRYPT_LOG_N));
    const { assert!(relais_core::vault::SCRYPT_LOG_N + 4 <= relais_core::vault::MAX_SCRYPT_LOG_N) };

    // The same file asking for 2^23: refused before computing anything (2^23 would take 8 GiB).
    let (tv, _) = relais_tests::TestVault::new();
    let key_file = tv.dir.join(relais_core::vault::KEY_FILE);
    let bytes = std::fs::read(&key_file).unwrap();
    // The header line `-> scrypt SALT 10`: its last number replaced, the binary body kept.
    let start = bytes.windows(10).position(|w| w == b"-> scrypt ").unwrap();
    let end = start + bytes[start..].iter().position(|b| *b == b'\n').unwrap();
    let factor = start + bytes[start..end].iter().rposition(|b| *b == b' ').unwrap() + 1;
    let mut altered = bytes[..factor].to_vec();
    altered.extend_from_slice((relais_core::vault::MAX_SCRYPT_LOG_N + 1).to_string().as_bytes());
    altered.extend_from_slice(&bytes[end..]);
    std::fs::write(&key_file, altered).unwrap();
    let err = relais_core::Vault::open(&tv.dir).unwrap().unlock(&relais_core::secret::Passphrase::new(relais_tests::PASS)).unwrap_err();
    assert_eq!(err.code(), "KeyTooCostly");
    assert!(err.message(relais_core::Lang::Fr).contains("2^23"), "{}", err.message(relais_core::Lang::Fr));
    let cli = tv.run(&["person", "list"]);
    assert_eq!(cli.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&cli.stderr).contains("effort de calcul démesuré"), "{}", String::from_utf8_lossy(&cli.stderr));
}

/// Where the 64 hex digits of `key` are in this process's memory (readable mappings through
/// /proc/self/mem), leaving out the needle's own buffer. Each mapping is read through one
/// buffer, allocated before the mappings are listed and left out of the results: a buffer
/// allocated per mapping could land inside the heap being read and hold, by the time the
/// kernel copies its own bytes, an image of a copy read just before (a copy found twice).
fn hex_key_in_memory(hex: &str) -> Vec<usize> {
    use std::io::{Read, Seek, SeekFrom};
    const CHUNK: usize = 1 << 20;
    let own = hex.as_ptr() as usize..hex.as_ptr() as usize + hex.len();
    // Wiped when dropped: a buffer left holding a copy of the key would be found by the next scan.
    let mut buf = zeroize::Zeroizing::new(vec![0u8; CHUNK + hex.len()]);
    let scratch = buf.as_ptr() as usize..buf.as_ptr() as usize + buf.len();
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    let mut mem = std::fs::File::open("/proc/self/mem").unwrap();
    let finder = memchr::memmem::Finder::new(hex.as_bytes());
    let mut found = Vec::new();
    for line in maps.lines() {
        let mut parts = line.split_whitespace();
        let (range, perms) = (parts.next().unwrap(), parts.next().unwrap());
        let path = parts.nth(3).unwrap_or("");
        // Readable, and not a file's text (the test binary's own code and constants).
        if !perms.starts_with('r') || path.starts_with('/') || path == "[vvar]" || path == "[vsyscall]" {
            continue;
        }
        let (start, end) = range.split_once('-').unwrap();
        let (start, end) = (usize::from_str_radix(start, 16).unwrap(), usize::from_str_radix(end, 16).unwrap());
        // Windows of CHUNK bytes and a needle's length more, so that a copy across two windows
        // is seen; a copy is counted in the window it starts in.
        let mut pos = start;
        while pos < end {
            let n = (end - pos).min(buf.len());
            if mem.seek(SeekFrom::Start(pos as u64)).is_err() || mem.read_exact(&mut buf[..n]).is_err() {
                break;
            }
            let last = pos + n == end;
            found.extend(
                finder
                    .find_iter(&buf[..n])
                    .filter(|i| *i < CHUNK || last)
                    .map(|i| pos + i)
                    .filter(|a| !own.contains(a) && !scratch.contains(a)),
            );
            pos += CHUNK;
        }
    }
    found
}

/// The key in the form SQLCipher's PRAGMA takes (64 hex digits) is built in buffers wiped after
/// use: once the vault is locked, no copy of it is left in the process (a memory dump, a swap
/// page). SQLCipher keeps the key it derived, in binary, while the vault is open: it needs it
/// for every page.
#[test]
fn no_copy_of_the_keys_hex_form_outlives_the_open_vault() {
    let (tv, store) = relais_tests::TestVault::new();
    drop(store);
    let vault = relais_core::Vault::open(&tv.dir).unwrap();
    let key = vault.unwrap_key(&relais_core::secret::Passphrase::new(relais_tests::PASS)).unwrap();
    let hex = key.to_hex();
    // Control: the scan finds a copy where it is, and no longer once the copy is wiped.
    let copy = zeroize::Zeroizing::new(hex.as_str().to_owned());
    assert_eq!(hex_key_in_memory(&hex), [copy.as_ptr() as usize], "the scan finds a copy in the heap");
    drop(copy);
    assert_eq!(hex_key_in_memory(&hex), [] as [usize; 0], "a wiped copy is gone");
    let store = vault.unlock_with_key(&key).unwrap();
    let _: i64 = store.conn().query_row("SELECT count(*) FROM persons", [], |r| r.get(0)).unwrap();
    // Open: SQLCipher holds the key in binary, not the text of the PRAGMA it parsed.
    let open = hex_key_in_memory(&hex);
    assert!(open.is_empty(), "the key's hex form is at {open:x?} while the vault is open");
    drop(store);
    let left = hex_key_in_memory(&hex);
    assert!(left.is_empty(), "the key's hex form is still at {left:x?}");
}
