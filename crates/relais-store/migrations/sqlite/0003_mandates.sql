-- Mandates and the structure's intervention policy.

CREATE TABLE mandates (
    id                   BLOB PRIMARY KEY NOT NULL,
    structure_id         BLOB NOT NULL REFERENCES structures(id),
    person_id            BLOB NOT NULL REFERENCES persons(id),
    categories           TEXT NOT NULL,
    revoked_categories   TEXT NOT NULL DEFAULT '',
    duration             TEXT NOT NULL,
    starts_on            TEXT NOT NULL,
    ends_on              TEXT NOT NULL,
    consent              TEXT NOT NULL,
    signed_at            TEXT,
    verification_code    TEXT NOT NULL UNIQUE,
    revocation_secret    TEXT NOT NULL,
    remote_code_hash     TEXT,
    remote_code_expires  TEXT,
    remote_attempts      INTEGER NOT NULL DEFAULT 0,
    signature_svg        TEXT,
    scan                 BLOB,
    scan_type            TEXT,
    revoked_at           TEXT,
    revoke_reason        TEXT,
    renewed_from         BLOB REFERENCES mandates(id),
    drawn_by             BLOB REFERENCES agents(id),
    lang                 TEXT NOT NULL DEFAULT 'fr',
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX mandates_person ON mandates(structure_id, person_id);
CREATE INDEX mandates_ends ON mandates(structure_id, ends_on);

CREATE TABLE policies (
    structure_id  BLOB PRIMARY KEY NOT NULL REFERENCES structures(id),
    body          TEXT NOT NULL,
    updated_by    BLOB REFERENCES agents(id),
    updated_at    TEXT NOT NULL
);

ALTER TABLE interventions ADD COLUMN mandate_id BLOB REFERENCES mandates(id);
