// A Settings section that edits one list setting as text, one entry per line, with Save and
// Undo (used for the protected processes and the protected windows). The ids and test ids come
// from the caller: `${prefix}-title`, `-section`, `-error`, `-hint`, `-save`, `-reset`, `-status`.
import { html, useState, useEffect } from '../../vendor/preact-htm.js';
import { api, errorMessage } from '../../api.js';
import { ErrorAlert, StatusMessage, Loading } from '../../ui/feedback.js';
import { useSubmit } from '../../ui/submit.js';

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

/**
 * Props: setting (the key in /api/v1/settings, also the textarea's name), prefix (of the ids and
 * test ids), fieldId (the textarea's id and test id), title, label, hint (the text under the
 * field), savedMessage(list) (the status once saved).
 */
export function ListSettingSection({ setting, prefix, fieldId, title, label, hint, savedMessage }) {
  const [saved, setSaved] = useState(null); // the list as the server has it
  const [text, setText] = useState('');
  const [status, setStatus] = useState('');
  const { busy, error, setError, run } = useSubmit();

  useEffect(() => {
    api('/settings')
      .then((settings) => {
        const list = settings[setting] || [];
        setSaved(list);
        setText(list.join('\n'));
      })
      .catch((err) => setError(errorMessage(err)));
  }, []);

  const wanted = parseProtectedList(text);
  const changed = saved !== null && wanted.join('\n') !== saved.join('\n');

  async function save(event) {
    event.preventDefault();
    setStatus('');
    await run(async () => {
      const settings = await api('/settings', { method: 'PATCH', body: { [setting]: wanted } });
      const list = settings[setting] || wanted;
      setSaved(list);
      setText(list.join('\n'));
      setStatus(savedMessage(list));
    });
  }

  return html`
    <section class="panel" aria-labelledby=${`${prefix}-title`} data-testid=${`${prefix}-section`}>
      <h2 id=${`${prefix}-title`}>${title}</h2>
      <${ErrorAlert} message=${error} testid=${`${prefix}-error`} />
      ${saved === null && !error && html`<${Loading} />`}
      ${saved !== null &&
      html`
        <form class="form protected-editor" onSubmit=${save} novalidate>
          <div class="field">
            <label for=${fieldId}>${label}</label>
            <textarea id=${fieldId} name=${setting} rows="6" spellcheck=${false}
              autocapitalize="none" aria-describedby=${`${prefix}-hint`} data-testid=${fieldId}
              value=${text} onInput=${(e) => setText(e.target.value)}></textarea>
            <p id=${`${prefix}-hint`} class="hint">${hint}</p>
          </div>
          <div class="form-actions">
            <button type="submit" class="btn btn-primary" disabled=${busy || !changed} data-testid=${`${prefix}-save`}>
              ${busy ? 'Saving…' : 'Save list'}
            </button>
            <button type="button" class="btn" disabled=${busy || !changed} data-testid=${`${prefix}-reset`}
              onClick=${() => setText(saved.join('\n'))}>Undo changes</button>
          </div>
        </form>
      `}
      <${StatusMessage} message=${status} testid=${`${prefix}-status`} />
    </section>
  `;
}
