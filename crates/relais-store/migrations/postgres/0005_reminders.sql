-- Reminders: the in-app inbox, the e-mails that go with it, calendar feeds.

-- One notification per follow-up and due day: the unique key makes the
-- reminder job safe when several servers share one database.
CREATE TABLE notifications (
    id              UUID PRIMARY KEY,
    structure_id    UUID NOT NULL REFERENCES structures(id),
    agent_id        UUID NOT NULL REFERENCES agents(id),
    follow_up_id    UUID NOT NULL REFERENCES follow_ups(id) ON DELETE CASCADE,
    due_date        DATE NOT NULL,
    kind            TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    read_at         TIMESTAMPTZ,
    -- none, pending, sending, sent or failed
    email_status    TEXT NOT NULL,
    email_attempts  BIGINT NOT NULL DEFAULT 0,
    email_next_at   TIMESTAMPTZ,
    email_claimed_at TIMESTAMPTZ,
    email_error     TEXT,
    UNIQUE (follow_up_id, due_date)
);
CREATE INDEX notifications_agent ON notifications(agent_id, structure_id, read_at);
CREATE INDEX notifications_email ON notifications(email_status, email_next_at);

-- A private calendar feed per agent and structure, reached by a secret URL.
CREATE TABLE calendar_feeds (
    agent_id      UUID NOT NULL REFERENCES agents(id),
    structure_id  UUID NOT NULL REFERENCES structures(id),
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (agent_id, structure_id)
);
