-- The requests whose folded operator is still to fill (see 0018): the
-- store looks for them at every start, which read the whole table (0.19 s
-- for a million requests on SQLite); this index holds only them, so it is
-- empty once they are filled.
CREATE INDEX help_requests_operator_key_missing ON help_requests(id)
    WHERE operator IS NOT NULL AND operator_key IS NULL;
