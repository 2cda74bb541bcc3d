// Account page: who you are, change your password, and manage your API tokens.
import { html, useState } from '../../vendor/preact-htm.js';
import { api } from '../../api.js';
import { PageHeading } from '../../ui/page.js';
import { ErrorAlert, StatusMessage } from '../../ui/feedback.js';
import { formatDateTime, MIN_PASSWORD_LENGTH, plural } from '../../ui/format.js';
import { roleLabel } from '../../ui/roles.js';
import { TokensSection } from './tokens.js';
import { useSubmit } from '../../ui/submit.js';
import { TextField } from '../../ui/field.js';

function AccountInfo({ user, auth }) {
  return html`
    <section class="panel" aria-labelledby="account-info-title">
      <h2 id="account-info-title">Your account</h2>
      <dl class="facts" data-testid="account-info">
        <dt>User name</dt>
        <dd data-testid="account-username">${user.username}</dd>
        <dt>Role</dt>
        <dd data-testid="account-role">${roleLabel(user.role)}</dd>
        ${user.created_at &&
        html`<dt>Created</dt>
          <dd><time datetime=${user.created_at} title=${user.created_at}>${formatDateTime(user.created_at)}</time></dd>`}
        ${auth && html`<dt>Signed in with</dt><dd>${auth === 'token' ? 'an API token' : 'a browser session'}</dd>`}
      </dl>
    </section>
  `;
}

function ChangePasswordForm({ onTokensRevoked }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [revokeTokens, setRevokeTokens] = useState(false);
  const [status, setStatus] = useState('');
  const { busy, error, setError, run } = useSubmit();

  async function submit(event) {
    event.preventDefault();
    setStatus('');
    if (!current) return setError('Enter your current password.');
    if (next.length < MIN_PASSWORD_LENGTH) {
      return setError(`The new password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
    }
    if (next !== confirm) return setError('The two new passwords do not match.');
    await run(async () => {
      const changed = await api('/auth/password', {
        method: 'POST',
        body: { current_password: current, new_password: next, revoke_tokens: revokeTokens },
      });
      setCurrent('');
      setNext('');
      setConfirm('');
      setRevokeTokens(false);
      const tokens = revokeTokens ? ` ${plural(changed.tokens_revoked, 'API token was', 'API tokens were')} revoked.` : '';
      setStatus(`Password changed. Your other sessions have been signed out.${tokens}`);
      if (revokeTokens) onTokensRevoked();
    });
  }

  return html`
    <section class="panel" aria-labelledby="password-title">
      <h2 id="password-title">Change password</h2>
      <form class="form form-narrow" onSubmit=${submit} novalidate data-testid="password-form">
        <${ErrorAlert} message=${error} testid="password-error" />
        <${StatusMessage} message=${status} testid="password-status" />
        <${TextField} id="current-password" label="Current password" name="current_password" type="password"
          autocomplete="current-password" value=${current} onValue=${setCurrent} />
        <${TextField} id="new-password" label="New password" name="new_password" type="password"
          autocomplete="new-password" value=${next} onValue=${setNext}
          hint=${`At least ${MIN_PASSWORD_LENGTH} characters.`} />
        <${TextField} id="confirm-password" label="Confirm new password" name="confirm_password" type="password"
          autocomplete="new-password" value=${confirm} onValue=${setConfirm} />
        <div class="switch-row">
          <input id="revoke-tokens" name="revoke_tokens" type="checkbox" checked=${revokeTokens}
            onChange=${(e) => setRevokeTokens(e.target.checked)} aria-describedby="revoke-tokens-hint"
            data-testid="password-revoke-tokens" />
          <label for="revoke-tokens">Also revoke my API tokens</label>
        </div>
        <p id="revoke-tokens-hint" class="hint">
          Do this if someone else may have known your password: they could have made tokens with it.
        </p>
        <button type="submit" class="btn btn-primary" disabled=${busy} data-testid="password-submit">
          ${busy ? 'Changing…' : 'Change password'}
        </button>
      </form>
    </section>
  `;
}

export function AccountPage({ title, user, auth }) {
  // Bumped when a password change revoked the tokens, so that the list below is read again.
  const [tokensVersion, setTokensVersion] = useState(0);
  return html`
    <${PageHeading} title=${title} />
    <${AccountInfo} user=${user} auth=${auth} />
    <${ChangePasswordForm} onTokensRevoked=${() => setTokensVersion((v) => v + 1)} />
    <${TokensSection} key=${tokensVersion} />
  `;
}
