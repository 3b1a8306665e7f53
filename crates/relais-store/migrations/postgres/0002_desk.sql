-- The help desk: persons, help requests, interventions, follow-ups.

CREATE TABLE persons (
    id                  UUID PRIMARY KEY,
    structure_id        UUID NOT NULL REFERENCES structures(id),
    first_name          TEXT NOT NULL,
    last_name           TEXT NOT NULL,
    usual_name          TEXT,
    birth_date          DATE,
    birth_year          BIGINT,
    phone               TEXT,
    email               TEXT,
    postcode            TEXT,
    commune             TEXT,
    insee_code          TEXT,
    preferred_language  TEXT,
    notes               TEXT,
    privacy_notice_on   DATE,
    equipment           TEXT NOT NULL DEFAULT '',
    search_key          TEXT NOT NULL,
    phone_digits        TEXT NOT NULL DEFAULT '',
    merged_into         UUID REFERENCES persons(id),
    created_by          UUID REFERENCES agents(id),
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX persons_structure ON persons(structure_id, merged_into);

CREATE TABLE autonomy_assessments (
    id           UUID PRIMARY KEY,
    person_id    UUID NOT NULL REFERENCES persons(id),
    level        TEXT NOT NULL,
    assessed_on  DATE NOT NULL,
    agent_id     UUID REFERENCES agents(id),
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX autonomy_person ON autonomy_assessments(person_id);

CREATE TABLE person_accounts (
    person_id     UUID NOT NULL REFERENCES persons(id),
    kind          TEXT NOT NULL,
    has_account   TEXT NOT NULL,
    can_sign_in   TEXT NOT NULL,
    recovery      TEXT NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (person_id, kind)
);

CREATE TABLE counters (
    structure_id  UUID NOT NULL REFERENCES structures(id),
    name          TEXT NOT NULL,
    year          BIGINT NOT NULL,
    value         BIGINT NOT NULL,
    PRIMARY KEY (structure_id, name, year)
);

CREATE TABLE help_requests (
    id                UUID PRIMARY KEY,
    structure_id      UUID NOT NULL REFERENCES structures(id),
    reference         TEXT NOT NULL,
    person_id         UUID REFERENCES persons(id),
    anon_age_bracket  TEXT,
    anon_postcode     TEXT,
    anon_commune      TEXT,
    procedure         TEXT NOT NULL,
    category          TEXT NOT NULL,
    operator          TEXT,
    channel           TEXT NOT NULL,
    rights_at_risk    BOOLEAN NOT NULL DEFAULT FALSE,
    deadline          DATE,
    status            TEXT NOT NULL,
    outcome           TEXT,
    block_reason      TEXT,
    submission_key    TEXT,
    created_by        UUID REFERENCES agents(id),
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    closed_at         TIMESTAMPTZ,
    UNIQUE (structure_id, reference),
    UNIQUE (structure_id, submission_key)
);
CREATE INDEX help_requests_person ON help_requests(person_id);
CREATE INDEX help_requests_list ON help_requests(structure_id, created_at);

CREATE TABLE interventions (
    id                UUID PRIMARY KEY,
    structure_id      UUID NOT NULL REFERENCES structures(id),
    help_request_id   UUID NOT NULL REFERENCES help_requests(id),
    agent_id          UUID REFERENCES agents(id),
    occurred_at       TIMESTAMPTZ NOT NULL,
    duration_minutes  BIGINT NOT NULL,
    mode              TEXT NOT NULL,
    place             TEXT NOT NULL,
    summary           TEXT,
    next_step         TEXT,
    created_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX interventions_request ON interventions(help_request_id);

CREATE TABLE follow_ups (
    id               UUID PRIMARY KEY,
    structure_id     UUID NOT NULL REFERENCES structures(id),
    help_request_id  UUID REFERENCES help_requests(id),
    person_id        UUID REFERENCES persons(id),
    assignee_id      UUID NOT NULL REFERENCES agents(id),
    due_date         DATE NOT NULL,
    reason           TEXT NOT NULL,
    done             BOOLEAN NOT NULL DEFAULT FALSE,
    done_at          TIMESTAMPTZ,
    created_by       UUID REFERENCES agents(id),
    created_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX follow_ups_assignee ON follow_ups(assignee_id, done, due_date);
CREATE INDEX follow_ups_request ON follow_ups(help_request_id);
