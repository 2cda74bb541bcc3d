// Register page. When no account exists yet, this creates the first one, which becomes admin;
// that needs the setup code Boss printed at start-up, which its link (#/register?code=...)
// fills in.
import { html, useState } from '../../vendor/preact-htm.js';
import { api } from '../../api.js';
import { AuthCard } from '../../ui/auth-card.js';
import { ErrorAlert } from '../../ui/feedback.js';
import { MIN_PASSWORD_LENGTH } from '../../ui/format.js';
import { useSubmit } from '../../ui/submit.js';
import { TextField } from '../../ui/field.js';

export function RegisterPage({ health, onSignedIn }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [setupCode, setSetupCode] = useState(codeFromLink);
  const { busy, error, setError, run } = useSubmit();

  const firstAccount = health.setup_required;
  const title = firstAccount ? 'Create the first account (it will be the administrator)' : 'Create an account';

  if (!firstAccount && !health.registration_open) {
    return html`
      <${AuthCard} title="Registration is closed">
        <p>New accounts cannot register on this Boss. Ask an administrator to create one for you.</p>
        <p class="auth-switch"><a href="#/login" data-testid="login-link">Back to log in</a></p>
      <//>
    `;
  }

  async function submit(event) {
    event.preventDefault();
    const problem = (firstAccount && !setupCode.trim() && 'Enter the setup code that Boss printed when it started.') ||
      checkForm(username, password, confirm);
    if (problem) {
      setError(problem);
      return;
    }
    await run(async () => {
      const body = { username: username.trim(), password };
      if (firstAccount) body.setup_code = setupCode.trim();
      onSignedIn(await api('/auth/register', { method: 'POST', body }));
    });
  }

  return html`
    <${AuthCard} title=${title}>
      ${firstAccount &&
      html`<p class="muted">Nobody has an account on this Boss yet. The account you create now can manage users and settings.</p>`}
      <form class="form" onSubmit=${submit} novalidate data-testid="register-form">
        <${ErrorAlert} message=${error} testid="register-error" />
        ${firstAccount && html`
          <${TextField} id="setup-code" label="Setup code" name="setup_code" autocomplete="one-time-code"
            autocapitalize="none" spellcheck=${false} required data-testid="setup-code" value=${setupCode}
            onValue=${setSetupCode} hint=${html`
              Boss printed a link with this code when it started; the code is also in the file
              <code>setup-code</code> in its data directory.
            `} />`}
        <${TextField} id="username" label="User name" name="username" autocomplete="username" autocapitalize="none"
          spellcheck=${false} required maxlength="64" autofocus value=${username} onValue=${setUsername}
          hint="Letters, digits, dots, dashes and underscores." />
        <${TextField} id="password" label="Password" name="password" type="password" autocomplete="new-password"
          required value=${password} onValue=${setPassword} hint=${`At least ${MIN_PASSWORD_LENGTH} characters.`} />
        <${TextField} id="confirm" label="Confirm password" name="confirm" type="password" autocomplete="new-password"
          required value=${confirm} onValue=${setConfirm} />
        <button type="submit" class="btn btn-primary btn-block" disabled=${busy} data-testid="register-submit">
          ${busy ? 'Creating…' : 'Create account'}
        </button>
      </form>
      ${!firstAccount && html`<p class="auth-switch">Already have an account? <a href="#/login" data-testid="login-link">Log in</a></p>`}
    <//>
  `;
}

/** The setup code carried by the start-up link (#/register?code=...), or ''. */
function codeFromLink() {
  const query = location.hash.split('?')[1] || '';
  return new URLSearchParams(query).get('code') || '';
}

/** Client-side checks that save a round trip; the server checks everything again. */
export function checkForm(username, password, confirm) {
  if (!username.trim()) return 'Enter a user name.';
  if (password.length < MIN_PASSWORD_LENGTH) return `The password needs at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (password !== confirm) return 'The two passwords do not match.';
  return null;
}
