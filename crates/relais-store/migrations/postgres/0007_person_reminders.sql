-- Reminders to the person helped, only with their recorded consent.

CREATE TABLE reminder_consents (
    person_id    UUID PRIMARY KEY NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    -- email or sms
    channel      TEXT NOT NULL,
    given_on     DATE NOT NULL,
    recorded_by  UUID REFERENCES agents(id),
    updated_at   TIMESTAMPTZ NOT NULL
);

-- One message to the person per notification, sent by one server only.
CREATE TABLE person_reminders (
    notification_id  UUID PRIMARY KEY NOT NULL REFERENCES notifications(id) ON DELETE CASCADE,
    person_id        UUID NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    channel          TEXT NOT NULL,
    -- pending, sending, sent or failed
    status           TEXT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_at          TIMESTAMPTZ,
    claimed_at       TIMESTAMPTZ,
    error            TEXT,
    created_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX person_reminders_status ON person_reminders(status, next_at);
