-- The last backup at the size of an organisation (issue 18).
--
-- The window asks when the vault was last backed up just after it is unlocked (to remind the
-- worker), and the answer was the latest `vault.backup` event of the audit trail: a scan of
-- every event, over a second with a million of them. This index holds only those events, so
-- the latest is its last entry. Derived from the trail, never written by hand.

CREATE INDEX audit_events_backups ON audit_events (at) WHERE action = 'vault.backup';
