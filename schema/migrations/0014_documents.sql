-- Documents (issue 16): the papers of a case (a scan of identity documents, a signed consent
-- form, an IVAC form, a permit letter, a subpoena, a medical note), kept inside the encrypted
-- database rather than as files beside it (docs/DESIGN.md, "Documents", says why, with the
-- numbers). A document is a record like any other (`documents`: title, kind, date, the record
-- it goes with, and what its content is: type found by reading it, size, SHA-256), audited,
-- exchanged and destroyed with its case; its bytes are one row of `document_content`, written
-- in the same transaction as the record. The content never changes: a new version of a paper
-- is a new document. A document in the trash keeps its content until the trash is purged.
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
CREATE INDEX documents_person ON documents (person_id, dated_on);

CREATE TABLE document_content (
    document_id TEXT PRIMARY KEY NOT NULL,
    bytes       BLOB NOT NULL
) WITHOUT ROWID;
