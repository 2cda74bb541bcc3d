-- Accounts, sessions, API tokens, audit log and settings.
-- Times are epoch milliseconds (BIGINT) so one set of queries serves SQLite and PostgreSQL.
CREATE TABLE users (
    id            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);

-- A session is identified by the SHA-256 of the random cookie value: a leaked database does
-- not hand out live cookies.
CREATE TABLE sessions (
    id_hash      TEXT   PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    client       TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    created_at   BIGINT  NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Append-only. actor_id is deliberately not a foreign key: deleting a user keeps their history.
CREATE TABLE audit_events (
    id       BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at       BIGINT  NOT NULL,
    actor_id BIGINT,
    actor    TEXT,
    action   TEXT    NOT NULL,
    target   TEXT,
    outcome  TEXT    NOT NULL,
    detail   TEXT,
    client   TEXT
);
CREATE INDEX audit_events_at ON audit_events (at);

-- Values are JSON documents.
CREATE TABLE settings (
    key        TEXT   PRIMARY KEY,
    value      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);
