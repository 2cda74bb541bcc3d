// Settings page: server settings (editable by admins, read-only for others) and, for admins, users.
import { html, useState, useEffect } from '../../vendor/preact-htm.js';
import { api, errorMessage } from '../../api.js';
import { PageHeading } from '../../ui/page.js';
import { can } from '../../ui/roles.js';
import { ErrorAlert, StatusMessage, Loading } from '../../ui/feedback.js';
import { UsersSection } from './users.js';
import { ProtectedProcessesSection } from './protected.js';
import { ProtectedWindowsSection } from './windows.js';
import { MetricsSection } from './metrics.js';

function RegistrationSetting({ isAdmin }) {
  const [settings, setSettings] = useState(null);
  const [error, setError] = useState(null);
  const [status, setStatus] = useState('');
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    api('/settings')
      .then(setSettings)
      .catch((err) => setError(errorMessage(err)));
  }, []);

  async function toggle(event) {
    const wanted = event.target.checked;
    setSaving(true);
    setError(null);
    setStatus('');
    try {
      const saved = await api('/settings', { method: 'PATCH', body: { registration_open: wanted } });
      setSettings(saved);
      setStatus(saved.registration_open ? 'New accounts can now register.' : 'Registration is now closed.');
    } catch (err) {
      setError(errorMessage(err));
      event.target.checked = Boolean(settings?.registration_open); // undo the optimistic tick
    } finally {
      setSaving(false);
    }
  }

  return html`
    <section class="panel" aria-labelledby="settings-general">
      <h2 id="settings-general">Accounts</h2>
      <${ErrorAlert} message=${error} testid="settings-error" />
      ${!settings && !error && html`<${Loading} />`}
      ${settings &&
      html`
        <div class="switch-row">
          <input id="registration-open" name="registration_open" type="checkbox" role="switch" class="switch"
            checked=${settings.registration_open} disabled=${!isAdmin || saving} onChange=${toggle}
            aria-describedby="registration-open-hint" data-testid="registration-toggle" />
          <label for="registration-open">Allow new accounts to register</label>
        </div>
        <p id="registration-open-hint" class="hint">
          ${isAdmin
            ? 'When on, anyone who can reach Boss can create an account from the login page.'
            : 'Only administrators can change settings.'}
        </p>
      `}
      <${StatusMessage} message=${status} testid="settings-status" />
    </section>
  `;
}

export function SettingsPage({ title, user, onUserUpdated }) {
  const isAdmin = can(user, 'manageSettings');
  return html`
    <${PageHeading} title=${title} />
    <${RegistrationSetting} isAdmin=${isAdmin} />
    ${isAdmin && html`<${ProtectedProcessesSection} />`}
    ${isAdmin && html`<${ProtectedWindowsSection} />`}
    ${isAdmin && html`<${MetricsSection} />`}
    ${can(user, 'manageUsers') && html`<${UsersSection} currentUser=${user} onUserUpdated=${onUserUpdated} />`}
  `;
}
