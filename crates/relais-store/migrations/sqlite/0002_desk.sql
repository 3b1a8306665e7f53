-- The help desk: persons, help requests, interventions, follow-ups.

CREATE TABLE persons (
    id                  BLOB PRIMARY KEY NOT NULL,
    structure_id        BLOB NOT NULL REFERENCES structures(id),
    first_name          TEXT NOT NULL,
    last_name           TEXT NOT NULL,
    usual_name          TEXT,
    birth_date          TEXT,
    birth_year          INTEGER,
    phone               TEXT,
    email               TEXT,
    postcode            TEXT,
    commune             TEXT,
    insee_code          TEXT,
    preferred_language  TEXT,
    notes               TEXT,
    privacy_notice_on   TEXT,
    equipment           TEXT NOT NULL DEFAULT '',
    search_key          TEXT NOT NULL,
    phone_digits        TEXT NOT NULL DEFAULT '',
    merged_into         BLOB REFERENCES persons(id),
    created_by          BLOB REFERENCES agents(id),
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX persons_structure ON persons(structure_id, merged_into);

CREATE TABLE autonomy_assessments (
    id           BLOB PRIMARY KEY NOT NULL,
    person_id    BLOB NOT NULL REFERENCES persons(id),
    level        TEXT NOT NULL,
    assessed_on  TEXT NOT NULL,
    agent_id     BLOB REFERENCES agents(id),
    created_at   TEXT NOT NULL
);
CREATE INDEX autonomy_person ON autonomy_assessments(person_id);

CREATE TABLE person_accounts (
    person_id     BLOB NOT NULL REFERENCES persons(id),
    kind          TEXT NOT NULL,
    has_account   TEXT NOT NULL,
    can_sign_in   TEXT NOT NULL,
    recovery      TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (person_id, kind)
);

CREATE TABLE counters (
    structure_id  BLOB NOT NULL REFERENCES structures(id),
    name          TEXT NOT NULL,
    year          INTEGER NOT NULL,
    value         INTEGER NOT NULL,
    PRIMARY KEY (structure_id, name, year)
);

CREATE TABLE help_requests (
    id                BLOB PRIMARY KEY NOT NULL,
    structure_id      BLOB NOT NULL REFERENCES structures(id),
    reference         TEXT NOT NULL,
    person_id         BLOB REFERENCES persons(id),
    anon_age_bracket  TEXT,
    anon_postcode     TEXT,
    anon_commune      TEXT,
    procedure         TEXT NOT NULL,
    category          TEXT NOT NULL,
    operator          TEXT,
    channel           TEXT NOT NULL,
    rights_at_risk    INTEGER NOT NULL DEFAULT 0,
    deadline          TEXT,
    status            TEXT NOT NULL,
    outcome           TEXT,
    block_reason      TEXT,
    submission_key    TEXT,
    created_by        BLOB REFERENCES agents(id),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    closed_at         TEXT,
    UNIQUE (structure_id, reference),
    UNIQUE (structure_id, submission_key)
);
CREATE INDEX help_requests_person ON help_requests(person_id);
CREATE INDEX help_requests_list ON help_requests(structure_id, created_at);

CREATE TABLE interventions (
    id                BLOB PRIMARY KEY NOT NULL,
    structure_id      BLOB NOT NULL REFERENCES structures(id),
    help_request_id   BLOB NOT NULL REFERENCES help_requests(id),
    agent_id          BLOB REFERENCES agents(id),
    occurred_at       TEXT NOT NULL,
    duration_minutes  INTEGER NOT NULL,
    mode              TEXT NOT NULL,
    place             TEXT NOT NULL,
    summary           TEXT,
    next_step         TEXT,
    created_at        TEXT NOT NULL
);
CREATE INDEX interventions_request ON interventions(help_request_id);

CREATE TABLE follow_ups (
    id               BLOB PRIMARY KEY NOT NULL,
    structure_id     BLOB NOT NULL REFERENCES structures(id),
    help_request_id  BLOB REFERENCES help_requests(id),
    person_id        BLOB REFERENCES persons(id),
    assignee_id      BLOB NOT NULL REFERENCES agents(id),
    due_date         TEXT NOT NULL,
    reason           TEXT NOT NULL,
    done             INTEGER NOT NULL DEFAULT 0,
    done_at          TEXT,
    created_by       BLOB REFERENCES agents(id),
    created_at       TEXT NOT NULL
);
CREATE INDEX follow_ups_assignee ON follow_ups(assignee_id, done, due_date);
CREATE INDEX follow_ups_request ON follow_ups(help_request_id);
