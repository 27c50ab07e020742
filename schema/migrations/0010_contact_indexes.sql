-- The last contact with each person (issue 14: the caseload shows it, the dashboard lists the
-- persons not contacted for N days): the latest contact, phone or visit note and the latest
-- attended appointment, each one index probe per person instead of reading all her notes.

CREATE INDEX notes_person_kind_at ON notes (person_id, kind, at);
CREATE INDEX appointments_person_status_starts ON appointments (person_id, status, starts_at);
