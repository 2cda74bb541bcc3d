// Managed page: the programs Boss keeps running, with their state ("restarting in 8 s
// (attempt 4/10)"), start/stop/restart/remove for operators and admins, a policy editor, and
// the tail of each app's log. States change live through the `managed` topic of the shared
// event stream; an open log is read again on every change of its app and every few seconds
// (output produces no events: following it by polling costs one small request per open log).
import { html, useState, useEffect, useCallback, useRef } from '../../vendor/preact-htm.js';
import { api, errorMessage } from '../../api.js';
import { PageHeading } from '../../ui/page.js';
import { can } from '../../ui/roles.js';
import { ErrorAlert, StatusMessage, Loading } from '../../ui/feedback.js';
import { useConfirm } from '../../ui/dialog.js';
import { useLiveStream, LiveIndicator } from '../../ui/live-stream.js';
import { useNow } from '../../shared/launch-stream.js';
import { useSubmit } from '../../ui/submit.js';
import { TextField } from '../../ui/field.js';

const LOG_LINES = 200;
const LOG_REFRESH_MS = 2000;
const STATE_BADGE = {
  running: 'badge-success',
  starting: 'badge-neutral',
  backoff: 'badge-warning',
  errored: 'badge-danger',
  stopped: 'badge-neutral',
  exited: 'badge-neutral',
};

/** "restarting in 8 s (attempt 4/10)", "errored: …", or the state. */
export function stateSentence(app, now) {
  if (app.state === 'backoff' && app.next_start_at) {
    const seconds = Math.max(0, Math.ceil((Date.parse(app.next_start_at) - now) / 1000));
    return `restarting in ${seconds} s (attempt ${app.attempt}/${app.policy.max_restarts})`;
  }
  if (app.state === 'errored' && app.reason) return `errored: ${app.reason}`;
  if (app.state === 'exited' && app.last_exit) {
    const code = app.last_exit.exit_code;
    return code == null ? 'exited' : `exited with code ${code}`;
  }
  return app.state;
}

function LogView({ app }) {
  const [text, setText] = useState(null);
  const [error, setError] = useState(null);
  const box = useRef(null);
  useEffect(() => {
    let stopped = false;
    let timer = null;
    const load = async () => {
      try {
        // Through api(): on another host's page the log is that host's, like the list.
        const body = await api(`/managed/${app.id}/logs`, { query: { tail: LOG_LINES }, text: true });
        if (stopped) return;
        setText(body);
        setError(null);
      } catch (err) {
        if (!stopped) setError(`Could not read the log: ${errorMessage(err)}`);
      }
      if (!stopped) timer = setTimeout(load, LOG_REFRESH_MS);
    };
    load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [app.id, app.state, app.pid]);
  useEffect(() => {
    if (box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [text]);
  return html`
    <div class="managed-log">
      <${ErrorAlert} message=${error} />
      <pre ref=${box} class="log-tail" data-testid="managed-log" tabindex="0"
        aria-label=${`Last ${LOG_LINES} lines of ${app.name}'s output`}>${text ?? 'Loading…'}${text === '' ? '(no output yet)' : ''}</pre>
    </div>
  `;
}

function PolicyEditor({ app, onSaved }) {
  const [draft, setDraft] = useState(() => JSON.stringify(app.policy, null, 2));
  const { busy, error, setError, run } = useSubmit();
  async function save(event) {
    event.preventDefault();
    let policy;
    try {
      policy = JSON.parse(draft);
    } catch (err) {
      setError(`The policy is not valid JSON: ${err.message}`);
      return;
    }
    await run(async () => onSaved(await api(`/managed/${app.id}`, { method: 'PATCH', body: { policy } })));
  }
  return html`
    <form class="policy-editor" onSubmit=${save} data-testid="policy-editor">
      <label for=${`policy-${app.id}`}>Policy (JSON; unknown fields are refused)</label>
      <textarea id=${`policy-${app.id}`} rows="12" spellcheck=${false} value=${draft}
        onInput=${(e) => setDraft(e.target.value)} data-testid="policy-text"></textarea>
      <${ErrorAlert} message=${error} testid="policy-error" />
      <button type="submit" class="btn btn-primary btn-small" disabled=${busy} data-testid="policy-save">Save policy</button>
    </form>
  `;
}

function AppRow({ app, now, canAct, busy, onAction, onSaved }) {
  const [open, setOpen] = useState(null); // null | 'log' | 'policy'
  const toggle = (what) => setOpen(open === what ? null : what);
  const running = app.state === 'running' || app.state === 'starting';
  return html`
    <li class="managed-app card" data-testid="managed-app" data-name=${app.name} data-state=${app.state}>
      <div class="managed-head">
        <h2 class="managed-name">${app.name}</h2>
        <span class=${`badge ${STATE_BADGE[app.state] || 'badge-neutral'}`} data-testid="managed-state">
          ${stateSentence(app, now)}</span>
        ${app.pid != null && html`<a class="mono" href=${`#/processes?pid=${app.pid}`}>PID ${app.pid}</a>`}
        <span class="muted">restarts: ${app.restarts}</span>
      </div>
      <p class="mono managed-argv" title=${app.argv.join(' ')}>${app.argv.join(' ')}</p>
      <div class="managed-actions">
        ${canAct && html`
          ${!running && html`<button type="button" class="btn btn-small" disabled=${busy}
            onClick=${() => onAction(app, 'start')} data-testid="managed-start">Start</button>`}
          ${app.state !== 'stopped' && app.state !== 'exited' && app.state !== 'errored' &&
          html`<button type="button" class="btn btn-small" disabled=${busy}
            onClick=${() => onAction(app, 'stop')} data-testid="managed-stop">Stop</button>`}
          <button type="button" class="btn btn-small" disabled=${busy}
            onClick=${() => onAction(app, 'restart')} data-testid="managed-restart">Restart</button>
          <button type="button" class="btn btn-small btn-danger" disabled=${busy}
            onClick=${() => onAction(app, 'remove')} data-testid="managed-remove">Remove</button>`}
        <button type="button" class="btn btn-small" aria-expanded=${open === 'log'}
          onClick=${() => toggle('log')} data-testid="managed-log-toggle">Log</button>
        ${canAct && html`<button type="button" class="btn btn-small" aria-expanded=${open === 'policy'}
          onClick=${() => toggle('policy')} data-testid="managed-policy-toggle">Policy</button>`}
      </div>
      ${open === 'log' && html`<${LogView} app=${app} />`}
      ${open === 'policy' && html`<${PolicyEditor} app=${app} onSaved=${onSaved} />`}
    </li>
  `;
}

function AddForm({ onAdded }) {
  const [name, setName] = useState('');
  const [argv, setArgv] = useState('');
  const [cwd, setCwd] = useState('');
  const { busy, error, run } = useSubmit();
  async function submit(event) {
    event.preventDefault();
    await run(async () => {
      const words = argv.split('\n').map((w) => w.trim()).filter((w) => w !== '');
      const answer = await api('/managed', {
        method: 'POST',
        body: { name: name.trim(), argv: words, cwd: cwd.trim() || null },
      });
      setName('');
      setArgv('');
      setCwd('');
      onAdded(answer.app);
    });
  }
  return html`
    <form class="card managed-add" onSubmit=${submit} aria-label="Keep a program running" data-testid="managed-add">
      <${TextField} id="managed-name" label="Name" required value=${name} onValue=${setName}
        data-testid="managed-add-name" />
      <div class="field field-wide">
        <label for="managed-argv">Program and arguments, one per line (no shell)</label>
        <textarea id="managed-argv" rows="3" required spellcheck=${false} value=${argv}
          onInput=${(e) => setArgv(e.target.value)} data-testid="managed-add-argv"></textarea>
      </div>
      <${TextField} id="managed-cwd" label="Working directory (optional)" value=${cwd} onValue=${setCwd} />
      <${ErrorAlert} message=${error} testid="managed-add-error" />
      <button type="submit" class="btn btn-primary" disabled=${busy} data-testid="managed-add-submit">Keep running</button>
    </form>
  `;
}

export function ManagedPage({ title, user }) {
  const canAct = can(user, 'act');
  const [apps, setApps] = useState(null);
  const [error, setError] = useState(null);
  const [status, setStatus] = useState('');
  const [busyId, setBusyId] = useState(null);
  const [confirmDialog, confirm] = useConfirm();
  const upsert = useCallback((app) => {
    setApps((list) => {
      if (!list) return list;
      const at = list.findIndex((a) => a.id === app.id);
      if (at < 0) return [...list, app];
      const next = list.slice();
      next[at] = app;
      return next;
    });
  }, []);
  const load = useCallback(async () => {
    try {
      const answer = await api('/managed');
      setApps(answer.apps);
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, []);
  useEffect(() => {
    load();
  }, [load]);
  const live = useLiveStream('managed', { managed: upsert }, load);
  const now = useNow(Boolean(apps?.some((a) => a.state === 'backoff')));

  async function act(app, verb) {
    if (verb === 'remove') {
      const ok = await confirm({
        title: `Remove ${app.name}?`,
        message: 'Boss stops it (its whole process tree) and stops keeping it running. Its history stays.',
        confirmLabel: 'Remove',
        danger: true,
      });
      if (!ok) return;
    }
    setBusyId(app.id);
    setError(null);
    try {
      if (verb === 'remove') {
        await api(`/managed/${app.id}`, { method: 'DELETE' });
        setApps((list) => list.filter((a) => a.id !== app.id));
        setStatus(`Removed ${app.name}.`);
      } else {
        const view = await api(`/managed/${app.id}/${verb}`, { method: 'POST' });
        upsert(view);
        setStatus(`${app.name}: ${view.state}.`);
      }
    } catch (err) {
      setError(`Could not ${verb} ${app.name}: ${errorMessage(err)}`);
    } finally {
      setBusyId(null);
    }
  }

  return html`
    <div class="managed-page">
      <${PageHeading} title=${title}>
        <${LiveIndicator} status=${live} liveTitle="States change here as they happen" />
      <//>
      <${ErrorAlert} message=${error} testid="managed-error" />
      <${StatusMessage} message=${status} testid="managed-status" />
      ${canAct && html`<${AddForm} onAdded=${(app) => { upsert(app); setStatus(`${app.name}: ${app.state}.`); }} />`}
      ${apps === null && !error && html`<${Loading} />`}
      ${apps && apps.length === 0 &&
      html`<p class="muted" data-testid="managed-empty">No managed apps yet. Add one above, use "Keep running" on an
        application, or adopt a process from its details.</p>`}
      ${apps && apps.length > 0 && html`
        <ul class="managed-list" aria-label="Managed apps">
          ${apps.map((app) => html`<${AppRow} key=${app.id} app=${app} now=${now} canAct=${canAct}
            busy=${busyId === app.id} onAction=${act} onSaved=${upsert} />`)}
        </ul>`}
      ${confirmDialog}
    </div>
  `;
}
