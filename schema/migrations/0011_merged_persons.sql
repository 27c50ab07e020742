-- Two files of the same person merged (issue 14): the merged-away id is remembered, with the
-- file it went into, so that a bundle that later brings it is refused with a clear message
-- instead of bringing the file back as a new case.

CREATE TABLE merged_persons (
    id        TEXT PRIMARY KEY NOT NULL,
    into_id   TEXT NOT NULL,
    merged_at TEXT NOT NULL
) WITHOUT ROWID;
