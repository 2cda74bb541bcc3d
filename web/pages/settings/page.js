// Settings page: server settings (editable by admins, read-only for others) and, for admins, users.
import { html } from '../../vendor/preact-htm.js';
import { PageHeading } from '../../ui/page.js';
import { can } from '../../ui/roles.js';
import { ErrorAlert, StatusMessage, Loading } from '../../ui/feedback.js';
import { UsersSection } from './users.js';
import { ProtectedProcessesSection } from './protected.js';
import { ProtectedWindowsSection } from './windows.js';
import { MetricsSection } from './metrics.js';
import { useSettingSwitch } from './switch.js';

function RegistrationSetting({ isAdmin }) {
  const { value: open, saving, error, status, toggle } = useSettingSwitch('registration_open', (on) =>
    on ? 'New accounts can now register.' : 'Registration is now closed.');

  return html`
    <section class="panel" aria-labelledby="settings-general">
      <h2 id="settings-general">Accounts</h2>
      <${ErrorAlert} message=${error} testid="settings-error" />
      ${open === null && !error && html`<${Loading} />`}
      ${open !== null &&
      html`
        <div class="switch-row">
          <input id="registration-open" name="registration_open" type="checkbox" role="switch" class="switch"
            checked=${open} disabled=${!isAdmin || saving} onChange=${toggle}
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
