// Protected processes section of the Settings page (admins): the names or program paths Boss
// refuses to end, signal or renice, one per line (the editor is ./settings-list.js).
import { html } from '../../vendor/preact-htm.js';
import { ListSettingSection } from './list.js';

function savedMessage(list) {
  return list.length
    ? `Saved. ${list.length} ${list.length === 1 ? 'entry is' : 'entries are'} protected.`
    : 'Saved. No process is protected by name.';
}

export function ProtectedProcessesSection() {
  return html`
    <${ListSettingSection} setting="protected_processes" prefix="protected" fieldId="protected-processes"
      title="Protected processes" label="Process names or program paths, one per line" savedMessage=${savedMessage}
      hint=${html`
        Boss refuses to end, signal or reprioritise these, for every user. PID 1, kernel threads and Boss
        itself are always protected.
      `} />
  `;
}
