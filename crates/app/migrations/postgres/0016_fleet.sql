-- The fleet (issue 16): every Boss on this PostgreSQL database, and the requests one host
-- relays to another. Numbered after the issue so that migrations added at the same time by
-- other work do not collide. Times are epoch milliseconds of the database's clock, so that
-- hosts whose clocks disagree still agree on who is online and which deadline has passed.
CREATE TABLE hosts (
    id           TEXT    PRIMARY KEY,
    name         TEXT    NOT NULL UNIQUE,
    os           TEXT    NOT NULL,
    version      TEXT    NOT NULL,
    -- JSON: the window backend and what it can do.
    capabilities TEXT    NOT NULL,
    -- JSON: cpu_percent, memory_used, processes, windows (from the last heartbeat).
    summary      TEXT,
    started_at   BIGINT  NOT NULL,
    last_seen    BIGINT  NOT NULL
);

-- A request relayed to another host: the HTTP request itself (method, the path below
-- /api/v1/, query, JSON body), the actor and the host it came through, and its answer.
CREATE TABLE commands (
    id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    host_id      TEXT    NOT NULL,
    origin_id    TEXT    NOT NULL,
    origin_name  TEXT    NOT NULL,
    user_id      BIGINT  NOT NULL,
    method       TEXT    NOT NULL,
    path         TEXT    NOT NULL,
    query        TEXT,
    body         BYTEA,
    created_at   BIGINT  NOT NULL,
    deadline     BIGINT  NOT NULL,
    -- pending -> running -> done; or pending -> expired (not run: too late).
    state        TEXT    NOT NULL DEFAULT 'pending',
    claimed_at   BIGINT,
    finished_at  BIGINT,
    status       INTEGER,
    -- JSON: the answer's headers that matter (content type and encoding, disposition, CSP).
    headers      TEXT,
    result       BYTEA
);
CREATE INDEX commands_pending ON commands (host_id, id) WHERE state = 'pending';
CREATE INDEX commands_created_at ON commands (created_at);
