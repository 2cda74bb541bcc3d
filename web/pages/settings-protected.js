// Protected processes section of the Settings page (admins): the names or program paths Boss
// refuses to end, signal or renice, one per line.
import { html, useState, useEffect } from '../vendor/preact-htm.js';
import { api, errorMessage } from '../api.js';
import { ErrorAlert, StatusMessage, Loading } from '../ui/feedback.js';

/** Lines to a clean list: trimmed, no blanks, no repeats, in the order written. */
export function parseProtectedList(text) {
  const seen = new Set();
  const list = [];
  for (const line of text.split('\n')) {
    const name = line.trim();
    if (name && !seen.has(name)) {
      seen.add(name);
      list.push(name);
    }
  }
  return list;
}

export function ProtectedProcessesSection() {
  const [saved, setSaved] = useState(null); // the list as the server has it
  const [text, setText] = useState('');
  const [error, setError] = useState(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api('/settings')
      .then((settings) => {
        const list = settings.protected_processes || [];
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
      const settings = await api('/settings', { method: 'PATCH', body: { protected_processes: wanted } });
      const list = settings.protected_processes || wanted;
      setSaved(list);
      setText(list.join('\n'));
      setStatus(list.length
        ? `Saved. ${list.length} ${list.length === 1 ? 'entry is' : 'entries are'} protected.`
        : 'Saved. No process is protected by name.');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return html`
    <section class="panel" aria-labelledby="protected-title" data-testid="protected-section">
      <h2 id="protected-title">Protected processes</h2>
      <${ErrorAlert} message=${error} testid="protected-error" />
      ${saved === null && !error && html`<${Loading} />`}
      ${saved !== null &&
      html`
        <form class="form protected-editor" onSubmit=${save} novalidate>
          <div class="field">
            <label for="protected-processes">Process names or program paths, one per line</label>
            <textarea id="protected-processes" name="protected_processes" rows="6" spellcheck="false"
              autocapitalize="none" aria-describedby="protected-hint" data-testid="protected-processes"
              value=${text} onInput=${(e) => setText(e.target.value)}></textarea>
            <p id="protected-hint" class="hint">
              Boss refuses to end, signal or reprioritise these, for every user. PID 1, kernel threads and Boss
              itself are always protected.
            </p>
          </div>
          <div class="form-actions">
            <button type="submit" class="btn btn-primary" disabled=${busy || !changed} data-testid="protected-save">
              ${busy ? 'Saving…' : 'Save list'}
            </button>
            <button type="button" class="btn" disabled=${busy || !changed} data-testid="protected-reset"
              onClick=${() => setText(saved.join('\n'))}>Undo changes</button>
          </div>
        </form>
      `}
      <${StatusMessage} message=${status} testid="protected-status" />
    </section>
  `;
}
