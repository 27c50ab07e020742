//! No plaintext of case data on disk: canaries planted in every text field of every kind of
//! record are found nowhere in the vault's files (db, WAL, shm, key file) nor in temp files,
//! while the same planting in a plain SQLite control is found (so the scan can fail).

use relais_core::Store;
use relais_tests::{TestVault, files_under, plant_canaries, scan, sqlite_temp_files_open};

#[test]
fn canaries_never_reach_the_disk_in_plaintext() {
    let (tv, mut store) = TestVault::new();
    let canaries = plant_canaries(&mut store, "A");
    assert!(canaries.len() >= 50, "only {} canaries", canaries.len());
    // While open: the WAL and shm files exist and hold the recent pages.
    let names: Vec<String> = files_under(&tv.dir).iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert!(names.iter().any(|n| n == "vault.db-wal"), "expected a WAL file while open: {names:?}");
    let hits = scan(tv.tmp.path(), &canaries);
    assert!(hits.is_empty(), "plaintext on disk while open: {hits:?}");
    drop(store);
    let hits = scan(tv.tmp.path(), &canaries);
    assert!(hits.is_empty(), "plaintext on disk after close: {hits:?}");

    // Through the CLI too (search, show, export to stdout), with TMPDIR inside the scanned dir.
    let canary = &canaries[0];
    let out = tv.ok(&["search", canary]);
    assert!(out.contains(canary), "search should find the canary alias: {out}");
    tv.ok(&["person", "show", canary]);
    let export = tv.ok(&["export-person", canary]);
    assert!(export.contains(&canaries[5]));
    let hits = scan(tv.tmp.path(), &canaries);
    assert!(hits.is_empty(), "plaintext on disk after CLI use: {hits:?}");
}

#[test]
fn the_scan_finds_canaries_in_a_plain_sqlite_control() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = Store::open_unencrypted_control(&tmp.path().join("plain.db"), "Contrôle").unwrap();
    let canaries = plant_canaries(&mut store, "B");
    drop(store);
    let hits = scan(tmp.path(), &canaries);
    let found: std::collections::HashSet<_> = hits.iter().map(|(c, _)| c.clone()).collect();
    assert_eq!(found.len(), canaries.len(), "the scanner missed canaries in plaintext SQLite");
}

#[test]
fn no_temp_file_is_opened_by_a_large_sort() {
    let (tv, mut store) = TestVault::new();
    relais_core::demo::fill(&mut store, 120, 3, chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(), &mut |_, _| {}).unwrap();
    // A tiny page cache makes SQLite want to spill the sort; TEMP_STORE=3 keeps it in memory.
    store.conn().pragma_update(None, "cache_size", 20).unwrap();
    store.conn().pragma_update(None, "temp_store", "FILE").unwrap();
    let mut st = store.conn().prepare("SELECT text || id || created_at AS k FROM notes ORDER BY k DESC").unwrap();
    let mut rows = st.query([]).unwrap();
    let mut n = 0;
    let mut outside = Vec::new();
    while let Some(_r) = rows.next().unwrap() {
        if n % 500 == 0 {
            outside.extend(sqlite_temp_files_open());
        }
        n += 1;
    }
    assert!(n >= 4000, "sorted only {n} rows");
    outside.sort();
    outside.dedup();
    assert!(outside.is_empty(), "temp files open during a sort: {outside:?}");
    store.conn().execute_batch("CREATE TEMP TABLE t AS SELECT * FROM notes; DROP TABLE t;").unwrap();
    assert!(sqlite_temp_files_open().is_empty());
    drop(tv);
}
