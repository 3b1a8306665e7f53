-- The operator of a request folded for search (no accents, lower case,
-- words split by single spaces; relais_domain::search::fold), so that
-- SQLite and PostgreSQL agree on what a search finds. Written by the
-- store with every request; rows written before this migration are
-- filled in by the store when it starts (SQL cannot fold accents alike
-- on both engines).
ALTER TABLE help_requests ADD COLUMN operator_key TEXT;
