-- Statistics at the size of an organisation (issue 18).
--
-- The period's statistics read a few fields of every note, appointment, need, referral, court
-- milestone and expense: hundreds of thousands of rows in an organisation's vault. Read from
-- the tables, every page of them is decrypted, a note's text and a record's version vector
-- included: most of the vault's bytes. Each index below holds every field the statistics read
-- of its kind, so SQLite reads the index instead (a covering index) and the texts stay where
-- they are. Each replaces a narrower index that starts with the same columns, so every query
-- that used the old one finds the same order in the new one, and a write still updates one
-- index per kind.

DROP INDEX notes_person_kind_at;
CREATE INDEX notes_person_kind_at_minutes ON notes (person_id, kind, at, minutes);

DROP INDEX appointments_person_status_starts;
CREATE INDEX appointments_person_status_starts_kind ON appointments (person_id, status, starts_at, kind, accompaniment_minutes);

DROP INDEX needs_status_phase;
CREATE INDEX needs_status_phase_person ON needs (status, phase, person_id, identified_on);

DROP INDEX referrals_person;
CREATE INDEX referrals_person_status ON referrals (person_id, status, org_id, created_at);

DROP INDEX milestones_proceeding;
CREATE INDEX milestones_proceeding_status ON milestones (proceeding_id, status, code, done_on);

DROP INDEX expenses_person;
CREATE INDEX expenses_person_spent ON expenses (person_id, spent_on, fund, amount_cents);
