-- Exactly one registration can be the first (and become admin), even when two race on
-- PostgreSQL, where READ COMMITTED lets both see an empty users table: the first account's
-- insert also claims this table's only row, in the same transaction, and a second claim fails
-- on the primary key.
CREATE TABLE first_account (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    user_id BIGINT  NOT NULL
);
INSERT INTO first_account (id, user_id)
SELECT 1, (SELECT MIN(id) FROM users) WHERE EXISTS (SELECT 1 FROM users);
