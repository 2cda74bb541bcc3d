-- Removing a host gone for good (issue 16 follow-up).
-- Any host may remove a host that has been offline for 15 s (an admin's request through
-- `DELETE /api/v1/hosts/{host}`, or a reinstalled machine taking over its old name): the row
-- only describes the host, and a host that comes back registers itself again. The commands
-- left by a removed host, to or from it, are visible to and removable by every host: nobody
-- else waits for them, and only their origin would have cleaned them up.
CREATE POLICY hosts_delete_offline ON hosts FOR DELETE USING (
    last_seen <= (extract(epoch from clock_timestamp()) * 1000)::bigint - 15000);
CREATE POLICY commands_orphans_read ON commands FOR SELECT USING (
    host_id NOT IN (SELECT id FROM hosts) OR origin_id NOT IN (SELECT id FROM hosts));
CREATE POLICY commands_orphans_delete ON commands FOR DELETE USING (
    host_id NOT IN (SELECT id FROM hosts) OR origin_id NOT IN (SELECT id FROM hosts));
