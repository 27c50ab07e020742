-- Who wrote what, and versions that know where they come from (bundle format 2).
--
-- Every record gets:
--   created_by  the fingerprint of the vault that created it;
--   updated_by  the fingerprint of the vault that changed it last;
--   versions    its version vector, as canonical JSON: {fingerprint: how many changes that
--               vault made}; `revision` is from now on the sum of its counts.
-- Records from before get this vault's own fingerprint, filled by the core at the first unlock
-- (the fingerprint is derived from keys kept in vault_meta; SQL cannot compute it).

ALTER TABLE persons ADD COLUMN created_by TEXT;
ALTER TABLE persons ADD COLUMN updated_by TEXT;
ALTER TABLE persons ADD COLUMN versions TEXT;

ALTER TABLE needs ADD COLUMN created_by TEXT;
ALTER TABLE needs ADD COLUMN updated_by TEXT;
ALTER TABLE needs ADD COLUMN versions TEXT;

ALTER TABLE appointments ADD COLUMN created_by TEXT;
ALTER TABLE appointments ADD COLUMN updated_by TEXT;
ALTER TABLE appointments ADD COLUMN versions TEXT;

ALTER TABLE organisations ADD COLUMN created_by TEXT;
ALTER TABLE organisations ADD COLUMN updated_by TEXT;
ALTER TABLE organisations ADD COLUMN versions TEXT;

ALTER TABLE org_contacts ADD COLUMN created_by TEXT;
ALTER TABLE org_contacts ADD COLUMN updated_by TEXT;
ALTER TABLE org_contacts ADD COLUMN versions TEXT;

ALTER TABLE services ADD COLUMN created_by TEXT;
ALTER TABLE services ADD COLUMN updated_by TEXT;
ALTER TABLE services ADD COLUMN versions TEXT;

ALTER TABLE referrals ADD COLUMN created_by TEXT;
ALTER TABLE referrals ADD COLUMN updated_by TEXT;
ALTER TABLE referrals ADD COLUMN versions TEXT;

ALTER TABLE referral_events ADD COLUMN created_by TEXT;
ALTER TABLE referral_events ADD COLUMN updated_by TEXT;
ALTER TABLE referral_events ADD COLUMN versions TEXT;

ALTER TABLE proceedings ADD COLUMN created_by TEXT;
ALTER TABLE proceedings ADD COLUMN updated_by TEXT;
ALTER TABLE proceedings ADD COLUMN versions TEXT;

ALTER TABLE milestones ADD COLUMN created_by TEXT;
ALTER TABLE milestones ADD COLUMN updated_by TEXT;
ALTER TABLE milestones ADD COLUMN versions TEXT;

ALTER TABLE testimonial_aids ADD COLUMN created_by TEXT;
ALTER TABLE testimonial_aids ADD COLUMN updated_by TEXT;
ALTER TABLE testimonial_aids ADD COLUMN versions TEXT;

ALTER TABLE deadlines ADD COLUMN created_by TEXT;
ALTER TABLE deadlines ADD COLUMN updated_by TEXT;
ALTER TABLE deadlines ADD COLUMN versions TEXT;

ALTER TABLE notes ADD COLUMN created_by TEXT;
ALTER TABLE notes ADD COLUMN updated_by TEXT;
ALTER TABLE notes ADD COLUMN versions TEXT;

ALTER TABLE consents ADD COLUMN created_by TEXT;
ALTER TABLE consents ADD COLUMN updated_by TEXT;
ALTER TABLE consents ADD COLUMN versions TEXT;

ALTER TABLE safety_items ADD COLUMN created_by TEXT;
ALTER TABLE safety_items ADD COLUMN updated_by TEXT;
ALTER TABLE safety_items ADD COLUMN versions TEXT;

ALTER TABLE tasks ADD COLUMN created_by TEXT;
ALTER TABLE tasks ADD COLUMN updated_by TEXT;
ALTER TABLE tasks ADD COLUMN versions TEXT;

ALTER TABLE contacts ADD COLUMN created_by TEXT;
ALTER TABLE contacts ADD COLUMN updated_by TEXT;
ALTER TABLE contacts ADD COLUMN versions TEXT;

ALTER TABLE incidents ADD COLUMN created_by TEXT;
ALTER TABLE incidents ADD COLUMN updated_by TEXT;
ALTER TABLE incidents ADD COLUMN versions TEXT;


-- The vault that holds the pen for a case (its fingerprint): NULL, this vault. A share received
-- is owned by its sender; a transfer makes the receiver the owner, and the sender's copy then
-- names the receiver.
ALTER TABLE persons ADD COLUMN owner TEXT;
-- Cases handed off from here are held by whoever received the last transfer.
UPDATE persons SET owner = (SELECT h.to_fingerprint FROM handoffs h WHERE h.person_id = persons.id ORDER BY h.at DESC LIMIT 1)
 WHERE status = 'handed_off';
-- A case whose last bundle in was a share is a copy: its sender holds it (a transfer in made
-- this vault the holder).
UPDATE persons SET owner = (
    SELECT CASE b.kind WHEN 'share' THEN b.peer END FROM bundles_seen b
     WHERE b.direction = 'in' AND b.kind IN ('share', 'transfer')
       AND EXISTS (SELECT 1 FROM json_each(b.persons) WHERE value = persons.id)
     ORDER BY b.at DESC LIMIT 1)
 WHERE status != 'handed_off';

-- What waits for the worker's decision after an import: a `conflict` (changed on both sides),
-- a `proposal` (a change from someone who neither owns the case nor wrote the record), a
-- `directory` update (an organisation that differs from the local entry). `sender` is the
-- fingerprint of whoever sent it.
ALTER TABLE conflicts ADD COLUMN reason TEXT NOT NULL DEFAULT 'conflict' CHECK (reason IN ('conflict', 'proposal', 'directory'));
ALTER TABLE conflicts ADD COLUMN sender TEXT;
