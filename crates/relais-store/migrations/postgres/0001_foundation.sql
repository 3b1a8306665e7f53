-- relais foundation schema (PostgreSQL dialect).

CREATE TABLE structures (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL,
    slug        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    siret       TEXT,
    commune     TEXT,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE agents (
    id              UUID PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    password_hash   TEXT,
    totp_secret     TEXT,
    totp_enabled    BOOLEAN NOT NULL DEFAULT FALSE,
    totp_last_step  BIGINT,
    failed_logins   BIGINT NOT NULL DEFAULT 0,
    locked_until    TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE memberships (
    agent_id      UUID NOT NULL REFERENCES agents(id),
    structure_id  UUID NOT NULL REFERENCES structures(id),
    role          TEXT NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (agent_id, structure_id)
);
CREATE INDEX memberships_structure ON memberships(structure_id);

CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    agent_id      UUID NOT NULL REFERENCES agents(id),
    structure_id  UUID REFERENCES structures(id),
    stage         TEXT NOT NULL,
    csrf_token    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    last_seen_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_agent ON sessions(agent_id);

CREATE TABLE one_time_links (
    token_hash    TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    structure_id  UUID REFERENCES structures(id),
    agent_id      UUID REFERENCES agents(id),
    email         TEXT,
    name          TEXT,
    role          TEXT,
    created_by    UUID REFERENCES agents(id),
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    used_at       TIMESTAMPTZ
);

CREATE TABLE api_tokens (
    id            UUID PRIMARY KEY,
    agent_id      UUID NOT NULL REFERENCES agents(id),
    structure_id  UUID NOT NULL REFERENCES structures(id),
    label         TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    TIMESTAMPTZ NOT NULL,
    last_used_at  TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ
);
CREATE INDEX api_tokens_agent ON api_tokens(agent_id);

CREATE TABLE journal (
    id            BIGSERIAL PRIMARY KEY,
    chain         TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    at            TIMESTAMPTZ NOT NULL,
    actor_id      UUID,
    structure_id  UUID,
    action        TEXT NOT NULL,
    object_type   TEXT,
    object_id     UUID,
    details       TEXT NOT NULL,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL,
    UNIQUE (chain, seq)
);
CREATE INDEX journal_object ON journal(object_id);

CREATE TABLE journal_heads (
    chain  TEXT PRIMARY KEY,
    seq    BIGINT NOT NULL,
    hash   TEXT NOT NULL
);

CREATE FUNCTION journal_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the journal is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
    FOR EACH ROW EXECUTE FUNCTION journal_refuse_change();
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
    FOR EACH ROW EXECUTE FUNCTION journal_refuse_change();
CREATE TRIGGER journal_no_truncate BEFORE TRUNCATE ON journal
    FOR EACH STATEMENT EXECUTE FUNCTION journal_refuse_change();
