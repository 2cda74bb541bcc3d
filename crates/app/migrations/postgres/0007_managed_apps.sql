-- Programs Boss keeps running: what to run and the policy, the desired state (`enabled`:
-- whether Boss should keep it running). Each run is a launch row carrying `managed_id`.
CREATE TABLE managed_apps (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    desktop_id  TEXT,
    argv        TEXT    NOT NULL,
    cwd         TEXT,
    env         TEXT    NOT NULL,
    policy      TEXT    NOT NULL,
    enabled     BIGINT  NOT NULL,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
ALTER TABLE launches ADD COLUMN managed_id BIGINT;
CREATE INDEX launches_managed_id ON launches (managed_id);
