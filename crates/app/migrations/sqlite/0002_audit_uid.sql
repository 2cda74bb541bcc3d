-- A unique id per audit event, so that a record written twice (a retry after a timeout, or a
-- replay of the spool kept while the database was down) is stored once.
ALTER TABLE audit_events ADD COLUMN uid TEXT;
CREATE UNIQUE INDEX audit_events_uid ON audit_events (uid);
