-- Relais schema 1: the vault's metadata, the case model, the directory and the audit trail.
-- Every record table has the same base columns: id (UUID v7), created_at and updated_at
-- (RFC 3339 UTC) and revision (bumped on every change; bundles merge on it).
-- Column lists must match crates/relais-core/src/record.rs (a test checks it).

CREATE TABLE vault_meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

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
);
CREATE INDEX persons_alias ON persons (alias COLLATE NOCASE);
CREATE INDEX persons_intake ON persons (intake_at);
CREATE INDEX persons_birth ON persons (birth_date);
CREATE INDEX persons_status ON persons (status);

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
);
CREATE INDEX organisations_name ON organisations (name COLLATE NOCASE);

CREATE TABLE org_contacts (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    role TEXT,
    phone TEXT,
    email TEXT
);
CREATE INDEX org_contacts_org ON org_contacts (org_id);

CREATE TABLE services (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    need_code TEXT NOT NULL,
    region TEXT,
    languages TEXT,
    open_24_7 INTEGER,
    notes TEXT
);
CREATE INDEX services_org ON services (org_id);
CREATE INDEX services_need ON services (need_code);

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
);
CREATE INDEX needs_person ON needs (person_id);
-- Covering indexes for the dashboard: counts never touch the wide rows.
CREATE INDEX needs_status_phase ON needs (status, phase, person_id);

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
);
CREATE INDEX consents_person ON consents (person_id);

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
);
CREATE INDEX appointments_person ON appointments (person_id);
CREATE INDEX appointments_starts ON appointments (starts_at, status, person_id);

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
);
CREATE INDEX referrals_person ON referrals (person_id);
CREATE INDEX referrals_follow_up ON referrals (follow_up_on, status, person_id);

CREATE TABLE referral_events (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    status TEXT NOT NULL,
    at TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX referral_events_referral ON referral_events (referral_id);

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
);
CREATE INDEX proceedings_person ON proceedings (person_id);

CREATE TABLE milestones (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    proceeding_id TEXT NOT NULL REFERENCES proceedings (id),
    code TEXT NOT NULL,
    status TEXT NOT NULL,
    due_on TEXT,
    done_on TEXT,
    note TEXT
);
CREATE INDEX milestones_proceeding ON milestones (proceeding_id);
CREATE INDEX milestones_due ON milestones (due_on, status, proceeding_id);

CREATE TABLE testimonial_aids (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    proceeding_id TEXT NOT NULL REFERENCES proceedings (id),
    code TEXT NOT NULL,
    status TEXT NOT NULL,
    requested_on TEXT,
    decided_on TEXT,
    note TEXT
);
CREATE INDEX testimonial_aids_proceeding ON testimonial_aids (proceeding_id);

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
);
CREATE INDEX deadlines_person ON deadlines (person_id);
CREATE INDEX deadlines_open_due ON deadlines (due_on, person_id, done_on) WHERE done_on IS NULL;

CREATE TABLE notes (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    person_id TEXT NOT NULL REFERENCES persons (id),
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX notes_person ON notes (person_id);

-- Full-text index of notes (external content: the text is stored once, in `notes`).
-- remove_diacritics 2 lets "reunion" find "réunion".
CREATE VIRTUAL TABLE notes_fts USING fts5 (
    text, content = 'notes', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN
    INSERT INTO notes_fts (rowid, text) VALUES (new.rowid, new.text);
END;
CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
END;
CREATE TRIGGER notes_fts_update AFTER UPDATE OF text ON notes BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
    INSERT INTO notes_fts (rowid, text) VALUES (new.rowid, new.text);
END;

CREATE TABLE safety_items (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    person_id TEXT NOT NULL REFERENCES persons (id),
    text TEXT NOT NULL,
    review_on TEXT,
    done_on TEXT
);
CREATE INDEX safety_items_person ON safety_items (person_id);

CREATE TABLE tasks (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    person_id TEXT REFERENCES persons (id),
    title TEXT NOT NULL,
    due_on TEXT,
    done_at TEXT
);
CREATE INDEX tasks_person ON tasks (person_id);
CREATE INDEX tasks_open_due ON tasks (due_on, person_id, done_at) WHERE done_at IS NULL;

-- The audit trail: one event per change, written in the same transaction as the change.
-- Each event's hash covers its content and the previous event's hash; `audit_head` holds the
-- last one, so that removing events at the end is detected too (see `relais audit verify`).
-- Events name fields, never values: the trail itself holds no personal data.
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
);
CREATE INDEX audit_events_record ON audit_events (record_id);
CREATE INDEX audit_events_person ON audit_events (person_id);

CREATE TABLE audit_head (
    one  INTEGER PRIMARY KEY CHECK (one = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (one, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
