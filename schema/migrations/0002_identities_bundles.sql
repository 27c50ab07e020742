-- Relais schema 2: the worker's identities, the contact book, and what hand-off bundles need to
-- merge idempotently (bundles seen, per-record exchange state, conflicts, hand-offs).
-- The identities themselves (age X25519 secret key, Ed25519 signing seed) are written by the
-- core into vault_meta on open when missing: SQL cannot generate keys.

CREATE TABLE contacts (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    name TEXT NOT NULL,
    org TEXT,
    age_recipient TEXT NOT NULL UNIQUE,
    signing_key TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    verified_on TEXT
);

-- Every bundle imported (or produced), so that a replay is recognised and changes nothing.
CREATE TABLE bundles_seen (
    bundle_id   TEXT PRIMARY KEY NOT NULL,
    direction   TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    kind        TEXT NOT NULL,
    peer        TEXT NOT NULL,
    at          TEXT NOT NULL,
    counts      TEXT NOT NULL,
    persons     TEXT NOT NULL DEFAULT '[]'
);

-- The content hash and revision of each record at its last exchange (export or import): a
-- record whose local content still has that hash was not changed here since.
CREATE TABLE exchange_state (
    record_id TEXT PRIMARY KEY NOT NULL,
    kind      TEXT NOT NULL,
    revision  INTEGER NOT NULL,
    hash      TEXT NOT NULL
) WITHOUT ROWID;

-- A record changed on both sides since the last exchange: kept as it is here until the worker
-- picks (`relais conflicts resolve ID --keep mine|theirs`).
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
);
CREATE INDEX conflicts_open ON conflicts (record_id) WHERE resolved_at IS NULL;

-- Cases handed off by a transfer bundle, until the receiver's receipt allows a purge.
CREATE TABLE handoffs (
    person_id   TEXT NOT NULL,
    bundle_id   TEXT NOT NULL,
    to_fingerprint TEXT NOT NULL,
    at          TEXT NOT NULL,
    receipt_at  TEXT,
    purged_at   TEXT,
    PRIMARY KEY (person_id, bundle_id)
);
