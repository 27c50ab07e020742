-- Team reports received (issue 15): a worker's periodic report to her supervisor, per case she
-- holds only the alias, status, phase, next appointment, overdue items and days since the last
-- contact. One row per colleague, the newest she sent (an older one arriving late changes
-- nothing): the supervisor needs today's picture, and keeping every week's would pile up
-- aliases of cases this vault does not hold. Written by the import of a `report` bundle, in its
-- transaction, with its audit event.
CREATE TABLE team_reports (
    sender       TEXT PRIMARY KEY NOT NULL,
    bundle_id    TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    body         TEXT NOT NULL
) WITHOUT ROWID;
