-- Time and money (issue 14). The seed's central argument is that accompaniment takes many hours
-- per case: a note records the time of the intervention it describes, an appointment the time
-- of accompaniment (travel and waiting included), each in whole minutes, at most a day (the
-- core refuses more, from a form or from a bundle). Emergency-fund spending (a bus or plane
-- ticket, hotel nights, a phone card, a taxi) is kept as expense lines: a date, a fund, a
-- category and an amount in cents (at most ten million dollars a line).

ALTER TABLE notes ADD COLUMN minutes INTEGER;
ALTER TABLE appointments ADD COLUMN accompaniment_minutes INTEGER;

CREATE TABLE expenses (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    person_id TEXT NOT NULL REFERENCES persons (id),
    spent_on TEXT NOT NULL,
    fund TEXT NOT NULL,
    category TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    note TEXT,
    created_by TEXT, updated_by TEXT, versions TEXT
);
CREATE INDEX expenses_person ON expenses (person_id, spent_on);
