// Sessions page: saved desks (the open apps and windows at one moment, saved by name or by Boss
// before a close-all). Save the desk now, look inside a session (how each app starts again,
// where its windows were), rename, delete, and restore: the plan (a dry run) first, then the
// restore with a result per app (shared/session-restore.js).
import { html, useState, useEffect, useCallback } from '../../vendor/preact-htm.js';
import { api, errorMessage } from '../../api.js';
import { PageHeading } from '../../ui/page.js';
import { ErrorAlert, StatusMessage, Loading } from '../../ui/feedback.js';
import { useConfirm } from '../../ui/dialog.js';
import { can } from '../../ui/roles.js';
import { formatDateTime, plural } from '../../ui/format.js';
import { useRestore } from '../../shared/session-restore.js';

/** "work", or "Before close-all, <time>" for the sessions Boss saved itself. */
export function sessionLabel(session) {
  return session.kind === 'close_all' ? `Before close-all, ${formatDateTime(session.created_at)}` : session.name;
}

const SOURCE_LABELS = {
  launch: 'Boss launch record',
  desktop_entry: 'Desktop entry',
  wm_command: 'WM_COMMAND',
  cmdline: 'Command line',
};

function SaveForm({ onSaved, onError }) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(event) {
    event.preventDefault();
    if (!name.trim()) return;
    setBusy(true);
    try {
      const answer = await api('/sessions', { method: 'POST', body: { name: name.trim() } });
      setName('');
      onSaved(answer.session);
    } catch (err) {
      onError(`Could not save the session: ${errorMessage(err)}`);
    } finally {
      setBusy(false);
    }
  }
  return html`
    <form class="form-row sessions-save" onSubmit=${submit} aria-label="Save the desk" data-testid="session-save-form">
      <div class="field field-grow">
        <label for="session-name">Save the open apps and windows as</label>
        <input id="session-name" name="name" maxlength="200" placeholder="work, evening…" value=${name}
          onInput=${(e) => setName(e.target.value)} data-testid="session-name" />
      </div>
      <button type="submit" class="btn btn-primary" disabled=${busy || !name.trim()} data-testid="session-save">
        ${busy ? 'Saving…' : 'Save session'}
      </button>
    </form>
  `;
}

function WindowList({ windows }) {
  return html`
    <ul class="session-windows">
      ${windows.map(
        (w, i) => html`<li key=${i} data-testid="session-window" data-title=${w.title}>
          <strong>${w.title || '(untitled)'}</strong>
          <span class="muted">
            ${w.desktop == null ? '' : w.desktop < 0 ? ' · all desktops' : ` · desktop ${w.desktop + 1}`}
            ${w.maximized ? ' · maximized' : w.tiled ? ' · tiled' : ` · ${w.width}×${w.height} at ${w.x},${w.y}`}
            ${w.minimized ? ' · minimized' : ''}
          </span>
        </li>`,
      )}
    </ul>
  `;
}

// Admins choose the session Boss restores when it starts (a server setting).
function StartupToggle({ session, startupId, onChange }) {
  const chosen = startupId === session.id;
  return html`
    <label class="session-startup">
      <input type="checkbox" checked=${chosen} data-testid="session-startup"
        onChange=${(e) => onChange(e.target.checked ? session.id : null)} />
      Restore this session when Boss starts
    </label>
  `;
}

function Detail({ detail, onClose, isAdmin, startupId, onStartup }) {
  const { session, apps } = detail;
  return html`
    <section class="panel session-detail" aria-labelledby="session-detail-title" data-testid="session-detail">
      <div class="ca-results-head">
        <h2 id="session-detail-title">${sessionLabel(session)}</h2>
        <button type="button" class="btn btn-small" onClick=${onClose} data-testid="session-detail-close">Close</button>
      </div>
      <p class="muted">${`Saved by ${session.created_by}, ${formatDateTime(session.created_at)}: ${plural(
        session.apps, 'app', 'apps')}, ${plural(session.windows, 'window', 'windows')}.`}</p>
      ${isAdmin && html`<${StartupToggle} session=${session} startupId=${startupId} onChange=${onStartup} />`}
      <ul class="session-apps">
        ${apps.map(
          (app) => html`<li key=${app.key} data-testid="session-app" data-key=${app.key}
            data-restorable=${app.restorable ? 'true' : 'false'}>
            <div class="session-app-head">
              <strong>${app.name}</strong>
              ${app.restorable
                ? html`<span class="badge badge-neutral" title=${`Confidence: ${app.confidence}`}>
                    ${SOURCE_LABELS[app.source] || app.source}</span>`
                : html`<span class="badge badge-warning" data-testid="session-unrestorable">Can't be restored</span>`}
            </div>
            ${app.argv.length > 0 && html`<code class="session-argv">${app.argv.join(' ')}</code>`}
            ${app.reason && html`<p class="hint">${app.reason}</p>`}
            <${WindowList} windows=${app.windows} />
          </li>`,
        )}
      </ul>
    </section>
  `;
}

function SessionRow({ session, canAct, startup, onOpen, onRestore, onRename, onDelete }) {
  return html`
    <tr data-testid="session-row" data-session-id=${session.id} data-kind=${session.kind}>
      <td data-label="Name">
        <span class="session-name">
          <button type="button" class="btn-link" onClick=${() => onOpen(session)} data-testid="session-open">
            ${sessionLabel(session)}
          </button>
          ${startup && html`<span class="badge badge-accent" data-testid="session-startup-badge"
            title="Boss restores this session when it starts">at start-up</span>`}
        </span>
      </td>
      <td data-label="Saved" class="nowrap">${formatDateTime(session.created_at)}</td>
      <td data-label="By">${session.created_by}</td>
      <td data-label="Apps" class="num">${session.apps}</td>
      <td data-label="Windows" class="num">${session.windows}</td>
      <td class="actions-cell">
        ${canAct &&
        html`
          <button type="button" class="btn btn-small btn-primary" onClick=${() => onRestore(session)}
            data-testid="session-restore">Restore…</button>
          <button type="button" class="btn btn-small" onClick=${() => onRename(session)} data-testid="session-rename">Rename</button>
          <button type="button" class="btn btn-small btn-danger" onClick=${() => onDelete(session)}
            data-testid="session-delete">Delete</button>
        `}
      </td>
    </tr>
  `;
}

export function SessionsPage({ title, user }) {
  const canAct = can(user, 'act');
  const isAdmin = can(user, 'manageSettings');
  const [startupId, setStartupId] = useState(null);
  const [sessions, setSessions] = useState(null);
  const [detail, setDetail] = useState(null);
  const [error, setError] = useState(null);
  const [status, setStatus] = useState(null);
  const [confirmDialog, confirm] = useConfirm();
  const restore = useRestore({ onError: setError, label: sessionLabel });

  const load = useCallback(async () => {
    try {
      const [answer, settings] = await Promise.all([api('/sessions'), api('/settings')]);
      setSessions(answer.sessions);
      setStartupId(settings.restore_session_on_start ?? null);
    } catch (err) {
      setError(`Could not load the sessions: ${errorMessage(err)}`);
    }
  }, []);
  useEffect(() => {
    load();
  }, [load]);

  async function open(session) {
    setError(null);
    try {
      setDetail(await api(`/sessions/${session.id}`));
    } catch (err) {
      setError(`Could not open the session: ${errorMessage(err)}`);
    }
  }

  async function chooseStartup(id) {
    try {
      const settings = await api('/settings', { method: 'PATCH', body: { restore_session_on_start: id } });
      setStartupId(settings.restore_session_on_start ?? null);
      setStatus(id == null ? 'No session is restored when Boss starts.' : 'Boss restores this session when it starts.');
    } catch (err) {
      setError(`Could not change the start-up session: ${errorMessage(err)}`);
    }
  }

  async function rename(session) {
    const name = window.prompt('New name for this session', session.name);
    if (!name || !name.trim() || name === session.name) return;
    try {
      await api(`/sessions/${session.id}`, { method: 'PATCH', body: { name: name.trim() } });
      setStatus(`Renamed to “${name.trim()}”.`);
      load();
    } catch (err) {
      setError(`Could not rename the session: ${errorMessage(err)}`);
    }
  }

  async function remove(session) {
    const ok = await confirm({
      title: 'Delete this session?',
      message: `“${sessionLabel(session)}” will be gone; nothing on the desk changes.`,
      confirmLabel: 'Delete',
      danger: true,
    });
    if (!ok) return;
    try {
      await api(`/sessions/${session.id}`, { method: 'DELETE' });
      setStatus('Session deleted.');
      if (detail?.session.id === session.id) setDetail(null);
      load();
    } catch (err) {
      setError(`Could not delete the session: ${errorMessage(err)}`);
    }
  }

  let body;
  if (sessions == null) {
    body = error ? null : html`<${Loading} label="Loading sessions…" />`;
  } else if (sessions.length === 0) {
    body = html`<p class="muted" data-testid="sessions-empty">No saved sessions yet.
      ${canAct ? 'Save the desk above, or close all windows: Boss saves them first.' : ''}</p>`;
  } else {
    body = html`
      <div class="table-wrap">
        <table class="table table-stack" data-testid="sessions-table">
          <thead><tr><th>Name</th><th>Saved</th><th>By</th><th class="num">Apps</th><th class="num">Windows</th>
            <th><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            ${sessions.map(
              (s) => html`<${SessionRow} key=${s.id} session=${s} canAct=${canAct} startup=${s.id === startupId} onOpen=${open}
                onRestore=${restore.start} onRename=${rename} onDelete=${remove} />`,
            )}
          </tbody>
        </table>
      </div>
    `;
  }

  return html`
    <div class="sessions-page">
      <${PageHeading} title=${title} />
      <p class="muted">A session is the desk at one moment: which apps were open and where their windows were.
        Restoring starts what is not running (never a second copy) and puts the windows back.</p>
      ${canAct &&
      html`<${SaveForm} onError=${setError} onSaved=${(s) => {
        setStatus(`Saved “${s.name}”: ${plural(s.apps, 'app', 'apps')}, ${plural(s.windows, 'window', 'windows')}.`);
        load();
      }} />`}
      <${StatusMessage} message=${status} testid="sessions-status" />
      <${ErrorAlert} message=${error} testid="sessions-error" />
      ${restore.results}
      ${detail && html`<${Detail} detail=${detail} onClose=${() => setDetail(null)} isAdmin=${isAdmin}
        startupId=${startupId} onStartup=${chooseStartup} />`}
      ${body}
      ${!canAct && html`<p class="hint" data-testid="viewer-note">Viewers can see sessions but not save or restore them.</p>`}
      ${restore.dialog}
      ${confirmDialog}
    </div>
  `;
}
