// API tokens section of the Account page: list (with expiry), create (current password and an
// expiry asked; secret shown once), delete.
import { html, useState, useEffect, useRef } from '../../vendor/preact-htm.js';
import { api, errorMessage } from '../../api.js';
import { ErrorAlert, StatusMessage, Loading } from '../../ui/feedback.js';
import { useConfirm } from '../../ui/dialog.js';
import { TokenTable } from '../../shared/token-table.js';
import { useSubmit } from '../../ui/submit.js';
import { TextField } from '../../ui/field.js';

// The secret is only in this component's memory; once dismissed it is gone for good.
function NewSecret({ token, secret, onDismiss }) {
  const input = useRef(null);
  const [copied, setCopied] = useState('');

  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('Copied to the clipboard.');
    } catch {
      // The Clipboard API needs a secure context (plain http on a LAN address is not); select instead.
      input.current?.select();
      setCopied('Press Ctrl+C (or ⌘C) to copy the selected token.');
    }
  }

  return html`
    <div class="secret-box" data-testid="token-secret-box">
      <p class="secret-warning" role="alert">
        <strong>Copy the token “${token.name}” now.</strong> It will not be shown again.
      </p>
      <label for="token-secret">Token secret</label>
      <div class="secret-row">
        <input id="token-secret" ref=${input} readonly value=${secret} spellcheck=${false} data-testid="token-secret"
          onFocus=${(e) => e.target.select()} />
        <button type="button" class="btn btn-primary" onClick=${copy} data-testid="token-copy">Copy</button>
      </div>
      <p class="hint" role="status">${copied}</p>
      <p class="hint">Use it as <code>Authorization: Bearer …</code> in scripts and the <code>boss</code> command line.</p>
      <button type="button" class="btn" onClick=${onDismiss} data-testid="token-secret-done">I have copied it</button>
    </div>
  `;
}

// The expiries offered; the API takes 1 to 3650 days or null for never.
const EXPIRY_CHOICES = [
  { value: '', label: 'Never' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
];

function CreateTokenForm({ onCreated }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [expiry, setExpiry] = useState('90');
  const { busy, error, setError, run } = useSubmit();

  async function submit(event) {
    event.preventDefault();
    if (!name.trim()) return setError('Give the token a name, for example the script that will use it.');
    if (!password) return setError('Enter your current password to create a token.');
    await run(async () => {
      const body = { name: name.trim(), password, expires_in_days: expiry ? Number(expiry) : null };
      const created = await api('/tokens', { method: 'POST', body });
      setName('');
      onCreated(created);
    });
    setPassword(''); // kept neither after success nor after a refusal
  }

  return html`
    <form class="form form-inline" onSubmit=${submit} novalidate data-testid="token-form">
      <${ErrorAlert} message=${error} testid="token-error" />
      <div class="form-row">
        <${TextField} id="token-name" fieldClass="field field-grow" label="New token name" name="name"
          autocomplete="off" maxlength="100" value=${name} onValue=${setName} />
        <div class="field">
          <label for="token-expiry">Expires after</label>
          <select id="token-expiry" name="expires_in_days" value=${expiry} onChange=${(e) => setExpiry(e.target.value)}
            data-testid="token-expiry">
            ${EXPIRY_CHOICES.map((c) => html`<option key=${c.value} value=${c.value}>${c.label}</option>`)}
          </select>
        </div>
        <${TextField} id="token-password" label="Your current password" name="password" type="password"
          autocomplete="current-password" value=${password} onValue=${setPassword} />
        <button type="submit" class="btn btn-primary" disabled=${busy} data-testid="token-create">Create token</button>
      </div>
    </form>
  `;
}

export function TokensSection() {
  const [tokens, setTokens] = useState(null);
  const [fresh, setFresh] = useState(null); // { token, secret } right after creation
  const [error, setError] = useState(null);
  const [status, setStatus] = useState('');
  const [dialog, confirm] = useConfirm();

  useEffect(() => {
    api('/tokens')
      .then((data) => setTokens(data.tokens))
      .catch((err) => setError(errorMessage(err)));
  }, []);

  function created({ token, secret }) {
    setTokens((list) => [...(list || []), token]);
    setFresh({ token, secret });
    setStatus('');
  }

  async function remove(token) {
    const ok = await confirm({
      title: `Delete the token “${token.name}”?`,
      message: 'Scripts using it will no longer be able to reach Boss. This cannot be undone.',
      confirmLabel: 'Delete token',
      danger: true,
    });
    if (!ok) return;
    setError(null);
    try {
      await api(`/tokens/${token.id}`, { method: 'DELETE' });
      setTokens((list) => list.filter((t) => t.id !== token.id));
      if (fresh?.token.id === token.id) setFresh(null);
      setStatus(`The token “${token.name}” was deleted.`);
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  return html`
    <section class="panel" aria-labelledby="tokens-title" data-testid="tokens-section">
      <h2 id="tokens-title">API tokens</h2>
      <p class="muted">Tokens let scripts and the command line act as you. Treat them like passwords.</p>
      <${ErrorAlert} message=${error} testid="tokens-error" />
      <${StatusMessage} message=${status} testid="tokens-status" />
      ${fresh && html`<${NewSecret} key=${fresh.token.id} token=${fresh.token} secret=${fresh.secret}
        onDismiss=${() => setFresh(null)} />`}
      ${tokens === null && !error && html`<${Loading} />`}
      ${tokens && tokens.length === 0 && html`<p class="empty" data-testid="tokens-empty">You have no API tokens.</p>`}
      ${tokens && tokens.length > 0 &&
      html`
        <div class="table-wrap" tabindex="0" role="region" aria-label="API tokens">
          <${TokenTable} tokens=${tokens} nameHeader="Name" rowTestid="token-row" testid="tokens-table"
            action=${(t) => html`<button type="button" class="btn btn-danger btn-small" onClick=${() => remove(t)}
              aria-label=${`Delete token ${t.name}`} data-testid="token-delete">Delete</button>`} />
        </div>
      `}
      <${CreateTokenForm} onCreated=${created} />
      ${dialog}
    </section>
  `;
}
