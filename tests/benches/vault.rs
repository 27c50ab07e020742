//! `make bench`: the vault issue's figures on a 10 000-person demo vault (about 1M rows).
//! Prints a table and writes BENCHMARKS.md. Targets: unlock = KDF (≈1 s, on purpose) + ≤ 50 ms;
//! dashboard ≤ 5 ms p95; search ≤ 16 ms p95; SQLCipher/plain insert ratio ≤ 1.25.
//!
//! `RELAIS_BENCH_PERSONS` overrides the size (for a quick look).

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use relais_core::secret::Passphrase;
use relais_core::vault::{Owner, Vault};
use relais_core::{Store, dashboard, demo, person_file, search};

const PASS: &str = "lampe rivière carton 7 violon";

fn pct(mut v: Vec<Duration>, p: f64) -> f64 {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i].as_secs_f64() * 1000.0
}

fn times(n: usize, mut f: impl FnMut(usize)) -> Vec<Duration> {
    (0..n)
        .map(|i| {
            let t = Instant::now();
            f(i);
            t.elapsed()
        })
        .collect()
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| c.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned()))
        .unwrap_or_else(|| "?".into());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| m.lines().next().map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse::<u64>().unwrap_or(0) / 1024 / 1024))
        .unwrap_or(0);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    format!("{cpu}, {cores} cores, {mem} GiB RAM")
}

fn fill_time(store: &mut Store, persons: usize) -> (Duration, usize) {
    let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
    let t = Instant::now();
    let r = demo::fill(store, persons, 42, today, &mut |_, _| {}).unwrap();
    (t.elapsed(), r.records)
}

fn main() {
    let persons: usize = std::env::var("RELAIS_BENCH_PERSONS").ok().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vault");
    let pass = Passphrase::new(PASS);
    let (_v, mut store) = Vault::create(&dir, &pass, &Owner { name: "Banc d'essai".into(), org: String::new() }, None).unwrap();
    eprintln!("filling {persons} persons…");
    let (fill, records) = fill_time(&mut store, persons);
    let rows: i64 = store.conn().query_row("SELECT (SELECT count(*) FROM audit_events) + (SELECT sum(n) FROM (SELECT count(*) n FROM persons UNION ALL SELECT count(*) FROM needs UNION ALL SELECT count(*) FROM appointments UNION ALL SELECT count(*) FROM notes UNION ALL SELECT count(*) FROM referrals UNION ALL SELECT count(*) FROM referral_events UNION ALL SELECT count(*) FROM milestones UNION ALL SELECT count(*) FROM tasks UNION ALL SELECT count(*) FROM consents UNION ALL SELECT count(*) FROM deadlines UNION ALL SELECT count(*) FROM safety_items UNION ALL SELECT count(*) FROM proceedings UNION ALL SELECT count(*) FROM testimonial_aids))", [], |r| r.get(0)).unwrap();
    drop(store);
    let db_mb = std::fs::metadata(dir.join("vault.db")).map(|m| m.len() as f64 / 1e6).unwrap_or(0.0);

    // Unlock: the passphrase KDF (scrypt, slow on purpose) and then opening the database.
    let vault = Vault::open(&dir).unwrap();
    let kdf = times(5, |_| drop(vault.unwrap_key(&pass).unwrap()));
    let key = vault.unwrap_key(&pass).unwrap();
    let open = times(20, |_| {
        let s = vault.unlock_with_key(&key).unwrap();
        // The first read that decrypts pages: what the dashboard will do at once.
        let _: i64 = s.conn().query_row("SELECT count(*) FROM persons WHERE status = 'active'", [], |r| r.get(0)).unwrap();
    });
    let store = vault.unlock_with_key(&key).unwrap();

    let now = chrono::DateTime::parse_from_rfc3339("2026-12-03T09:00:00-05:00").unwrap();
    let _ = dashboard::compute(&store, now).unwrap();
    let dash = times(200, |_| drop(dashboard::compute(&store, now).unwrap()));

    let queries = ["IVAC", "palais", "hébergement", "thérapie sommeil", "Colibri 12", "interprète audience", "texto", "urgence"];
    let _ = search::search(&store, "IVAC", 50).unwrap();
    let srch = times(200, |i| drop(search::search(&store, queries[i % queries.len()], 50).unwrap()));

    let ids: Vec<String> = store
        .conn()
        .prepare("SELECT id FROM persons ORDER BY random() LIMIT 100")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let file = times(100, |i| drop(person_file::load(&store, &ids[i % ids.len()]).unwrap()));
    drop(store);

    // The same insert workload, encrypted and plain.
    let ratio_persons = (persons / 20).clamp(50, 500);
    let (_v2, mut enc) = Vault::create(tmp.path().join("enc"), &pass, &Owner::default(), None).unwrap();
    let (t_enc, n_enc) = fill_time(&mut enc, ratio_persons);
    let mut plain = Store::open_unencrypted_control(&tmp.path().join("plain.db"), "Banc").unwrap();
    let (t_plain, _) = fill_time(&mut plain, ratio_persons);
    let ratio = t_enc.as_secs_f64() / t_plain.as_secs_f64();

    let kdf_ms = pct(kdf.clone(), 0.5);
    let open_p95 = pct(open.clone(), 0.95);
    let rows_out = vec![
        (
            "Remplissage / fill",
            format!("{persons} persons, {records} records, {rows} rows with audit, {db_mb:.0} MB"),
            format!("{:.1} s ({:.0} rows/s)", fill.as_secs_f64(), rows as f64 / fill.as_secs_f64()),
            "—".to_owned(),
        ),
        (
            "Déverrouillage : KDF / unlock: KDF",
            "scrypt, age work factor".into(),
            format!("p50 {kdf_ms:.0} ms"),
            "≈ 1 s (on purpose)".into(),
        ),
        (
            "Déverrouillage : ouverture / unlock: open",
            "open + first read".into(),
            format!("p50 {:.1} ms, p95 {open_p95:.1} ms", pct(open, 0.5)),
            "≤ 50 ms".into(),
        ),
        (
            "Tableau de bord / dashboard",
            "200 runs".into(),
            format!("p50 {:.2} ms, p95 {:.2} ms", pct(dash.clone(), 0.5), pct(dash.clone(), 0.95)),
            "p95 ≤ 5 ms".into(),
        ),
        (
            "Recherche / search",
            "200 runs, 8 queries".into(),
            format!("p50 {:.2} ms, p95 {:.2} ms", pct(srch.clone(), 0.5), pct(srch.clone(), 0.95)),
            "p95 ≤ 16 ms".into(),
        ),
        (
            "Dossier complet / full file",
            "100 persons".into(),
            format!("p50 {:.2} ms, p95 {:.2} ms", pct(file.clone(), 0.5), pct(file.clone(), 0.95)),
            "—".into(),
        ),
        (
            "SQLCipher / SQLite",
            format!("{ratio_persons} persons, {n_enc} records"),
            format!("{:.2} s / {:.2} s = {ratio:.2}", t_enc.as_secs_f64(), t_plain.as_secs_f64()),
            "≤ 1.25".into(),
        ),
    ];
    let mut md = String::new();
    let _ = writeln!(md, "# Benchmarks\n\nProduced by `make bench` (tests/benches/vault.rs); do not edit by hand.\n");
    let _ = writeln!(md, "- Machine: {}\n- Date: {}\n", machine(), chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"));
    let _ = writeln!(md, "| Mesure / measure | Charge / workload | Résultat / result | Cible / target |\n|---|---|---|---|");
    for (a, b, c, d) in &rows_out {
        let _ = writeln!(md, "| {a} | {b} | {c} | {d} |");
    }
    print!("{md}");
    let out = concat!(env!("CARGO_MANIFEST_DIR"), "/../BENCHMARKS.md");
    std::fs::write(out, md).unwrap();
    eprintln!("written to BENCHMARKS.md");
}
