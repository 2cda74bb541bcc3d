-- Saved desks ("sessions" in the API; the table name keeps them apart from login sessions):
-- the apps and windows open at one moment, to be restored later. `content` is the snapshot
-- as JSON (apps with their commands and windows); `apps` and `windows` count it for lists.
CREATE TABLE desk_sessions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    created_by_id BIGINT,
    created_by    TEXT    NOT NULL,
    apps          BIGINT  NOT NULL,
    windows       BIGINT  NOT NULL,
    content       TEXT    NOT NULL
);
CREATE INDEX desk_sessions_created_at ON desk_sessions (created_at);
