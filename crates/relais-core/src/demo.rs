//! A fictional caseload for demos, screenshots and benchmarks: every kind of record, realistic
//! proportions, and the same content for the same seed and date (ids differ: they are UUID v7).
//! Written in ONE transaction, so an interrupted fill leaves nothing behind.
//!
//! Every alias, note and organisation here is invented.

use chrono::{Days, NaiveDate, TimeZone, Utc};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use crate::error::Result;
use crate::model::catalogue::Catalogues;
use crate::record::{Fields, Kind};
use crate::vault::store::{Store, Writer};

/// What the fill wrote.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct DemoReport {
    /// Persons created.
    pub persons: usize,
    /// Records created in all (persons included, audit events not).
    pub records: usize,
}

const ALIASES: &[&str] = &[
    "Colibri",
    "Aurore",
    "Luciole",
    "Mésange",
    "Boréale",
    "Rivière",
    "Érable",
    "Cigale",
    "Azur",
    "Bruyère",
    "Perce-neige",
    "Alizé",
    "Cerisier",
    "Hirondelle",
    "Opale",
    "Sarcelle",
    "Tournesol",
    "Violette",
    "Zéphyr",
    "Lilas",
    "Comète",
    "Iris",
    "Marée",
    "Nacre",
    "Orchidée",
    "Pivoine",
    "Quartz",
    "Roseau",
    "Saule",
    "Tamaris",
    "Ambre",
    "Bouleau",
    "Capucine",
    "Dune",
    "Étoile",
    "Fougère",
    "Glycine",
    "Hêtre",
    "Jade",
    "Lune",
];
const REGIONS: &[&str] = &["Montréal", "Laval", "Montérégie", "Capitale-Nationale", "Outaouais", "Estrie", "Laurentides", "Mauricie"];
/// Referral sources as workers type them (the report recognises them, never publishes them).
const SOURCES: &[&str] = &[
    "Ligne d'écoute",
    "Ligne d'écoute SOS Traite",
    "Police",
    "CLSC",
    "Maison d'hébergement",
    "Elle-même",
    "Organisme communautaire",
    "Amie",
];
const LANGUAGES: &[&str] =
    &["français", "anglais", "espagnol", "arabe", "créole haïtien", "tagalog", "mandarin", "inuktitut", "cri", "portugais"];
const ORGS: &[(&str, &str, bool)] = &[
    ("Maison d'hébergement L'Escale", "shelter", true),
    ("Ligne d'écoute SOS Traite", "community", true),
    ("CAVAC de la Capitale", "court_support", false),
    ("Clinique juridique Le Phare", "legal", false),
    ("CLSC des Érables", "health", false),
    ("Centre de crise Le Relais du Nord", "mental_health", true),
    ("Service de police de quartier 21", "police", true),
    ("Bureau d'aide à l'immigration Horizon", "immigration", false),
    ("Logis Transition", "housing", false),
    ("Fonds d'urgence Solidarité", "emergency_fund", false),
    ("Interprètes Sans Frontières", "interpretation", false),
    ("Carrefour jeunesse-emploi Cap-Nord", "community", false),
    ("Protection de la jeunesse, secteur Est", "youth_protection", true),
    ("Centre de santé des femmes Les Tisserandes", "health", false),
];
const NOTE_TEMPLATES: &[&str] = &[
    "Appel de suivi : la personne dit se sentir plus en sécurité depuis le changement d'hébergement.",
    "Rencontre au bureau. Révision du plan de sécurité et des numéros d'urgence.",
    "Accompagnement à la clinique pour le dépistage ; prochain rendez-vous à confirmer.",
    "Discussion sur la demande IVAC : documents à rassembler, formulaire commencé.",
    "Discussion de cas avec la procureure (DPCP) : préparation au témoignage, visite du palais prévue.",
    "Texto reçu : souhaite reporter la rencontre de jeudi, propose lundi.",
    "Visite à domicile. Besoin de vêtements d'hiver et de cartes d'autobus.",
    "Suivi avec l'avocate en immigration au sujet du permis de séjour temporaire.",
    "Retour sur la séance de thérapie : fatigue, sommeil difficile, motivée à continuer.",
    "Inscription au cours de français confirmée pour la session d'hiver.",
    "Rencontre avec l'intervenante du CAVAC pour les mesures d'aide au témoignage.",
    "Appel manqué ; message non laissé (consigne : ne pas laisser de message).",
];
const TASKS: &[&str] = &[
    "Envoyer les documents IVAC",
    "Confirmer l'interprète pour l'audience",
    "Rappeler la maison d'hébergement",
    "Renouveler la carte d'autobus",
    "Préparer la conférence de cas",
    "Vérifier la date d'expiration du permis",
];
const SAFETY: &[&str] = &[
    "Numéro d'urgence enregistré sous un nom neutre",
    "Trajet vers le travail modifié",
    "Mot code convenu avec l'intervenante",
    "Sac d'urgence préparé (papiers, médicaments)",
];

fn f(pairs: &[(&str, Value)]) -> Fields {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
}

/// Fills the vault with `persons` fictional persons, dated around `today`. `progress` is called
/// with (persons done, persons total).
pub fn fill(store: &mut Store, persons: usize, seed: u64, today: NaiveDate, progress: &mut dyn FnMut(usize, usize)) -> Result<DemoReport> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let now = Utc.from_utc_datetime(&today.and_hms_opt(12, 0, 0).expect("noon"));
    store.write_at(now, |w| {
        let mut report = DemoReport::default();
        let mut orgs = Vec::new();
        let needs_cat = Catalogues::get().list("needs");
        for (name, kind, h24) in ORGS {
            let region = REGIONS[rng.gen_range(0..REGIONS.len())];
            let id = w.insert(
                Kind::Organisation,
                f(&[
                    ("name", json!(name)),
                    ("kind", json!(kind)),
                    ("region", json!(region)),
                    ("open_24_7", json!(h24)),
                    ("languages", json!(["français", "anglais"])),
                ]),
            )?;
            for n in needs_cat.choose_multiple(&mut rng, 4) {
                w.insert(Kind::Service, f(&[("org_id", json!(id)), ("need_code", json!(n.code)), ("region", json!(region))]))?;
                report.records += 1;
            }
            report.records += 1;
            orgs.push(id);
        }
        let mut aliases: Vec<&str> = ALIASES.to_vec();
        aliases.shuffle(&mut rng);
        for i in 0..persons {
            let alias = if persons <= aliases.len() {
                aliases[i].to_owned()
            } else {
                format!("{} {}", aliases[i % aliases.len()], i / aliases.len() + 1)
            };
            report.records += person(w, &mut rng, &alias, today, &orgs)?;
            report.persons += 1;
            if i % 100 == 99 || i + 1 == persons {
                progress(i + 1, persons);
            }
        }
        w.audit_vault("demo.fill", vec![format!("persons={persons}"), format!("seed={seed}")])?;
        Ok(report)
    })
}

fn day(today: NaiveDate, offset: i64) -> String {
    let d = if offset >= 0 {
        today.checked_add_days(Days::new(offset as u64))
    } else {
        today.checked_sub_days(Days::new(offset.unsigned_abs()))
    };
    d.expect("date in range").to_string()
}

fn instant(today: NaiveDate, offset_days: i64, hour: u32) -> String {
    format!("{}T{:02}:00:00Z", day(today, offset_days), hour)
}

fn person(w: &mut Writer<'_>, rng: &mut ChaCha8Rng, alias: &str, today: NaiveDate, orgs: &[String]) -> Result<usize> {
    let mut n = 0usize;
    // Time and expenses (added later) draw from their own generator, seeded by the alias, so
    // that the rest of the demonstration stays what it was for a given seed.
    let mut more =
        ChaCha8Rng::seed_from_u64(alias.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)));
    // The funder report's dimensions (referral source, IVAC outcome, aids' decision dates) were
    // added later still, from a third generator.
    let mut later =
        ChaCha8Rng::seed_from_u64(alias.bytes().fold(0x84222325_cbf29ce4_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)));
    let international = rng.gen_bool(0.3);
    let age_days: i64 = if rng.gen_bool(0.08) { 17 * 365 + rng.gen_range(190..365) } else { rng.gen_range(14 * 365..40 * 365) };
    let intake_offset: i64 = if rng.gen_bool(0.02) { 0 } else { -rng.gen_range(3..900) };
    let cat = Catalogues::get();
    let ex: Vec<&str> = cat.list("exploitation_types").choose_multiple(rng, 2).map(|e| e.code.as_str()).collect();
    let control: Vec<&str> = cat.list("means_of_control").choose_multiple(rng, 3).map(|e| e.code.as_str()).collect();
    let lang = LANGUAGES[rng.gen_range(0..LANGUAGES.len())];
    let pid = w.insert(
        Kind::Person,
        f(&[
            ("alias", json!(alias)),
            ("birth_date", json!(day(today, -age_days))),
            ("region", json!(REGIONS[rng.gen_range(0..REGIONS.len())])),
            ("languages", json!([lang])),
            ("interpreter_needed", json!(lang != "français" && lang != "anglais")),
            ("safe_to_call", json!(rng.gen_bool(0.6))),
            ("safe_to_text", json!(rng.gen_bool(0.7))),
            ("safe_to_leave_message", json!(rng.gen_bool(0.3))),
            ("exploitation_types", json!(ex)),
            ("means_of_control", json!(control)),
            ("origin", json!(if international { "international" } else { "domestic" })),
            ("intake_at", json!(format!("{}T{:02}:00:00Z", day(today, intake_offset), if intake_offset == 0 { 9 } else { 15 }))),
            ("referral_source", json!(SOURCES[later.gen_range(0..SOURCES.len())])),
        ]),
    )?;
    n += 1;

    let mut need_ids = Vec::new();
    let candidates: Vec<_> = cat.list("needs").iter().filter(|e| international || !e.international_only).collect();
    let how_many = rng.gen_range(6..11);
    for need in candidates.choose_multiple(rng, how_many) {
        let status = ["identified", "in_progress", "referred", "met", "unmet", "declined"][rng.gen_range(0..6)];
        let id = w.insert(
            Kind::Need,
            f(&[
                ("person_id", json!(pid)),
                ("code", json!(need.code)),
                ("phase", json!(need.phases[0])),
                ("status", json!(status)),
                ("identified_on", json!(day(today, intake_offset.min(-1)))),
            ]),
        )?;
        need_ids.push(id);
        n += 1;
    }

    let mut consent_ids = Vec::new();
    let mut consented = Vec::new();
    for k in 0..2 {
        let org = &orgs[rng.gen_range(0..orgs.len())];
        consented.push(org.clone());
        consent_ids.push(w.insert(
            Kind::Consent,
            f(&[
                ("person_id", json!(pid)),
                ("scope", json!(if k == 0 { "Informations nécessaires à la référence" } else { "Suivi judiciaire" })),
                ("org_id", json!(org)),
                ("starts_on", json!(day(today, intake_offset.min(-1)))),
                ("ends_on", json!(day(today, 365))),
                ("method", json!(if k == 0 { "written" } else { "verbal" })),
            ]),
        )?);
        n += 1;
    }

    let kinds = cat.list("appointment_kinds");
    for _ in 0..20 {
        let offset = rng.gen_range(intake_offset.min(-1)..30);
        let status = if offset >= 0 {
            "planned"
        } else if rng.gen_bool(0.15) {
            "no_show"
        } else {
            "attended"
        };
        w.insert(
            Kind::Appointment,
            f(&[
                ("person_id", json!(pid)),
                ("need_id", json!(need_ids[rng.gen_range(0..need_ids.len())])),
                ("starts_at", json!(instant(today, offset, rng.gen_range(13..21)))),
                ("org_id", json!(orgs[rng.gen_range(0..orgs.len())])),
                ("kind", json!(kinds[rng.gen_range(0..kinds.len())].code)),
                ("accompanied", json!(rng.gen_bool(0.5))),
                ("status", json!(status)),
                ("accompaniment_minutes", if status == "attended" { json!(more.gen_range(4..17) * 15) } else { Value::Null }),
            ]),
        )?;
        n += 1;
    }

    // Referrals go where the person consented to (the consent gate would refuse the others).
    for _ in 0..4 {
        let k = rng.gen_range(0..2);
        let id = crate::case::add_referral(
            w,
            f(&[
                ("person_id", json!(pid)),
                ("org_id", json!(consented[k])),
                ("need_id", json!(need_ids[rng.gen_range(0..need_ids.len())])),
                ("consent_id", json!(consent_ids[k])),
                ("follow_up_on", json!(day(today, rng.gen_range(-20..40)))),
            ]),
            None,
        )?;
        n += 2;
        let next = ["received", "accepted", "waitlisted", "in_progress", "completed"][rng.gen_range(0..5)];
        crate::case::set_referral_status(w, &id, next, None)?;
        n += 1;
    }

    if rng.gen_bool(0.5) {
        let proc_id = w.insert(
            Kind::Proceeding,
            f(&[
                ("person_id", json!(pid)),
                ("court", json!("Cour du Québec, chambre criminelle")),
                ("district", json!("Montréal")),
                ("role", json!("complainant")),
            ]),
        )?;
        n += 1;
        let reached = rng.gen_range(2..12);
        for (k, m) in cat.list("milestones").iter().enumerate().take(reached + 2) {
            let (status, due) = if k < reached { ("done", rng.gen_range(-300..-1)) } else { ("planned", rng.gen_range(0..60)) };
            let mut rec = f(&[
                ("proceeding_id", json!(proc_id)),
                ("code", json!(m.code)),
                ("status", json!(status)),
                ("due_on", json!(day(today, due))),
            ]);
            if status == "done" {
                rec.insert("done_on".into(), json!(day(today, due)));
            }
            w.insert(Kind::Milestone, rec)?;
            n += 1;
        }
        let aid = ["s486_1", "s486_2", "s486_2", "s486_3", "s486_4"][later.gen_range(0..5)];
        let decided = later.gen_range(intake_offset.min(-1)..0);
        w.insert(
            Kind::TestimonialAid,
            f(&[
                ("proceeding_id", json!(proc_id)),
                ("code", json!(aid)),
                ("status", json!("granted")),
                ("requested_on", json!(day(today, decided - later.gen_range(5..40)))),
                ("decided_on", json!(day(today, decided))),
            ]),
        )?;
        n += 1;
    }

    w.insert(
        Kind::Deadline,
        f(&[
            ("person_id", json!(pid)),
            ("kind", json!("ivac_application")),
            ("due_on", json!(day(today, rng.gen_range(-10..200)))),
            (
                "ivac_status",
                json!(
                    ["preparing", "submitted", "accepted", "accepted", "partially_accepted", "refused", "under_review"]
                        [later.gen_range(0..7)]
                ),
            ),
        ]),
    )?;
    n += 1;
    if international {
        w.insert(
            Kind::Deadline,
            f(&[
                ("person_id", json!(pid)),
                ("kind", json!("trp_expiry")),
                ("due_on", json!(day(today, rng.gen_range(10..400)))),
                ("permit_status", json!(["filed", "granted", "granted", "renewed", "refused"][later.gen_range(0..5)])),
            ]),
        )?;
        n += 1;
    }

    let note_kinds = ["contact", "phone", "visit", "case_conference"];
    for k in 0..40 {
        let text = format!("{} ({} {})", NOTE_TEMPLATES[rng.gen_range(0..NOTE_TEMPLATES.len())], alias, k + 1);
        w.insert(
            Kind::Note,
            f(&[
                ("person_id", json!(pid)),
                ("kind", json!(note_kinds[rng.gen_range(0..4)])),
                ("at", json!(instant(today, rng.gen_range(intake_offset.min(-1)..0), 14))),
                ("text", json!(text)),
                ("minutes", json!(more.gen_range(1..9) * 15)),
            ]),
        )?;
        n += 1;
    }
    // Emergency-fund spending and the like, the seed's examples.
    const SPENT: [(&str, &str, i64, i64); 6] = [
        ("emergency", "bus_ticket", 350, 1_500),
        ("emergency", "taxi", 1_500, 6_000),
        ("emergency", "lodging", 12_000, 45_000),
        ("emergency", "phone_card", 2_000, 5_000),
        ("organisation", "hygiene", 1_500, 4_000),
        ("program", "travel_ticket", 15_000, 90_000),
    ];
    for _ in 0..more.gen_range(0..5) {
        let (fund, category, low, high) = SPENT[more.gen_range(0..SPENT.len())];
        w.insert(
            Kind::Expense,
            f(&[
                ("person_id", json!(pid)),
                ("spent_on", json!(day(today, more.gen_range(intake_offset.min(-1)..1)))),
                ("fund", json!(fund)),
                ("category", json!(category)),
                ("amount_cents", json!(more.gen_range(low / 50..high / 50) * 50)),
            ]),
        )?;
        n += 1;
    }
    for s in SAFETY.choose_multiple(rng, 3) {
        w.insert(
            Kind::SafetyItem,
            f(&[("person_id", json!(pid)), ("text", json!(s)), ("review_on", json!(day(today, rng.gen_range(5..90))))]),
        )?;
        n += 1;
    }
    for t in TASKS.choose_multiple(rng, 5) {
        let due = rng.gen_range(-15..30);
        let mut rec = f(&[("person_id", json!(pid)), ("title", json!(t)), ("due_on", json!(day(today, due)))]);
        if due < -5 && rng.gen_bool(0.7) {
            rec.insert("done_at".into(), json!(instant(today, due, 16)));
        }
        w.insert(Kind::Task, rec)?;
        n += 1;
    }
    let roll: f64 = rng.r#gen();
    if roll < 0.1 {
        crate::case::close_person(w, &pid, "plan_completed", None)?;
    } else if roll < 0.2 {
        w.update(Kind::Person, &pid, f(&[("status", json!("on_hold"))]))?;
    }
    Ok(n)
}
