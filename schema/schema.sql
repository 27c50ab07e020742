-- Schema of a fresh Relais vault. Generated: do not edit by hand.
-- Regenerate with RELAIS_BLESS=1 cargo test -p relais-tests schema (and review the diff).

CREATE TRIGGER appointments_last_contact_delete AFTER DELETE ON appointments BEGIN
    UPDATE persons SET last_contact = nullif(max(coalesce((SELECT max(n.at) FROM notes n WHERE n.person_id = old.person_id AND n.kind IN ('contact', 'phone', 'visit')), ''),
                      coalesce((SELECT max(a.starts_at) FROM appointments a WHERE a.person_id = old.person_id AND a.status = 'attended'), '')), '') WHERE id = old.person_id;
END;

CREATE TRIGGER appointments_last_contact_insert AFTER INSERT ON appointments WHEN new.status = 'attended' BEGIN
    UPDATE persons SET last_contact = max(coalesce(last_contact, ''), new.starts_at) WHERE id = new.person_id;
END;

CREATE TRIGGER appointments_last_contact_update AFTER UPDATE OF person_id, status, starts_at ON appointments BEGIN
    UPDATE persons SET last_contact = nullif(max(coalesce((SELECT max(n.at) FROM notes n WHERE n.person_id = old.person_id AND n.kind IN ('contact', 'phone', 'visit')), ''),
                      coalesce((SELECT max(a.starts_at) FROM appointments a WHERE a.person_id = old.person_id AND a.status = 'attended'), '')), '') WHERE id = old.person_id;
    UPDATE persons SET last_contact = nullif(max(coalesce((SELECT max(n.at) FROM notes n WHERE n.person_id = new.person_id AND n.kind IN ('contact', 'phone', 'visit')), ''),
                      coalesce((SELECT max(a.starts_at) FROM appointments a WHERE a.person_id = new.person_id AND a.status = 'attended'), '')), '') WHERE id = new.person_id;
END;

CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
END;

CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN
    INSERT INTO notes_fts (rowid, text) VALUES (new.rowid, new.text);
END;

CREATE TRIGGER notes_fts_update AFTER UPDATE OF text ON notes BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
    INSERT INTO notes_fts (rowid, text) VALUES (new.rowid, new.text);
END;

CREATE TRIGGER notes_last_contact_delete AFTER DELETE ON notes BEGIN
    UPDATE persons SET last_contact = nullif(max(coalesce((SELECT max(n.at) FROM notes n WHERE n.person_id = old.person_id AND n.kind IN ('contact', 'phone', 'visit')), ''),
                      coalesce((SELECT max(a.starts_at) FROM appointments a WHERE a.person_id = old.person_id AND a.status = 'attended'), '')), '') WHERE id = old.person_id;
END;

CREATE TRIGGER notes_last_contact_insert AFTER INSERT ON notes WHEN new.kind IN ('contact', 'phone', 'visit') BEGIN
    UPDATE persons SET last_contact = max(coalesce(last_contact, ''), new.at) WHERE id = new.person_id;
END;

CREATE TRIGGER notes_last_contact_update AFTER UPDATE OF person_id, kind, at ON notes BEGIN
    UPDATE persons SET last_contact = nullif(max(coalesce((SELECT max(n.at) FROM notes n WHERE n.person_id = old.person_id AND n.kind IN ('contact', 'phone', 'visit')), ''),
                      coalesce((SELECT max(a.starts_at) FROM appointments a WHERE a.person_id = old.person_id AND a.status = 'attended'), '')), '') WHERE id = old.person_id;
    UPDATE persons SET last_contact = nullif(max(coalesce((SELECT max(n.at) FROM notes n WHERE n.person_id = new.person_id AND n.kind IN ('contact', 'phone', 'visit')), ''),
                      coalesce((SELECT max(a.starts_at) FROM appointments a WHERE a.person_id = new.person_id AND a.status = 'attended'), '')), '') WHERE id = new.person_id;
END;

CREATE TABLE appointments (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    person_id TEXT NOT NULL REFERENCES persons (id),
    need_id TEXT REFERENCES needs (id),
    starts_at TEXT NOT NULL,
    ends_at TEXT,
    place TEXT,
    org_id TEXT REFERENCES organisations (id),
    with_whom TEXT,
    kind TEXT NOT NULL,
    accompanied INTEGER,
    interpreter_language TEXT,
    transport TEXT,
    status TEXT NOT NULL,
    outcome TEXT
, created_by TEXT, updated_by TEXT, versions TEXT, interpreter_needed INTEGER, interpreter_provider TEXT, interpreter_outside_confirmed INTEGER, accompaniment_minutes INTEGER);

CREATE TABLE audit_anchors (
    signing_key  TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    vault_id     TEXT NOT NULL,
    hash         TEXT NOT NULL,
    at           TEXT NOT NULL,
    signature    TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    PRIMARY KEY (signing_key, seq)
) WITHOUT ROWID;

CREATE TABLE audit_events (
    seq       INTEGER PRIMARY KEY NOT NULL,
    id        TEXT NOT NULL UNIQUE,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    kind      TEXT,
    record_id TEXT,
    person_id TEXT,
    fields    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
, content_hash TEXT);

CREATE TABLE audit_head (
    one  INTEGER PRIMARY KEY CHECK (one = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE bundles_seen (
    bundle_id   TEXT PRIMARY KEY NOT NULL,
    direction   TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    kind        TEXT NOT NULL,
    peer        TEXT NOT NULL,
    at          TEXT NOT NULL,
    counts      TEXT NOT NULL,
    persons     TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE conflicts (
    id          TEXT PRIMARY KEY NOT NULL,
    kind        TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    person_id   TEXT,
    bundle_id   TEXT NOT NULL,
    theirs      TEXT NOT NULL,
    detected_at TEXT NOT NULL,
    resolved_at TEXT,
    resolution  TEXT CHECK (resolution IN ('mine', 'theirs'))
, reason TEXT NOT NULL DEFAULT 'conflict' CHECK (reason IN ('conflict', 'proposal', 'directory')), sender TEXT);

CREATE TABLE consents (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    person_id TEXT NOT NULL REFERENCES persons (id),
    scope TEXT NOT NULL,
    org_id TEXT REFERENCES organisations (id),
    recipient TEXT,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    method TEXT NOT NULL,
    withdrawn_on TEXT,
    note TEXT
, created_by TEXT, updated_by TEXT, versions TEXT);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    name TEXT NOT NULL,
    org TEXT,
    age_recipient TEXT NOT NULL UNIQUE,
    signing_key TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    verified_on TEXT
, created_by TEXT, updated_by TEXT, versions TEXT);

CREATE TABLE deadlines (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    person_id TEXT NOT NULL REFERENCES persons (id),
    kind TEXT NOT NULL,
    due_on TEXT NOT NULL,
    label TEXT,
    ivac_status TEXT,
    done_on TEXT,
    note TEXT
, created_by TEXT, updated_by TEXT, versions TEXT, permit_status TEXT);

CREATE TABLE document_content (
    document_id TEXT PRIMARY KEY NOT NULL,
    bytes       BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE documents (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    person_id TEXT NOT NULL REFERENCES persons (id),
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    dated_on TEXT,
    consent_id TEXT REFERENCES consents (id),
    deadline_id TEXT REFERENCES deadlines (id),
    proceeding_id TEXT REFERENCES proceedings (id),
    file_name TEXT,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    created_by TEXT, updated_by TEXT, versions TEXT
);

CREATE TABLE expenses (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    person_id TEXT NOT NULL REFERENCES persons (id),
    spent_on TEXT NOT NULL,
    fund TEXT NOT NULL,
    category TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    note TEXT,
    created_by TEXT, updated_by TEXT, versions TEXT
);

CREATE TABLE handoffs (
    person_id   TEXT NOT NULL,
    bundle_id   TEXT NOT NULL,
    to_fingerprint TEXT NOT NULL,
    at          TEXT NOT NULL,
    receipt_at  TEXT,
    purged_at   TEXT,
    PRIMARY KEY (person_id, bundle_id)
);

CREATE TABLE incidents (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    occurred_on TEXT NOT NULL,
    discovered_on TEXT,
    description TEXT NOT NULL,
    persons_concerned TEXT,
    serious_risk INTEGER,
    risk_assessment TEXT,
    cai_notified_on TEXT,
    persons_notified_on TEXT,
    measures TEXT
, created_by TEXT, updated_by TEXT, versions TEXT);

CREATE TABLE merged_persons (
    id        TEXT PRIMARY KEY NOT NULL,
    into_id   TEXT NOT NULL,
    merged_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE milestones (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    proceeding_id TEXT NOT NULL REFERENCES proceedings (id),
    code TEXT NOT NULL,
    status TEXT NOT NULL,
    due_on TEXT,
    done_on TEXT,
    note TEXT
, created_by TEXT, updated_by TEXT, versions TEXT);

CREATE TABLE needs (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    person_id TEXT NOT NULL REFERENCES persons (id),
    code TEXT NOT NULL,
    phase TEXT NOT NULL,
    status TEXT NOT NULL,
    identified_on TEXT,
    closed_on TEXT,
    note TEXT
, created_by TEXT, updated_by TEXT, versions TEXT);

CREATE TABLE notes (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    person_id TEXT NOT NULL REFERENCES persons (id),
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    text TEXT NOT NULL
, created_by TEXT, updated_by TEXT, versions TEXT, minutes INTEGER);

CREATE VIRTUAL TABLE notes_fts USING fts5 (
    text, content = 'notes', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE 'notes_fts_config'(k PRIMARY KEY, v) WITHOUT ROWID;

CREATE TABLE 'notes_fts_data'(id INTEGER PRIMARY KEY, block BLOB);

CREATE TABLE 'notes_fts_docsize'(id INTEGER PRIMARY KEY, sz BLOB);

CREATE TABLE 'notes_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;

CREATE TABLE org_contacts (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    role TEXT,
    phone TEXT,
    email TEXT
, created_by TEXT, updated_by TEXT, versions TEXT);

CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    name TEXT NOT NULL,
    kind TEXT,
    region TEXT,
    address TEXT,
    phone TEXT,
    email TEXT,
    website TEXT,
    languages TEXT,
    open_24_7 INTEGER,
    notes TEXT
, created_by TEXT, updated_by TEXT, versions TEXT);

CREATE TABLE persons (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    alias TEXT NOT NULL,
    legal_name TEXT,
    birth_date TEXT,
    phone TEXT,
    email TEXT,
    address TEXT,
    region TEXT,
    languages TEXT,
    interpreter_needed INTEGER,
    interpreter_language TEXT,
    safe_to_call INTEGER,
    safe_to_text INTEGER,
    safe_to_leave_message INTEGER,
    exploitation_types TEXT,
    means_of_control TEXT,
    labour_sector TEXT,
    origin TEXT NOT NULL,
    immigration_status TEXT,
    intake_at TEXT NOT NULL,
    referral_source TEXT,
    status TEXT NOT NULL,
    closure_reason TEXT,
    closure_note TEXT,
    closed_on TEXT
, created_by TEXT, updated_by TEXT, versions TEXT, owner TEXT, notice_given_on TEXT, consent_by TEXT, dpj_reported_on TEXT, risk_level TEXT, risk_reviewed_on TEXT, organised_crime INTEGER, no_contact_order INTEGER, protection_conditions TEXT, protection_until TEXT, gender TEXT, indigenous TEXT, interpreter_outside_community INTEGER, last_contact TEXT);

CREATE TABLE proceedings (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    person_id TEXT NOT NULL REFERENCES persons (id),
    file_number TEXT,
    court TEXT,
    district TEXT,
    role TEXT,
    prosecutor TEXT,
    note TEXT
, created_by TEXT, updated_by TEXT, versions TEXT);

CREATE TABLE referral_events (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    status TEXT NOT NULL,
    at TEXT NOT NULL,
    reason TEXT
, created_by TEXT, updated_by TEXT, versions TEXT);

CREATE TABLE referrals (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    person_id TEXT NOT NULL REFERENCES persons (id),
    org_id TEXT NOT NULL REFERENCES organisations (id),
    need_id TEXT REFERENCES needs (id),
    consent_id TEXT REFERENCES consents (id),
    status TEXT NOT NULL,
    status_reason TEXT,
    follow_up_on TEXT,
    amount_cents INTEGER,
    outcome TEXT,
    note TEXT
, created_by TEXT, updated_by TEXT, versions TEXT);

CREATE TABLE retention (
    person_id TEXT PRIMARY KEY NOT NULL REFERENCES persons (id),
    until     TEXT NOT NULL,
    reason    TEXT NOT NULL,
    set_at    TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE safety_items (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    person_id TEXT NOT NULL REFERENCES persons (id),
    text TEXT NOT NULL,
    review_on TEXT,
    done_on TEXT
, created_by TEXT, updated_by TEXT, versions TEXT);

CREATE TABLE schema_migrations (
             version INTEGER PRIMARY KEY NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL);

CREATE TABLE senders_seen (
    sender       TEXT PRIMARY KEY NOT NULL,
    created_at   TEXT NOT NULL,
    bundle_id    TEXT NOT NULL,
    imported_at  TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE services (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    need_code TEXT NOT NULL,
    region TEXT,
    languages TEXT,
    open_24_7 INTEGER,
    notes TEXT
, created_by TEXT, updated_by TEXT, versions TEXT);

CREATE TABLE tasks (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    person_id TEXT REFERENCES persons (id),
    title TEXT NOT NULL,
    due_on TEXT,
    done_at TEXT
, created_by TEXT, updated_by TEXT, versions TEXT);

CREATE TABLE team_reports (
    sender       TEXT PRIMARY KEY NOT NULL,
    bundle_id    TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    body         TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE testimonial_aids (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    proceeding_id TEXT NOT NULL REFERENCES proceedings (id),
    code TEXT NOT NULL,
    status TEXT NOT NULL,
    requested_on TEXT,
    decided_on TEXT,
    note TEXT
, created_by TEXT, updated_by TEXT, versions TEXT);

CREATE TABLE trash (
    id         TEXT PRIMARY KEY NOT NULL,
    deleted_at TEXT NOT NULL,
    kind       TEXT NOT NULL,
    record_id  TEXT NOT NULL,
    person_id  TEXT,
    content    TEXT NOT NULL
);

CREATE TABLE vault_meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE INDEX appointments_person ON appointments (person_id);

CREATE INDEX appointments_person_status_starts ON appointments (person_id, status, starts_at);

CREATE INDEX appointments_starts ON appointments (starts_at, status, person_id);

CREATE INDEX audit_events_person ON audit_events (person_id);

CREATE INDEX audit_events_record ON audit_events (record_id);

CREATE INDEX conflicts_open ON conflicts (record_id) WHERE resolved_at IS NULL;

CREATE INDEX consents_person ON consents (person_id);

CREATE INDEX deadlines_open_due ON deadlines (due_on, person_id, done_on) WHERE done_on IS NULL;

CREATE INDEX deadlines_person ON deadlines (person_id);

CREATE INDEX documents_person ON documents (person_id, dated_on);

CREATE INDEX expenses_person ON expenses (person_id, spent_on);

CREATE INDEX incidents_occurred ON incidents (occurred_on);

CREATE INDEX milestones_due ON milestones (due_on, status, proceeding_id);

CREATE INDEX milestones_proceeding ON milestones (proceeding_id);

CREATE INDEX needs_person ON needs (person_id);

CREATE INDEX needs_status_phase ON needs (status, phase, person_id);

CREATE INDEX notes_person ON notes (person_id);

CREATE INDEX notes_person_kind_at ON notes (person_id, kind, at);

CREATE INDEX org_contacts_org ON org_contacts (org_id);

CREATE INDEX organisations_name ON organisations (name COLLATE NOCASE);

CREATE INDEX persons_alias ON persons (alias COLLATE NOCASE);

CREATE INDEX persons_birth ON persons (birth_date);

CREATE INDEX persons_intake ON persons (intake_at);

CREATE INDEX persons_no_contact ON persons (coalesce(last_contact, intake_at)) WHERE status IN ('active', 'on_hold');

CREATE INDEX persons_status ON persons (status);

CREATE INDEX proceedings_person ON proceedings (person_id);

CREATE INDEX referral_events_referral ON referral_events (referral_id);

CREATE INDEX referrals_follow_up ON referrals (follow_up_on, status, person_id);

CREATE INDEX referrals_person ON referrals (person_id);

CREATE INDEX safety_items_person ON safety_items (person_id);

CREATE INDEX services_need ON services (need_code);

CREATE INDEX services_org ON services (org_id);

CREATE INDEX tasks_open_due ON tasks (due_on, person_id, done_at) WHERE done_at IS NULL;

CREATE INDEX tasks_person ON tasks (person_id);

CREATE INDEX testimonial_aids_proceeding ON testimonial_aids (proceeding_id);

CREATE INDEX trash_deleted ON trash (deleted_at);

CREATE INDEX trash_person ON trash (person_id);

