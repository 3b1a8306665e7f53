-- Mandates and the structure's intervention policy.

CREATE TABLE mandates (
    id                   UUID PRIMARY KEY,
    structure_id         UUID NOT NULL REFERENCES structures(id),
    person_id            UUID NOT NULL REFERENCES persons(id),
    categories           TEXT NOT NULL,
    revoked_categories   TEXT NOT NULL DEFAULT '',
    duration             TEXT NOT NULL,
    starts_on            DATE NOT NULL,
    ends_on              DATE NOT NULL,
    consent              TEXT NOT NULL,
    signed_at            TIMESTAMPTZ,
    verification_code    TEXT NOT NULL UNIQUE,
    revocation_secret    TEXT NOT NULL,
    remote_code_hash     TEXT,
    remote_code_expires  TIMESTAMPTZ,
    remote_attempts      BIGINT NOT NULL DEFAULT 0,
    signature_svg        TEXT,
    scan                 BYTEA,
    scan_type            TEXT,
    revoked_at           TIMESTAMPTZ,
    revoke_reason        TEXT,
    renewed_from         UUID REFERENCES mandates(id),
    drawn_by             UUID REFERENCES agents(id),
    lang                 TEXT NOT NULL DEFAULT 'fr',
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX mandates_person ON mandates(structure_id, person_id);
CREATE INDEX mandates_ends ON mandates(structure_id, ends_on);

CREATE TABLE policies (
    structure_id  UUID PRIMARY KEY REFERENCES structures(id),
    body          TEXT NOT NULL,
    updated_by    UUID REFERENCES agents(id),
    updated_at    TIMESTAMPTZ NOT NULL
);

ALTER TABLE interventions ADD COLUMN mandate_id UUID REFERENCES mandates(id);
