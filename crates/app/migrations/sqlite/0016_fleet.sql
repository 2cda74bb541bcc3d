-- The fleet (issue 16) needs PostgreSQL: with SQLite Boss is one host. This keeps the
-- schema versions of both backends in step.
SELECT 1;
