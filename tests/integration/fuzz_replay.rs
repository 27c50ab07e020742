//! The fuzz targets' inputs, replayed in the regular suite through the very code the targets run
//! (`fuzz/src/lib.rs`, included below): every crash ever found (`tests/vectors/fuzz/<target>/`,
//! minimized, kept forever) and every seed of the targets' corpus (made here from
//! `tests/vectors/` and small vaults). None may panic; a refusal must be a typed error said in
//! both languages; a bundle opened and previewed, a refused CSV file or card, a refused backup
//! leave everything as it was (see the harness).
//!
//! `make fuzz` writes the seeds where the fuzzer starts from: `RELAIS_FUZZ_SEEDS_OUT=DIR` makes
//! these tests write each target's seeds to `DIR/<target>/` as they replay them.

use std::io::Read;
use std::path::{Path, PathBuf};

use relais_core::exchange::{self, identity};
use relais_core::record::{Fields, Kind};
use relais_core::secret::Passphrase;
use relais_core::vault::{Vault, backup};
use relais_tests::{PASS, TestVault};
use serde_json::json;

#[path = "../../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod harness;

fn vectors(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors").join(sub)
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).filter(|p| p.is_file() && !p.ends_with("README.md")).collect())
        .unwrap_or_default();
    out.sort();
    out
}

fn name_of(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

/// The bodies of the bundle vectors and of the C2SP age vectors (inflated where they are
/// stored compressed).
fn age_files() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for p in files(&vectors("bundles")).into_iter().filter(|p| p.extension().is_some_and(|e| e == "vector")) {
        out.push((format!("bundle-{}", name_of(&p)), harness::vector_body(&std::fs::read(&p).unwrap()).to_vec()));
    }
    for p in files(&vectors("age-cctv")) {
        let bytes = std::fs::read(&p).unwrap();
        let header = String::from_utf8_lossy(&bytes[..bytes.windows(2).position(|w| w == b"\n\n").unwrap()]).into_owned();
        let mut body = harness::vector_body(&bytes).to_vec();
        if header.lines().any(|l| l == "compressed: zlib") {
            let mut inflated = Vec::new();
            flate2::read::ZlibDecoder::new(&body[..]).read_to_end(&mut inflated).unwrap();
            body = inflated;
        }
        out.push((format!("cctv-{}", name_of(&p)), body));
    }
    out
}

/// The documents inside the bundle vectors addressed to the receiver.
fn documents() -> Vec<(String, Vec<u8>)> {
    let id = harness::keys().identity("receiver");
    age_files()
        .into_iter()
        .filter(|(n, _)| n.starts_with("bundle-"))
        .filter_map(|(n, b)| exchange::decrypt(&b, &[&id as &dyn age::Identity]).ok().map(|plain| (n, plain)))
        .collect()
}

fn cards() -> Vec<(String, Vec<u8>)> {
    let (_tv, store) = TestVault::new();
    let mine = serde_json::to_value(identity::card(&store).unwrap()).unwrap();
    let k = harness::keys();
    let (age, sign) = k.public("sender");
    let sender = json!({"format": identity::CARD_FORMAT, "version": 1, "name": "Expéditrice", "org": "Organisme",
        "age_recipient": age, "signing_key": sign, "fingerprint": k.fingerprint("sender")});
    let mut wrong = sender.clone();
    wrong["fingerprint"] = json!(k.fingerprint("stranger"));
    let mut no_org = sender.clone();
    no_org.as_object_mut().unwrap().remove("org");
    [("vault", mine), ("sender", sender), ("wrong_fingerprint", wrong), ("no_org", no_org)]
        .into_iter()
        .map(|(n, v)| (n.to_owned(), serde_json::to_vec_pretty(&v).unwrap()))
        .collect()
}

fn csvs() -> Vec<(String, Vec<u8>)> {
    [
        (
            "good",
            "name,kind,region,languages,open_24_7,needs\n\
             Maison L'Escale,shelter,Montréal,français;anglais,oui,housing_emergency;safety_protection\n\
             Clinique Le Phare,legal,Laval,français,non,legal_assistance\n",
        ),
        ("bad_kind", "name,kind,needs\nRessource A,shelter,housing_emergency\nRessource B,pas_un_type,\n"),
        (
            "every_column",
            "Name,kind,region,address,phone,email,website,languages,open_24_7,notes,needs\n\
             \"Refuge \"\"Aube\"\"\",shelter,Québec,\"12 rue X, app. 3\",418 555-0100,aube@example.org,https://example.org,français,yes,\"deux\nlignes\",housing_emergency\n",
        ),
        ("unknown_column", "name,couleur\nA,bleu\n"),
        ("ragged", "name,region\nA\n"),
    ]
    .into_iter()
    .map(|(n, s)| (n.to_owned(), s.as_bytes().to_vec()))
    .collect()
}

/// A backup of a small vault, and the same cut short.
fn backups() -> Vec<(String, Vec<u8>)> {
    let (tv, mut store) = TestVault::new();
    let f: Fields = [("alias", json!("Sauvegarde")), ("intake_at", json!("2026-11-01T10:00:00Z"))]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    store.write(|w| w.insert(Kind::Person, f)).unwrap();
    let key = Vault::open(&tv.dir).unwrap().unwrap_key(&Passphrase::new(PASS)).unwrap();
    let file = tv.tmp.path().join("seed.relais-backup");
    backup::backup(&mut store, &key, &tv.dir, &file).unwrap();
    let whole = std::fs::read(&file).unwrap();
    let cut = whole[..whole.len() / 2].to_vec();
    vec![("whole".into(), whole), ("cut".into(), cut)]
}

fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    match target {
        "bundle_age" | "bundle_open" => age_files(),
        "bundle_document" | "bundle_sealed" => documents(),
        "contact_card" => cards(),
        "directory_csv" => csvs(),
        "backup_restore" => backups(),
        _ => panic!("no seeds for {target}"),
    }
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap_or_default()
}

/// Replays the seeds and the crashes of `target`; fails listing every input that panicked.
fn replay(target: &str) {
    let seeds = seeds(target);
    assert!(!seeds.is_empty(), "{target}: no seeds");
    if let Some(out) = std::env::var_os("RELAIS_FUZZ_SEEDS_OUT") {
        let dir = Path::new(&out).join(target);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in &seeds {
            std::fs::write(dir.join(format!("seed-{name}")), bytes).unwrap();
        }
    }
    let crashes: Vec<(String, Vec<u8>)> =
        files(&vectors("fuzz").join(target)).iter().map(|p| (format!("crash {}", p.display()), std::fs::read(p).unwrap())).collect();
    let mut failed = Vec::new();
    for (name, bytes) in seeds.iter().map(|(n, b)| (format!("seed {n}"), b)).chain(crashes.iter().map(|(n, b)| (n.clone(), b))) {
        if let Err(p) = std::panic::catch_unwind(|| harness::run(target, bytes)) {
            failed.push(format!("{name}: {}", panic_message(&*p)));
            // The vault the panic left may be half changed: the next input gets a new one.
            harness::forget_fixtures();
        }
    }
    assert!(failed.is_empty(), "{target}: {} input(s) panicked:\n{}", failed.len(), failed.join("\n"));
}

#[test]
fn bundle_age() {
    replay("bundle_age");
}

#[test]
fn bundle_document() {
    replay("bundle_document");
}

#[test]
fn bundle_open() {
    replay("bundle_open");
}

#[test]
fn bundle_sealed() {
    replay("bundle_sealed");
}

#[test]
fn contact_card() {
    replay("contact_card");
}

#[test]
fn directory_csv() {
    replay("directory_csv");
}

#[test]
fn backup_restore() {
    replay("backup_restore");
}

/// Every target of the fuzz crate is replayed here, and every crash directory is a target's.
#[test]
fn every_target_is_replayed() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut on_disk: Vec<String> =
        files(&fuzz.join("fuzz_targets")).iter().map(|p| p.file_stem().unwrap().to_string_lossy().into_owned()).collect();
    on_disk.sort();
    let mut listed: Vec<String> = harness::TARGETS.iter().map(|t| t.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed, "fuzz/fuzz_targets/ and harness::TARGETS differ");
    let manifest = std::fs::read_to_string(fuzz.join("Cargo.toml")).unwrap();
    for t in harness::TARGETS {
        assert!(manifest.contains(&format!("name = \"{t}\"")), "{t} is not a [[bin]] of fuzz/Cargo.toml");
        assert!(include_str!("fuzz_replay.rs").contains(&format!("fn {t}() {{")), "no replay test for {t}");
    }
    for d in std::fs::read_dir(vectors("fuzz")).unwrap().flatten().filter(|e| e.path().is_dir()) {
        let name = name_of(&d.path());
        assert!(harness::TARGETS.contains(&name.as_str()), "tests/vectors/fuzz/{name}/ is no target's: its inputs would never replay");
    }
}
