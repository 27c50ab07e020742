-- The dashboard at the size of an organisation, continued (issue 18).
--
-- Every list of the dashboard keeps the rows of open cases only. It gathered the ids of the
-- cases that are not open (closed, handed off) into a temp table at each dashboard: with a
-- thousand closed cases, that alone was half a millisecond of a five-millisecond budget. This
-- table keeps those ids, by triggers in the same transaction as every write that opens, closes,
-- hands off, adds or removes a case. Derived data like `dashboard_counts`: never written by
-- hand, never sent in a bundle, not audited (the person's row that moves it is). Ids only.

CREATE TABLE persons_closed (id TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;

INSERT INTO persons_closed (id) SELECT id FROM persons WHERE status IN ('closed', 'handed_off');

CREATE TRIGGER persons_closed_insert AFTER INSERT ON persons WHEN new.status IN ('closed', 'handed_off') BEGIN
    INSERT INTO persons_closed (id) VALUES (new.id);
END;
CREATE TRIGGER persons_closed_status AFTER UPDATE OF status ON persons
WHEN (old.status IN ('closed', 'handed_off')) IS NOT (new.status IN ('closed', 'handed_off')) BEGIN
    DELETE FROM persons_closed WHERE id = old.id;
    INSERT INTO persons_closed (id) SELECT new.id WHERE new.status IN ('closed', 'handed_off');
END;
CREATE TRIGGER persons_closed_delete AFTER DELETE ON persons WHEN old.status IN ('closed', 'handed_off') BEGIN
    DELETE FROM persons_closed WHERE id = old.id;
END;

-- The appointments and court milestones to come are listed in the order of these indexes (their
-- status is always « planned »), so that a list stops after its first rows instead of sorting
-- every row of the week or the month.
CREATE INDEX appointments_planned ON appointments (starts_at, person_id) WHERE status = 'planned';
CREATE INDEX milestones_planned ON milestones (due_on, proceeding_id) WHERE status = 'planned';
