-- Every program Boss starts, with how it ended. `uid` makes a spooled record idempotent.
CREATE TABLE launches (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    uid         TEXT    NOT NULL UNIQUE,
    user_id     BIGINT,
    username    TEXT    NOT NULL,
    app_id      TEXT,
    app_name    TEXT    NOT NULL,
    argv        TEXT    NOT NULL,
    cwd         TEXT,
    log_file    TEXT,
    started_at  BIGINT  NOT NULL,
    pid         BIGINT,
    start_ticks BIGINT,
    ended_at    BIGINT,
    exit_code   BIGINT,
    signal      BIGINT,
    outcome     TEXT    NOT NULL
);
CREATE INDEX launches_started_at ON launches (started_at);
CREATE INDEX launches_outcome ON launches (outcome);
