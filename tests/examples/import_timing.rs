//! Times the opening, preview and import of a 1 000-case bundle by the core alone, run after
//! run, to look at one step with a profiler (`perf record`) or compare two builds; the numbers
//! that count are `make bench`'s (BENCHMARKS.md).
//!
//! `cargo run --release -p relais-tests --example import_timing` (RUNS=n, PREVIEW=1: open and
//! preview only, SLEEP=ms: a pause before each run). The bundle and the vaults are made once in
//! /tmp/relais-import-timing (delete it to make them again). VAULT=dir BUNDLE=file: the preview
//! of that bundle file (opened from the file, as the app does) in that vault instead (its
//! passphrase the benches': `make bench` leaves its window's in ~/.cache/relais/ui-bench), read
//! only.
use chrono::NaiveDate;
use relais_core::demo;
use relais_core::exchange;
use relais_core::secret::Passphrase;
use relais_core::vault::{Owner, Vault};
use std::time::Instant;
const PASS: &str = "lampe rivière carton 7 violon";
/// The CPU time of this process so far, its threads included, in ms (to a tick: 10 ms), from
/// /proc/self/stat: against the elapsed time, how much of a step ran on both cores.
fn cpu() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let f: Vec<u64> = stat.rsplit(')').next().unwrap().split_whitespace().skip(11).take(2).map(|x| x.parse().unwrap()).collect();
    (f[0] + f[1]) * 10
}

fn main() {
    let tmp = std::path::Path::new("/tmp/relais-import-timing");
    let pass = Passphrase::new(PASS);
    if !tmp.join("bundle.relais").exists() {
        let _ = std::fs::remove_dir_all(tmp);
        std::fs::create_dir_all(tmp).unwrap();
        let (_va, mut a) = Vault::create(tmp.join("a"), &pass, &Owner { name: "A".into(), org: String::new() }, None).unwrap();
        let (_vb, b) = Vault::create(tmp.join("b"), &pass, &Owner { name: "B".into(), org: String::new() }, None).unwrap();
        demo::fill(&mut a, 1000, 7, NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(), &mut |_, _| {}).unwrap();
        let to = relais_tests::add_verified_contact(&mut a, &b);
        let mut b = b;
        relais_tests::add_verified_contact(&mut b, &a);
        let (bytes, _, _) = exchange::build_export(&a, &relais_tests::share_all(&a, to, "mesure"), &mut |_, _| {}).unwrap();
        std::fs::write(tmp.join("bundle.relais"), &bytes).unwrap();
    }
    let runs: usize = std::env::var("RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(3);
    if let (Ok(vault), Ok(bundle)) = (std::env::var("VAULT"), std::env::var("BUNDLE")) {
        let bundle = std::path::PathBuf::from(bundle);
        let b = Vault::open(std::path::Path::new(&vault)).unwrap().unlock(&pass).unwrap();
        for i in 0..runs {
            if let Some(ms) = std::env::var("SLEEP").ok().and_then(|s| s.parse().ok()) {
                std::thread::sleep(std::time::Duration::from_millis(ms));
            }
            let (t, c0) = (Instant::now(), cpu());
            let opened = exchange::open_file(&b, &bundle, false).unwrap();
            let (t_open, c1) = (t.elapsed(), cpu());
            let t = Instant::now();
            exchange::preview(&b, &opened).unwrap();
            let c2 = cpu();
            eprintln!(
                "run {i}: open {:.0} ms ({} ms of CPU), preview {:.0} ms ({} ms of CPU)",
                t_open.as_secs_f64() * 1e3,
                c1 - c0,
                t.elapsed().as_secs_f64() * 1e3,
                c2 - c1
            );
        }
        return;
    }
    let bytes = std::fs::read(tmp.join("bundle.relais")).unwrap();
    let only_preview = std::env::var("PREVIEW").is_ok();
    for i in 0..runs {
        let copy = tmp.join(format!("b{i}"));
        let _ = std::fs::remove_dir_all(&copy);
        std::fs::create_dir_all(&copy).unwrap();
        for f in std::fs::read_dir(tmp.join("b")).unwrap() {
            let f = f.unwrap();
            std::fs::copy(f.path(), copy.join(f.file_name())).unwrap();
        }
        let mut b = Vault::open(&copy).unwrap().unlock(&pass).unwrap();
        if let Some(ms) = std::env::var("SLEEP").ok().and_then(|s| s.parse().ok()) {
            std::thread::sleep(std::time::Duration::from_millis(ms));
        }
        let t = Instant::now();
        let opened = exchange::open(&b, &bytes, false).unwrap();
        let t_open = t.elapsed();
        if only_preview {
            let t = Instant::now();
            exchange::preview(&b, &opened).unwrap();
            eprintln!("run {i}: open {:.0} ms, preview {:.0} ms", t_open.as_secs_f64() * 1e3, t.elapsed().as_secs_f64() * 1e3);
        } else {
            let t = Instant::now();
            let r = exchange::apply(&mut b, &opened, &mut |_, _| {}).unwrap();
            assert!(r.applied);
            let t_apply = t.elapsed();
            eprintln!(
                "run {i}: open {:.0} ms, apply {:.0} ms, import {:.0} ms",
                t_open.as_secs_f64() * 1e3,
                t_apply.as_secs_f64() * 1e3,
                (t_open + t_apply).as_secs_f64() * 1e3
            );
        }
        drop(opened);
        drop(b);
        std::fs::remove_dir_all(&copy).unwrap();
    }
}
