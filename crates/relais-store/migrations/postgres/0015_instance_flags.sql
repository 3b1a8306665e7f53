-- Facts about the whole instance. `demo`: the database was made by the
-- demonstration (relais demo, serve --demo), which refuses any other one.
CREATE TABLE instance_flags (
    name    TEXT PRIMARY KEY,
    set_at  TIMESTAMPTZ NOT NULL
);
