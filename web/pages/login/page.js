// Login page: username and password, then the session cookie is set by the server.
import { html, useState } from '../../vendor/preact-htm.js';
import { api } from '../../api.js';
import { AuthCard } from '../../ui/auth-card.js';
import { ErrorAlert } from '../../ui/feedback.js';
import { useSubmit } from '../../ui/submit.js';
import { TextField } from '../../ui/field.js';

export function LoginPage({ health, onSignedIn }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, setError, run } = useSubmit();

  async function submit(event) {
    event.preventDefault();
    if (!username.trim() || !password) {
      setError('Enter your user name and password.');
      return;
    }
    await run(async () => {
      const result = await api('/auth/login', { method: 'POST', body: { username: username.trim(), password } });
      onSignedIn(result.user);
    });
  }

  return html`
    <${AuthCard} title="Log in">
      <form class="form" onSubmit=${submit} novalidate data-testid="login-form">
        <${ErrorAlert} message=${error} testid="login-error" />
        <${TextField} id="username" label="User name" name="username" autocomplete="username" autocapitalize="none"
          spellcheck=${false} required autofocus value=${username} onValue=${setUsername} />
        <${TextField} id="password" label="Password" name="password" type="password" autocomplete="current-password"
          required value=${password} onValue=${setPassword} />
        <button type="submit" class="btn btn-primary btn-block" disabled=${busy} data-testid="login-submit">
          ${busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      ${health.registration_open &&
      html`<p class="auth-switch">No account yet? <a href="#/register" data-testid="register-link">Create one</a></p>`}
    <//>
  `;
}
