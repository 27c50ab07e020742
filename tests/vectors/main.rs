//! Test vectors, one test per file:
//! - `age-cctv/`: the C2SP CCTV age vectors through the bundle reader's decryption layer
//!   (`exchange::decrypt`): every `success` decrypts to the expected hash, every failure is
//!   rejected before any plaintext reaches an import; read in two halves at once (as a large
//!   bundle is), each gives the same bytes or nothing; vectors for features the age crate does
//!   not implement are listed as ignored, with the reason.
//! - `bundles/`: bad (and good) bundles for a vault with fixed test keys (`bundles/keys.json`),
//!   among them a verified but hostile sender's (an older bundle after a newer one, a case it
//!   does not hold or never received, a record moved or re-attributed, revision i64::MAX, a
//!   directory entry rewritten, a receipt for no transfer, format 1). Each says in its header
//!   what it gets (`expect:`) and what the vault held before (`setup:`, `before:`): refused
//!   with an error code, the vault exactly as it was; `stale` or `proposal`, every record as it
//!   was; `success`, imported once and then recognised as a replay.
//!   `RELAIS_BLESS=1` regenerates the corpus (review the diff).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use ed25519_dalek::{Signer, SigningKey};
use libtest_mimic::{Arguments, Failed, Trial};
use relais_core::exchange::identity;
use relais_core::exchange::{self, BundleKind, ExportRequest};
use relais_core::record::{Fields, Kind};
use relais_core::{Error, Store};
use relais_tests::TestVault;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

fn dir(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors").join(sub)
}

/// `key: value` header lines, a blank line, then the body.
fn parse_vector(bytes: &[u8]) -> (Vec<(String, String)>, Vec<u8>) {
    let split = bytes.windows(2).position(|w| w == b"\n\n").expect("header and body");
    let header = String::from_utf8_lossy(&bytes[..split])
        .lines()
        .filter_map(|l| l.split_once(": ").map(|(k, v)| (k.to_owned(), v.to_owned())))
        .collect();
    (header, bytes[split + 2..].to_vec())
}

fn get<'a>(h: &'a [(String, String)], k: &str) -> Option<&'a str> {
    h.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str())
}

// ------------------------------------------------------------------------------------------
// C2SP CCTV

fn cctv_trial(path: PathBuf) -> Trial {
    let name = format!("cctv::{}", path.file_name().unwrap().to_string_lossy());
    let bytes = std::fs::read(&path).unwrap();
    let (h, mut body) = parse_vector(&bytes);
    if get(&h, "compressed") == Some("zlib") {
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(&body[..]).read_to_end(&mut out).unwrap();
        body = out;
    }
    let skip = h.iter().any(|(k, v)| k == "identity" && v.starts_with("AGE-SECRET-KEY-PQ-"));
    let trial = Trial::test(name, move || run_cctv(&h, &body));
    if skip { trial.with_ignored_flag(true) } else { trial }
}

fn run_cctv(h: &[(String, String)], body: &[u8]) -> Result<(), Failed> {
    let expect = get(h, "expect").ok_or("no expect")?;
    let mut x25519 = Vec::new();
    let mut scrypt = Vec::new();
    for (k, v) in h {
        match k.as_str() {
            "identity" => x25519.push(age::x25519::Identity::from_str(v).map_err(|e| format!("identity: {e}"))?),
            "passphrase" => {
                let mut id = age::scrypt::Identity::new(age::secrecy::SecretString::from(v.clone()));
                id.set_max_work_factor(22);
                scrypt.push(id);
            }
            _ => {}
        }
    }
    let ids: Vec<&dyn age::Identity> =
        x25519.iter().map(|i| i as &dyn age::Identity).chain(scrypt.iter().map(|i| i as &dyn age::Identity)).collect();
    let got = exchange::decrypt(body, &ids);
    // Read in two halves at once (as a large bundle is), the file gives the same bytes or
    // nothing (a stream with a last chunk before its end, cut after it, is refused either way).
    let halves = exchange::decrypt_in_halves_for_tests(body, &ids);
    match (&got, &halves) {
        (Ok(plain), Some(h)) if plain != h => return Err("read in halves, other bytes".into()),
        (Err(e), Some(_)) => return Err(format!("read in order: {}; in halves it decrypted", e.code()).into()),
        // Two chunks and more are read in halves.
        (Ok(plain), None) if plain.len() >= 2 * 64 * 1024 => return Err("not read in halves".into()),
        _ => {}
    }
    match (expect, got) {
        ("success", Ok(plain)) => {
            let hash = hex::encode(Sha256::digest(&plain));
            if Some(hash.as_str()) == get(h, "payload") { Ok(()) } else { Err(format!("payload hash {hash}").into()) }
        }
        ("success", Err(e)) => Err(format!("expected success, got {}", e.code()).into()),
        (_, Ok(_)) => Err(format!("expected {expect}, but it decrypted").into()),
        ("no match", Err(Error::BundleNotForThisVault)) => Ok(()),
        ("no match", Err(e)) => Err(format!("no match should say BundleNotForThisVault, got {}", e.code()).into()),
        ("HMAC failure", Err(Error::BundleTampered)) => Ok(()),
        ("HMAC failure", Err(e)) => Err(format!("HMAC failure should say BundleTampered, got {}", e.code()).into()),
        (_, Err(_)) => Ok(()),
    }
}

// ------------------------------------------------------------------------------------------
// The bundle corpus

struct Keys {
    v: Value,
}

impl Keys {
    fn load() -> Keys {
        Keys { v: serde_json::from_str(&std::fs::read_to_string(dir("bundles").join("keys.json")).unwrap()).unwrap() }
    }
    fn s(&self, who: &str, k: &str) -> String {
        self.v[who][k].as_str().unwrap().to_owned()
    }
    fn signer(&self, who: &str) -> SigningKey {
        SigningKey::from_bytes(&hex::decode(self.s(who, "signing_seed")).unwrap().try_into().unwrap())
    }
    fn public(&self, who: &str) -> (String, String) {
        (self.s(who, "age_recipient"), hex::encode(self.signer(who).verifying_key().to_bytes()))
    }
    fn fingerprint(&self, who: &str) -> String {
        let (age, sign) = self.public(who);
        identity::fingerprint(&age, &sign)
    }
}

/// A fresh vault whose identities are `who`'s fixed test keys.
fn vault_as(keys: &Keys, who: &str) -> (TestVault, Store) {
    let (tv, store) = TestVault::new();
    store.conn().execute("UPDATE vault_meta SET value = ?1 WHERE key = 'age_identity'", [keys.s(who, "age_identity")]).unwrap();
    store.conn().execute("UPDATE vault_meta SET value = ?1 WHERE key = 'signing_seed'", [keys.s(who, "signing_seed")]).unwrap();
    store.conn().execute("UPDATE vault_meta SET value = ?1 WHERE key = 'fingerprint'", [keys.fingerprint(who)]).unwrap();
    (tv, store)
}

fn add_contact(store: &mut Store, keys: &Keys, who: &str) -> String {
    let (age, sign) = keys.public(who);
    let f: Fields =
        [("name", json!(who)), ("age_recipient", json!(age)), ("signing_key", json!(sign)), ("verified_on", json!("2026-11-01"))]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
    store.write(|w| w.insert(Kind::Contact, f)).unwrap()
}

/// The receiver's own case (fixed id), which some hostile bundles reach for.
const RECEIVERS_CASE: &str = "01900000-0000-7000-8000-0000000000ca";

/// The transfer of [`RECEIVERS_CASE`] to the sender, for `setup: receivers_case_handed_off`.
const HANDOFF: &str = "01900000-0000-7000-8000-00000000abcd";

/// What the receiving vault holds before a corpus file is imported: `setup: receivers_case`
/// (a case it holds), `receivers_case_shared` (the same, shared with the sender earlier),
/// `receivers_case_handed_off` (the same, transferred to the sender by [`HANDOFF`]).
fn set_up(store: &mut Store, keys: &Keys, setup: Option<&str>) {
    if setup.is_none() {
        return;
    }
    let f: Fields = [("alias", json!("Dossier du receveur")), ("intake_at", json!("2026-11-01T10:00:00Z"))]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    let id = store.write(|w| w.insert(Kind::Person, f)).unwrap();
    store.conn().execute("UPDATE persons SET id = ?2 WHERE id = ?1", [&id, RECEIVERS_CASE]).unwrap();
    if setup == Some("receivers_case_handed_off") {
        store
            .conn()
            .execute("UPDATE persons SET owner = ?2, status = 'handed_off' WHERE id = ?1", [RECEIVERS_CASE, &keys.fingerprint("sender")])
            .unwrap();
        store
            .conn()
            .execute(
                "INSERT INTO handoffs (person_id, bundle_id, to_fingerprint, at) VALUES (?1, ?2, ?3, '2026-11-01T12:00:00Z')",
                [RECEIVERS_CASE, HANDOFF, &keys.fingerprint("sender")],
            )
            .unwrap();
    }
    if setup == Some("receivers_case_shared") {
        store
            .conn()
            .execute(
                "INSERT INTO bundles_seen (bundle_id, direction, kind, peer, at, counts, persons) VALUES ('earlier', 'out', 'share', ?1, '2026-11-01T12:00:00Z', '{}', ?2)",
                [keys.fingerprint("sender"), json!([RECEIVERS_CASE]).to_string()],
            )
            .unwrap();
    }
}

/// The receiving vault every corpus file is imported into.
fn receiver(keys: &Keys) -> (TestVault, Store) {
    let (tv, mut store) = vault_as(keys, "receiver");
    add_contact(&mut store, keys, "sender");
    (tv, store)
}

fn open_apply(store: &mut Store, bytes: &[u8]) -> relais_core::Result<exchange::Preview> {
    exchange::open(store, bytes, false).and_then(|o| exchange::apply(store, &o, &mut |_, _| {}))
}

/// Each file says what it must get (`expect:`): `success` (imported, then a replay), `stale`
/// (nothing changes: older than what is here), `proposal` (held for a decision, nothing
/// applied), or an error code (refused). Whatever it gets, only what it says may change:
/// refused, the vault is byte for byte what it was; stale or a proposal, every record is.
fn bundle_trial(path: PathBuf) -> Trial {
    let name = format!("bundles::{}", path.file_stem().unwrap().to_string_lossy());
    Trial::test(name, move || {
        let (h, body) = parse_vector(&std::fs::read(&path).unwrap());
        let expect = get(&h, "expect").ok_or("no expect")?.to_owned();
        let keys = Keys::load();
        let (_tv, mut store) = receiver(&keys);
        set_up(&mut store, &keys, get(&h, "setup"));
        for earlier in get(&h, "before").map(|b| b.split(',').collect::<Vec<_>>()).unwrap_or_default() {
            let (_, bytes) = parse_vector(&std::fs::read(dir("bundles").join(format!("{}.vector", earlier.trim()))).unwrap());
            open_apply(&mut store, &bytes).map_err(|e| format!("before: {earlier}: {}", e.code()))?;
        }
        let before = relais_tests::dump_vault(&store);
        let records_before = records(&store);
        let result = open_apply(&mut store, &body);
        match (expect.as_str(), result) {
            ("success", Ok(p)) if p.applied && !p.stale => {
                let after_first = relais_tests::dump_vault(&store);
                let again = open_apply(&mut store, &body)?;
                if !again.replay || relais_tests::dump_vault(&store) != after_first {
                    return Err("importing the same bundle twice changed something".into());
                }
                Ok(())
            }
            ("stale", Ok(p)) if p.stale && records(&store) == records_before => Ok(()),
            ("proposal", Ok(p)) if p.counts.proposals.values().sum::<u64>() > 0 && records(&store) == records_before => {
                let open = exchange::conflicts(&store)?;
                if open.is_empty() || open.iter().any(|c| c.reason == "conflict") {
                    return Err(format!("expected proposals waiting, got {open:?}").into());
                }
                Ok(())
            }
            ("success" | "stale" | "proposal", other) => Err(format!("expected {expect}, got {:?}", other.map_err(|e| e.code())).into()),
            (code, Err(e)) if e.code() == code => {
                if relais_tests::dump_vault(&store) != before {
                    return Err("the refused bundle changed the vault".into());
                }
                if e.message(relais_core::Lang::Fr).is_empty() || e.message(relais_core::Lang::En).is_empty() {
                    return Err("no message".into());
                }
                Ok(())
            }
            (code, other) => Err(format!("expected {code}, got {:?}", other.map(|_| ()).map_err(|e| format!("{} ({e})", e.code()))).into()),
        }
    })
}

/// Every record of every kind: what a stale bundle or a proposal must leave as it was.
fn records(store: &Store) -> String {
    Kind::ALL.iter().map(|k| format!("{:?}\n", store.list_all(*k).unwrap())).collect()
}

fn sign(keys: &Keys, who: &str, manifest: &Value) -> String {
    sign_as(keys, who, manifest, 2)
}

/// The signature of a manifest in format `version` (the version is in the signed context).
fn sign_as(keys: &Keys, who: &str, manifest: &Value, version: u64) -> String {
    let mut msg = format!("relais.bundle.v{version} manifest\n").into_bytes();
    msg.extend_from_slice(exchange::canonical(manifest).as_bytes());
    hex::encode(keys.signer(who).sign(&msg).to_bytes())
}

fn sha(v: &Value) -> String {
    hex::encode(Sha256::digest(exchange::canonical(v).as_bytes()))
}

/// Writes the corpus: a valid share from the fixed sender, and one mutation per bad input.
fn generate() {
    let keys = Keys::load();
    let (_tvs, mut sender) = vault_as(&keys, "sender");
    let to = add_contact(&mut sender, &keys, "receiver");
    let f = |pairs: &[(&str, Value)]| -> Fields { pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect() };
    let p =
        sender.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Vecteur")), ("intake_at", json!("2026-11-02T10:00:00Z"))]))).unwrap();
    sender.write(|w| w.insert(Kind::Need, f(&[("person_id", json!(p)), ("code", json!("housing_emergency"))]))).unwrap();
    sender
        .write(|w| {
            w.insert(Kind::Note, f(&[("person_id", json!(p)), ("text", json!("Note de test")), ("at", json!("2026-11-02T11:00:00Z"))]))
        })
        .unwrap();
    let org =
        sender.write(|w| w.insert(Kind::Organisation, f(&[("name", json!("Refuge Vecteur")), ("phone", json!("514 555-0100"))]))).unwrap();
    sender.write(|w| w.insert(Kind::Referral, f(&[("person_id", json!(p)), ("org_id", json!(org))]))).unwrap();
    let req = ExportRequest {
        persons: vec![p.clone()],
        to: vec![to],
        kind: BundleKind::Share,
        armor: false,
        override_reason: Some("Vecteurs de test".into()),
        documents: false,
    };
    let (valid, manifest, _) = exchange::build_export(&sender, &req, &mut |_, _| {}).unwrap();
    let manifest = serde_json::to_value(&manifest).unwrap();
    let receiver_id = age::x25519::Identity::from_str(&keys.s("receiver", "age_identity")).unwrap();
    let plain = exchange::decrypt(&valid, &[&receiver_id as &dyn age::Identity]).unwrap();
    let content = serde_json::from_slice::<Value>(&plain).unwrap()["content"].clone();
    let receiver_r = keys.s("receiver", "age_recipient");
    let stranger_r = keys.s("stranger", "age_recipient");
    let seal = |version: Value, m: &Value, c: &Value, sig: String, to: &str| -> Vec<u8> {
        let doc = json!({"format": "relais.bundle", "version": version, "manifest": m, "content": c, "signature": sig});
        exchange::encrypt_for_test_vectors(&serde_json::to_vec(&doc).unwrap(), &[to]).unwrap()
    };
    let resign = |m: &Value, c: &Value| -> Vec<u8> { seal(json!(2), m, c, sign(&keys, "sender", m), &receiver_r) };
    // `m` signed over `c`, its hash and counts made to match.
    let sealed_with = |mut m: Value, c: Value| -> Vec<u8> {
        m["content_sha256"] = json!(sha(&c));
        m["counts"] = json!(
            c["records"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_array().unwrap().len()))
                .collect::<std::collections::BTreeMap<_, _>>()
        );
        resign(&m, &c)
    };
    let with_content = |c: Value| -> Vec<u8> { sealed_with(manifest.clone(), c) };
    // The same case a little later: the alias changed, shared again.
    sender.write(|w| w.update(Kind::Person, &p, f(&[("alias", json!("Vecteur, plus tard"))]))).unwrap();
    let (newer, _, _) = exchange::build_export(&sender, &req, &mut |_, _| {}).unwrap();
    let mut out: Vec<(&str, &str, &str, Vec<u8>)> = vec![
        ("valid_share", "success", "a valid share; imported twice, the second is a replay", valid.clone()),
        ("valid_share_newer", "success", "the same case shared again after a change", newer),
    ];
    out.push((
        "older_after_newer",
        "stale\nbefore: valid_share_newer",
        "the first share arrives after the newer one: nothing goes back",
        valid.clone(),
    ));
    out.push(("truncated_in_header", "BundleTruncated", "only the first 60 bytes (cut inside the header)", valid[..60].to_vec()));
    out.push((
        "truncated_in_payload",
        "BundleTampered",
        "the last third is missing; a cut inside the encrypted payload fails authentication like an alteration",
        valid[..valid.len() * 2 / 3].to_vec(),
    ));
    let mut flip = valid.clone();
    let n = flip.len() - 10;
    flip[n] ^= 0x01;
    out.push(("flipped_bit_payload", "BundleTampered", "one bit flipped near the end of the payload", flip));
    let mut flip = valid.clone();
    let mac = flip.windows(4).position(|w| w == b"--- ").unwrap() + 4;
    flip[mac] = if flip[mac] == b'A' { b'B' } else { b'A' };
    out.push(("flipped_header_mac", "BundleTampered", "one character of the header MAC changed", flip));
    out.push((
        "encrypted_to_someone_else",
        "BundleNotForThisVault",
        "a valid bundle encrypted to another vault",
        seal(json!(2), &manifest, &content, sign(&keys, "sender", &manifest), &stranger_r),
    ));
    out.push(("not_age", "NotAgeFile", "plain text", b"Bonjour, ceci n'est pas un envoi Relais.\n".to_vec()));
    let armored = {
        let doc = json!({"format": "relais.bundle", "version": 2, "manifest": manifest, "content": content, "signature": sign(&keys, "sender", &manifest)});
        let recipient = identity::parse_recipient(&receiver_r).unwrap();
        let enc = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient)).unwrap();
        let mut buf = Vec::new();
        let aw = age::armor::ArmoredWriter::wrap_output(&mut buf, age::armor::Format::AsciiArmor).unwrap();
        let mut w = enc.wrap_output(aw).unwrap();
        std::io::Write::write_all(&mut w, &serde_json::to_vec(&doc).unwrap()).unwrap();
        w.finish().unwrap().finish().unwrap();
        let mut g = b"Voici le fichier :\n".to_vec();
        g.extend(buf);
        g.extend(b"\nMerci !\n");
        g
    };
    out.push(("armored_with_garbage", "NotAgeFile", "an armored bundle with text around it", armored));
    out.push((
        "age_but_not_bundle",
        "NotABundle",
        "a valid age file holding a PDF",
        exchange::encrypt_for_test_vectors(b"%PDF-1.4\n%fake\n", &[&receiver_r]).unwrap(),
    ));
    out.push((
        "malformed_json",
        "MalformedBundle",
        "JSON cut in the middle",
        exchange::encrypt_for_test_vectors(b"{\"format\": \"relais.bundle\", \"version\": 2, \"manif", &[&receiver_r]).unwrap(),
    ));
    let mut bad_sig = sign(&keys, "sender", &manifest);
    bad_sig.replace_range(0..1, if bad_sig.starts_with('0') { "1" } else { "0" });
    out.push(("bad_signature", "BadSignature", "the signature altered", seal(json!(2), &manifest, &content, bad_sig, &receiver_r)));
    let mut m = manifest.clone();
    let (age_s, sign_s) = keys.public("stranger");
    m["sender"] = json!({"name": "Inconnu", "org": "", "age_recipient": age_s, "signing_key": sign_s, "fingerprint": identity::fingerprint(&age_s, &sign_s)});
    out.push((
        "signed_by_unknown_key",
        "UnknownSender",
        "validly signed by a key not in the contacts",
        seal(json!(2), &m, &content, sign(&keys, "stranger", &m), &receiver_r),
    ));
    let mut m = manifest.clone();
    m["audit_anchor"]["seq"] = json!(999_999);
    out.push((
        "audit_anchor_not_as_signed",
        "MalformedBundle",
        "the sender's audit anchor altered (its own signature no longer holds), the manifest re-signed",
        resign(&m, &content),
    ));
    let mut m = manifest.clone();
    m["recipients"] = json!([{"age_recipient": stranger_r, "fingerprint": identity::fingerprint(&stranger_r, &keys.public("stranger").1)}]);
    out.push((
        "recipients_not_naming_this_vault",
        "BundleReaddressed",
        "signed for someone else, re-encrypted to this vault",
        resign(&m, &content),
    ));
    out.push((
        "future_version",
        "UnsupportedVersion",
        "format version 3",
        seal(json!(3), &manifest, &content, sign_as(&keys, "sender", &manifest, 3), &receiver_r),
    ));
    let mut c = content.clone();
    c["records"]["note"][0]["person_id"] = json!("01900000-0000-7000-8000-00000000dead");
    out.push(("reference_to_absent_person", "BundleDanglingReference", "a note of a person the bundle does not carry", with_content(c)));
    let mut c = content.clone();
    let note = c["records"]["note"][0].clone();
    c["records"]["note"].as_array_mut().unwrap().push(note);
    out.push(("duplicate_ids", "BundleDuplicateId", "the same note twice", with_content(c)));
    let mut m = manifest.clone();
    m["counts"]["note"] = json!(1_000_000);
    out.push(("declared_count_too_large", "BundleCountMismatch", "a million notes announced, one carried", resign(&m, &content)));
    let mut m = manifest.clone();
    m["created_at"] = json!("demain matin");
    out.push(("creation_date_not_a_date", "MalformedBundle", "the manifest's creation date is not a date", resign(&m, &content)));
    let mut c = content.clone();
    c["records"]["note"][0]["text"] = json!("x".repeat(150_000));
    out.push(("huge_string_field", "MalformedBundle", "a note of 150 000 characters (limit 100 000)", with_content(c)));
    // Totals add up what cases hold: a sender cannot inflate a funder's report or overflow a sum.
    let mut c = content.clone();
    c["records"]["note"][0]["minutes"] = json!(i64::MAX);
    out.push(("minutes_beyond_a_day", "MalformedBundle", "a note's intervention time of i64::MAX minutes (limit a day)", with_content(c)));
    let mut c = content.clone();
    c["records"]["note"][0]["minutes"] = json!(-60);
    out.push(("negative_minutes", "MalformedBundle", "a note's intervention time of -60 minutes", with_content(c)));
    let mut c = content.clone();
    c["records"]["person"][0]["alias"] = json!("Modifié");
    out.push((
        "content_changed_after_signing",
        "BundleTampered",
        "content altered, manifest (and its hash) left as signed",
        resign(&manifest, &c),
    ));
    // A signed, verified, but hostile sender.
    let fp_sender = keys.fingerprint("sender");
    let fp_receiver = keys.fingerprint("receiver");
    let fp_stranger = keys.fingerprint("stranger");
    let serial = std::cell::Cell::new(0);
    let next_id = || {
        serial.set(serial.get() + 1);
        format!("01900000-0000-7000-8000-0000000b{:04x}", serial.get())
    };
    let bundle = |kind: &str, persons: Vec<&str>, c: Value| -> Vec<u8> {
        let mut m = manifest.clone();
        m["bundle_id"] = json!(next_id());
        m["kind"] = json!(kind);
        m["persons"] = json!(persons);
        sealed_with(m, c)
    };
    // The receiver's own case, as the receiver's vault holds it (same setup as the harness).
    let (_tvr, mut recv) = vault_as(&keys, "receiver");
    set_up(&mut recv, &keys, Some("receivers_case"));
    let theirs_case = serde_json::to_value(recv.get(Kind::Person, RECEIVERS_CASE).unwrap()).unwrap();
    let mut changed = theirs_case.clone();
    changed["alias"] = json!("Réécrit par l'expéditeur");
    changed["updated_by"] = json!(fp_sender);
    changed["versions"] = json!({fp_receiver.as_str(): 1, fp_sender.as_str(): 1});
    changed["revision"] = json!(2);
    let only = |k: &str, rows: Vec<Value>| json!({"records": {k: rows}});
    out.push((
        "update_to_a_case_never_received",
        "NotPartyToCase\nsetup: receivers_case",
        "a share rewriting a case the receiver holds and never sent to the sender",
        bundle("share", vec![RECEIVERS_CASE], only("person", vec![changed.clone()])),
    ));
    out.push((
        "transfer_of_a_case_not_held",
        "NotCaseOwner\nsetup: receivers_case",
        "a transfer of a case the receiver holds",
        bundle("transfer", vec![RECEIVERS_CASE], only("person", vec![changed.clone()])),
    ));
    out.push((
        "change_by_a_recipient",
        "proposal\nsetup: receivers_case_shared",
        "the sender received the case and changes the receiver's record of the person: a proposal",
        bundle("share", vec![RECEIVERS_CASE], only("person", vec![changed])),
    ));
    let forged = json!({
        "id": "01900000-0000-7000-8000-00000000f0e1", "created_at": "2026-11-03T10:00:00Z", "updated_at": "2026-11-03T10:00:00Z",
        "created_by": fp_stranger, "updated_by": fp_stranger, "versions": {fp_stranger.as_str(): 1}, "revision": 1,
        "person_id": RECEIVERS_CASE, "text": "Écrit au nom de quelqu'un d'autre", "at": "2026-11-03T10:00:00Z", "kind": "contact"
    });
    let mut forged_note = serde_json::Map::new();
    for col in Kind::Note.columns() {
        forged_note.insert(col.name.into(), forged.get(col.name).cloned().unwrap_or(Value::Null));
    }
    for base in relais_core::vault::store::BASE_FIELDS {
        forged_note.insert(base.into(), forged[base].clone());
    }
    out.push((
        "note_attributed_to_someone_else",
        "BundleForgedAuthor\nsetup: receivers_case_shared",
        "the sender adds a note to a case it does not hold, signed as another colleague's",
        bundle("share", vec![RECEIVERS_CASE], json!({"records": {"person": [theirs_case], "note": [forged_note]}})),
    ));
    // Mutations of the valid share, after it was imported.
    let person_id = content["records"]["person"][0]["id"].as_str().unwrap().to_owned();
    let bump = |r: &mut Value, n: i64| {
        r["versions"] = json!({fp_sender.as_str(): n});
        r["revision"] = json!(n);
    };
    let mut c = content.clone();
    let mut second = c["records"]["person"][0].clone();
    second["id"] = json!("01900000-0000-7000-8000-0000000000b2");
    second["alias"] = json!("Autre personne");
    c["records"]["person"].as_array_mut().unwrap().push(second);
    c["records"]["note"][0]["person_id"] = json!("01900000-0000-7000-8000-0000000000b2");
    bump(&mut c["records"]["note"][0], 5);
    out.push((
        "record_moved_to_another_person",
        "BundleRewritesRecord\nbefore: valid_share",
        "the note already imported comes back under another person",
        bundle("share", vec![person_id.as_str(), "01900000-0000-7000-8000-0000000000b2"], c),
    ));
    let mut c = content.clone();
    c["records"]["note"][0]["created_by"] = json!(fp_stranger);
    bump(&mut c["records"]["note"][0], 5);
    out.push((
        "author_rewritten",
        "BundleRewritesRecord\nbefore: valid_share",
        "the note already imported comes back with another author",
        bundle("share", vec![person_id.as_str()], c),
    ));
    let mut c = content.clone();
    c["records"]["person"][0]["revision"] = json!(i64::MAX);
    out.push(("revision_max", "MalformedBundle", "revision i64::MAX (not the total of its versions)", with_content(c)));
    let mut c = content.clone();
    c["records"]["person"][0]["versions"] = json!({fp_sender.as_str(): i64::MAX});
    c["records"]["person"][0]["revision"] = json!(i64::MAX);
    out.push(("version_count_max", "MalformedBundle", "a version count of i64::MAX (above 2^31 - 1)", with_content(c)));
    let mut c = content.clone();
    c["records"]["organisation"][0]["phone"] = json!("514 555-6666");
    bump(&mut c["records"]["organisation"][0], 9);
    out.push((
        "directory_entry_rewritten",
        "proposal\nbefore: valid_share",
        "the shelter's number rewritten: offered as a suggestion, the receiver's entry kept",
        bundle("share", vec![person_id.as_str()], c),
    ));
    let mut m = manifest.clone();
    m["bundle_id"] = json!(next_id());
    m["kind"] = json!("receipt");
    m["persons"] = json!([person_id]);
    m["receipt_for"] = json!("01900000-0000-7000-8000-00000000beef");
    let empty = json!({"records": {}});
    m["content_sha256"] = json!(sha(&empty));
    m["counts"] = json!({});
    out.push((
        "receipt_for_a_transfer_never_made",
        "ReceiptNotForSender\nbefore: valid_share",
        "a receipt for a transfer the receiver never made to the sender",
        resign(&m, &empty),
    ));
    let mut m = m.clone();
    m["bundle_id"] = json!(next_id());
    m["receipt_for"] = json!(HANDOFF);
    m["persons"] = json!([RECEIVERS_CASE]);
    out.push((
        "receipt_of_a_transfer",
        "success\nsetup: receivers_case_handed_off",
        "the receipt of a real transfer, naming the case it carried (the control of the next one)",
        resign(&m, &empty),
    ));
    m["bundle_id"] = json!(next_id());
    m["persons"] = json!([RECEIVERS_CASE, person_id]);
    out.push((
        "receipt_naming_other_cases",
        "ReceiptNotForSender\nsetup: receivers_case_handed_off\nbefore: valid_share",
        "the receipt of a real transfer that also names a case the transfer did not carry",
        resign(&m, &empty),
    ));
    // Team reports: no record, no person, a report whose values are what Relais writes.
    let report_of = |case: Value| json!({"records": {}, "report": {"cases": [case]}});
    let fine = json!({"alias": "Vecteur", "status": "active", "phase": "short_medium", "next_appointment": "2026-12-10", "overdue": 2, "days_since_contact": 12});
    let mut m = manifest.clone();
    m["kind"] = json!("report");
    m["persons"] = json!([]);
    m["counts"] = json!({});
    let report = |m: &Value, c: Value| -> Vec<u8> {
        let mut m = m.clone();
        m["bundle_id"] = json!(next_id());
        m["content_sha256"] = json!(sha(&c));
        resign(&m, &c)
    };
    out.push((
        "team_report",
        "success",
        "a colleague's team report: aliases and states, nothing else",
        report(&m, report_of(fine.clone())),
    ));
    let mut odd = fine.clone();
    odd["status"] = json!("en_fuite");
    out.push((
        "team_report_unknown_status",
        "MalformedBundle",
        "a team report whose status is no code of the catalogue",
        report(&m, report_of(odd)),
    ));
    let mut extra = fine.clone();
    extra["legal_name"] = json!("Nom légal glissé");
    out.push((
        "team_report_extra_field",
        "MalformedBundle",
        "a team report carrying a field reports do not have (a legal name)",
        report(&m, report_of(extra)),
    ));
    let mut with_records = report_of(fine.clone());
    with_records["records"] = content["records"].clone();
    let mut mr = m.clone();
    mr["counts"] = manifest["counts"].clone();
    out.push(("team_report_with_records", "MalformedBundle", "a team report that also carries records", report(&mr, with_records)));
    let mut share_with_report = content.clone();
    share_with_report["report"] = json!({"cases": [fine]});
    out.push((
        "share_carrying_a_report",
        "MalformedBundle",
        "a share that also carries a team report",
        report(&manifest, share_with_report),
    ));
    // Documents: a record and its bytes (base64), which must be each other's.
    let b64 = |b: &[u8]| {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(b)
    };
    let hex_sha = |b: &[u8]| {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(b))
    };
    let pdf: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    let doc_record = |bytes: &[u8], media_type: &str| -> Value {
        let mut r = serde_json::Map::new();
        for col in Kind::Document.columns() {
            r.insert(col.name.into(), Value::Null);
        }
        let id = next_id();
        for (k, v) in [
            ("id", json!(id)),
            ("created_at", json!("2026-11-03T10:00:00Z")),
            ("updated_at", json!("2026-11-03T10:00:00Z")),
            ("created_by", json!(fp_sender)),
            ("updated_by", json!(fp_sender)),
            ("versions", json!({fp_sender.as_str(): 1})),
            ("revision", json!(1)),
            ("person_id", json!(person_id)),
            ("title", json!("Lettre de permis")),
            ("kind", json!("immigration")),
            ("file_name", json!("permis.pdf")),
            ("media_type", json!(media_type)),
            ("size", json!(bytes.len())),
            ("sha256", json!(hex_sha(bytes))),
        ] {
            r.insert(k.into(), v);
        }
        Value::Object(r)
    };
    let with_doc = |rec: &Value, bytes: Option<&[u8]>| -> Value {
        let mut c = content.clone();
        c["records"]["document"] = json!([rec]);
        if let Some(b) = bytes {
            c["documents"] = json!({rec["id"].as_str().unwrap(): b64(b)});
        }
        c
    };
    let rec = doc_record(pdf, "application/pdf");
    out.push(("share_with_a_document", "success", "a share carrying a PDF and its record", with_content(with_doc(&rec, Some(pdf)))));
    out.push((
        "document_bytes_not_its_own",
        "MalformedBundle",
        "a document record whose bytes are another file's (size and SHA-256 differ)",
        with_content(with_doc(&rec, Some(b"%PDF-1.4\nautre chose\n"))),
    ));
    out.push((
        "document_without_its_bytes",
        "MalformedBundle",
        "a new document record that comes without its bytes",
        with_content(with_doc(&rec, None)),
    ));
    let mut stray = with_doc(&rec, Some(pdf));
    stray["documents"]["01900000-0000-7000-8000-00000000d0c5"] = json!(b64(pdf));
    out.push((
        "document_bytes_without_record",
        "MalformedBundle",
        "bytes under an id no document record of the bundle has",
        with_content(stray),
    ));
    let liar = doc_record(pdf, "image/png");
    out.push((
        "document_type_not_its_content",
        "MalformedBundle",
        "a PDF whose record says it is a PNG image (size and SHA-256 right)",
        with_content(with_doc(&liar, Some(pdf))),
    ));
    let mut bomb = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bomb.extend_from_slice(&100_000u32.to_be_bytes());
    bomb.extend_from_slice(&100_000u32.to_be_bytes());
    bomb.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    let bomb_rec = doc_record(&bomb, "image/png");
    out.push((
        "document_image_bomb",
        "MalformedBundle",
        "a PNG whose header declares 100 000 × 100 000 pixels (40 GB to show), its record matching",
        with_content(with_doc(&bomb_rec, Some(&bomb))),
    ));
    let mut renamed = rec.clone();
    renamed["sha256"] = json!(hex_sha(b"%PDF-1.4\nautre\n"));
    renamed["size"] = json!(16);
    bump(&mut renamed, 2);
    let mut c = with_doc(&renamed, Some(b"%PDF-1.4\nautre\n"));
    c["records"]["document"][0]["updated_at"] = json!("2026-11-04T10:00:00Z");
    out.push((
        "document_content_replaced",
        "BundleRewritesRecord\nbefore: share_with_a_document",
        "the document already imported comes back, a newer version, with other bytes",
        bundle("share", vec![person_id.as_str()], c),
    ));
    // The document's top level written by hand, the keys in the order given (duplicates kept):
    // the content is found without scanning it when the document is written as Relais writes it.
    let top_level = |pairs: &[(&str, &Value)]| -> Vec<u8> {
        let members: Vec<String> = pairs.iter().map(|(k, v)| format!("{}:{}", json!(k), serde_json::to_string(v).unwrap())).collect();
        exchange::encrypt_for_test_vectors(format!("{{{}}}", members.join(",")).as_bytes(), &[&receiver_r]).unwrap()
    };
    let (format, version, signature) = (json!("relais.bundle"), json!(2), json!(sign(&keys, "sender", &manifest)));
    out.push((
        "top_level_format_twice",
        "success",
        "« format » a second time after the manifest: the content seems to end there, it does not (read whole, the last « format » counts)",
        top_level(&[
            ("content", &content),
            ("format", &format),
            ("manifest", &manifest),
            ("format", &format),
            ("signature", &signature),
            ("version", &version),
        ]),
    ));
    let mut other = content.clone();
    other["records"]["person"][0]["alias"] = json!("Autre contenu");
    let mut signs_other = manifest.clone();
    signs_other["content_sha256"] = json!(sha(&other));
    out.push((
        "top_level_content_twice",
        "BundleTampered",
        "a content the manifest signs, then « content » a second time at the end, which counts (as in any JSON reader keeping the last)",
        top_level(&[
            ("content", &other),
            ("format", &format),
            ("manifest", &signs_other),
            ("signature", &json!(sign(&keys, "sender", &signs_other))),
            ("version", &version),
            ("content", &content),
        ]),
    ));
    out.push((
        "format_version_1",
        "OldBundleVersion",
        "a bundle of format 1, signed as format 1",
        seal(json!(1), &manifest, &content, sign_as(&keys, "sender", &manifest, 1), &receiver_r),
    ));
    let d = dir("bundles");
    for entry in std::fs::read_dir(&d).unwrap().flatten() {
        if entry.path().extension().is_some_and(|e| e == "vector") {
            std::fs::remove_file(entry.path()).unwrap();
        }
    }
    for (name, expect, comment, bytes) in out {
        let mut file = format!("expect: {expect}\ncomment: {comment}\n\n").into_bytes();
        file.extend(bytes);
        std::fs::write(d.join(format!("{name}.vector")), file).unwrap();
    }
}

fn main() {
    let args = Arguments::from_args();
    if std::env::var_os("RELAIS_BLESS").is_some() {
        generate();
    }
    let mut trials = Vec::new();
    let mut cctv: Vec<PathBuf> = std::fs::read_dir(dir("age-cctv"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    cctv.sort();
    let mut skipped = 0;
    for p in cctv {
        let t = cctv_trial(p);
        skipped += usize::from(t.has_ignored_flag());
        trials.push(t);
    }
    eprintln!(
        "CCTV: {skipped} vectors skipped (ignored): post-quantum hybrid identities (AGE-SECRET-KEY-PQ-), which the age crate 0.12 cannot parse."
    );
    let mut corpus: Vec<PathBuf> = std::fs::read_dir(dir("bundles"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "vector"))
        .collect();
    corpus.sort();
    assert!(corpus.len() >= 30, "the bad-bundle corpus is missing: RELAIS_BLESS=1 regenerates it");
    trials.extend(corpus.into_iter().map(bundle_trial));
    libtest_mimic::run(&args, trials).exit();
}
