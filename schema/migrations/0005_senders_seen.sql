-- What was last seen from each sender, instead of a row per record.
--
-- `exchange_state` (the hash and revision of every record at its last exchange) decided merges
-- before version vectors (schema 4) did; since then nothing reads it, and export and import
-- wrote one row per record for nothing. Dropped.
--
-- `senders_seen` keeps, per sender (signing key fingerprint), the newest bundle imported from
-- them: when it was made (as signed by the sender) and its id. An import of an older bundle from
-- the same sender says so in its preview. Informational only: what a bundle may change is decided
-- per record by its version vector, never by these dates, which the sender writes.

DROP TABLE exchange_state;

CREATE TABLE senders_seen (
    sender       TEXT PRIMARY KEY NOT NULL,
    created_at   TEXT NOT NULL,
    bundle_id    TEXT NOT NULL,
    imported_at  TEXT NOT NULL
) WITHOUT ROWID;
