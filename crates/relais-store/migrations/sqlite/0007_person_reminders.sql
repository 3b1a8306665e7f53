-- Reminders to the person helped, only with their recorded consent.

CREATE TABLE reminder_consents (
    person_id    BLOB PRIMARY KEY NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    -- email or sms
    channel      TEXT NOT NULL,
    given_on     TEXT NOT NULL,
    recorded_by  BLOB REFERENCES agents(id),
    updated_at   TEXT NOT NULL
);

-- One message to the person per notification, sent by one server only.
CREATE TABLE person_reminders (
    notification_id  BLOB PRIMARY KEY NOT NULL REFERENCES notifications(id) ON DELETE CASCADE,
    person_id        BLOB NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    channel          TEXT NOT NULL,
    -- pending, sending, sent or failed
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_at          TEXT,
    claimed_at       TEXT,
    error            TEXT,
    created_at       TEXT NOT NULL
);
CREATE INDEX person_reminders_status ON person_reminders(status, next_at);
