// Protected windows section of the Settings page (admins): the applications whose windows Boss
// never closes, activates or minimizes, one per line (window class, instance, or the program's
// name or path). Boss's own windows and the browser showing Boss are always protected. The
// editor is ./settings-list.js.
import { html } from '../../vendor/preact-htm.js';
import { ListSettingSection } from './list.js';

function savedMessage(list) {
  return list.length
    ? `Saved. Windows of ${list.length} ${list.length === 1 ? 'application are' : 'applications are'} protected.`
    : 'Saved. No application is protected; Boss and the browser showing it still are.';
}

export function ProtectedWindowsSection() {
  return html`
    <${ListSettingSection} setting="protected_windows" prefix="protected-windows" fieldId="protected-windows"
      title="Protected windows" label="Applications, one per line" savedMessage=${savedMessage}
      hint=${html`
        A window class (as the Windows page shows it, e.g. <code>XTerm</code>), an instance, or the program's
        name or path (<code>firefox</code>, <code>/usr/bin/gedit</code>). Boss never closes, activates or
        minimizes their windows, and "Close all" leaves them open. Boss's own windows and the browser showing
        Boss are always protected.
      `} />
  `;
}
