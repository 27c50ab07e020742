//! Documents: the papers of a case, kept in the encrypted vault. Round trips byte for byte
//! through the CLI, limits and hostile files, bundles (a transfer carries them, a share when
//! asked), backups, the right-of-access export, the trash, and a destruction (the page scan of
//! `destroy.rs` covers a document's bytes: `plant_canaries` adds one).

use base64::Engine;
use relais_core::case::documents;
use relais_core::exchange::identity;
use relais_core::exchange::{self, BundleKind, ExportRequest};
use relais_core::record::{Fields, Kind};
use relais_core::{Error, Store};
use relais_tests::{TestVault, audit_actions, contains};
use serde_json::{Value, json};

fn f(pairs: &[(&str, Value)]) -> Fields {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

/// A small PDF whose page holds `text` (written by hand: the tests do not need a PDF library).
fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n% {text}\ntrailer << /Root 1 0 R >>\n%%EOF\n")
        .into_bytes()
}

/// A valid 2 × 1 PNG.
fn png() -> Vec<u8> {
    let hex = "89504e470d0a1a0a0000000d4948445200000002000000010806000000f4227f8a0000000e49444154789c63f8cfc00042ff010ff903fd851199760000000049454e44ae426082";
    hex::decode(hex).unwrap()
}

fn person(s: &mut Store, alias: &str) -> String {
    s.write(|w| w.insert(Kind::Person, f(&[("alias", json!(alias)), ("intake_at", json!("2026-11-02T10:00:00Z"))]))).unwrap()
}

fn add(s: &mut Store, person: &str, title: &str, bytes: &[u8]) -> relais_core::Result<String> {
    documents::add(s, f(&[("person_id", json!(person)), ("title", json!(title)), ("kind", json!("identity"))]), bytes)
}

#[test]
fn a_document_goes_in_and_comes_out_byte_for_byte_through_the_cli() {
    let tv = TestVault::empty();
    tv.ok(&["init", "--name", "Marie Tremblay"]);
    tv.ok(&["person", "add", "--alias", "Colibri"]);
    // Every byte value, a name with a path in it, and a type the name does not say.
    let mut bytes = pdf("passeport");
    bytes.extend((0..=255u8).cycle().take(70_000));
    let dir = tv.tmp.path().join("depot");
    std::fs::create_dir_all(dir.join("a/b")).unwrap();
    let src = dir.join("a/b/..passeport.png");
    std::fs::write(&src, &bytes).unwrap();
    let id = tv.ok(&["doc", "add", "Colibri", src.to_str().unwrap(), "--title", "Passeport", "--kind", "identity", "--on", "2026-10-30"]);
    let list = tv.ok(&["doc", "list", "Colibri"]);
    assert!(list.contains("30 octobre 2026") && list.contains("Pièce d'identité") && list.contains("«\u{a0}Passeport\u{a0}»"), "{list}");
    assert!(
        list.contains("PDF") && list.contains("70\u{a0}ko") && list.contains(&id),
        "the type read from the bytes, the size in words: {list}"
    );
    let json: Value = serde_json::from_str(&tv.ok(&["--json", "doc", "list", "Colibri"])).unwrap();
    assert_eq!(json[0]["file_name"], json!("..passeport.png"), "the name's last component only");
    assert_eq!(json[0]["media_type"], json!("application/pdf"));
    let en = tv.cmd().env("RELAIS_LANG", "en").args(["doc", "list", "Colibri"]).output().unwrap();
    let en = String::from_utf8(en.stdout).unwrap();
    assert!(en.contains("October 30, 2026") && en.contains("Identity document") && en.contains("70 kB"), "{en}");

    let out = dir.join("copie.pdf");
    let said = tv.ok(&["doc", "get", &id, "-o", out.to_str().unwrap()]);
    assert!(said.contains("PAS chiffrée"), "the copy is said to be unencrypted: {said}");
    assert_eq!(std::fs::read(&out).unwrap(), bytes, "byte for byte");
    // Nothing else was written anywhere in the folder: the stored name is never a path.
    let files: Vec<_> = relais_tests::files_under(tv.tmp.path()).into_iter().filter(|p| !p.starts_with(&tv.dir)).collect();
    assert_eq!(files.len(), 2, "{files:?}");
    // The vault's files hold no byte of it in clear.
    for file in relais_tests::files_under(&tv.dir) {
        assert!(!contains(&std::fs::read(&file).unwrap(), b"passeport"), "plaintext in {}", file.display());
    }
    let s = tv.unlock();
    let actions = audit_actions(&s);
    assert!(actions.ends_with(&["create".to_owned(), "document.copy".to_owned()]), "{actions:?}");
    drop(s);
    // Its description changes; what it is does not.
    let said = tv.ok(&["doc", "edit", &id, "--title", "Passeport (copie certifiée)", "--kind", "immigration"]);
    assert!(said.contains("Titre") && said.contains("Type"), "{said}");
    assert!(tv.ok(&["doc", "list", "Colibri"]).contains("Passeport (copie certifiée)"));

    // To the trash and back, then gone for good with the trash.
    let trashed = tv.ok(&["--json", "doc", "remove", &id]);
    assert!(tv.ok(&["doc", "list", "Colibri"]).contains("Aucun document"));
    let trash_id = serde_json::from_str::<Value>(&trashed).unwrap()["trash_id"].as_str().unwrap().to_owned();
    tv.ok(&["trash", "restore", &trash_id]);
    tv.ok(&["doc", "get", &id, "-o", dir.join("encore.pdf").to_str().unwrap()]);
    assert_eq!(std::fs::read(dir.join("encore.pdf")).unwrap(), bytes, "restored with its bytes");
    tv.ok(&["doc", "remove", &id]);
    tv.ok(&["trash", "empty"]);
    let s = tv.unlock();
    let left: i64 = s.conn().query_row("SELECT count(*) FROM document_content", [], |r| r.get(0)).unwrap();
    assert_eq!(left, 0, "the trash purged, the bytes go with it");
}

#[test]
fn empty_oversized_and_hostile_files_are_refused_and_change_nothing() {
    let tv = TestVault::empty();
    tv.ok(&["init", "--name", "Marie Tremblay"]);
    tv.ok(&["person", "add", "--alias", "Colibri"]);
    let dir = tv.tmp.path().join("depot");
    std::fs::create_dir_all(&dir).unwrap();
    let mut bomb = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bomb.extend_from_slice(&100_000u32.to_be_bytes());
    bomb.extend_from_slice(&100_000u32.to_be_bytes());
    bomb.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("vide.pdf", Vec::new(), "est vide"),
        ("gros.pdf", vec![b'x'; documents::MAX_BYTES + 1], "ne peut dépasser 33\u{a0}Mo"),
        ("bombe.png", bomb, "100000\u{a0}×\u{a0}100000"),
        ("coupee.png", b"\x89PNG\r\n\x1a\n\0\0".to_vec(), "endommagée"),
    ];
    let before = relais_tests::dump_vault(&tv.unlock());
    for (name, bytes, says) in cases {
        std::fs::write(dir.join(name), &bytes).unwrap();
        let out = tv.run(&["doc", "add", "Colibri", dir.join(name).to_str().unwrap(), "--title", "Essai"]);
        assert!(!out.status.success(), "{name} accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says) && err.contains("Rien n'a été ajouté"), "{name}: {err}");
        assert_eq!(relais_tests::dump_vault(&tv.unlock()), before, "{name} changed the vault");
    }
    // A PDF with JavaScript is kept as a PDF: the app renders PDFs without running their scripts
    // (pdf.js, scripting off; checked in the end-to-end run).
    let js = b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert('x')) >> >> endobj\n%%EOF\n";
    std::fs::write(dir.join("script.pdf"), js).unwrap();
    tv.ok(&["doc", "add", "Colibri", dir.join("script.pdf").to_str().unwrap(), "--title", "Avec script"]);

    // Through the core: what a document is cannot be set or changed by hand.
    let (_t, mut s) = TestVault::new();
    let p = person(&mut s, "Héron");
    let e =
        s.write(|w| w.insert(Kind::Document, f(&[("person_id", json!(p)), ("title", json!("x")), ("kind", json!("other"))]))).unwrap_err();
    assert!(matches!(e, Error::Invalid { ref field, .. } if field == "sha256"), "{e:?}");
    let id = add(&mut s, &p, "Permis", &pdf("permis")).unwrap();
    let e = s.write(|w| w.update(Kind::Document, &id, f(&[("sha256", json!("00".repeat(32)))]))).unwrap_err();
    assert!(matches!(e, Error::Invalid { ref field, .. } if field == "sha256"), "{e:?}");
    let changed = s.write(|w| w.update(Kind::Document, &id, f(&[("title", json!("Permis de séjour"))]))).unwrap();
    assert_eq!(changed, ["title"], "the description can change");
    let e =
        documents::add(&mut s, f(&[("person_id", json!(p)), ("title", json!("x")), ("kind", json!("other")), ("size", json!(3))]), b"abc")
            .unwrap_err();
    assert!(matches!(e, Error::Invalid { ref field, .. } if field == "size"), "{e:?}");
}

fn befriend(a: &mut Store, b: &Store) -> String {
    let card = serde_json::to_string(&identity::card(b).unwrap()).unwrap();
    let id = identity::add_contact(a, &identity::parse_card(&card).unwrap()).unwrap();
    identity::verify_contact(a, &id).unwrap();
    id
}

fn export(s: &mut Store, to: &str, p: &str, kind: BundleKind, documents: bool) -> relais_core::Result<Vec<u8>> {
    let req = ExportRequest {
        persons: vec![p.to_owned()],
        to: vec![to.to_owned()],
        kind,
        armor: false,
        override_reason: Some("Essai".into()),
        documents,
    };
    let (bytes, manifest, done) = exchange::build_export(s, &req, &mut |_, _| {})?;
    exchange::commit_export(s, &manifest, &done)?;
    Ok(bytes)
}

fn import(s: &mut Store, bytes: &[u8]) -> exchange::Preview {
    let o = exchange::open(s, bytes, false).unwrap();
    exchange::apply(s, &o, &mut |_, _| {}).unwrap()
}

#[test]
fn a_transfer_carries_the_documents_and_a_share_only_when_asked() {
    let (_tm, mut marie) = TestVault::new();
    let (_tj, mut jean) = TestVault::new();
    let jean_in_marie = befriend(&mut marie, &jean);
    befriend(&mut jean, &marie);
    let colibri = person(&mut marie, "Colibri");
    let scan = pdf("consentement signé");
    let d1 = add(&mut marie, &colibri, "Consentement", &scan).unwrap();
    let d2 = add(&mut marie, &colibri, "Photo", &png()).unwrap();
    assert_eq!(
        documents::totals(&marie, std::slice::from_ref(&colibri)).unwrap(),
        (2, (scan.len() + png().len()) as u64),
        "sizes shown first"
    );

    // A share without them: neither the records nor the bytes.
    let plain = export(&mut marie, &jean_in_marie, &colibri, BundleKind::Share, false).unwrap();
    let p = import(&mut jean, &plain);
    assert!(!p.counts.new.contains_key("document"), "{:?}", p.counts.new);
    assert!(documents::list(&jean, &colibri).unwrap().is_empty());
    // With them: both, byte for byte.
    let with = export(&mut marie, &jean_in_marie, &colibri, BundleKind::Share, true).unwrap();
    let p = import(&mut jean, &with);
    assert_eq!(p.counts.new.get("document"), Some(&2));
    assert_eq!(&documents::content(&jean, &d1).unwrap().1[..], &scan[..]);
    assert_eq!(&documents::content(&jean, &d2).unwrap().1[..], &png()[..]);
    // Jean renames one; the record comes back to Marie as a proposal (she holds the case), its
    // bytes unchanged.
    jean.write(|w| w.update(Kind::Document, &d1, f(&[("title", json!("Consentement (signé)"))]))).unwrap();

    // A transfer carries them even unasked: Marie's copy is purged once Jean has it.
    let (_ts, mut sylvie) = TestVault::new();
    let sylvie_in_marie = befriend(&mut marie, &sylvie);
    befriend(&mut sylvie, &marie);
    let t = export(&mut marie, &sylvie_in_marie, &colibri, BundleKind::Transfer, false).unwrap();
    let p = import(&mut sylvie, &t);
    assert_eq!(p.counts.new.get("document"), Some(&2));
    assert_eq!(&documents::content(&sylvie, &d1).unwrap().1[..], &scan[..]);
    // The bundle holds no byte of them in clear.
    assert!(!contains(&t, b"consentement sign"));
}

#[test]
fn documents_too_large_for_one_bundle_are_refused_before_anything_is_written() {
    let (_tm, mut marie) = TestVault::new();
    let (_tj, jean) = TestVault::new();
    let jean_in_marie = befriend(&mut marie, &jean);
    let p = person(&mut marie, "Colibri");
    // Six scans near the limit: 6 × 30 MB over the 160 MiB a bundle carries.
    for i in 0..6u8 {
        let mut b = pdf("grand");
        b.resize(30_000_000, i);
        add(&mut marie, &p, "Numérisation", &b).unwrap();
    }
    let before = relais_tests::dump_vault(&marie);
    let e = export(&mut marie, &jean_in_marie, &p, BundleKind::Transfer, false).unwrap_err();
    assert!(matches!(e, Error::DocumentsTooLargeForBundle { total_mb: 180, max_mb: 167 }), "{e:?}");
    assert!(e.message(relais_core::Lang::Fr).contains("180\u{a0}Mo"), "{}", e.message(relais_core::Lang::Fr));
    assert_eq!(relais_tests::dump_vault(&marie), before);
    // Without them, the share goes.
    export(&mut marie, &jean_in_marie, &p, BundleKind::Share, false).unwrap();
}

#[test]
fn backups_and_the_right_of_access_export_carry_the_documents() {
    let tv = TestVault::empty();
    tv.ok(&["init", "--name", "Marie Tremblay"]);
    tv.ok(&["person", "add", "--alias", "Colibri"]);
    let bytes = pdf("lettre IVAC CANARY-doc-7f3e");
    let src = tv.tmp.path().join("ivac.pdf");
    std::fs::write(&src, &bytes).unwrap();
    let id = tv.ok(&["doc", "add", "Colibri", src.to_str().unwrap(), "--title", "Lettre IVAC", "--kind", "ivac"]);
    std::fs::remove_file(&src).unwrap();

    let file = tv.tmp.path().join("vault.relais-backup");
    tv.ok(&["backup", "-o", file.to_str().unwrap()]);
    assert!(!contains(&std::fs::read(&file).unwrap(), b"CANARY-doc-7f3e"), "encrypted in the backup");
    let restored = tv.tmp.path().join("restored");
    let r = tv.cmd().env("RELAIS_VAULT", &restored).args(["restore", file.to_str().unwrap()]).output().unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let out = tv.tmp.path().join("copie.pdf");
    let g = tv.cmd().env("RELAIS_VAULT", &restored).args(["doc", "get", &id, "-o", out.to_str().unwrap()]).output().unwrap();
    assert!(g.status.success(), "{}", String::from_utf8_lossy(&g.stderr));
    assert_eq!(std::fs::read(&out).unwrap(), bytes, "the restored vault holds the document, byte for byte");

    let access: Value = serde_json::from_str(&tv.ok(&["export-person", "Colibri"])).unwrap();
    assert_eq!(access["records"]["document"][0]["title"], json!("Lettre IVAC"));
    let b64 = access["documents"][&id].as_str().expect("the bytes are in her file");
    assert_eq!(base64::engine::general_purpose::STANDARD.decode(b64).unwrap(), bytes);
}

#[test]
fn a_document_given_the_id_of_one_deleted_here_is_refused_and_the_deleted_one_restores() {
    // Marie deleted a passport scan (its bytes wait in the trash). Jean, a verified colleague,
    // sends a case of his own whose document takes that id, with his bytes or without.
    let (_tm, mut marie) = TestVault::new();
    let (_tj, mut jean) = TestVault::new();
    let marie_in_jean = crate::bundle::befriend(&mut jean, &marie);
    let jean_in_marie = crate::bundle::befriend(&mut marie, &jean);
    let colibri =
        marie.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Colibri")), ("intake_at", json!("2026-11-02T10:00:00Z"))]))).unwrap();
    let passport = pdf("CANARY-PASSEPORT");
    let d = documents::add(
        &mut marie,
        f(&[("person_id", json!(colibri)), ("title", json!("Passeport")), ("kind", json!("identity"))]),
        &passport,
    )
    .unwrap();
    relais_core::case::trash::delete(&mut marie, Kind::Document, &d).unwrap();
    let quartz =
        jean.write(|w| w.insert(Kind::Person, f(&[("alias", json!("Quartz")), ("intake_at", json!("2026-11-20T10:00:00Z"))]))).unwrap();
    let theirs =
        documents::add(&mut jean, f(&[("person_id", json!(quartz)), ("title", json!("Autre")), ("kind", json!("identity"))]), &pdf("Jean"))
            .unwrap();
    // What a hostile vault signs: its own tables, which its export carries as they are.
    jean.conn().execute("UPDATE document_content SET document_id = ?1 WHERE document_id = ?2", [&d, &theirs]).unwrap();
    jean.conn().execute("UPDATE documents SET id = ?1 WHERE id = ?2", [&d, &theirs]).unwrap();
    let req = |documents: bool| ExportRequest {
        persons: vec![quartz.clone()],
        to: vec![marie_in_jean.clone()],
        kind: BundleKind::Share,
        armor: false,
        override_reason: Some("Discussion de cas".into()),
        documents,
    };
    let before = relais_tests::dump_vault(&marie);
    let with_bytes = exchange::build_export(&jean, &req(true), &mut |_, _| {}).unwrap().0;
    jean.conn().execute("DELETE FROM document_content WHERE document_id = ?1", [&d]).unwrap();
    let without = exchange::build_export(&jean, &req(true), &mut |_, _| {}).unwrap().0;
    for bytes in [with_bytes.clone(), without] {
        let e = crate::bundle::import(&mut marie, &bytes).unwrap_err();
        assert!(matches!(e, Error::BundleRecordInTrash), "{e:?}");
    }
    assert_eq!(relais_tests::dump_vault(&marie), before, "nothing changed");
    // Any record given the id of one in the trash, the same (a note here).
    let note = marie.write(|w| w.insert(Kind::Note, f(&[("person_id", json!(colibri)), ("text", json!("Note supprimée"))]))).unwrap();
    relais_core::case::trash::delete(&mut marie, Kind::Note, &note).unwrap();
    let mine = jean.write(|w| w.insert(Kind::Note, f(&[("person_id", json!(quartz)), ("text", json!("Note de Jean"))]))).unwrap();
    jean.conn().execute("UPDATE notes SET id = ?1 WHERE id = ?2", [&note, &mine]).unwrap();
    let req_plain = ExportRequest { documents: false, ..req(false) };
    let bytes = exchange::build_export(&jean, &req_plain, &mut |_, _| {}).unwrap().0;
    let before = relais_tests::dump_vault(&marie);
    assert!(matches!(crate::bundle::import(&mut marie, &bytes), Err(Error::BundleRecordInTrash)));
    assert_eq!(relais_tests::dump_vault(&marie), before, "nothing changed");
    // In a case Marie holds and shared with Jean, a document he adds under that id, the same.
    let share = ExportRequest { persons: vec![colibri.clone()], to: vec![jean_in_marie], ..req(false) };
    let share = exchange::build_export(&marie, &share, &mut |_, _| {}).unwrap();
    exchange::commit_export(&mut marie, &share.1, &share.2).unwrap();
    crate::bundle::import(&mut jean, &share.0).unwrap();
    let added = documents::add(
        &mut jean,
        f(&[("person_id", json!(colibri)), ("title", json!("Ajout")), ("kind", json!("identity"))]),
        &pdf("Ajout"),
    )
    .unwrap();
    jean.conn().execute("DELETE FROM documents WHERE id = ?1", [&d]).unwrap();
    jean.conn().execute("UPDATE document_content SET document_id = ?1 WHERE document_id = ?2", [&d, &added]).unwrap();
    jean.conn().execute("UPDATE documents SET id = ?1 WHERE id = ?2", [&d, &added]).unwrap();
    let back = ExportRequest { persons: vec![colibri.clone()], ..req(true) };
    let bytes = exchange::build_export(&jean, &back, &mut |_, _| {}).unwrap().0;
    let before = relais_tests::dump_vault(&marie);
    let e = crate::bundle::import(&mut marie, &bytes).unwrap_err();
    assert!(matches!(e, Error::BundleRecordInTrash), "{e:?}");
    assert!(e.message(relais_core::Lang::Fr).contains("corbeille"), "{}", e.message(relais_core::Lang::Fr));
    assert_eq!(relais_tests::dump_vault(&marie), before, "nothing changed");
    let entry = relais_core::case::trash::list(&marie).unwrap().into_iter().find(|t| t.record_id == d).unwrap();
    relais_core::case::trash::restore(&mut marie, &entry.id).unwrap();
    assert_eq!(documents::content(&marie, &d).unwrap().1.as_slice(), passport.as_slice());
    // Restored, it is what it is: a record of Colibri, which Jean's case cannot take.
    let e = crate::bundle::import(&mut marie, &with_bytes).unwrap_err();
    assert!(matches!(e, Error::BundleRewritesRecord), "{e:?}");
    assert_eq!(documents::content(&marie, &d).unwrap().1.as_slice(), passport.as_slice());
}
