-- The audit trail, anchored outside the database.
--
-- `content_hash`: each event's content (action, kind, record, person, fields) is hashed on its
-- own, and the event's hash covers that digest with its place, instant and author. A destruction
-- empties the content of a person's events; with the digest kept, their id, instant and author
-- stay proven. Events from before this migration have none (NULL) and keep their whole-event hash.
--
-- `audit_anchors`: the signed audit heads received from colleagues (in their bundles and
-- receipts): what this vault can show later about the state of theirs. A row per sender and
-- event number; the newest is what `relais audit anchor --of` writes out.

ALTER TABLE audit_events ADD COLUMN content_hash TEXT;

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
