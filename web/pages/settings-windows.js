// Protected windows section of the Settings page (admins): the applications whose windows Boss
// never closes, activates or minimizes, one per line (window class, instance, or the program's
// name or path). Boss's own windows and the browser showing Boss are always protected.
import { html, useState, useEffect } from '../vendor/preact-htm.js';
import { api, errorMessage } from '../api.js';
import { ErrorAlert, StatusMessage, Loading } from '../ui/feedback.js';
import { parseProtectedList } from './settings-protected.js';

export function ProtectedWindowsSection() {
  const [saved, setSaved] = useState(null); // the list as the server has it
  const [text, setText] = useState('');
  const [error, setError] = useState(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api('/settings')
      .then((settings) => {
        const list = settings.protected_windows || [];
        setSaved(list);
        setText(list.join('\n'));
      })
      .catch((err) => setError(errorMessage(err)));
  }, []);

  const wanted = parseProtectedList(text);
  const changed = saved !== null && wanted.join('\n') !== saved.join('\n');

  async function save(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      const settings = await api('/settings', { method: 'PATCH', body: { protected_windows: wanted } });
      const list = settings.protected_windows || wanted;
      setSaved(list);
      setText(list.join('\n'));
      setStatus(list.length
        ? `Saved. Windows of ${list.length} ${list.length === 1 ? 'application are' : 'applications are'} protected.`
        : 'Saved. No application is protected; Boss and the browser showing it still are.');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return html`
    <section class="panel" aria-labelledby="protected-windows-title" data-testid="protected-windows-section">
      <h2 id="protected-windows-title">Protected windows</h2>
      <${ErrorAlert} message=${error} testid="protected-windows-error" />
      ${saved === null && !error && html`<${Loading} />`}
      ${saved !== null &&
      html`
        <form class="form protected-editor" onSubmit=${save} novalidate>
          <div class="field">
            <label for="protected-windows">Applications, one per line</label>
            <textarea id="protected-windows" name="protected_windows" rows="6" spellcheck="false"
              autocapitalize="none" aria-describedby="protected-windows-hint" data-testid="protected-windows"
              value=${text} onInput=${(e) => setText(e.target.value)}></textarea>
            <p id="protected-windows-hint" class="hint">
              A window class (as the Windows page shows it, e.g. <code>XTerm</code>), an instance, or the program's
              name or path (<code>firefox</code>, <code>/usr/bin/gedit</code>). Boss never closes, activates or
              minimizes their windows, and "Close all" leaves them open. Boss's own windows and the browser showing
              Boss are always protected.
            </p>
          </div>
          <div class="form-actions">
            <button type="submit" class="btn btn-primary" disabled=${busy || !changed} data-testid="protected-windows-save">
              ${busy ? 'Saving…' : 'Save list'}
            </button>
            <button type="button" class="btn" disabled=${busy || !changed} data-testid="protected-windows-reset"
              onClick=${() => setText(saved.join('\n'))}>Undo changes</button>
          </div>
        </form>
      `}
      <${StatusMessage} message=${status} testid="protected-windows-status" />
    </section>
  `;
}
