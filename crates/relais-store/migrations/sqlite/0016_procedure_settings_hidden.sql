-- PostgreSQL turns `procedure_settings.hidden` into a BOOLEAN in this
-- migration; SQLite stores booleans as integers already: nothing to do.
SELECT 1;
