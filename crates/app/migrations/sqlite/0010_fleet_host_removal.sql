-- Removing a host gone for good needs the fleet's PostgreSQL policies (see the PostgreSQL
-- migration of the same number); with SQLite Boss is one host. Kept so that both schemas
-- have the same versions.
SELECT 1;
