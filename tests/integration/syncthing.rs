//! The team folder with the real sync engine: two Syncthing instances (Debian's package) on the
//! loopback interface, a worker's vault on one side and her supervisor's on the other. A
//! transfer written by the worker reaches the supervisor's inbox through Syncthing, she imports
//! it, the receipt travels back, the worker purges. Then what a real folder also brings: the same
//! bundle delivered twice, a conflict copy Syncthing makes, a partial file, a bundle for someone
//! else. None is imported twice or by mistake.

use std::path::Path;
use std::time::{Duration, Instant};

use relais_core::exchange::team::{self, InboxState};
use relais_core::exchange::{self, BundleKind};
use relais_core::record::Kind;
use relais_core::{Lang, Store};
use relais_tests::TestVault;
use relais_tests::syncthing::{self, wait_for};

use crate::bundle::befriend;

const LIMIT: Duration = Duration::from_secs(60);

fn me(store: &Store) -> String {
    exchange::identity::show(store).unwrap().fingerprint
}

fn bundle(from: &mut Store, to: &str, person: &str, kind: BundleKind) -> (Vec<u8>, exchange::Manifest, exchange::Exported) {
    crate::bundle::build(from, to, &[person], kind)
}

fn send(from: &mut Store, to: &str, person: &str, kind: BundleKind) -> Vec<u8> {
    let files = crate::bundle::send(from, to, &[person], kind);
    std::fs::read(&files[0]).unwrap()
}

fn waiting(store: &mut Store) -> Vec<String> {
    team::inbox(store, Lang::Fr).unwrap().items.into_iter().filter(|i| i.state == InboxState::Waiting).map(|i| i.file).collect()
}

fn names(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default()
}

#[test]
fn a_hand_off_travels_through_syncthing_and_nothing_is_imported_twice_or_by_mistake() {
    let root = tempfile::tempdir().unwrap();
    let st = syncthing::Pair::start(root.path());
    let (_tva, mut worker) = TestVault::new();
    let (_tvb, mut supervisor) = TestVault::new();
    let (_tvc, mut other) = TestVault::new();
    relais_core::demo::fill(&mut worker, 4, 5, chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(), &mut |_, _| {}).unwrap();
    let sup_in_w = befriend(&mut worker, &supervisor);
    let other_in_w = befriend(&mut worker, &other);
    befriend(&mut supervisor, &worker);
    befriend(&mut other, &worker);
    team::set_folder(&mut worker, &st.a.folder).unwrap();
    team::set_folder(&mut supervisor, &st.b.folder).unwrap();
    let persons: Vec<String> = worker.list_all(Kind::Person).unwrap().iter().map(|p| p["id"].as_str().unwrap().to_owned()).collect();
    let sup_inbox_a = st.a.folder.join(me(&supervisor));
    let sup_inbox_b = st.b.folder.join(me(&supervisor));

    // The hand-off, end to end, timed.
    let start = Instant::now();
    let transfer = send(&mut worker, &sup_in_w, &persons[0], BundleKind::Transfer);
    wait_for("the transfer in the supervisor's inbox", LIMIT, || waiting(&mut supervisor).len() == 1);
    let arrived = start.elapsed();
    assert!(supervisor.list_all(Kind::Person).unwrap().is_empty(), "seen in the inbox, not imported");
    let file = waiting(&mut supervisor).remove(0);
    let o = team::open_item(&supervisor, &file, false).unwrap();
    assert!(exchange::apply(&mut supervisor, &o, &mut |_, _| {}).unwrap().applied);
    let after = team::after_import(&supervisor, &file, &o, Lang::Fr).unwrap();
    assert!(after.receipt_sent && after.cleaned, "{after:?}");
    wait_for("the receipt back in the worker's inbox", LIMIT, || !team::inbox(&mut worker, Lang::Fr).unwrap().receipts.is_empty());
    assert_eq!(exchange::purge_handed_off(&mut worker).unwrap(), 1);
    let total = start.elapsed();
    eprintln!("syncthing: transfer in the inbox after {arrived:.2?}; imported, receipt back and purged after {total:.2?}");
    assert!(worker.get(Kind::Person, &persons[0]).is_err());
    assert!(supervisor.get(Kind::Person, &persons[0]).is_ok());

    // The same bundle delivered twice (a copy under another name): found imported, cleaned.
    let before = relais_tests::dump_vault(&supervisor);
    std::fs::write(sup_inbox_a.join("0123456789abcdef0123456789abcdef.relais"), &transfer).unwrap();
    // A partial file (a copy cut short by something else than Syncthing), and a bundle for
    // someone else dropped into the supervisor's inbox.
    std::fs::write(sup_inbox_a.join("coupe.relais"), &transfer[..transfer.len() / 3]).unwrap();
    let (for_other, _, _) = bundle(&mut worker, &other_in_w, &persons[1], BundleKind::Share);
    std::fs::write(sup_inbox_a.join("pour-autrui.relais"), &for_other).unwrap();
    wait_for("all three files synced", LIMIT, || {
        let n = names(&sup_inbox_b);
        ["coupe.relais", "pour-autrui.relais"].iter().all(|f| n.iter().any(|x| x == f))
            && (n.iter().any(|x| x == "0123456789abcdef0123456789abcdef.relais")
                || names(&sup_inbox_b.join(team::DONE_DIR)).iter().any(|x| x == "0123456789abcdef0123456789abcdef.relais"))
    });
    let inbox = team::inbox(&mut supervisor, Lang::Fr).unwrap();
    let state = |f: &str| inbox.items.iter().find(|i| i.file == f).map(|i| (i.state, i.problem.clone().map(|p| p.0)));
    assert!(
        matches!(state("coupe.relais"), Some((InboxState::Refused, Some(c))) if c == "BundleTampered" || c == "BundleTruncated"),
        "{inbox:?}"
    );
    assert_eq!(state("pour-autrui.relais"), Some((InboxState::Refused, Some("BundleNotForThisVault".into()))));
    assert!(inbox.items.iter().all(|i| i.state != InboxState::Waiting), "{inbox:?}");
    assert_eq!(before, relais_tests::dump_vault(&supervisor), "nothing imported twice or by mistake");

    // A conflict copy made by Syncthing: the same name written on both sides while they do not
    // talk; when they do again, Syncthing keeps one and renames the other.
    let (one, _, _) = bundle(&mut worker, &sup_in_w, &persons[2], BundleKind::Share);
    let (two, _, _) = bundle(&mut worker, &sup_in_w, &persons[3], BundleKind::Share);
    st.a.pause(&st.b, true);
    st.b.pause(&st.a, true);
    std::thread::sleep(Duration::from_secs(1));
    std::fs::write(sup_inbox_b.join("meme-nom.relais"), &two).unwrap();
    std::thread::sleep(Duration::from_millis(1100));
    std::fs::write(sup_inbox_a.join("meme-nom.relais"), &one).unwrap();
    std::thread::sleep(Duration::from_secs(3)); // both sides scan their change
    st.a.pause(&st.b, false);
    st.b.pause(&st.a, false);
    wait_for("a conflict copy on the supervisor's side", LIMIT, || names(&sup_inbox_b).iter().any(|n| n.contains(".sync-conflict-")));
    let inbox = team::inbox(&mut supervisor, Lang::Fr).unwrap();
    let conflict: Vec<_> = inbox.ignored.iter().filter(|i| i.reason == "conflict_copy").collect();
    assert_eq!(conflict.len(), 1, "{inbox:?}");
    let waiting: Vec<_> = inbox.items.iter().filter(|i| i.state == InboxState::Waiting).collect();
    assert_eq!(waiting.len(), 1, "{inbox:?}");
    assert!(matches!(team::open_item(&supervisor, &conflict[0].file, false), Err(relais_core::Error::NotInInbox)));
    eprintln!("syncthing: conflict copy {} ignored", conflict[0].file);
    drop(st);
}
