-- Places people can be referred to (France Services sites, digital
-- mediation places, partners), imported from the field's open data.
CREATE TABLE places (
    id             BLOB PRIMARY KEY NOT NULL,
    source         TEXT NOT NULL,
    source_id      TEXT NOT NULL,
    name           TEXT NOT NULL,
    siret          TEXT,
    address        TEXT,
    postcode       TEXT,
    commune        TEXT,
    insee_code     TEXT,
    latitude       REAL,
    longitude      REAL,
    phone          TEXT,
    email          TEXT,
    website        TEXT,
    opening_hours  TEXT,
    services       TEXT NOT NULL DEFAULT '',
    labels         TEXT NOT NULL DEFAULT '',
    access_modes   TEXT NOT NULL DEFAULT '',
    updated_on     TEXT,
    content_hash   TEXT NOT NULL,
    imported_at    TEXT NOT NULL,
    UNIQUE (source, source_id)
);
CREATE INDEX places_insee ON places(insee_code);
CREATE INDEX places_postcode ON places(postcode);
