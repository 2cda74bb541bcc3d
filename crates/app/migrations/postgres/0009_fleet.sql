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
-- Launches of several hosts meet in one table: each names its host (NULL before fleets).
ALTER TABLE launches ADD COLUMN host TEXT;

CREATE INDEX commands_pending ON commands (host_id, id) WHERE state = 'pending';
CREATE INDEX commands_created_at ON commands (created_at);

-- Row-level security for per-host database roles (`boss db fleet-host NAME`): a host's role
-- writes only its own row in `hosts`, and sees, claims and answers only the commands sent to or
-- by its hosts. The tables' owner (a single-role setup, and `boss db`) is not bound by these.
ALTER TABLE hosts ADD COLUMN db_role TEXT NOT NULL DEFAULT current_user;
ALTER TABLE hosts ENABLE ROW LEVEL SECURITY;
CREATE POLICY hosts_read ON hosts FOR SELECT USING (true);
CREATE POLICY hosts_insert ON hosts FOR INSERT WITH CHECK (db_role = current_user);
CREATE POLICY hosts_update ON hosts FOR UPDATE
    USING (db_role = current_user) WITH CHECK (db_role = current_user);
CREATE POLICY hosts_delete ON hosts FOR DELETE USING (db_role = current_user);

ALTER TABLE commands ENABLE ROW LEVEL SECURITY;
CREATE POLICY commands_read ON commands FOR SELECT USING (
    host_id IN (SELECT id FROM hosts WHERE db_role = current_user)
    OR origin_id IN (SELECT id FROM hosts WHERE db_role = current_user));
CREATE POLICY commands_send ON commands FOR INSERT WITH CHECK (
    origin_id IN (SELECT id FROM hosts WHERE db_role = current_user));
-- The target claims and answers; the origin may only withdraw (mark expired).
CREATE POLICY commands_update ON commands FOR UPDATE USING (
    host_id IN (SELECT id FROM hosts WHERE db_role = current_user)
    OR origin_id IN (SELECT id FROM hosts WHERE db_role = current_user))
WITH CHECK (
    host_id IN (SELECT id FROM hosts WHERE db_role = current_user)
    OR state = 'expired');
CREATE POLICY commands_delete ON commands FOR DELETE USING (
    origin_id IN (SELECT id FROM hosts WHERE db_role = current_user));
