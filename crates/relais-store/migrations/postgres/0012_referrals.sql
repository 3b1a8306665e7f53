-- The fuller place (publics, fees, ways of being accompanied, RNA,
-- description), the structure's own places, the services data·inclusion
-- publishes apart from its structures, and referrals.
ALTER TABLE places ADD COLUMN rna TEXT;
ALTER TABLE places ADD COLUMN publics TEXT NOT NULL DEFAULT '';
ALTER TABLE places ADD COLUMN fees TEXT NOT NULL DEFAULT '';
ALTER TABLE places ADD COLUMN support_modes TEXT NOT NULL DEFAULT '';
ALTER TABLE places ADD COLUMN description TEXT;
ALTER TABLE places ADD COLUMN structure_id UUID REFERENCES structures(id);
CREATE INDEX places_structure ON places(structure_id);

-- A service offered by a structure of another source (data·inclusion
-- services), joined to its place by (source, structure_ref).
CREATE TABLE place_offers (
    id             UUID PRIMARY KEY NOT NULL,
    source         TEXT NOT NULL,
    source_id      TEXT NOT NULL,
    structure_ref  TEXT NOT NULL,
    name           TEXT NOT NULL,
    description    TEXT,
    kinds          TEXT NOT NULL DEFAULT '',
    thematiques    TEXT NOT NULL DEFAULT '',
    services       TEXT NOT NULL DEFAULT '',
    fees           TEXT NOT NULL DEFAULT '',
    publics        TEXT NOT NULL DEFAULT '',
    link           TEXT,
    content_hash   TEXT NOT NULL,
    imported_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (source, source_id)
);
CREATE INDEX place_offers_structure ON place_offers(source, structure_ref);

-- A person sent from a request to a place or to an operator's own channel.
CREATE TABLE referrals (
    id               UUID PRIMARY KEY NOT NULL,
    structure_id     UUID NOT NULL REFERENCES structures(id),
    help_request_id  UUID NOT NULL REFERENCES help_requests(id),
    person_id        UUID REFERENCES persons(id),
    place_id         UUID REFERENCES places(id),
    operator_id      TEXT,
    reason           TEXT,
    status           TEXT NOT NULL,
    follow_up_id     UUID REFERENCES follow_ups(id),
    created_by       UUID REFERENCES agents(id),
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    closed_on        DATE
);
CREATE INDEX referrals_request ON referrals(help_request_id);
CREATE INDEX referrals_structure ON referrals(structure_id, created_at);
