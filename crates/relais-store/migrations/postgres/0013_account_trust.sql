-- Sign-in throttle per (account, client address), kept in the database so
-- that it holds across nodes; the structure an account used last.
CREATE TABLE login_throttles (
    agent_id       UUID NOT NULL REFERENCES agents(id),
    address        TEXT NOT NULL,
    failures       BIGINT NOT NULL DEFAULT 0,
    blocked_until  TIMESTAMPTZ,
    updated_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (agent_id, address)
);
CREATE INDEX login_throttles_updated ON login_throttles(updated_at);

ALTER TABLE agents ADD COLUMN last_structure_id UUID REFERENCES structures(id);
