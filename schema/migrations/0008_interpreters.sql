-- Interpreters on appointments (issue 14). A person may ask that the interpreter not come from
-- her own community (where the exploiters may be known, or known to the interpreter); an
-- appointment records whether an interpreter is needed, in which language (the existing
-- `interpreter_language`), from which provider, and that the worker confirmed the
-- interpreter is from outside that community. The core refuses an appointment with an
-- interpreter for a person who asked, until that is confirmed.

ALTER TABLE persons ADD COLUMN interpreter_outside_community INTEGER;
ALTER TABLE appointments ADD COLUMN interpreter_needed INTEGER;
ALTER TABLE appointments ADD COLUMN interpreter_provider TEXT;
ALTER TABLE appointments ADD COLUMN interpreter_outside_confirmed INTEGER;
