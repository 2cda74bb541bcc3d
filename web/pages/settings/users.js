// Users section of the Settings page (admins): list accounts, change roles, see and revoke their
// API tokens, delete, add.
import { html, useState, useEffect } from '../../vendor/preact-htm.js';
import { api, errorMessage } from '../../api.js';
import { ErrorAlert, StatusMessage, Loading } from '../../ui/feedback.js';
import { useConfirm } from '../../ui/dialog.js';
import { ROLES, roleLabel } from '../../ui/roles.js';
import { Time, TokenTable } from '../../shared/token-table.js';
import { useSubmit } from '../../ui/submit.js';
import { TextField } from '../../ui/field.js';

function AddUserForm({ onAdded }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState('viewer');
  const { busy, error, setError, run } = useSubmit();

  async function submit(event) {
    event.preventDefault();
    if (!username.trim() || !password) {
      setError('Enter a user name and a password.');
      return;
    }
    await run(async () => {
      const user = await api('/users', { method: 'POST', body: { username: username.trim(), password, role } });
      setUsername('');
      setPassword('');
      setRole('viewer');
      onAdded(user);
    });
  }

  return html`
    <form class="form form-inline" onSubmit=${submit} novalidate aria-labelledby="add-user-title"
      data-testid="add-user-form">
      <h3 id="add-user-title">Add user</h3>
      <${ErrorAlert} message=${error} testid="add-user-error" />
      <div class="form-row">
        <${TextField} id="add-username" label="User name" name="username" autocomplete="off" autocapitalize="none"
          spellcheck=${false} maxlength="64" value=${username} onValue=${setUsername} />
        <${TextField} id="add-password" label="Password" name="password" type="password" autocomplete="new-password"
          value=${password} onValue=${setPassword} />
        <div class="field">
          <label for="add-role">Role</label>
          <select id="add-role" name="role" value=${role} onChange=${(e) => setRole(e.target.value)}>
            ${ROLES.map((r) => html`<option key=${r} value=${r}>${roleLabel(r)}</option>`)}
          </select>
        </div>
        <button type="submit" class="btn btn-primary" disabled=${busy} data-testid="add-user-submit">Add user</button>
      </div>
    </form>
  `;
}

// One account's API tokens, read when the admin opens them; each can be revoked.
function UserTokens({ user, confirm }) {
  const [tokens, setTokens] = useState(null);
  const [error, setError] = useState(null);
  const [status, setStatus] = useState('');

  useEffect(() => {
    api(`/users/${user.id}/tokens`)
      .then((data) => setTokens(data.tokens))
      .catch((err) => setError(errorMessage(err)));
  }, [user.id]);

  async function revoke(token) {
    const ok = await confirm({
      title: `Revoke ${user.username}’s token “${token.name}”?`,
      message: 'Scripts using it will no longer be able to reach Boss. This cannot be undone.',
      confirmLabel: 'Revoke token',
      danger: true,
    });
    if (!ok) return;
    setError(null);
    try {
      await api(`/users/${user.id}/tokens/${token.id}`, { method: 'DELETE' });
      setTokens((list) => list.filter((t) => t.id !== token.id));
      setStatus(`The token “${token.name}” was revoked.`);
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  return html`
    <div class="user-tokens" data-testid="user-tokens">
      <${ErrorAlert} message=${error} testid="user-tokens-error" />
      <${StatusMessage} message=${status} testid="user-tokens-status" />
      ${tokens === null && !error && html`<${Loading} />`}
      ${tokens && tokens.length === 0 && html`<p class="empty">${user.username} has no API tokens.</p>`}
      ${tokens && tokens.length > 0 &&
      html`
        <${TokenTable} tokens=${tokens} label=${`API tokens of ${user.username}`} nameHeader="Token"
          rowTestid="user-token-row"
          action=${(t) => html`<button type="button" class="btn btn-danger btn-small" onClick=${() => revoke(t)}
            aria-label=${`Revoke token ${t.name} of ${user.username}`} data-testid="user-token-revoke">Revoke</button>`} />
      `}
    </div>
  `;
}

function UserRow({ user, isSelf, onRoleChange, onDelete, confirm }) {
  const [showTokens, setShowTokens] = useState(false);
  const tokensId = `user-tokens-${user.id}`;
  return html`
    <tr data-testid="user-row" data-username=${user.username}>
      <td data-label="User name"><span>${user.username}${isSelf && html` <span class="muted">(you)</span>`}</span></td>
      <td data-label="Role">
        <select aria-label=${`Role of ${user.username}`} value=${user.role} data-testid="user-role"
          onChange=${(e) => onRoleChange(user, e.target)}>
          ${ROLES.map((r) => html`<option key=${r} value=${r}>${roleLabel(r)}</option>`)}
        </select>
      </td>
      <td class="nowrap" data-label="Created">
        ${user.created_at && html`<${Time} value=${user.created_at} />`}
      </td>
      <td class="actions-cell">
        <button type="button" class="btn btn-small" onClick=${() => setShowTokens((v) => !v)}
          aria-expanded=${showTokens} aria-controls=${tokensId}
          aria-label=${`API tokens of ${user.username}`} data-testid="user-tokens-toggle">Tokens</button>
        <button type="button" class="btn btn-danger btn-small" onClick=${() => onDelete(user)}
          disabled=${isSelf} title=${isSelf ? 'You cannot delete your own account here.' : undefined}
          aria-label=${`Delete ${user.username}`} data-testid="user-delete">Delete</button>
      </td>
    </tr>
    ${showTokens &&
    html`
      <tr id=${tokensId} class="user-tokens-row">
        <td colspan="4"><${UserTokens} user=${user} confirm=${confirm} /></td>
      </tr>
    `}
  `;
}

export function UsersSection({ currentUser, onUserUpdated }) {
  const [users, setUsers] = useState(null);
  const [error, setError] = useState(null);
  const [status, setStatus] = useState('');
  const [dialog, confirm] = useConfirm();

  useEffect(() => {
    api('/users')
      .then((data) => setUsers(data.users))
      .catch((err) => setError(errorMessage(err)));
  }, []);

  const replace = (updated) => setUsers((list) => list.map((u) => (u.id === updated.id ? updated : u)));

  async function changeRole(user, select) {
    const role = select.value;
    setError(null);
    setStatus('');
    try {
      const updated = await api(`/users/${user.id}`, { method: 'PATCH', body: { role } });
      replace(updated);
      setStatus(`${updated.username} is now ${roleLabel(updated.role)}.`);
      if (updated.id === currentUser.id) onUserUpdated(updated);
    } catch (err) {
      select.value = user.role; // the server refused (e.g. last admin): show the real role again
      setError(errorMessage(err));
    }
  }

  async function remove(user) {
    const ok = await confirm({
      title: `Delete ${user.username}?`,
      message: 'The account, its sessions and its API tokens are removed. This cannot be undone.',
      confirmLabel: 'Delete user',
      danger: true,
    });
    if (!ok) return;
    setError(null);
    setStatus('');
    try {
      await api(`/users/${user.id}`, { method: 'DELETE' });
      setUsers((list) => list.filter((u) => u.id !== user.id));
      setStatus(`${user.username} was deleted.`);
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  function added(user) {
    setUsers((list) => [...(list || []), user]);
    setStatus(`${user.username} was added.`);
  }

  return html`
    <section class="panel" aria-labelledby="users-title" data-testid="users-section">
      <h2 id="users-title">Users</h2>
      <${ErrorAlert} message=${error} testid="users-error" />
      <${StatusMessage} message=${status} testid="users-status" />
      ${users === null && !error && html`<${Loading} />`}
      ${users &&
      html`
        <div class="table-wrap" tabindex="0" role="region" aria-label="Users">
          <table class="table table-stack" data-testid="users-table">
            <thead>
              <tr>
                <th scope="col">User name</th>
                <th scope="col">Role</th>
                <th scope="col">Created</th>
                <th scope="col"><span class="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              ${users.map(
                (u) => html`<${UserRow} key=${u.id} user=${u} isSelf=${u.id === currentUser.id}
                  onRoleChange=${changeRole} onDelete=${remove} confirm=${confirm} />`,
              )}
            </tbody>
          </table>
        </div>
      `}
      <${AddUserForm} onAdded=${added} />
      ${dialog}
    </section>
  `;
}
