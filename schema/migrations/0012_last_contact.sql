-- The last contact with each person, kept on the person's row (issue 14): the dashboard lists the
-- open cases without contact for N days, and computing it for every case at each dashboard took
-- a quarter of a second for 10 000 cases. A contact is a contact, phone or visit note, or an
-- attended appointment (a case conference about her is not a contact with her).
--
-- Derived data, like the note index: kept by these triggers on every write, whoever makes it
-- (a form, an import, a merge, a restore from the trash, a destruction), never written by hand,
-- never sent in a bundle, not audited (the note or appointment that moves it is). An insert
-- can only move it later; any other change recomputes it from the person's records.

ALTER TABLE persons ADD COLUMN last_contact TEXT;
UPDATE persons SET last_contact = nullif(max(coalesce((SELECT max(n.at) FROM notes n WHERE n.person_id = persons.id AND n.kind IN ('contact', 'phone', 'visit')), ''),
                      coalesce((SELECT max(a.starts_at) FROM appointments a WHERE a.person_id = persons.id AND a.status = 'attended'), '')), '');
CREATE INDEX persons_no_contact ON persons (coalesce(last_contact, intake_at)) WHERE status IN ('active', 'on_hold');

CREATE TRIGGER notes_last_contact_insert AFTER INSERT ON notes WHEN new.kind IN ('contact', 'phone', 'visit') BEGIN
    UPDATE persons SET last_contact = max(coalesce(last_contact, ''), new.at) WHERE id = new.person_id;
END;
CREATE TRIGGER notes_last_contact_update AFTER UPDATE OF person_id, kind, at ON notes BEGIN
    UPDATE persons SET last_contact = nullif(max(coalesce((SELECT max(n.at) FROM notes n WHERE n.person_id = old.person_id AND n.kind IN ('contact', 'phone', 'visit')), ''),
                      coalesce((SELECT max(a.starts_at) FROM appointments a WHERE a.person_id = old.person_id AND a.status = 'attended'), '')), '') WHERE id = old.person_id;
    UPDATE persons SET last_contact = nullif(max(coalesce((SELECT max(n.at) FROM notes n WHERE n.person_id = new.person_id AND n.kind IN ('contact', 'phone', 'visit')), ''),
                      coalesce((SELECT max(a.starts_at) FROM appointments a WHERE a.person_id = new.person_id AND a.status = 'attended'), '')), '') WHERE id = new.person_id;
END;
CREATE TRIGGER notes_last_contact_delete AFTER DELETE ON notes BEGIN
    UPDATE persons SET last_contact = nullif(max(coalesce((SELECT max(n.at) FROM notes n WHERE n.person_id = old.person_id AND n.kind IN ('contact', 'phone', 'visit')), ''),
                      coalesce((SELECT max(a.starts_at) FROM appointments a WHERE a.person_id = old.person_id AND a.status = 'attended'), '')), '') WHERE id = old.person_id;
END;
CREATE TRIGGER appointments_last_contact_insert AFTER INSERT ON appointments WHEN new.status = 'attended' BEGIN
    UPDATE persons SET last_contact = max(coalesce(last_contact, ''), new.starts_at) WHERE id = new.person_id;
END;
CREATE TRIGGER appointments_last_contact_update AFTER UPDATE OF person_id, status, starts_at ON appointments BEGIN
    UPDATE persons SET last_contact = nullif(max(coalesce((SELECT max(n.at) FROM notes n WHERE n.person_id = old.person_id AND n.kind IN ('contact', 'phone', 'visit')), ''),
                      coalesce((SELECT max(a.starts_at) FROM appointments a WHERE a.person_id = old.person_id AND a.status = 'attended'), '')), '') WHERE id = old.person_id;
    UPDATE persons SET last_contact = nullif(max(coalesce((SELECT max(n.at) FROM notes n WHERE n.person_id = new.person_id AND n.kind IN ('contact', 'phone', 'visit')), ''),
                      coalesce((SELECT max(a.starts_at) FROM appointments a WHERE a.person_id = new.person_id AND a.status = 'attended'), '')), '') WHERE id = new.person_id;
END;
CREATE TRIGGER appointments_last_contact_delete AFTER DELETE ON appointments BEGIN
    UPDATE persons SET last_contact = nullif(max(coalesce((SELECT max(n.at) FROM notes n WHERE n.person_id = old.person_id AND n.kind IN ('contact', 'phone', 'visit')), ''),
                      coalesce((SELECT max(a.starts_at) FROM appointments a WHERE a.person_id = old.person_id AND a.status = 'attended'), '')), '') WHERE id = old.person_id;
END;
