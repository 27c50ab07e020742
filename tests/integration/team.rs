//! The team folder through the core: a hand-off that travels by itself (the folder stands in for
//! the sync engine here; `syncthing.rs` runs the real one), the inbox and what it must never
//! import, receipts that come back alone, and the padding that hides how many cases a file holds.

use std::path::Path;

use relais_core::exchange::team::{self, Cleanup, InboxState};
use relais_core::exchange::{self, BundleKind};
use relais_core::record::Kind;
use relais_core::{Error, Lang, Store};
use relais_tests::TestVault;

use crate::bundle::{Pair, befriend, pair, send};

fn me(store: &Store) -> String {
    relais_core::exchange::identity::show(store).unwrap().fingerprint
}

fn team_pair() -> (Pair, tempfile::TempDir) {
    let mut p = pair();
    let folder = tempfile::tempdir().unwrap();
    team::set_folder(&mut p.a, folder.path()).unwrap();
    team::set_folder(&mut p.b, folder.path()).unwrap();
    (p, folder)
}

fn import_item(store: &mut Store, file: &str) -> relais_core::Result<(exchange::Preview, team::AfterImport)> {
    let o = team::open_item(store, file, false)?;
    let preview = exchange::apply(store, &o, &mut |_, _| {})?;
    let after = team::after_import(store, file, &o, Lang::Fr)?;
    Ok((preview, after))
}

fn relais_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| n.ends_with(".relais")).collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn a_transfer_travels_through_the_folder_and_its_receipt_comes_back_alone() {
    let (mut p, folder) = team_pair();
    let files = send(&mut p.a, &p.b_in_a, &[&p.person], BundleKind::Transfer);
    // Addressed by the recipient's fingerprint, named by nothing but a random id.
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].parent().unwrap(), folder.path().canonicalize().unwrap().join(me(&p.b)));
    let name = files[0].file_name().unwrap().to_str().unwrap().to_owned();
    assert!(name.len() == 32 + ".relais".len() && name[..32].bytes().all(|b| b.is_ascii_hexdigit()), "{name}");
    let alias = p.a.get(Kind::Person, &p.person).unwrap()["alias"].as_str().unwrap().to_owned();
    assert!(!name.contains(&alias));

    // B sees it in the inbox, opened and verified, and nothing is applied yet.
    let inbox = team::inbox(&mut p.b, Lang::Fr).unwrap();
    assert_eq!(inbox.items.len(), 1, "{inbox:?}");
    let item = &inbox.items[0];
    assert_eq!((item.state, item.kind, item.persons, item.sender_verified), (InboxState::Waiting, Some(BundleKind::Transfer), 1, true));
    assert_eq!(item.sender.as_deref(), Some("Intervenante Test"));
    assert!(p.b.list_all(Kind::Person).unwrap().is_empty(), "listing the inbox imports nothing");

    // B confirms: imported, the receipt goes back by itself, the file moves to traite/.
    let (preview, after) = import_item(&mut p.b, &name).unwrap();
    assert!(preview.applied);
    assert!(after.receipt_sent && after.cleaned, "{after:?}");
    let b_inbox = folder.path().join(me(&p.b));
    assert!(relais_files(&b_inbox).is_empty());
    assert_eq!(relais_files(&b_inbox.join(team::DONE_DIR)), vec![name.clone()]);
    assert_eq!(p.b.get(Kind::Person, &p.person).unwrap()["alias"].as_str(), Some(alias.as_str()));

    // A's inbox takes the receipt: the case can be purged.
    assert_eq!(relais_files(&folder.path().join(me(&p.a))).len(), 1);
    let inbox = team::inbox(&mut p.a, Lang::Fr).unwrap();
    assert_eq!(inbox.receipts.len(), 1, "{inbox:?}");
    assert_eq!((inbox.receipts[0].persons, inbox.purgeable), (1, 1));
    assert!(inbox.items.is_empty(), "a recorded receipt leaves the inbox: {inbox:?}");
    assert_eq!(exchange::purge_handed_off(&mut p.a).unwrap(), 1);
    assert!(matches!(p.a.get(Kind::Person, &p.person), Err(Error::NotFound { .. })));
    // Reading again finds nothing more to do.
    let again = team::inbox(&mut p.a, Lang::Fr).unwrap();
    assert!(again.receipts.is_empty() && again.items.is_empty() && again.purgeable == 0, "{again:?}");
}

#[test]
fn duplicates_conflict_copies_partial_files_and_others_mail_are_never_imported() {
    let (mut p, folder) = team_pair();
    let (_tvc, mut c) = TestVault::new();
    let c_in_a = befriend(&mut p.a, &c);
    befriend(&mut c, &p.a);
    let files = send(&mut p.a, &p.b_in_a, &[&p.person], BundleKind::Share);
    let original = &files[0];
    let dir = original.parent().unwrap().to_owned();
    let bytes = std::fs::read(original).unwrap();
    // The same bundle delivered twice, a Syncthing conflict copy, a Dropbox/Nextcloud one, a
    // file still in transit, a truncated file, a file that is not a bundle, and a bundle for C
    // dropped into B's inbox.
    std::fs::write(dir.join("0000aaaa.relais"), &bytes).unwrap();
    std::fs::write(dir.join("abcd.sync-conflict-20261203-101010-ABCDEFG.relais"), &bytes).unwrap();
    std::fs::write(dir.join("abcd (conflicted copy 2026-12-03).relais"), &bytes).unwrap();
    std::fs::write(dir.join(".syncthing.abcd.relais.tmp"), &bytes[..1000]).unwrap();
    std::fs::write(dir.join("tronque.relais"), &bytes[..bytes.len() / 2]).unwrap();
    std::fs::write(dir.join("notes.txt"), b"hello").unwrap();
    let for_c = send(&mut p.a, &c_in_a, &[&p.person], BundleKind::Share);
    std::fs::rename(&for_c[0], dir.join("pour-c.relais")).unwrap();

    let inbox = team::inbox(&mut p.b, Lang::En).unwrap();
    let state = |f: &str| inbox.items.iter().find(|i| i.file == f).map(|i| (i.state, i.problem.as_ref().map(|p| p.0.clone())));
    let reason = |f: &str| inbox.ignored.iter().find(|i| i.file == f).map(|i| i.reason.clone());
    // Cut inside an age chunk, the file fails its last authentication (tampered); cut at a
    // chunk's end, it is short (truncated): both messages say it may be a partial copy.
    let cut = state("tronque.relais").unwrap();
    assert!(cut.0 == InboxState::Refused && matches!(cut.1.as_deref(), Some("BundleTampered" | "BundleTruncated")), "{cut:?}");
    assert_eq!(state("pour-c.relais"), Some((InboxState::Refused, Some("BundleNotForThisVault".into()))));
    // The second copy of the same bundle is taken out of the inbox at once (moved to traite/,
    // nothing lost): one waits.
    let waiting: Vec<_> = inbox.items.iter().filter(|i| i.state == InboxState::Waiting).collect();
    assert_eq!((waiting.len(), inbox.cleaned), (1, 1), "{inbox:?}");
    assert_eq!(relais_files(&dir.join(team::DONE_DIR)).len(), 1);
    assert_eq!(reason("abcd.sync-conflict-20261203-101010-ABCDEFG.relais").as_deref(), Some("conflict_copy"));
    assert_eq!(reason("abcd (conflicted copy 2026-12-03).relais").as_deref(), Some("conflict_copy"));
    assert_eq!(reason(".syncthing.abcd.relais.tmp").as_deref(), Some("in_transit"));
    assert_eq!(reason("notes.txt").as_deref(), Some("not_a_bundle"));
    // The refusal says why, in the worker's language.
    let truncated = inbox.items.iter().find(|i| i.file == "tronque.relais").unwrap();
    let said = &truncated.problem.as_ref().unwrap().1;
    assert!(said.contains("incomplete") || said.contains("only in part"), "{truncated:?}");

    // Imported once; the same bundle delivered again later is found already imported and
    // cleaned, never applied.
    let first = waiting[0].file.clone();
    import_item(&mut p.b, &first).unwrap();
    let before = relais_tests::dump_vault(&p.b);
    std::fs::write(dir.join("0000bbbb.relais"), &bytes).unwrap();
    let inbox = team::inbox(&mut p.b, Lang::Fr).unwrap();
    assert_eq!(inbox.cleaned, 1, "{inbox:?}");
    assert!(inbox.items.iter().all(|i| i.state == InboxState::Refused), "{inbox:?}");
    // Neither conflict copy nor anything else can be imported by name.
    for f in ["abcd.sync-conflict-20261203-101010-ABCDEFG.relais", ".syncthing.abcd.relais.tmp", "notes.txt", &first, "0000bbbb.relais"] {
        assert!(matches!(team::open_item(&p.b, f, false), Err(Error::NotInInbox)), "{f}");
    }
    assert!(matches!(import_item(&mut p.b, "tronque.relais"), Err(Error::BundleTampered | Error::BundleTruncated)));
    assert!(matches!(import_item(&mut p.b, "pour-c.relais"), Err(Error::BundleNotForThisVault)));
    assert_eq!(before, relais_tests::dump_vault(&p.b));
    // A refused file can be taken out of the inbox by hand (here: deleted).
    team::set_cleanup(&mut p.b, Cleanup::Delete).unwrap();
    team::discard(&mut p.b, "tronque.relais").unwrap();
    assert!(!dir.join("tronque.relais").exists() && !dir.join(team::DONE_DIR).join("tronque.relais").exists());
    drop(folder);
}

#[test]
fn nothing_named_by_a_sender_or_a_worker_reaches_outside_the_inbox() {
    let (mut p, folder) = team_pair();
    let outside = folder.path().join("outside.relais");
    let files = send(&mut p.a, &p.b_in_a, &[&p.person], BundleKind::Share);
    std::fs::copy(&files[0], &outside).unwrap();
    let dir = files[0].parent().unwrap().to_owned();
    // A link in the inbox to a file elsewhere is not followed; names with a path are refused.
    std::os::unix::fs::symlink(&outside, dir.join("lien.relais")).unwrap();
    let inbox = team::inbox(&mut p.b, Lang::Fr).unwrap();
    assert!(inbox.items.iter().all(|i| i.file != "lien.relais"), "{inbox:?}");
    for f in ["../outside.relais", "lien.relais", "/etc/passwd", "", "."] {
        assert!(matches!(team::open_item(&p.b, f, false), Err(Error::NotInInbox)), "{f}");
        assert!(matches!(team::discard(&mut p.b, f), Err(Error::NotInInbox)), "{f}");
    }
    assert!(outside.exists());
}

#[test]
fn a_hostile_receipt_stays_in_the_inbox_and_purges_nothing() {
    let (mut p, _folder) = team_pair();
    send(&mut p.a, &p.b_in_a, &[&p.person], BundleKind::Transfer);
    let name = team::inbox(&mut p.b, Lang::Fr).unwrap().items[0].file.clone();
    import_item(&mut p.b, &name).unwrap();
    // A forgets the hand-off (as if the receipt named a transfer A never made to B).
    p.a.conn().execute("DELETE FROM handoffs", []).unwrap();
    let before = relais_tests::dump_vault(&p.a);
    let inbox = team::inbox(&mut p.a, Lang::Fr).unwrap();
    assert!(inbox.receipts.is_empty());
    assert_eq!(inbox.purgeable, 0);
    assert_eq!(inbox.items.len(), 1);
    assert_eq!(inbox.items[0].problem.as_ref().map(|p| p.0.as_str()), Some("ReceiptNotForSender"));
    assert_eq!(before, relais_tests::dump_vault(&p.a));
}

#[test]
fn one_case_ten_cases_and_a_receipt_look_the_same_from_the_folder() {
    let (tva, mut a) = TestVault::new();
    let (_tvb, mut b) = TestVault::new();
    relais_core::demo::fill(&mut a, 12, 5, chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(), &mut |_, _| {}).unwrap();
    let b_in_a = befriend(&mut a, &b);
    befriend(&mut b, &a);
    let ids: Vec<String> = a.list_all(Kind::Person).unwrap().iter().map(|p| p["id"].as_str().unwrap().to_owned()).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let one = crate::bundle::export(&mut a, &b_in_a, &refs[..1], BundleKind::Share);
    let ten = crate::bundle::export(&mut a, &b_in_a, &refs[..10], BundleKind::Share);
    let transfer = crate::bundle::export(&mut a, &b_in_a, &refs[10..11], BundleKind::Transfer);
    crate::bundle::import(&mut b, &transfer).unwrap();
    let (receipt, _) = exchange::build_receipt(&b, None, false).unwrap();
    // The age header carries a "grease" stanza of random length (the age crate's guard against
    // readers that only know today's stanzas): what follows the header is the same length.
    let payload = |b: &[u8]| {
        let mac = b.windows(5).position(|w| w == b"\n--- ").expect("age header") + 1;
        b.len() - (mac + b[mac..].iter().position(|&c| c == b'\n').unwrap() + 1)
    };
    assert_eq!(payload(&one), payload(&ten));
    assert_eq!(payload(&one), payload(&receipt));
    assert_eq!(payload(&one), payload(&transfer));
    for b in [&ten, &receipt, &transfer] {
        assert!(one.len().abs_diff(b.len()) < 300, "{} {}", one.len(), b.len());
    }
    // And every one of them still opens (the padding is whitespace after the document).
    crate::bundle::import(&mut b, &ten).unwrap();
    crate::bundle::import(&mut a, &receipt).unwrap();
    drop(tva);
}

#[test]
fn padding_rounds_up_by_little_and_never_past_the_limit() {
    use exchange::{MAX_PLAINTEXT, PAD_FLOOR, padded_len};
    assert_eq!(padded_len(0), PAD_FLOOR);
    assert_eq!(padded_len(PAD_FLOOR), PAD_FLOOR);
    let mut last = 0;
    for n in (PAD_FLOOR + 1..MAX_PLAINTEXT).step_by(999_983) {
        let p = padded_len(n);
        assert!(p >= n && p <= MAX_PLAINTEXT, "{n} → {p}");
        assert!((p - n) as f64 <= n as f64 * 0.12, "{n} → {p}");
        assert!(p >= last);
        last = p;
    }
    // Sizes a few bytes apart share a bucket.
    assert_eq!(padded_len(5_000_001), padded_len(5_000_100));
    assert_eq!(padded_len(MAX_PLAINTEXT + 5), MAX_PLAINTEXT + 5);
}

#[test]
fn the_team_folder_must_exist_and_every_setting_is_audited() {
    let (_tv, mut s) = TestVault::new();
    assert!(matches!(team::inbox(&mut s, Lang::Fr), Err(Error::TeamFolderNotSet)));
    assert!(matches!(team::set_folder(&mut s, Path::new("/nonexistent/relais-team")), Err(Error::TeamFolderUnavailable(_))));
    let folder = tempfile::tempdir().unwrap();
    let set = team::set_folder(&mut s, folder.path()).unwrap();
    assert_eq!(set.cleanup, Cleanup::Move);
    assert!(folder.path().join(me(&s)).is_dir());
    team::set_cleanup(&mut s, Cleanup::Delete).unwrap();
    assert_eq!(team::settings(&s).unwrap().cleanup, Cleanup::Delete);
    // The folder goes away (an unmounted share): a clear error, nothing written.
    let gone = folder.path().to_owned();
    drop(folder);
    assert!(matches!(team::inbox(&mut s, Lang::Fr), Err(Error::TeamFolderUnavailable(p)) if p == gone));
    team::clear_folder(&mut s).unwrap();
    assert_eq!(team::settings(&s).unwrap().folder, None);
    let actions = relais_tests::audit_actions(&s);
    assert_eq!(actions.iter().filter(|a| a.starts_with("team.")).count(), 3, "{actions:?}");
}

/// A team folder and two vaults for the CLI, each the other's verified contact, A with `persons`
/// demo cases (from `seed`); the id of A's first.
fn cli_pair(persons: usize, seed: u64) -> (tempfile::TempDir, (TestVault, Store), (TestVault, Store), String) {
    let folder = tempfile::tempdir().unwrap();
    let (tva, mut a) = TestVault::new();
    let (tvb, mut b) = TestVault::new();
    relais_core::demo::fill(&mut a, persons, seed, chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(), &mut |_, _| {}).unwrap();
    befriend(&mut a, &b);
    befriend(&mut b, &a);
    let person = a.list_all(Kind::Person).unwrap()[0]["id"].as_str().unwrap().to_owned();
    (folder, (tva, a), (tvb, b), person)
}

#[test]
fn the_cli_sends_lists_and_imports_through_the_team_folder() {
    let (folder, (tva, a), (tvb, b), person) = cli_pair(2, 5);
    drop((a, b));
    let dir = folder.path().to_str().unwrap();
    tva.ok(&["team", "set-folder", dir]);
    let shown = tvb.ok(&["team", "set-folder", dir]);
    assert!(shown.contains("Dossier d'équipe\u{a0}:"), "{shown}");
    // Without a team folder or an output file, export says what is missing.
    let out = tva.run(&["export", "--to", "Intervenante Test", "--person", &person, "--transfer"]);
    assert!(!out.status.success());
    tva.ok(&["export", "--to", "Intervenante Test", "--person", &person, "--transfer", "--team"]);
    let listed = tvb.ok(&["inbox"]);
    assert!(
        listed.contains("Transfert de Intervenante Test (vérifié·e), 1\u{a0}dossier")
            || listed.contains("Transfert de Intervenante Test (vérifié·e), 1 dossier"),
        "{listed}"
    );
    let inbox: serde_json::Value = serde_json::from_str(&tvb.ok(&["--json", "inbox"])).unwrap();
    let file = inbox["items"][0]["file"].as_str().unwrap().to_owned();
    let dry = tvb.ok(&["inbox", "import", &file, "--dry-run"]);
    assert!(tvb.unlock().list_all(Kind::Person).unwrap().is_empty(), "{dry}");
    let done = tvb.ok(&["inbox", "import", &file]);
    assert!(done.contains("Accusé de réception déposé"), "{done}");
    let back = tva.ok(&["inbox"]);
    assert!(back.contains("relais purge-handed-off"), "{back}");
    tva.ok(&["purge-handed-off"]);
    assert!(tva.unlock().list_all(Kind::Person).unwrap().iter().all(|p| p["id"] != serde_json::json!(person)));
}

#[test]
fn the_supervisors_view_names_each_colleague_her_cases_and_what_waits() {
    use relais_core::case::person_file::Author;
    let (mut p, _folder) = team_pair();
    let (_tvc, c) = TestVault::new();
    befriend(&mut p.a, &c);
    let files = send(&mut p.a, &p.b_in_a, &[&p.person], BundleKind::Transfer);
    let team_a = team::overview(&p.a).unwrap();
    assert_eq!(team_a.len(), 2, "every contact is listed");
    let b = &team_a[0];
    assert_eq!((b.contact_id.as_str(), b.pending_receipts, b.cases.len()), (p.b_in_a.as_str(), 1, 1), "{team_a:?}");
    assert!(b.last_exchange.is_some());
    assert_eq!(b.cases[0].person_id, p.person);
    assert_eq!(b.cases[0].holder, Author::Contact("Intervenante Test".into()));
    assert!(b.cases[0].awaiting_receipt);
    assert_eq!(b.cases[0].status, "handed_off");
    assert!(team_a[1].cases.is_empty() && team_a[1].last_exchange.is_none());
    // The receipt comes back: nothing awaited any more.
    let name = files[0].file_name().unwrap().to_str().unwrap().to_owned();
    import_item(&mut p.b, &name).unwrap();
    team::inbox(&mut p.a, Lang::Fr).unwrap();
    let b = team::overview(&p.a).unwrap().remove(0);
    assert_eq!(b.pending_receipts, 0);
    assert!(!b.cases[0].awaiting_receipt);
    // On the other side, the case is held here, and the colleague's changes wait nowhere.
    let a = team::overview(&p.b).unwrap().remove(0);
    assert_eq!((a.cases.len(), a.conflicts, a.proposals), (1, 0, 0));
    assert_eq!(a.cases[0].holder, Author::Me);
}

#[test]
fn a_team_report_carries_aliases_and_states_only_and_the_supervisor_keeps_the_newest() {
    let (mut p, folder) = team_pair();
    // Words that must never leave in a report: a legal name, a note.
    let legal = "CANARYLEGAL5521";
    let note = "CANARYNOTE7731";
    let person = p.a.get(Kind::Person, &p.person).unwrap();
    let change: relais_core::Fields = [("legal_name".to_owned(), serde_json::json!(legal))].into_iter().collect();
    p.a.write(|w| w.update(Kind::Person, &p.person, change).map(|_| ())).unwrap();
    let n: serde_json::Map<String, serde_json::Value> = [
        ("person_id", serde_json::json!(p.person)),
        ("text", serde_json::json!(note)),
        ("at", serde_json::json!("2026-11-30T15:00:00Z")),
        ("kind", serde_json::json!("phone")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    p.a.write(|w| w.insert(Kind::Note, n)).unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
    let report = team::build_report(&p.a, today).unwrap();
    let alias = person["alias"].as_str().unwrap();
    let mine = report.cases.iter().find(|c| c.alias == alias).expect("the case is in the report");
    assert_eq!(mine.days_since_contact, Some(3), "{mine:?}");
    let sent = team::send_report(&mut p.a, &p.b_in_a, today).unwrap();
    assert_eq!(sent, report.cases.len());
    // What travels: decrypted with the supervisor's key, no legal name, no note.
    let file = std::fs::read_dir(folder.path().join(me(&p.b)))
        .unwrap()
        .flatten()
        .find(|e| e.path().extension().is_some_and(|x| x == "relais"))
        .unwrap()
        .path();
    let id: age::x25519::Identity = exchange::identity::export_age(&p.b).unwrap().trim().parse().unwrap();
    let plain = exchange::decrypt(&std::fs::read(&file).unwrap(), &[&id as &dyn age::Identity]).unwrap();
    let text = String::from_utf8_lossy(&plain);
    assert!(text.contains(alias) && !text.contains(legal) && !text.contains(note));
    // The supervisor's inbox records it as it is read; the team view shows it.
    let inbox = team::inbox(&mut p.b, Lang::Fr).unwrap();
    assert_eq!(inbox.reports, vec!["Intervenante Test".to_owned()], "{inbox:?}");
    assert!(inbox.items.is_empty(), "{inbox:?}");
    let (at, got) = team::overview(&p.b).unwrap().remove(0).report.expect("a report");
    assert_eq!(got, report);
    // An older report arriving after a newer one changes nothing.
    let (older, _, _) = team::report_bundle(&p.a, &p.b_in_a, today).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    let (newer, newer_m, _) = team::report_bundle(&p.a, &p.b_in_a, today).unwrap();
    crate::bundle::import(&mut p.b, &newer).unwrap();
    crate::bundle::import(&mut p.b, &older).unwrap();
    let (kept_at, _) = team::overview(&p.b).unwrap().remove(0).report.unwrap();
    assert_eq!(kept_at, newer_m.created_at);
    assert!(kept_at > at);
    let actions = relais_tests::audit_actions(&p.b);
    assert_eq!(actions.iter().filter(|a| *a == "team.report.received").count(), 3, "{actions:?}");
    assert!(relais_tests::audit_actions(&p.a).iter().any(|a| a == "team.report.sent"));
    // Her report goes with her contact.
    let count = |s: &Store| s.conn().query_row("SELECT count(*) FROM team_reports", [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(count(&p.b), 1);
    p.b.write(|w| w.delete(Kind::Contact, &p.a_in_b)).unwrap();
    assert_eq!(count(&p.b), 0);
}

#[test]
fn the_scheduled_report_goes_when_due_and_only_then() {
    let (mut p, folder) = team_pair();
    let now = chrono::Utc::now();
    assert_eq!(team::report_if_due(&mut p.a, now).unwrap(), None, "no schedule, nothing sent");
    let schedule = team::ReportSchedule { to: p.b_in_a.clone(), every_days: 7 };
    assert!(team::set_report_schedule(&mut p.a, Some(&team::ReportSchedule { every_days: 0, ..schedule.clone() })).is_err());
    team::set_report_schedule(&mut p.a, Some(&schedule)).unwrap();
    assert_eq!(team::settings(&p.a).unwrap().report_schedule, Some(schedule.clone()));
    let inbox = folder.path().join(me(&p.b));
    let files = || relais_files(&inbox).len();
    assert!(team::report_if_due(&mut p.a, now).unwrap().is_some(), "the first one goes at once");
    assert_eq!(files(), 1);
    assert_eq!(team::report_if_due(&mut p.a, now + chrono::Duration::days(6)).unwrap(), None);
    assert_eq!(files(), 1);
    assert!(team::report_if_due(&mut p.a, now + chrono::Duration::days(7) + chrono::Duration::minutes(1)).unwrap().is_some());
    assert_eq!(files(), 2);
    team::set_report_schedule(&mut p.a, None).unwrap();
    assert_eq!(team::report_if_due(&mut p.a, now + chrono::Duration::days(30)).unwrap(), None);
    // Only to a verified contact.
    let (_tvc, c) = TestVault::new();
    let card = serde_json::to_string(&exchange::identity::card(&c).unwrap()).unwrap();
    let unverified = exchange::identity::add_contact(&mut p.a, &exchange::identity::parse_card(&card).unwrap()).unwrap();
    assert!(matches!(
        team::set_report_schedule(&mut p.a, Some(&team::ReportSchedule { to: unverified, every_days: 7 })),
        Err(Error::UnverifiedContact)
    ));
    assert!(relais_tests::audit_actions(&p.a).iter().filter(|a| *a == "team.report.schedule").count() == 2);
}

#[test]
fn a_bundle_under_another_senders_id_neither_hides_nor_cleans_the_real_one() {
    // A co-recipient of a share (here a third colleague, C) drops in B's inbox a bundle of her
    // own under the share's id, before the share itself arrives: the share waits as it should.
    let (mut p, folder) = team_pair();
    let (_tc, mut c) = TestVault::new();
    befriend(&mut p.b, &c);
    befriend(&mut c, &p.b);
    team::set_folder(&mut c, folder.path()).unwrap();
    let bi = exchange::identity::show(&p.b).unwrap();
    let (real, manifest, exported) = crate::bundle::build(&mut p.a, &p.b_in_a, &[&p.person], BundleKind::Share);
    exchange::commit_export(&mut p.a, &manifest, &exported).unwrap();
    let forged = relais_tests::signed_by(&c, &p.b, &manifest.bundle_id, "share", &serde_json::json!({"records": {}}));
    team::deliver(&c, std::slice::from_ref(&bi.fingerprint), &forged).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let real_file =
        team::deliver(&p.a, std::slice::from_ref(&bi.fingerprint), &real).unwrap()[0].file_name().unwrap().to_string_lossy().into_owned();
    let state = |b: &mut Store| team::inbox(b, Lang::Fr).unwrap().items.into_iter().find(|i| i.file == real_file).map(|i| i.state);
    assert_eq!(state(&mut p.b), Some(InboxState::Waiting), "not a copy of C's bundle");
    // C's bundle imported first: the share is still waiting, not « already imported » (which
    // would clean it unread).
    let theirs = team::inbox(&mut p.b, Lang::Fr).unwrap().items.into_iter().find(|i| i.file != real_file).unwrap().file;
    import_item(&mut p.b, &theirs).unwrap();
    assert_eq!(state(&mut p.b), Some(InboxState::Waiting));
    let (preview, _) = import_item(&mut p.b, &real_file).unwrap();
    assert!(preview.applied && !preview.replay);
    assert!(p.b.get(Kind::Person, &p.person).is_ok());
}

#[test]
fn an_imported_file_is_never_moved_through_a_link() {
    // Someone who syncs the folder replaced B's traite/ with a link to another folder of B's
    // disk: the imported file stays in the inbox rather than go there.
    let (mut p, folder) = team_pair();
    let elsewhere = tempfile::tempdir().unwrap();
    let files = send(&mut p.a, &p.b_in_a, &[&p.person], BundleKind::Transfer);
    let name = files[0].file_name().unwrap().to_str().unwrap().to_owned();
    let b_inbox = folder.path().join(me(&p.b));
    std::os::unix::fs::symlink(elsewhere.path(), b_inbox.join(team::DONE_DIR)).unwrap();
    let (preview, after) = import_item(&mut p.b, &name).unwrap();
    assert!(preview.applied);
    assert!(!after.cleaned, "{after:?}");
    assert!(relais_files(elsewhere.path()).is_empty(), "moved through the link");
    assert_eq!(relais_files(&b_inbox), vec![name.clone()]);
    // Listed as imported, and still not moved there.
    let inbox = team::inbox(&mut p.b, Lang::Fr).unwrap();
    assert_eq!(inbox.items.iter().map(|i| i.state).collect::<Vec<_>>(), [InboxState::AlreadyImported]);
    assert!(relais_files(elsewhere.path()).is_empty());
}

/// What the terminal shows of a file name in the team folder (anyone who syncs it can name a
/// file) or of a received alias (a colleague's) is read as it is: an escape sequence that would
/// clear the screen, erase a line or set the window's title, a CR, a bidi override, a line feed
/// that would draw a fake entry, all come out as `\u{…}`.
#[test]
fn a_file_name_or_a_received_alias_cannot_rewrite_the_terminal() {
    let (folder, (tva, mut a), (tvb, b), person) = cli_pair(1, 1);
    let alias = "Héron\u{1b}]0;Relais\u{7}\r\u{202e}nori\u{1b}[2K";
    a.write(|w| w.update(Kind::Person, &person, [("alias".to_owned(), serde_json::json!(alias))].into_iter().collect())).unwrap();
    let b_inbox = folder.path().join(me(&b));
    drop((a, b));
    let dir = folder.path().to_str().unwrap();
    tva.ok(&["team", "set-folder", dir]);
    tvb.ok(&["team", "set-folder", dir]);
    tva.ok(&["export", "--to", "Intervenante Test", "--person", &person, "--transfer", "--team"]);
    let fake = "\n    En attente\u{a0}: transfert de Dominique (vérifiée)\n";
    std::fs::write(b_inbox.join(format!("x\u{1b}[2J\u{1b}[H 3f1c.relais{fake}")), b"").unwrap();
    let listed = tvb.ok(&["inbox"]);
    let file =
        serde_json::from_str::<serde_json::Value>(&tvb.ok(&["--json", "inbox"])).unwrap()["items"][0]["file"].as_str().unwrap().to_owned();
    let dry = tvb.ok(&["inbox", "import", &file, "--dry-run"]);
    for shown in [&listed, &dry] {
        assert!(!shown.contains(['\u{1b}', '\u{7}', '\r', '\u{202e}']), "{shown:?}");
    }
    assert!(listed.contains("x\\u{1b}[2J\\u{1b}[H 3f1c.relais\\u{a}    En attente"), "{listed}");
    assert!(
        !listed.lines().any(|l| l.trim_start().starts_with("En attente\u{a0}: transfert de Dominique")),
        "a line of its own:\n{listed}"
    );
    assert!(dry.contains("Héron\\u{1b}]0;Relais\\u{7}\\u{d}\\u{202e}nori\\u{1b}[2K"), "{dry}");
}

/// Someone who syncs the folder replaced B's inbox with a link to another folder of B's disk:
/// Relais neither reads it (nor moves or deletes what it holds) nor writes bundles into it.
#[test]
fn an_inbox_that_is_a_link_is_neither_read_nor_written() {
    let (mut p, folder) = team_pair();
    let elsewhere = tempfile::tempdir().unwrap();
    let files = send(&mut p.a, &p.b_in_a, &[&p.person], BundleKind::Share);
    let name = files[0].file_name().unwrap().to_owned();
    let b_inbox = folder.path().join(me(&p.b));
    std::fs::rename(&files[0], elsewhere.path().join(&name)).unwrap();
    std::fs::remove_dir_all(&b_inbox).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), &b_inbox).unwrap();
    let err = team::inbox(&mut p.b, Lang::Fr).unwrap_err();
    assert!(matches!(&err, Error::TeamInboxIsALink(d) if *d == b_inbox), "{err:?}");
    assert!(err.message(Lang::Fr).contains("est un lien vers un autre dossier"), "{}", err.message(Lang::Fr));
    let err = team::open_item(&mut p.b, name.to_str().unwrap(), false).unwrap_err();
    assert!(matches!(err, Error::TeamInboxIsALink(_)), "{err:?}");
    let before = relais_files(elsewhere.path());
    let err = team::deliver(&p.a, &[me(&p.b)], b"bytes").unwrap_err();
    assert!(matches!(err, Error::TeamInboxIsALink(_)), "{err:?}");
    assert_eq!(relais_files(elsewhere.path()), before, "nothing written through the link");
    assert_eq!(before, vec![name.to_str().unwrap().to_owned()]);
}

/// A file read once is not decrypted again at each reading while it and the contact book stay
/// the same: every reading holds the vault (and the worker's « Verrouiller ») while it decrypts,
/// and anyone with her card can encrypt a file to her, up to the largest bundle.
#[test]
fn an_inbox_file_is_decrypted_again_only_when_it_or_the_contact_book_changes() {
    let (mut p, folder) = team_pair();
    let (_tvc, c) = TestVault::new();
    let bytes = relais_tests::signed_by(&c, &p.b, "0193a000-0000-7000-8000-00000000000c", "share", &serde_json::json!({"records": {}}));
    let junk = format!("{}.relais", "ab".repeat(16));
    let file = folder.path().join(me(&p.b)).join(&junk);
    std::fs::write(&file, &bytes).unwrap();
    // How many files a reading decrypted, and each file's state and problem.
    let read = |b: &mut Store| {
        let before = team::inbox_files_decrypted();
        let inbox = team::inbox(b, Lang::Fr).unwrap();
        let items: Vec<(String, InboxState, Option<String>)> =
            inbox.items.iter().map(|i| (i.file.clone(), i.state, i.problem.as_ref().map(|(code, _)| code.clone()))).collect();
        (team::inbox_files_decrypted() - before, items)
    };
    let unknown = vec![(junk.clone(), InboxState::Refused, Some("UnknownSender".to_owned()))];
    assert_eq!(read(&mut p.b), (1, unknown.clone()));
    for _ in 0..3 {
        assert_eq!(read(&mut p.b), (0, unknown.clone()), "kept");
    }
    assert_eq!(team::inbox_files_remembered(&p.b), 1);
    // The same bytes written again: another file.
    std::fs::write(&file, &bytes).unwrap();
    assert_eq!(read(&mut p.b), (1, unknown.clone()));
    assert_eq!(read(&mut p.b).0, 0);
    // The sender becomes a contact: read again, and no longer refused for that.
    befriend(&mut p.b, &c);
    let (n, items) = read(&mut p.b);
    assert_eq!(n, 1);
    assert_ne!(items[0].2, unknown[0].2, "{items:?}");
    std::fs::remove_file(&file).unwrap();
    // A share waiting: decrypted once, listed as waiting until it is imported (and moved).
    let sent = send(&mut p.a, &p.b_in_a, &[&p.person], BundleKind::Share);
    let name = sent[0].file_name().unwrap().to_str().unwrap().to_owned();
    assert_eq!(read(&mut p.b), (1, vec![(name.clone(), InboxState::Waiting, None)]));
    assert_eq!(read(&mut p.b), (0, vec![(name.clone(), InboxState::Waiting, None)]));
    assert_eq!(team::inbox_files_remembered(&p.b), 1, "the junk file's finding went with it");
    import_item(&mut p.b, &name).unwrap();
    assert_eq!(read(&mut p.b), (0, vec![]));
    assert_eq!(team::inbox_files_remembered(&p.b), 0);
}

/// What a report may be: from a verified colleague (even through an import that accepts an
/// unverified sender), made no later than a day from now, its date compared as an instant. A
/// refused one in the inbox is opened once, not at every reading.
#[test]
fn a_report_from_the_future_or_an_unverified_colleague_is_refused_and_read_once() {
    let (mut p, folder) = team_pair();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
    let (bytes, manifest, _) = team::report_bundle(&p.a, &p.b_in_a, today).unwrap();
    let content = serde_json::json!({"records": {}, "report": team::build_report(&p.a, today).unwrap()});
    let to_b = exchange::identity::show(&p.b).unwrap().age_recipient;
    let sealed = |created_at: &str, id: &str| {
        let mut m = serde_json::to_value(&manifest).unwrap();
        m["created_at"] = serde_json::json!(created_at);
        m["bundle_id"] = serde_json::json!(id);
        relais_tests::seal_as(&p.a, &to_b, &m, &content)
    };
    // A date in 2099, and the same instant written with an offset: refused, then read as time.
    let future = sealed("2099-01-01T00:00:00Z", "0193a000-0000-7000-8000-0000000000f1");
    let e = crate::bundle::import(&mut p.b, &future).unwrap_err();
    assert!(e.message(Lang::En).contains("manifest.created_at"), "{}", e.message(Lang::En));
    crate::bundle::import(&mut p.b, &bytes).unwrap();
    // An hour later, written in Montréal's offset: its text sorts before the kept one's, its
    // instant after.
    let later = chrono::DateTime::parse_from_rfc3339(&manifest.created_at).unwrap() + chrono::Duration::hours(1);
    let montreal = later.with_timezone(&chrono::FixedOffset::west_opt(5 * 3600).unwrap()).to_rfc3339();
    assert!(montreal < manifest.created_at);
    crate::bundle::import(&mut p.b, &sealed(&montreal, "0193a000-0000-7000-8000-0000000000f2")).unwrap();
    let (kept, _) = team::overview(&p.b).unwrap().remove(0).report.unwrap();
    assert_eq!(kept, later.with_timezone(&chrono::Utc).to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    // From a colleague whose card is not verified: refused, even when unverified senders are.
    p.b.conn().execute("UPDATE contacts SET verified_on = NULL", []).unwrap();
    let (again, _, _) = team::report_bundle(&p.a, &p.b_in_a, today).unwrap();
    let o = exchange::open(&p.b, &again, true).unwrap();
    assert_eq!(exchange::apply(&mut p.b, &o, &mut |_, _| {}).unwrap_err().code(), "UnverifiedSender");
    p.b.conn().execute("UPDATE contacts SET verified_on = '2026-11-01'", []).unwrap();
    // Values build_report never sends: a closed case, counts no caseload reaches.
    for (field, value) in [
        ("status", serde_json::json!("closed")),
        ("overdue", serde_json::json!(u32::MAX)),
        ("days_since_contact", serde_json::json!(100_000)),
    ] {
        let mut forged = content.clone();
        forged["report"]["cases"][0][field] = value;
        let mut m = serde_json::to_value(&manifest).unwrap();
        m["bundle_id"] = serde_json::json!("0193a000-0000-7000-8000-0000000000f3");
        m["content_sha256"] =
            serde_json::json!(hex::encode(<sha2::Sha256 as sha2::Digest>::digest(exchange::canonical(&forged).as_bytes())));
        let e = crate::bundle::import(&mut p.b, &relais_tests::seal_as(&p.a, &to_b, &m, &forged)).unwrap_err();
        assert!(e.message(Lang::En).contains("content.report.cases"), "{field}: {}", e.message(Lang::En));
    }
    // A refused report in the inbox: listed once with its reason, then not opened again.
    std::fs::write(folder.path().join(me(&p.b)).join(format!("{}.relais", "cd".repeat(16))), &future).unwrap();
    let read = |b: &mut Store| {
        let before = team::inbox_files_decrypted();
        let inbox = team::inbox(b, Lang::Fr).unwrap();
        (
            team::inbox_files_decrypted() - before,
            inbox.items.iter().map(|i| (i.state, i.problem.as_ref().map(|(c, _)| c.clone()))).collect::<Vec<_>>(),
        )
    };
    let refused = vec![(InboxState::Refused, Some("MalformedBundle".to_owned()))];
    assert_eq!(read(&mut p.b), (2, refused.clone()), "listed, then opened to be recorded");
    assert_eq!(read(&mut p.b), (0, refused));
}
