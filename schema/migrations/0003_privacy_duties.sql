-- Relais schema 3: the privacy duties of an organisation (Law 25): retention after closure,
-- the 30-day trash, and the register of confidentiality incidents.

-- A case's retention, when it differs from the organisation's (vault_meta 'retention_years',
-- counted from closed_on): until when, and why. Local: never in a bundle.
CREATE TABLE retention (
    person_id TEXT PRIMARY KEY NOT NULL REFERENCES persons (id),
    until     TEXT NOT NULL,
    reason    TEXT NOT NULL,
    set_at    TEXT NOT NULL
) WITHOUT ROWID;

-- Records deleted by mistake, kept 30 days then purged: `content` is the JSON of the record and
-- of those under it ([[kind, record], …], parents first), enough to put them back as they were.
CREATE TABLE trash (
    id         TEXT PRIMARY KEY NOT NULL,
    deleted_at TEXT NOT NULL,
    kind       TEXT NOT NULL,
    record_id  TEXT NOT NULL,
    person_id  TEXT,
    content    TEXT NOT NULL
);
CREATE INDEX trash_person ON trash (person_id);
CREATE INDEX trash_deleted ON trash (deleted_at);

-- Confidentiality incidents (Law 25 ss. 3.5-3.8), a record kind of its own (not part of a case).
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
);
CREATE INDEX incidents_occurred ON incidents (occurred_on);
