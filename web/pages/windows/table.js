// The window table: one row per window, dialogs indented under their main window, sortable by
// title, application and PID, with per-row actions for operators and admins. A few dozen rows
// at most, so a plain <table> (stacked cards on phones) rather than the Processes page's
// virtual grid.
import { html } from '../../vendor/preact-htm.js';
import { LockIcon } from '../../ui/icons.js';
import { desktopText } from './model.js';

const SORTABLE = [
  { key: 'title', label: 'Title' },
  { key: 'app', label: 'Application' },
  { key: 'pid', label: 'PID' },
];

function ariaSort(sort, key) {
  if (sort.key !== key) return 'none';
  return sort.dir === 'desc' ? 'descending' : 'ascending';
}

function SortHeader({ col, sort, onSort }) {
  const active = sort.key === col.key;
  const next = active && sort.dir === 'asc' ? 'descending' : 'ascending';
  return html`
    <th scope="col" class=${`win-sortable c-${col.key}`} aria-sort=${ariaSort(sort, col.key)} data-sort=${col.key}
      data-testid="windows-sort">
      <button type="button" class=${active ? 'sort-button active' : 'sort-button'} onClick=${() => onSort(col.key)}
        title=${`Sort by ${col.label.toLowerCase()} (${active ? next : 'ascending'})`}>
        <span>${col.label}</span>
        ${active && html`<span class="sort-arrow" aria-hidden="true">${sort.dir === 'asc' ? '▲' : '▼'}</span>`}
      </button>
    </th>
  `;
}

function StateBadges({ w }) {
  const badges = [];
  if (w.active) badges.push(html`<span key="a" class="badge badge-success" data-testid="window-state">Active</span>`);
  if (w.minimized) badges.push(html`<span key="m" class="badge badge-neutral" data-testid="window-state">Minimized</span>`);
  if (!badges.length) badges.push(html`<span key="n" class="win-normal" data-testid="window-state">Normal</span>`);
  return html`<span class="win-badges">${badges}</span>`;
}

// Why this desktop cannot do an action at all (the backend's capabilities), or null.
function unsupported(caps, action, label) {
  if (!caps || caps[action] !== false) return null;
  const desktop = label || 'This desktop';
  return `${desktop}: Boss cannot ${action} windows here`;
}

function RowActions({ w, busy, noWindowManager, caps, label, onAct }) {
  const blocked = w.protected ? `Protected: ${w.protected}` : null;
  const closeBlocked =
    blocked ||
    unsupported(caps, 'close', label) ||
    (!w.closable
      ? w.xwayland
        ? "This X11 window doesn't say it accepts close requests (or Boss can't reach its X display)"
        : "This window doesn't accept close requests"
      : null);
  const activateBlocked = blocked || unsupported(caps, 'activate', label);
  const minimizeBlocked =
    blocked ||
    (noWindowManager ? 'No window manager: minimize unavailable' : null) ||
    unsupported(caps, 'minimize', label) ||
    (w.minimized ? 'Already minimized' : null);
  const name = w.title || w.class || w.id;
  return html`
    <span class="win-actions">
      <button type="button" class="btn btn-small" disabled=${Boolean(closeBlocked || busy)}
        title=${closeBlocked || 'Ask the application to close this window, as its close button would'}
        aria-label=${`Close ${name}`} data-testid="window-close" onClick=${() => onAct(w, 'close')}>
        ${busy === 'close' ? 'Closing…' : 'Close'}
      </button>
      <button type="button" class="btn btn-small" disabled=${Boolean(activateBlocked || busy)}
        title=${activateBlocked || 'Bring this window to the front'} aria-label=${`Activate ${name}`}
        data-testid="window-activate" onClick=${() => onAct(w, 'activate')}>
        Activate
      </button>
      <button type="button" class="btn btn-small" disabled=${Boolean(minimizeBlocked || busy)}
        title=${minimizeBlocked || 'Minimize this window'} aria-label=${`Minimize ${name}`}
        data-testid="window-minimize" onClick=${() => onAct(w, 'minimize')}>
        Minimize
      </button>
    </span>
  `;
}

function WindowRow({ w, depth, canAct, busy, note, noWindowManager, caps, label, onAct }) {
  const classes = ['win-row'];
  if (depth) classes.push('win-child');
  if (w.active) classes.push('win-active');
  if (w.protected) classes.push('win-protected');
  const desktop = desktopText(w.desktop);
  return html`
    <tr class=${classes.join(' ')} data-testid="window-row" data-window-id=${w.id} data-title=${w.title}
      data-pid=${w.pid ?? ''} data-depth=${depth} aria-busy=${busy ? 'true' : undefined}>
      <td class="win-title-cell" data-label="Title">
        <span class="win-title-line">
          ${depth > 0 && html`<span class="win-branch" aria-hidden="true">└</span>
            <span class="badge badge-neutral badge-dialog" data-testid="dialog-badge"
              title=${`A dialog of another window (${w.kind})`}>dialog</span>`}
          ${depth === 0 && w.kind && w.kind !== 'normal' &&
          html`<span class="badge badge-neutral badge-dialog" title="Window type">${w.kind}</span>`}
          ${w.title
            ? html`<span class="win-title" title=${`${w.title} (window ${w.id})`}>${w.title}</span>`
            : html`<span class="win-title muted" title=${`Window ${w.id}`}>(untitled)</span>`}
          ${w.xwayland &&
          html`<span class="badge badge-neutral" data-testid="xwayland-badge"
            title="An X11 application running through Xwayland in this Wayland session">X11</span>`}
          ${w.protected &&
          html`<span class="badge badge-protected" title=${`Protected: ${w.protected}`} data-testid="protected-badge">
            <${LockIcon} size=${12} /><span>Protected</span><span class="visually-hidden">: ${w.protected}</span>
          </span>`}
        </span>
        ${w.protected && html`<span class="win-note" data-testid="protected-reason">${w.protected}</span>`}
        ${note &&
        html`<span class=${`win-note win-outcome outcome-${note.outcome}`} data-testid="window-outcome"
          data-outcome=${note.outcome}>${note.text}</span>`}
      </td>
      <td class="win-app-cell" data-label="Application">
        <span class="win-app">
          <span class="win-class" title=${`Class ${w.class}, instance ${w.instance}`}>${w.class || '—'}</span>
          ${w.process_name && w.process_name.toLowerCase() !== (w.class || '').toLowerCase()
            ? html`<span class="muted win-process">${w.process_name}</span>`
            : w.process_name
              ? null
              : html`<span class="muted win-process">process unknown</span>`}
        </span>
      </td>
      <td class="win-pid-cell num" data-label="PID">
        ${w.pid != null
          ? html`<a href=${`#/processes?pid=${w.pid}`} class="mono" data-testid="window-pid"
              title=${`Show process ${w.pid} on the Processes page`}>${w.pid}</a>`
          : html`<span class="muted" data-testid="window-pid-unknown"
              title=${caps?.pid === false
                ? `${label || 'This desktop'} does not say which process owns a window`
                : 'The application runs on another machine or did not say'}>—</span>`}
      </td>
      <td class="win-desktop-cell" data-label="Desktop">
        ${desktop ?? html`<span class="muted">—</span>`}
      </td>
      <td class="win-state-cell" data-label="State"><${StateBadges} w=${w} /></td>
      ${canAct &&
      html`<td class="actions-cell" data-label="Actions">
        <${RowActions} w=${w} busy=${busy} noWindowManager=${noWindowManager} caps=${caps} label=${label}
          onAct=${onAct} />
      </td>`}
    </tr>
  `;
}

/**
 * Props: view ({rows: [{window, depth}]}), sort, onSort(key), canAct, busy (Map id→action),
 * notes (Map id→{outcome, text}), noWindowManager, caps (the backend's capabilities: what it
 * cannot do is greyed out with the reason), label (the desktop in words), onAct(window,
 * action), emptyText.
 */
export function WindowTable({ view, sort, onSort, canAct, busy, notes, noWindowManager, caps, label, onAct, emptyText }) {
  return html`
    <div class="table-wrap win-table-wrap">
      <table class="table table-stack win-table" data-testid="windows-table" data-row-count=${view.rows.length}>
        <caption class="visually-hidden">Open windows; dialogs are listed under their main window</caption>
        <thead>
          <tr>
            ${SORTABLE.map((col) => html`<${SortHeader} key=${col.key} col=${col} sort=${sort} onSort=${onSort} />`)}
            <th scope="col" class="c-desktop">Desktop</th>
            <th scope="col">State</th>
            ${canAct && html`<th scope="col" class="actions-cell"><span class="visually-hidden">Actions</span></th>`}
          </tr>
        </thead>
        <tbody>
          ${view.rows.map(
            ({ window: w, depth }) => html`<${WindowRow} key=${w.id} w=${w} depth=${depth} canAct=${canAct}
              busy=${busy.get(w.id)} note=${notes.get(w.id)} noWindowManager=${noWindowManager} caps=${caps}
              label=${label} onAct=${onAct} />`,
          )}
        </tbody>
      </table>
      ${view.rows.length === 0 && html`<p class="empty" data-testid="windows-empty">${emptyText}</p>`}
    </div>
  `;
}
