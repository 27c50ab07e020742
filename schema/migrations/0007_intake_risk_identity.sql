-- What a worker records at intake and keeps current about a person's safety, and how the
-- person describes themself (issue 14). Every column is optional and starts empty.
--
-- Intake (Law 25, art. 8: the person is told, when the information is collected, why it is
-- kept, who will see it and what their rights are):
--   notice_given_on   the day that notice was given;
--   consent_by        who consented to the file: the person, or a parent or tutor (under 14)
--                     (catalogue `consent_givers`);
--   dpj_reported_on   the day a report was made to the DPJ (art. 39 LPJ), for a minor.
-- Risk:
--   risk_level        the worker's current assessment (catalogue `risk_levels`);
--   risk_reviewed_on  when it was last assessed;
--   organised_crime   a criminal network is involved;
--   no_contact_order  a no-contact order or release conditions protect the person;
--   protection_conditions  what they say (who may not approach, where), free text;
--   protection_until  when they end.
-- Self-identification, never required, « préfère ne pas répondre » a choice of its own:
--   gender            (catalogue `genders`);
--   indigenous        Indigenous identity (catalogue `indigenous_identities`).

ALTER TABLE persons ADD COLUMN notice_given_on TEXT;
ALTER TABLE persons ADD COLUMN consent_by TEXT;
ALTER TABLE persons ADD COLUMN dpj_reported_on TEXT;
ALTER TABLE persons ADD COLUMN risk_level TEXT;
ALTER TABLE persons ADD COLUMN risk_reviewed_on TEXT;
ALTER TABLE persons ADD COLUMN organised_crime INTEGER;
ALTER TABLE persons ADD COLUMN no_contact_order INTEGER;
ALTER TABLE persons ADD COLUMN protection_conditions TEXT;
ALTER TABLE persons ADD COLUMN protection_until TEXT;
ALTER TABLE persons ADD COLUMN gender TEXT;
ALTER TABLE persons ADD COLUMN indigenous TEXT;
