-- relais foundation schema (SQLite dialect). Identifiers are UUIDv7 stored
-- as 16-byte blobs; times are UTC RFC 3339 text.

CREATE TABLE structures (
    id          BLOB PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    slug        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    siret       TEXT,
    commune     TEXT,
    created_at  TEXT NOT NULL
);

CREATE TABLE agents (
    id              BLOB PRIMARY KEY NOT NULL,
    email           TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    password_hash   TEXT,
    totp_secret     TEXT,
    totp_enabled    INTEGER NOT NULL DEFAULT 0,
    totp_last_step  INTEGER,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT,
    created_at      TEXT NOT NULL
);

CREATE TABLE memberships (
    agent_id      BLOB NOT NULL REFERENCES agents(id),
    structure_id  BLOB NOT NULL REFERENCES structures(id),
    role          TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (agent_id, structure_id)
);
CREATE INDEX memberships_structure ON memberships(structure_id);

CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY NOT NULL,
    agent_id      BLOB NOT NULL REFERENCES agents(id),
    structure_id  BLOB REFERENCES structures(id),
    stage         TEXT NOT NULL,
    csrf_token    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL
);
CREATE INDEX sessions_agent ON sessions(agent_id);

CREATE TABLE one_time_links (
    token_hash    TEXT PRIMARY KEY NOT NULL,
    kind          TEXT NOT NULL,
    structure_id  BLOB REFERENCES structures(id),
    agent_id      BLOB REFERENCES agents(id),
    email         TEXT,
    name          TEXT,
    role          TEXT,
    created_by    BLOB REFERENCES agents(id),
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    used_at       TEXT
);

CREATE TABLE api_tokens (
    id            BLOB PRIMARY KEY NOT NULL,
    agent_id      BLOB NOT NULL REFERENCES agents(id),
    structure_id  BLOB NOT NULL REFERENCES structures(id),
    label         TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT
);
CREATE INDEX api_tokens_agent ON api_tokens(agent_id);

CREATE TABLE journal (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    chain         TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    at            TEXT NOT NULL,
    actor_id      BLOB,
    structure_id  BLOB,
    action        TEXT NOT NULL,
    object_type   TEXT,
    object_id     BLOB,
    details       TEXT NOT NULL,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL,
    UNIQUE (chain, seq)
);
CREATE INDEX journal_object ON journal(object_id);

CREATE TABLE journal_heads (
    chain  TEXT PRIMARY KEY NOT NULL,
    seq    INTEGER NOT NULL,
    hash   TEXT NOT NULL
);

CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only');
END;

CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only');
END;
