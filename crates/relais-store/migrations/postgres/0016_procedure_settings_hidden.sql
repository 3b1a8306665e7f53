-- `procedure_settings.hidden` is a yes/no: BOOLEAN like every other flag
-- (it was created INTEGER, which refused the boolean the repository binds).
ALTER TABLE procedure_settings ALTER COLUMN hidden DROP DEFAULT;
ALTER TABLE procedure_settings ALTER COLUMN hidden TYPE BOOLEAN USING hidden <> 0;
ALTER TABLE procedure_settings ALTER COLUMN hidden SET DEFAULT FALSE;
