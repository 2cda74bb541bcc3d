// Hosts overview: every Boss on this PostgreSQL database (on SQLite, only this one), online or
// not, with CPU, memory, process and window counts from its last heartbeat. Choosing a host
// shows its machine on every other page (the switcher in the header does the same). Admins
// remove an offline host gone for good (an online one would register again at once).
import { html, useState } from '../../vendor/preact-htm.js';
import { api, selectHost, selectedHost } from '../../api.js';
import { PageHeading } from '../../ui/page.js';
import { ErrorAlert, Loading, StatusMessage } from '../../ui/feedback.js';
import { formatDateTime } from '../../ui/format.js';
import { useConfirm } from '../../ui/dialog.js';
import { can } from '../../ui/roles.js';
import { useSubmit } from '../../ui/submit.js';
import { reloadHosts, useHostList } from '../../shared/hosts.js';

const REFRESH_MS = 5000;

function mib(bytes) {
  return `${Math.round(bytes / 1048576).toLocaleString()} MiB`;
}

function HostRow({ host, shown, onRemove }) {
  const s = host.summary;
  const muted = html`<span class="muted">—</span>`;
  return html`
    <tr data-testid="host-row" data-host=${host.name}>
      <td data-label="Host">
        <strong>${host.name}</strong>${host.this_host ? html` <span class="muted">(this server)</span>` : ''}
      </td>
      <td data-label="State">
        <span class=${`badge ${host.online ? 'badge-success' : 'badge-danger'}`} data-testid="host-state">
          ${host.online ? 'online' : 'offline'}
        </span>
      </td>
      <td data-label="CPU">${s ? `${Math.round(s.cpu_percent)} %` : muted}</td>
      <td data-label="Memory">${s ? `${mib(s.memory_used)} of ${mib(s.memory_total)}` : muted}</td>
      <td data-label="Processes">${s ? s.processes : muted}</td>
      <td data-label="Windows">${s ? s.windows : muted}</td>
      <td data-label="Desktop">${host.capabilities?.windows?.label || muted}</td>
      <td data-label="Last seen">${host.last_seen ? formatDateTime(host.last_seen) : muted}</td>
      <td data-label="" class="actions-cell">
        <button type="button" class="btn btn-small" disabled=${shown} data-testid="host-show"
          onClick=${() => selectHost(host.this_host ? null : host.name)}>
          ${shown ? 'Shown' : 'Show'}
        </button>
        ${onRemove && !host.online && html`
          <button type="button" class="btn btn-small btn-danger" data-testid="host-remove"
            aria-label=${`Remove ${host.name}`} onClick=${() => onRemove(host)}>Remove…</button>`}
      </td>
    </tr>
  `;
}

// "Close every window on every host": a preview first (how many windows each host would close),
// then the real thing; each host closes gracefully and passes protected windows by, as its own
// close-all does. One line per host says how it went.
function closeSummary(result) {
  if (!result.ok) return `${result.host}: ${result.body?.error?.message || `HTTP ${result.status}`}`;
  const rows = result.body.results || [];
  const closed = rows.filter((r) => r.outcome === 'closed' || r.outcome === 'would_close').length;
  return `${result.host}: ${closed} of ${rows.length} window(s) ${result.body.dry_run ? 'would close' : 'closed'}`;
}

function FleetCloseAll() {
  const [dialog, confirm] = useConfirm();
  const [report, setReport] = useState(null);
  const { busy, error, run } = useSubmit();

  const closeAll = () =>
    run(async () => {
      const preview = await api('/fleet/windows/close-all', { method: 'POST', body: { hosts: 'all', dry_run: true } });
      const ok = await confirm({
        title: 'Close every window on every host?',
        message: preview.results.map(closeSummary).join('; '),
        confirmLabel: 'Close all',
        danger: true,
      });
      if (!ok) return;
      const done = await api('/fleet/windows/close-all', { method: 'POST', body: { hosts: 'all' } });
      setReport(done.results.map(closeSummary).join('; '));
    });

  return html`
    ${dialog}
    <button type="button" class="btn btn-danger" disabled=${busy} onClick=${closeAll} data-testid="fleet-close-all">
      Close all windows everywhere…
    </button>
    ${error && html`<${ErrorAlert} message=${error} />`}
    <${StatusMessage} message=${report} testid="fleet-report" />
  `;
}

// "Remove" for an offline host (admins): after a confirmation, the host leaves the list; its
// launches and audit rows stay, and it registers again if it ever comes back.
function useRemoveHost() {
  const [dialog, confirm] = useConfirm();
  const [report, setReport] = useState(null);
  const { error, run } = useSubmit();
  const remove = (host) =>
    run(async () => {
      const ok = await confirm({
        title: `Remove host ${host.name}?`,
        message: `${host.name} is offline. It leaves the list with the requests waiting for it; its `
          + 'launches and audit rows stay. If Boss starts there again, it comes back on its own.',
        confirmLabel: 'Remove',
        danger: true,
      });
      if (!ok) return;
      const removed = await api(`/hosts/${encodeURIComponent(host.name)}`, { method: 'DELETE' });
      if (selectedHost() === removed.name) selectHost(null);
      setReport(`Removed host ${removed.name}.`);
      await reloadHosts();
    });
  return { dialog, report, error, remove };
}

export function HostsPage({ title, user }) {
  const { answer: hosts, error } = useHostList(REFRESH_MS);
  const removal = useRemoveHost();
  const admin = can(user, 'manageSettings');

  const current = selectedHost();
  return html`
    <${PageHeading} title=${title}>
      ${hosts?.fleet && can(user, 'act') && html`<${FleetCloseAll} />`}
    <//>
    ${removal.dialog}
    ${error && html`<${ErrorAlert} message=${error} />`}
    ${removal.error && html`<${ErrorAlert} message=${removal.error} />`}
    <${StatusMessage} message=${removal.report} testid="host-removed" />
    ${!hosts && !error && html`<${Loading} />`}
    ${hosts && !hosts.fleet && html`
      <p class="muted" data-testid="hosts-single">
        This Boss keeps its data in SQLite, so it is the only host. Run several Boss servers on one
        PostgreSQL database to see and control them all from here.
      </p>`}
    ${hosts && html`
      <table class="table table-stack" data-testid="hosts-table">
        <thead>
          <tr>
            <th scope="col">Host</th><th scope="col">State</th><th scope="col">CPU</th>
            <th scope="col">Memory</th><th scope="col">Processes</th><th scope="col">Windows</th>
            <th scope="col">Desktop</th><th scope="col">Last seen</th><th scope="col"><span class="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          ${hosts.hosts.map((host) => html`<${HostRow} key=${host.id} host=${host}
            shown=${current ? current === host.name : host.this_host}
            onRemove=${admin && hosts.fleet ? removal.remove : null} />`)}
        </tbody>
      </table>`}
  `;
}
