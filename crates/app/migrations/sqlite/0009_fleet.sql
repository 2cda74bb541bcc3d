-- The fleet (issue 16) needs PostgreSQL: with SQLite Boss is one host. Launches name their
-- host in a fleet; here the column stays empty, and keeps both schemas alike.
ALTER TABLE launches ADD COLUMN host TEXT;
