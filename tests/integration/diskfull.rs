//! A nearly full disk: importing, exporting, backing up and writing a summary end with a clear
//! "disk full" error, leave no partial file, and leave the vault unchanged and openable.
//!
//! The vault lives on a small tmpfs mounted for the test (root is needed; `make test` runs as
//! root on the project's machines), filled up to the last bytes by a filler file.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use relais_core::demo;
use relais_core::exchange::{self, BundleKind, ExportRequest};
use relais_core::secret::Passphrase;
use relais_core::vault::{Owner, Vault};
use relais_tests::{PASS, TestVault, dump_vault};

struct Mount(PathBuf);
impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

fn mount_tmpfs(dir: &Path, size: &str) -> Mount {
    std::fs::create_dir_all(dir).unwrap();
    let ok = Command::new("mount").args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700"), "tmpfs"]).arg(dir).status();
    assert!(
        ok.is_ok_and(|s| s.success()),
        "this test mounts a small tmpfs and needs root (make test runs as root on the project's machines)"
    );
    Mount(dir.to_owned())
}

/// Writes a filler file until the filesystem refuses, so that only a few bytes are left.
fn fill_up(dir: &Path, name: &str) -> PathBuf {
    use std::io::Write;
    let path = dir.join(name);
    let mut f = std::fs::File::create(&path).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    while f.write_all(&chunk).and_then(|_| f.sync_all()).is_ok() {}
    let small = vec![0u8; 512];
    while f.write_all(&small).and_then(|_| f.sync_all()).is_ok() {}
    path
}

fn leftovers(dir: &Path, keep: &[&str]) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !keep.contains(&n.as_str()))
        .collect()
}

#[test]
fn a_full_disk_gives_a_clear_error_and_changes_nothing() {
    let tv = TestVault::empty();
    let small = tv.tmp.path().join("small");
    let _mount = mount_tmpfs(&small, "48m");
    let vault_dir = small.join("vault");
    let pass = Passphrase::new(PASS);
    let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();

    // The worker's vault on the small disk, and a colleague's on the big one with a bundle for it.
    relais_tests::fast_kdf();
    let (_v, mut store) = Vault::create(&vault_dir, &pass, &Owner { name: "Marie Tremblay".into(), org: String::new() }, None).unwrap();
    demo::fill(&mut store, 8, 3, today, &mut |_, _| {}).unwrap();
    let (_colleague_tv, mut colleague) = TestVault::new();
    demo::fill(&mut colleague, 150, 4, today, &mut |_, _| {}).unwrap();
    let to_worker = relais_tests::add_verified_contact(&mut colleague, &store);
    let to_colleague = relais_tests::add_verified_contact(&mut store, &colleague);
    let ids: Vec<String> =
        colleague.conn().prepare("SELECT id FROM persons").unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    let req = ExportRequest {
        persons: ids,
        to: vec![to_worker],
        kind: BundleKind::Share,
        armor: false,
        override_reason: Some("Essai".into()),
        documents: false,
    };
    let (big_bundle, _, _) = exchange::build_export(&colleague, &req, &mut |_, _| {}).unwrap();
    let alias: String = store.conn().query_row("SELECT alias FROM persons ORDER BY alias LIMIT 1", [], |r| r.get(0)).unwrap();
    drop(store);

    // The vault is open (as in the app, all day) when the disk fills up.
    let mut store = Vault::open(&vault_dir).unwrap().unlock(&pass).unwrap();
    let before = dump_vault(&store);
    let filler = fill_up(&small, "filler");

    // Import (in the app's and CLI's code path: open, then apply in one transaction).
    let opened = exchange::open(&store, &big_bundle, false).unwrap();
    let e = exchange::apply(&mut store, &opened, &mut |_, _| {}).unwrap_err();
    assert_eq!(e.code(), "DiskFull", "import: {e}");
    assert!(e.message(relais_core::Lang::Fr).contains("disque est plein"));
    assert_eq!(dump_vault(&store), before, "the failed import changed nothing");

    // Export, backup, summary from the CLI, each written on the full disk.
    let cli = |args: &[&str]| {
        Command::new(relais_tests::relais_bin())
            .args(args)
            .env("RELAIS_VAULT", &vault_dir)
            .env("RELAIS_PASSPHRASE", PASS)
            .env("RELAIS_LANG", "fr")
            .env("TZ", "America/Toronto")
            .env(relais_core::vault::TEST_KDF_ENV, relais_tests::TEST_LOG_N.to_string())
            .output()
            .unwrap()
    };
    let out = |name: &str| small.join(name).to_string_lossy().into_owned();
    for (what, args) in [
        ("export", vec!["export", "--to", to_colleague.as_str(), "--all", "-o", &out("envoi.relais"), "--override-reason", "Essai"]),
        ("backup", vec!["backup", "-o", &out("coffre.relais-backup")]),
        ("summary", vec!["summary", alias.as_str(), "--format", "pdf", "-o", &out("resume.pdf")]),
    ] {
        let r = cli(&args);
        let stderr = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(1), "{what}: {stderr}");
        assert!(stderr.contains("disque est plein"), "{what}: a clear message in French ({stderr})");
        assert_eq!(leftovers(&small, &["vault", "filler"]), Vec::<String>::new(), "{what}: no partial file");
    }

    // Unchanged, and whole.
    assert_eq!(dump_vault(&store), before, "the vault is unchanged");
    let ok: String = store.conn().query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
    assert!(relais_core::vault::audit::verify(&store).unwrap().first_break.is_none());
    // A vault that is closed on a full disk cannot be reopened (no room for its WAL index): the
    // worker is told the disk is full, not that the vault is damaged.
    drop(store);
    let more = fill_up(&small, "filler-2"); // closing freed the WAL's space: take it too
    let e = Vault::open(&vault_dir).unwrap().unlock(&pass).unwrap_err();
    assert_eq!(e.code(), "DiskFull", "{e:?}");
    std::fs::remove_file(more).unwrap();

    // Space again: the same import goes through (so the refusals above can fail).
    std::fs::remove_file(filler).unwrap();
    let mut store = Vault::open(&vault_dir).unwrap().unlock(&pass).unwrap();
    let opened = exchange::open(&store, &big_bundle, false).unwrap();
    exchange::apply(&mut store, &opened, &mut |_, _| {}).unwrap();
    drop(store);
    let elsewhere = tv.tmp.path().join("coffre.relais-backup");
    let r = cli(&["backup", "-o", elsewhere.to_str().unwrap()]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
}
