-- Sign-in throttle per (account, client address), kept in the database so
-- that it holds across nodes; the structure an account used last.
CREATE TABLE login_throttles (
    agent_id       BLOB NOT NULL REFERENCES agents(id),
    address        TEXT NOT NULL,
    failures       INTEGER NOT NULL DEFAULT 0,
    blocked_until  TEXT,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (agent_id, address)
);
CREATE INDEX login_throttles_updated ON login_throttles(updated_at);

ALTER TABLE agents ADD COLUMN last_structure_id BLOB REFERENCES structures(id);
