-- A bundle is known by who sent it as well as by its id (review of 2026-12-06).
--
-- A bundle's id is chosen by its sender, and every recipient of a share reads it. Keyed by the
-- id alone, a colleague who sent this vault an empty bundle under the id of a share she too
-- received made the real share a « replay » here: imported as nothing, and its file cleaned
-- from the team folder unread. Now a row is one bundle from one peer (or, for this vault's own,
-- to its peers): the same id from someone else is another bundle.

CREATE TABLE bundles_seen_by_sender (
    bundle_id   TEXT NOT NULL,
    direction   TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    kind        TEXT NOT NULL,
    peer        TEXT NOT NULL,
    at          TEXT NOT NULL,
    counts      TEXT NOT NULL,
    persons     TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (bundle_id, direction, peer)
);
INSERT INTO bundles_seen_by_sender (bundle_id, direction, kind, peer, at, counts, persons)
    SELECT bundle_id, direction, kind, peer, at, counts, persons FROM bundles_seen;
DROP TABLE bundles_seen;
ALTER TABLE bundles_seen_by_sender RENAME TO bundles_seen;
