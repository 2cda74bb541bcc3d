// What each role may do in the UI, mirroring the server's `Role::allows` (crates/app/src/auth):
// viewer < operator < admin. The server refuses anyway; the UI only hides what would be refused.

/** The roles from the least to the most rights. */
export const ROLES = ['viewer', 'operator', 'admin'];
export const ROLE_LABELS = { admin: 'Administrator', operator: 'Operator', viewer: 'Viewer' };

// The least role each permission needs (the names follow the server's `Permission`).
const NEEDS = {
  view: 'viewer',
  viewEnvironment: 'operator',
  act: 'operator', // signal processes, close windows, launch and stop programs
  manageUsers: 'admin',
  manageSettings: 'admin',
  readAudit: 'admin',
  revealCommandLine: 'admin',
};

/** The display name of a role (the raw name for a role this UI does not know). */
export function roleLabel(role) {
  return ROLE_LABELS[role] || role;
}

/** Whether `user` (with its `role`) may do `permission`, one of the keys of NEEDS. */
export function can(user, permission) {
  const needed = NEEDS[permission];
  if (!needed) throw new Error(`unknown permission: ${permission}`);
  return ROLES.indexOf(user?.role) >= ROLES.indexOf(needed);
}
