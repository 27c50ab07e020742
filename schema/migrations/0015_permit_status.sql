-- A permit's outcome (issue 17): the deadlines that record a permit (temporary resident permit,
-- work permit, study permit) say where the application stands (`permit_statuses`: filed,
-- granted, renewed, refused, expired), as IVAC applications already do, so that the funder
-- report counts outcomes and not only expiry dates. Empty for the deadlines written before.
ALTER TABLE deadlines ADD COLUMN permit_status TEXT;
