-- Privacy: data keys in use, private notes, retention of persons' files.

-- The data keys that sealed what the database holds (their ids only).
CREATE TABLE data_keys (
    key_id    TEXT PRIMARY KEY NOT NULL,
    added_at  TIMESTAMPTZ NOT NULL
);

-- Notes that only their author can read.
CREATE TABLE private_notes (
    id            UUID PRIMARY KEY,
    structure_id  UUID NOT NULL REFERENCES structures(id),
    person_id     UUID NOT NULL REFERENCES persons(id),
    author_id     UUID NOT NULL REFERENCES agents(id),
    body          TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX private_notes_person ON private_notes(person_id, author_id);

-- A supervisor may keep a file past the retention period, with a reason.
ALTER TABLE persons ADD COLUMN keep_until DATE;
ALTER TABLE persons ADD COLUMN keep_reason TEXT;
-- Set when the file was anonymised (retention or erasure).
ALTER TABLE persons ADD COLUMN anonymised_at TIMESTAMPTZ;
