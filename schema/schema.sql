-- Schema of a fresh Relais vault. Generated: do not edit by hand.
-- Regenerate with RELAIS_BLESS=1 cargo test -p relais-tests schema (and review the diff).

CREATE TRIGGER appointments_last_contact_delete AFTER DELETE ON appointments BEGIN
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

CREATE TRIGGER dashboard_counts_appointments_delete AFTER DELETE ON appointments WHEN old.status = 'planned' AND old.starts_at IS NOT NULL AND EXISTS (SELECT 1 FROM persons p WHERE p.id = old.person_id AND p.status NOT IN ('closed', 'handed_off')) BEGIN
    UPDATE dashboard_counts SET n = n - 1 WHERE bucket = 'appointment' AND key = substr(old.starts_at, 1, 14) || CASE WHEN substr(old.starts_at, 15, 2) < '15' THEN '00' WHEN substr(old.starts_at, 15, 2) < '30' THEN '15' WHEN substr(old.starts_at, 15, 2) < '45' THEN '30' ELSE '45' END;
END;

CREATE TRIGGER dashboard_counts_appointments_insert AFTER INSERT ON appointments WHEN new.status = 'planned' AND new.starts_at IS NOT NULL AND EXISTS (SELECT 1 FROM persons p WHERE p.id = new.person_id AND p.status NOT IN ('closed', 'handed_off')) BEGIN
    INSERT INTO dashboard_counts (bucket, key, n) VALUES ('appointment', substr(new.starts_at, 1, 14) || CASE WHEN substr(new.starts_at, 15, 2) < '15' THEN '00' WHEN substr(new.starts_at, 15, 2) < '30' THEN '15' WHEN substr(new.starts_at, 15, 2) < '45' THEN '30' ELSE '45' END, 1) ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER dashboard_counts_appointments_update AFTER UPDATE ON appointments BEGIN
    UPDATE dashboard_counts SET n = n - 1 WHERE bucket = 'appointment' AND key = substr(old.starts_at, 1, 14) || CASE WHEN substr(old.starts_at, 15, 2) < '15' THEN '00' WHEN substr(old.starts_at, 15, 2) < '30' THEN '15' WHEN substr(old.starts_at, 15, 2) < '45' THEN '30' ELSE '45' END AND old.status = 'planned' AND old.starts_at IS NOT NULL AND EXISTS (SELECT 1 FROM persons p WHERE p.id = old.person_id AND p.status NOT IN ('closed', 'handed_off'));
    INSERT INTO dashboard_counts (bucket, key, n) SELECT 'appointment', substr(new.starts_at, 1, 14) || CASE WHEN substr(new.starts_at, 15, 2) < '15' THEN '00' WHEN substr(new.starts_at, 15, 2) < '30' THEN '15' WHEN substr(new.starts_at, 15, 2) < '45' THEN '30' ELSE '45' END, 1 WHERE new.status = 'planned' AND new.starts_at IS NOT NULL AND EXISTS (SELECT 1 FROM persons p WHERE p.id = new.person_id AND p.status NOT IN ('closed', 'handed_off')) ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER dashboard_counts_deadlines_delete AFTER DELETE ON deadlines WHEN old.done_on IS NULL AND old.due_on IS NOT NULL AND EXISTS (SELECT 1 FROM persons p WHERE p.id = old.person_id AND p.status NOT IN ('closed', 'handed_off')) BEGIN
    UPDATE dashboard_counts SET n = n - 1 WHERE bucket = 'deadline' AND key = old.due_on;
END;

CREATE TRIGGER dashboard_counts_deadlines_insert AFTER INSERT ON deadlines WHEN new.done_on IS NULL AND new.due_on IS NOT NULL AND EXISTS (SELECT 1 FROM persons p WHERE p.id = new.person_id AND p.status NOT IN ('closed', 'handed_off')) BEGIN
    INSERT INTO dashboard_counts (bucket, key, n) VALUES ('deadline', new.due_on, 1) ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER dashboard_counts_deadlines_update AFTER UPDATE ON deadlines BEGIN
    UPDATE dashboard_counts SET n = n - 1 WHERE bucket = 'deadline' AND key = old.due_on AND old.done_on IS NULL AND old.due_on IS NOT NULL AND EXISTS (SELECT 1 FROM persons p WHERE p.id = old.person_id AND p.status NOT IN ('closed', 'handed_off'));
    INSERT INTO dashboard_counts (bucket, key, n) SELECT 'deadline', new.due_on, 1 WHERE new.done_on IS NULL AND new.due_on IS NOT NULL AND EXISTS (SELECT 1 FROM persons p WHERE p.id = new.person_id AND p.status NOT IN ('closed', 'handed_off')) ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER dashboard_counts_milestones_delete AFTER DELETE ON milestones WHEN old.status = 'planned' AND old.due_on IS NOT NULL AND EXISTS (SELECT 1 FROM proceedings c JOIN persons p ON p.id = c.person_id WHERE c.id = old.proceeding_id AND p.status NOT IN ('closed', 'handed_off')) BEGIN
    UPDATE dashboard_counts SET n = n - 1 WHERE bucket = 'milestone' AND key = old.due_on;
END;

CREATE TRIGGER dashboard_counts_milestones_insert AFTER INSERT ON milestones WHEN new.status = 'planned' AND new.due_on IS NOT NULL AND EXISTS (SELECT 1 FROM proceedings c JOIN persons p ON p.id = c.person_id WHERE c.id = new.proceeding_id AND p.status NOT IN ('closed', 'handed_off')) BEGIN
    INSERT INTO dashboard_counts (bucket, key, n) VALUES ('milestone', new.due_on, 1) ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER dashboard_counts_milestones_update AFTER UPDATE ON milestones BEGIN
    UPDATE dashboard_counts SET n = n - 1 WHERE bucket = 'milestone' AND key = old.due_on AND old.status = 'planned' AND old.due_on IS NOT NULL AND EXISTS (SELECT 1 FROM proceedings c JOIN persons p ON p.id = c.person_id WHERE c.id = old.proceeding_id AND p.status NOT IN ('closed', 'handed_off'));
    INSERT INTO dashboard_counts (bucket, key, n) SELECT 'milestone', new.due_on, 1 WHERE new.status = 'planned' AND new.due_on IS NOT NULL AND EXISTS (SELECT 1 FROM proceedings c JOIN persons p ON p.id = c.person_id WHERE c.id = new.proceeding_id AND p.status NOT IN ('closed', 'handed_off')) ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER dashboard_counts_needs_delete AFTER DELETE ON needs WHEN old.status = 'unmet' AND old.phase IS NOT NULL AND EXISTS (SELECT 1 FROM persons p WHERE p.id = old.person_id AND p.status NOT IN ('closed', 'handed_off')) BEGIN
    UPDATE dashboard_counts SET n = n - 1 WHERE bucket = 'unmet' AND key = old.phase;
END;

CREATE TRIGGER dashboard_counts_needs_insert AFTER INSERT ON needs WHEN new.status = 'unmet' AND new.phase IS NOT NULL AND EXISTS (SELECT 1 FROM persons p WHERE p.id = new.person_id AND p.status NOT IN ('closed', 'handed_off')) BEGIN
    INSERT INTO dashboard_counts (bucket, key, n) VALUES ('unmet', new.phase, 1) ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER dashboard_counts_needs_update AFTER UPDATE ON needs BEGIN
    UPDATE dashboard_counts SET n = n - 1 WHERE bucket = 'unmet' AND key = old.phase AND old.status = 'unmet' AND old.phase IS NOT NULL AND EXISTS (SELECT 1 FROM persons p WHERE p.id = old.person_id AND p.status NOT IN ('closed', 'handed_off'));
    INSERT INTO dashboard_counts (bucket, key, n) SELECT 'unmet', new.phase, 1 WHERE new.status = 'unmet' AND new.phase IS NOT NULL AND EXISTS (SELECT 1 FROM persons p WHERE p.id = new.person_id AND p.status NOT IN ('closed', 'handed_off')) ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER dashboard_counts_persons_delete BEFORE DELETE ON persons WHEN old.status NOT IN ('closed', 'handed_off') BEGIN
    INSERT INTO dashboard_counts (bucket, key, n)
        SELECT 'task', x.due_on, -1 * count(*) FROM tasks x WHERE x.person_id = old.id AND x.done_at IS NULL AND x.due_on IS NOT NULL GROUP BY 2 ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO dashboard_counts (bucket, key, n)
        SELECT 'referral', x.follow_up_on, -1 * count(*) FROM referrals x WHERE x.person_id = old.id AND x.follow_up_on IS NOT NULL AND x.status IN ('draft', 'requested', 'received', 'accepted', 'waitlisted', 'in_progress') GROUP BY 2 ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO dashboard_counts (bucket, key, n)
        SELECT 'deadline', x.due_on, -1 * count(*) FROM deadlines x WHERE x.person_id = old.id AND x.done_on IS NULL AND x.due_on IS NOT NULL GROUP BY 2 ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO dashboard_counts (bucket, key, n)
        SELECT 'safety', x.review_on, -1 * count(*) FROM safety_items x WHERE x.person_id = old.id AND x.done_on IS NULL AND x.review_on IS NOT NULL GROUP BY 2 ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO dashboard_counts (bucket, key, n)
        SELECT 'unmet', x.phase, -1 * count(*) FROM needs x WHERE x.person_id = old.id AND x.status = 'unmet' AND x.phase IS NOT NULL GROUP BY 2 ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO dashboard_counts (bucket, key, n)
        SELECT 'appointment', substr(x.starts_at, 1, 14) || CASE WHEN substr(x.starts_at, 15, 2) < '15' THEN '00' WHEN substr(x.starts_at, 15, 2) < '30' THEN '15' WHEN substr(x.starts_at, 15, 2) < '45' THEN '30' ELSE '45' END, -1 * count(*) FROM appointments x WHERE x.person_id = old.id AND x.status = 'planned' AND x.starts_at IS NOT NULL GROUP BY 2 ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO dashboard_counts (bucket, key, n)
        SELECT 'milestone', x.due_on, -1 * count(*) FROM milestones x JOIN proceedings c ON c.id = x.proceeding_id
        WHERE c.person_id = old.id AND x.status = 'planned' AND x.due_on IS NOT NULL GROUP BY 2 ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER dashboard_counts_persons_insert AFTER INSERT ON persons WHEN new.status NOT IN ('closed', 'handed_off') BEGIN
    INSERT INTO dashboard_counts (bucket, key, n)
        SELECT 'task', x.due_on, 1 * count(*) FROM tasks x WHERE x.person_id = new.id AND x.done_at IS NULL AND x.due_on IS NOT NULL GROUP BY 2 ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO dashboard_counts (bucket, key, n)
        SELECT 'referral', x.follow_up_on, 1 * count(*) FROM referrals x WHERE x.person_id = new.id AND x.follow_up_on IS NOT NULL AND x.status IN ('draft', 'requested', 'received', 'accepted', 'waitlisted', 'in_progress') GROUP BY 2 ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO dashboard_counts (bucket, key, n)
        SELECT 'deadline', x.due_on, 1 * count(*) FROM deadlines x WHERE x.person_id = new.id AND x.done_on IS NULL AND x.due_on IS NOT NULL GROUP BY 2 ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO dashboard_counts (bucket, key, n)
        SELECT 'safety', x.review_on, 1 * count(*) FROM safety_items x WHERE x.person_id = new.id AND x.done_on IS NULL AND x.review_on IS NOT NULL GROUP BY 2 ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO dashboard_counts (bucket, key, n)
        SELECT 'unmet', x.phase, 1 * count(*) FROM needs x WHERE x.person_id = new.id AND x.status = 'unmet' AND x.phase IS NOT NULL GROUP BY 2 ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO dashboard_counts (bucket, key, n)
        SELECT 'appointment', substr(x.starts_at, 1, 14) || CASE WHEN substr(x.starts_at, 15, 2) < '15' THEN '00' WHEN substr(x.starts_at, 15, 2) < '30' THEN '15' WHEN substr(x.starts_at, 15, 2) < '45' THEN '30' ELSE '45' END, 1 * count(*) FROM appointments x WHERE x.person_id = new.id AND x.status = 'planned' AND x.starts_at IS NOT NULL GROUP BY 2 ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO dashboard_counts (bucket, key, n)
        SELECT 'milestone', x.due_on, 1 * count(*) FROM milestones x JOIN proceedings c ON c.id = x.proceeding_id
        WHERE c.person_id = new.id AND x.status = 'planned' AND x.due_on IS NOT NULL GROUP BY 2 ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER dashboard_counts_persons_status AFTER UPDATE OF status ON persons
WHEN (old.status IN ('closed', 'handed_off')) IS NOT (new.status IN ('closed', 'handed_off')) BEGIN
    INSERT INTO dashboard_counts (bucket, key, n)
        SELECT 'task', x.due_on, CASE WHEN new.status IN ('closed', 'handed_off') THEN -1 ELSE 1 END * count(*) FROM tasks x WHERE x.person_id = new.id AND x.done_at IS NULL AND x.due_on IS NOT NULL GROUP BY 2 ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO dashboard_counts (bucket, key, n)
        SELECT 'referral', x.follow_up_on, CASE WHEN new.status IN ('closed', 'handed_off') THEN -1 ELSE 1 END * count(*) FROM referrals x WHERE x.person_id = new.id AND x.follow_up_on IS NOT NULL AND x.status IN ('draft', 'requested', 'received', 'accepted', 'waitlisted', 'in_progress') GROUP BY 2 ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO dashboard_counts (bucket, key, n)
        SELECT 'deadline', x.due_on, CASE WHEN new.status IN ('closed', 'handed_off') THEN -1 ELSE 1 END * count(*) FROM deadlines x WHERE x.person_id = new.id AND x.done_on IS NULL AND x.due_on IS NOT NULL GROUP BY 2 ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO dashboard_counts (bucket, key, n)
        SELECT 'safety', x.review_on, CASE WHEN new.status IN ('closed', 'handed_off') THEN -1 ELSE 1 END * count(*) FROM safety_items x WHERE x.person_id = new.id AND x.done_on IS NULL AND x.review_on IS NOT NULL GROUP BY 2 ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO dashboard_counts (bucket, key, n)
        SELECT 'unmet', x.phase, CASE WHEN new.status IN ('closed', 'handed_off') THEN -1 ELSE 1 END * count(*) FROM needs x WHERE x.person_id = new.id AND x.status = 'unmet' AND x.phase IS NOT NULL GROUP BY 2 ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO dashboard_counts (bucket, key, n)
        SELECT 'appointment', substr(x.starts_at, 1, 14) || CASE WHEN substr(x.starts_at, 15, 2) < '15' THEN '00' WHEN substr(x.starts_at, 15, 2) < '30' THEN '15' WHEN substr(x.starts_at, 15, 2) < '45' THEN '30' ELSE '45' END, CASE WHEN new.status IN ('closed', 'handed_off') THEN -1 ELSE 1 END * count(*) FROM appointments x WHERE x.person_id = new.id AND x.status = 'planned' AND x.starts_at IS NOT NULL GROUP BY 2 ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO dashboard_counts (bucket, key, n)
        SELECT 'milestone', x.due_on, CASE WHEN new.status IN ('closed', 'handed_off') THEN -1 ELSE 1 END * count(*) FROM milestones x JOIN proceedings c ON c.id = x.proceeding_id
        WHERE c.person_id = new.id AND x.status = 'planned' AND x.due_on IS NOT NULL GROUP BY 2 ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER dashboard_counts_proceedings_delete BEFORE DELETE ON proceedings WHEN EXISTS (SELECT 1 FROM persons p WHERE p.id = old.person_id AND p.status NOT IN ('closed', 'handed_off')) BEGIN
    INSERT INTO dashboard_counts (bucket, key, n)
        SELECT 'milestone', x.due_on, -1 * count(*) FROM milestones x WHERE x.proceeding_id = old.id AND x.status = 'planned' AND x.due_on IS NOT NULL GROUP BY 2 ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER dashboard_counts_proceedings_insert AFTER INSERT ON proceedings WHEN EXISTS (SELECT 1 FROM persons p WHERE p.id = new.person_id AND p.status NOT IN ('closed', 'handed_off')) BEGIN
    INSERT INTO dashboard_counts (bucket, key, n)
        SELECT 'milestone', x.due_on, 1 * count(*) FROM milestones x WHERE x.proceeding_id = new.id AND x.status = 'planned' AND x.due_on IS NOT NULL GROUP BY 2 ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER dashboard_counts_proceedings_person AFTER UPDATE OF person_id ON proceedings BEGIN
    INSERT INTO dashboard_counts (bucket, key, n)
        SELECT 'milestone', x.due_on, -1 * count(*) FROM milestones x WHERE x.proceeding_id = old.id AND x.status = 'planned' AND x.due_on IS NOT NULL AND EXISTS (SELECT 1 FROM persons p WHERE p.id = old.person_id AND p.status NOT IN ('closed', 'handed_off')) GROUP BY 2 ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO dashboard_counts (bucket, key, n)
        SELECT 'milestone', x.due_on, 1 * count(*) FROM milestones x WHERE x.proceeding_id = new.id AND x.status = 'planned' AND x.due_on IS NOT NULL AND EXISTS (SELECT 1 FROM persons p WHERE p.id = new.person_id AND p.status NOT IN ('closed', 'handed_off')) GROUP BY 2 ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER dashboard_counts_referrals_delete AFTER DELETE ON referrals WHEN old.follow_up_on IS NOT NULL AND old.status IN ('draft', 'requested', 'received', 'accepted', 'waitlisted', 'in_progress') AND EXISTS (SELECT 1 FROM persons p WHERE p.id = old.person_id AND p.status NOT IN ('closed', 'handed_off')) BEGIN
    UPDATE dashboard_counts SET n = n - 1 WHERE bucket = 'referral' AND key = old.follow_up_on;
END;

CREATE TRIGGER dashboard_counts_referrals_insert AFTER INSERT ON referrals WHEN new.follow_up_on IS NOT NULL AND new.status IN ('draft', 'requested', 'received', 'accepted', 'waitlisted', 'in_progress') AND EXISTS (SELECT 1 FROM persons p WHERE p.id = new.person_id AND p.status NOT IN ('closed', 'handed_off')) BEGIN
    INSERT INTO dashboard_counts (bucket, key, n) VALUES ('referral', new.follow_up_on, 1) ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER dashboard_counts_referrals_update AFTER UPDATE ON referrals BEGIN
    UPDATE dashboard_counts SET n = n - 1 WHERE bucket = 'referral' AND key = old.follow_up_on AND old.follow_up_on IS NOT NULL AND old.status IN ('draft', 'requested', 'received', 'accepted', 'waitlisted', 'in_progress') AND EXISTS (SELECT 1 FROM persons p WHERE p.id = old.person_id AND p.status NOT IN ('closed', 'handed_off'));
    INSERT INTO dashboard_counts (bucket, key, n) SELECT 'referral', new.follow_up_on, 1 WHERE new.follow_up_on IS NOT NULL AND new.status IN ('draft', 'requested', 'received', 'accepted', 'waitlisted', 'in_progress') AND EXISTS (SELECT 1 FROM persons p WHERE p.id = new.person_id AND p.status NOT IN ('closed', 'handed_off')) ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER dashboard_counts_safety_items_delete AFTER DELETE ON safety_items WHEN old.done_on IS NULL AND old.review_on IS NOT NULL AND EXISTS (SELECT 1 FROM persons p WHERE p.id = old.person_id AND p.status NOT IN ('closed', 'handed_off')) BEGIN
    UPDATE dashboard_counts SET n = n - 1 WHERE bucket = 'safety' AND key = old.review_on;
END;

CREATE TRIGGER dashboard_counts_safety_items_insert AFTER INSERT ON safety_items WHEN new.done_on IS NULL AND new.review_on IS NOT NULL AND EXISTS (SELECT 1 FROM persons p WHERE p.id = new.person_id AND p.status NOT IN ('closed', 'handed_off')) BEGIN
    INSERT INTO dashboard_counts (bucket, key, n) VALUES ('safety', new.review_on, 1) ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER dashboard_counts_safety_items_update AFTER UPDATE ON safety_items BEGIN
    UPDATE dashboard_counts SET n = n - 1 WHERE bucket = 'safety' AND key = old.review_on AND old.done_on IS NULL AND old.review_on IS NOT NULL AND EXISTS (SELECT 1 FROM persons p WHERE p.id = old.person_id AND p.status NOT IN ('closed', 'handed_off'));
    INSERT INTO dashboard_counts (bucket, key, n) SELECT 'safety', new.review_on, 1 WHERE new.done_on IS NULL AND new.review_on IS NOT NULL AND EXISTS (SELECT 1 FROM persons p WHERE p.id = new.person_id AND p.status NOT IN ('closed', 'handed_off')) ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER dashboard_counts_tasks_delete AFTER DELETE ON tasks WHEN old.done_at IS NULL AND old.due_on IS NOT NULL AND (old.person_id IS NULL OR EXISTS (SELECT 1 FROM persons p WHERE p.id = old.person_id AND p.status NOT IN ('closed', 'handed_off'))) BEGIN
    UPDATE dashboard_counts SET n = n - 1 WHERE bucket = 'task' AND key = old.due_on;
END;

CREATE TRIGGER dashboard_counts_tasks_insert AFTER INSERT ON tasks WHEN new.done_at IS NULL AND new.due_on IS NOT NULL AND (new.person_id IS NULL OR EXISTS (SELECT 1 FROM persons p WHERE p.id = new.person_id AND p.status NOT IN ('closed', 'handed_off'))) BEGIN
    INSERT INTO dashboard_counts (bucket, key, n) VALUES ('task', new.due_on, 1) ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER dashboard_counts_tasks_update AFTER UPDATE ON tasks BEGIN
    UPDATE dashboard_counts SET n = n - 1 WHERE bucket = 'task' AND key = old.due_on AND old.done_at IS NULL AND old.due_on IS NOT NULL AND (old.person_id IS NULL OR EXISTS (SELECT 1 FROM persons p WHERE p.id = old.person_id AND p.status NOT IN ('closed', 'handed_off')));
    INSERT INTO dashboard_counts (bucket, key, n) SELECT 'task', new.due_on, 1 WHERE new.done_at IS NULL AND new.due_on IS NOT NULL AND (new.person_id IS NULL OR EXISTS (SELECT 1 FROM persons p WHERE p.id = new.person_id AND p.status NOT IN ('closed', 'handed_off'))) ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
END;

CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN
    INSERT INTO notes_fts (rowid, text) VALUES (new.rowid, new.text);
END;

CREATE TRIGGER notes_fts_update AFTER UPDATE OF text ON notes BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
    INSERT INTO notes_fts (rowid, text) VALUES (new.rowid, new.text);
END;

CREATE TRIGGER notes_last_contact_delete AFTER DELETE ON notes BEGIN
    UPDATE persons SET last_contact = nullif(max(coalesce((SELECT max(n.at) FROM notes n WHERE n.person_id = old.person_id AND n.kind IN ('contact', 'phone', 'visit')), ''),
                      coalesce((SELECT max(a.starts_at) FROM appointments a WHERE a.person_id = old.person_id AND a.status = 'attended'), '')), '') WHERE id = old.person_id;
END;

CREATE TRIGGER notes_last_contact_insert AFTER INSERT ON notes WHEN new.kind IN ('contact', 'phone', 'visit') BEGIN
    UPDATE persons SET last_contact = max(coalesce(last_contact, ''), new.at) WHERE id = new.person_id;
END;

CREATE TRIGGER notes_last_contact_update AFTER UPDATE OF person_id, kind, at ON notes BEGIN
    UPDATE persons SET last_contact = nullif(max(coalesce((SELECT max(n.at) FROM notes n WHERE n.person_id = old.person_id AND n.kind IN ('contact', 'phone', 'visit')), ''),
                      coalesce((SELECT max(a.starts_at) FROM appointments a WHERE a.person_id = old.person_id AND a.status = 'attended'), '')), '') WHERE id = old.person_id;
    UPDATE persons SET last_contact = nullif(max(coalesce((SELECT max(n.at) FROM notes n WHERE n.person_id = new.person_id AND n.kind IN ('contact', 'phone', 'visit')), ''),
                      coalesce((SELECT max(a.starts_at) FROM appointments a WHERE a.person_id = new.person_id AND a.status = 'attended'), '')), '') WHERE id = new.person_id;
END;

CREATE TRIGGER persons_closed_delete AFTER DELETE ON persons WHEN old.status IN ('closed', 'handed_off') BEGIN
    DELETE FROM persons_closed WHERE id = old.id;
END;

CREATE TRIGGER persons_closed_insert AFTER INSERT ON persons WHEN new.status IN ('closed', 'handed_off') BEGIN
    INSERT INTO persons_closed (id) VALUES (new.id);
END;

CREATE TRIGGER persons_closed_status AFTER UPDATE OF status ON persons
WHEN (old.status IN ('closed', 'handed_off')) IS NOT (new.status IN ('closed', 'handed_off')) BEGIN
    DELETE FROM persons_closed WHERE id = old.id;
    INSERT INTO persons_closed (id) SELECT new.id WHERE new.status IN ('closed', 'handed_off');
END;

CREATE TABLE appointments (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    person_id TEXT NOT NULL REFERENCES persons (id),
    need_id TEXT REFERENCES needs (id),
    starts_at TEXT NOT NULL,
    ends_at TEXT,
    place TEXT,
    org_id TEXT REFERENCES organisations (id),
    with_whom TEXT,
    kind TEXT NOT NULL,
    accompanied INTEGER,
    interpreter_language TEXT,
    transport TEXT,
    status TEXT NOT NULL,
    outcome TEXT
, created_by TEXT, updated_by TEXT, versions TEXT, interpreter_needed INTEGER, interpreter_provider TEXT, interpreter_outside_confirmed INTEGER, accompaniment_minutes INTEGER);

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

CREATE TABLE audit_events (
    seq       INTEGER PRIMARY KEY NOT NULL,
    id        TEXT NOT NULL UNIQUE,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    kind      TEXT,
    record_id TEXT,
    person_id TEXT,
    fields    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
, content_hash TEXT);

CREATE TABLE audit_head (
    one  INTEGER PRIMARY KEY CHECK (one = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE "bundles_seen" (
    bundle_id   TEXT NOT NULL,
    direction   TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    kind        TEXT NOT NULL,
    peer        TEXT NOT NULL,
    at          TEXT NOT NULL,
    counts      TEXT NOT NULL,
    persons     TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (bundle_id, direction, peer)
);

CREATE TABLE conflicts (
    id          TEXT PRIMARY KEY NOT NULL,
    kind        TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    person_id   TEXT,
    bundle_id   TEXT NOT NULL,
    theirs      TEXT NOT NULL,
    detected_at TEXT NOT NULL,
    resolved_at TEXT,
    resolution  TEXT CHECK (resolution IN ('mine', 'theirs'))
, reason TEXT NOT NULL DEFAULT 'conflict' CHECK (reason IN ('conflict', 'proposal', 'directory')), sender TEXT);

CREATE TABLE consents (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    person_id TEXT NOT NULL REFERENCES persons (id),
    scope TEXT NOT NULL,
    org_id TEXT REFERENCES organisations (id),
    recipient TEXT,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    method TEXT NOT NULL,
    withdrawn_on TEXT,
    note TEXT
, created_by TEXT, updated_by TEXT, versions TEXT);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    name TEXT NOT NULL,
    org TEXT,
    age_recipient TEXT NOT NULL UNIQUE,
    signing_key TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    verified_on TEXT
, created_by TEXT, updated_by TEXT, versions TEXT);

CREATE TABLE dashboard_counts (
    bucket TEXT NOT NULL,
    key    TEXT NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (bucket, key)
) WITHOUT ROWID;

CREATE TABLE deadlines (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    person_id TEXT NOT NULL REFERENCES persons (id),
    kind TEXT NOT NULL,
    due_on TEXT NOT NULL,
    label TEXT,
    ivac_status TEXT,
    done_on TEXT,
    note TEXT
, created_by TEXT, updated_by TEXT, versions TEXT, permit_status TEXT);

CREATE TABLE document_content (
    document_id TEXT PRIMARY KEY NOT NULL,
    bytes       BLOB NOT NULL
) WITHOUT ROWID;

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

CREATE TABLE handoffs (
    person_id   TEXT NOT NULL,
    bundle_id   TEXT NOT NULL,
    to_fingerprint TEXT NOT NULL,
    at          TEXT NOT NULL,
    receipt_at  TEXT,
    purged_at   TEXT,
    PRIMARY KEY (person_id, bundle_id)
);

CREATE TABLE incidents (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    occurred_on TEXT NOT NULL,
    discovered_on TEXT,
    description TEXT NOT NULL,
    persons_concerned TEXT,
    serious_risk INTEGER,
    risk_assessment TEXT,
    cai_notified_on TEXT,
    persons_notified_on TEXT,
    measures TEXT
, created_by TEXT, updated_by TEXT, versions TEXT);

CREATE TABLE merged_persons (
    id        TEXT PRIMARY KEY NOT NULL,
    into_id   TEXT NOT NULL,
    merged_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE milestones (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    proceeding_id TEXT NOT NULL REFERENCES proceedings (id),
    code TEXT NOT NULL,
    status TEXT NOT NULL,
    due_on TEXT,
    done_on TEXT,
    note TEXT
, created_by TEXT, updated_by TEXT, versions TEXT);

CREATE TABLE needs (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    person_id TEXT NOT NULL REFERENCES persons (id),
    code TEXT NOT NULL,
    phase TEXT NOT NULL,
    status TEXT NOT NULL,
    identified_on TEXT,
    closed_on TEXT,
    note TEXT
, created_by TEXT, updated_by TEXT, versions TEXT);

CREATE TABLE notes (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    person_id TEXT NOT NULL REFERENCES persons (id),
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    text TEXT NOT NULL
, created_by TEXT, updated_by TEXT, versions TEXT, minutes INTEGER);

CREATE VIRTUAL TABLE notes_fts USING fts5 (
    text, content = 'notes', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE 'notes_fts_config'(k PRIMARY KEY, v) WITHOUT ROWID;

CREATE TABLE 'notes_fts_data'(id INTEGER PRIMARY KEY, block BLOB);

CREATE TABLE 'notes_fts_docsize'(id INTEGER PRIMARY KEY, sz BLOB);

CREATE TABLE 'notes_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;

CREATE TABLE org_contacts (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    role TEXT,
    phone TEXT,
    email TEXT
, created_by TEXT, updated_by TEXT, versions TEXT);

CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    name TEXT NOT NULL,
    kind TEXT,
    region TEXT,
    address TEXT,
    phone TEXT,
    email TEXT,
    website TEXT,
    languages TEXT,
    open_24_7 INTEGER,
    notes TEXT
, created_by TEXT, updated_by TEXT, versions TEXT);

CREATE TABLE persons (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    alias TEXT NOT NULL,
    legal_name TEXT,
    birth_date TEXT,
    phone TEXT,
    email TEXT,
    address TEXT,
    region TEXT,
    languages TEXT,
    interpreter_needed INTEGER,
    interpreter_language TEXT,
    safe_to_call INTEGER,
    safe_to_text INTEGER,
    safe_to_leave_message INTEGER,
    exploitation_types TEXT,
    means_of_control TEXT,
    labour_sector TEXT,
    origin TEXT NOT NULL,
    immigration_status TEXT,
    intake_at TEXT NOT NULL,
    referral_source TEXT,
    status TEXT NOT NULL,
    closure_reason TEXT,
    closure_note TEXT,
    closed_on TEXT
, created_by TEXT, updated_by TEXT, versions TEXT, owner TEXT, notice_given_on TEXT, consent_by TEXT, dpj_reported_on TEXT, risk_level TEXT, risk_reviewed_on TEXT, organised_crime INTEGER, no_contact_order INTEGER, protection_conditions TEXT, protection_until TEXT, gender TEXT, indigenous TEXT, interpreter_outside_community INTEGER, last_contact TEXT);

CREATE TABLE persons_closed (id TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;

CREATE TABLE proceedings (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    person_id TEXT NOT NULL REFERENCES persons (id),
    file_number TEXT,
    court TEXT,
    district TEXT,
    role TEXT,
    prosecutor TEXT,
    note TEXT
, created_by TEXT, updated_by TEXT, versions TEXT);

CREATE TABLE referral_events (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    referral_id TEXT NOT NULL REFERENCES referrals (id),
    status TEXT NOT NULL,
    at TEXT NOT NULL,
    reason TEXT
, created_by TEXT, updated_by TEXT, versions TEXT);

CREATE TABLE referrals (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    person_id TEXT NOT NULL REFERENCES persons (id),
    org_id TEXT NOT NULL REFERENCES organisations (id),
    need_id TEXT REFERENCES needs (id),
    consent_id TEXT REFERENCES consents (id),
    status TEXT NOT NULL,
    status_reason TEXT,
    follow_up_on TEXT,
    amount_cents INTEGER,
    outcome TEXT,
    note TEXT
, created_by TEXT, updated_by TEXT, versions TEXT);

CREATE TABLE retention (
    person_id TEXT PRIMARY KEY NOT NULL REFERENCES persons (id),
    until     TEXT NOT NULL,
    reason    TEXT NOT NULL,
    set_at    TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE safety_items (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    person_id TEXT NOT NULL REFERENCES persons (id),
    text TEXT NOT NULL,
    review_on TEXT,
    done_on TEXT
, created_by TEXT, updated_by TEXT, versions TEXT);

CREATE TABLE schema_migrations (
             version INTEGER PRIMARY KEY NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL);

CREATE TABLE senders_seen (
    sender       TEXT PRIMARY KEY NOT NULL,
    created_at   TEXT NOT NULL,
    bundle_id    TEXT NOT NULL,
    imported_at  TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE services (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    need_code TEXT NOT NULL,
    region TEXT,
    languages TEXT,
    open_24_7 INTEGER,
    notes TEXT
, created_by TEXT, updated_by TEXT, versions TEXT);

CREATE TABLE tasks (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    person_id TEXT REFERENCES persons (id),
    title TEXT NOT NULL,
    due_on TEXT,
    done_at TEXT
, created_by TEXT, updated_by TEXT, versions TEXT);

CREATE TABLE team_reports (
    sender       TEXT PRIMARY KEY NOT NULL,
    bundle_id    TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    body         TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE testimonial_aids (
    id TEXT PRIMARY KEY NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    proceeding_id TEXT NOT NULL REFERENCES proceedings (id),
    code TEXT NOT NULL,
    status TEXT NOT NULL,
    requested_on TEXT,
    decided_on TEXT,
    note TEXT
, created_by TEXT, updated_by TEXT, versions TEXT);

CREATE TABLE trash (
    id         TEXT PRIMARY KEY NOT NULL,
    deleted_at TEXT NOT NULL,
    kind       TEXT NOT NULL,
    record_id  TEXT NOT NULL,
    person_id  TEXT,
    content    TEXT NOT NULL
);

CREATE TABLE vault_meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE INDEX appointments_person ON appointments (person_id);

CREATE INDEX appointments_person_status_starts_kind ON appointments (person_id, status, starts_at, kind, accompaniment_minutes);

CREATE INDEX appointments_planned ON appointments (starts_at, person_id) WHERE status = 'planned';

CREATE INDEX appointments_starts ON appointments (starts_at, status, person_id);

CREATE INDEX audit_events_backups ON audit_events (at) WHERE action = 'vault.backup';

CREATE INDEX audit_events_person ON audit_events (person_id);

CREATE INDEX audit_events_record ON audit_events (record_id);

CREATE INDEX conflicts_open ON conflicts (record_id) WHERE resolved_at IS NULL;

CREATE INDEX consents_ending ON consents (ends_on, person_id) WHERE withdrawn_on IS NULL;

CREATE INDEX consents_person ON consents (person_id);

CREATE INDEX deadlines_open_due ON deadlines (due_on, person_id, done_on) WHERE done_on IS NULL;

CREATE INDEX deadlines_person ON deadlines (person_id);

CREATE INDEX documents_person ON documents (person_id, dated_on);

CREATE INDEX expenses_person_spent ON expenses (person_id, spent_on, fund, amount_cents);

CREATE INDEX incidents_occurred ON incidents (occurred_on);

CREATE INDEX milestones_due ON milestones (due_on, status, proceeding_id);

CREATE INDEX milestones_planned ON milestones (due_on, proceeding_id) WHERE status = 'planned';

CREATE INDEX milestones_proceeding_status ON milestones (proceeding_id, status, code, done_on);

CREATE INDEX needs_person ON needs (person_id);

CREATE INDEX needs_status_phase_person ON needs (status, phase, person_id, identified_on);

CREATE INDEX notes_person ON notes (person_id);

CREATE INDEX notes_person_kind_at_minutes ON notes (person_id, kind, at, minutes);

CREATE INDEX org_contacts_org ON org_contacts (org_id);

CREATE INDEX organisations_name ON organisations (name COLLATE NOCASE);

CREATE INDEX persons_alias ON persons (alias COLLATE NOCASE);

CREATE INDEX persons_birth ON persons (birth_date);

CREATE INDEX persons_birth_open ON persons (birth_date) WHERE status IN ('active', 'on_hold');

CREATE INDEX persons_closed_on ON persons (closed_on) WHERE status = 'closed';

CREATE INDEX persons_intake ON persons (intake_at);

CREATE INDEX persons_no_contact ON persons (coalesce(last_contact, intake_at)) WHERE status IN ('active', 'on_hold');

CREATE INDEX persons_status ON persons (status);

CREATE INDEX proceedings_person ON proceedings (person_id);

CREATE INDEX referral_events_referral ON referral_events (referral_id);

CREATE INDEX referrals_follow_up ON referrals (follow_up_on, status, person_id);

CREATE INDEX referrals_person_status ON referrals (person_id, status, org_id, created_at);

CREATE INDEX safety_items_person ON safety_items (person_id);

CREATE INDEX safety_items_review ON safety_items (review_on, person_id) WHERE done_on IS NULL;

CREATE INDEX services_need ON services (need_code);

CREATE INDEX services_org ON services (org_id);

CREATE INDEX tasks_open_due ON tasks (due_on, person_id, done_at) WHERE done_at IS NULL;

CREATE INDEX tasks_person ON tasks (person_id);

CREATE INDEX testimonial_aids_proceeding ON testimonial_aids (proceeding_id);

CREATE INDEX testimonial_aids_requested ON testimonial_aids (proceeding_id) WHERE status = 'requested';

CREATE INDEX trash_deleted ON trash (deleted_at);

CREATE INDEX trash_person ON trash (person_id);

