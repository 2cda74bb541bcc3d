// The Windows page itself (loaded on first visit by ../windows.js): the live list of this
// desktop's windows (title, application, PID, desktop, state, protection), with graceful close,
// activate and minimize per window, and "Close all" with a preview.
import { html, useState, useEffect, useMemo, useRef, useCallback } from '../../vendor/preact-htm.js';
import { PageHeading } from '../../ui/page.js';
import { can } from '../../ui/roles.js';
import { ErrorAlert, StatusMessage, Loading } from '../../ui/feedback.js';
import { useFindShortcut } from '../../ui/find-shortcut.js';
import { loadJsonPref, saveJsonPref } from '../../ui/prefs.js';
import { SearchField } from '../../ui/search-field.js';
import { LiveIndicator } from '../../ui/live-stream.js';
import { useWindowStream } from './live.js';
import { buildView, SORT_KEYS } from './model.js';
import { useWindowActions } from './actions.js';
import { useCloseAll } from './close-all.js';
import { WindowTable } from './table.js';

const PREFS_KEY = 'boss.windows.view';

function loadSort() {
  const saved = loadJsonPref(PREFS_KEY);
  return SORT_KEYS.includes(saved?.sort?.key) && ['asc', 'desc'].includes(saved?.sort?.dir)
    ? saved.sort
    : { key: 'title', dir: 'asc' };
}

function countText(shown, total) {
  if (total == null) return '';
  const noun = total === 1 ? 'window' : 'windows';
  return shown === total ? `${total} ${noun}` : `${shown} of ${total}`;
}

function DesktopFacts({ list }) {
  const wm = list.window_manager;
  return html`
    <p class="win-facts">
      <span class=${wm ? 'win-wm' : 'win-wm win-wm-missing'} data-testid="window-manager"
        data-wm=${wm || ''}>
        ${wm
          ? html`Desktop: <strong title="How Boss talks to the desktop">${list.label || wm}</strong>`
          : html`<strong>No window manager:</strong> minimize unavailable`}
      </span>
    </p>
  `;
}

function Unavailable({ reason }) {
  return html`
    <section class="panel panel-notice" data-testid="windows-unavailable" aria-labelledby="windows-unavailable-title">
      <h2 id="windows-unavailable-title">No desktop to show</h2>
      <p><strong>Boss can't see a desktop:</strong> ${(reason || 'no reason given').replace(/\.$/, '')}.</p>
      <p class="muted">
        Boss lists windows when it runs inside the graphical session it should show (with its DISPLAY), or when it is
        started with <code>--display</code> (or <code>BOSS_DISPLAY</code>).
      </p>
    </section>
  `;
}

export function WindowsView({ title, user }) {
  const { status: liveStatus, list } = useWindowStream();
  const canAct = can(user, 'act');
  const [sort, setSort] = useState(loadSort);
  const [filter, setFilter] = useState('');
  const filterRef = useRef(null);
  const actions = useWindowActions();
  const closeAll = useCloseAll({ onError: actions.setError, onStarted: actions.clear });

  useEffect(() => saveJsonPref(PREFS_KEY, { sort }), [sort]);

  const windows = list?.available ? list.windows : null;
  const view = useMemo(() => buildView(windows, filter, sort), [windows, filter, sort]);

  const onSort = useCallback((key) => {
    setSort((current) => (current.key === key ? { key, dir: current.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' }));
  }, []);

  // "/" goes to the filter; Escape there clears it (as on the Processes page).
  useFindShortcut(filterRef, filter, () => setFilter(''));

  let body;
  if (!list) {
    body = html`<${Loading} label="Loading windows…" />`;
  } else if (!list.available) {
    body = html`<${Unavailable} reason=${list.reason} />`;
  } else {
    const total = list.windows.length;
    body = html`
      <${DesktopFacts} list=${list} />
      <form class="proc-toolbar win-toolbar" role="search" aria-label="Filter windows" onSubmit=${(e) => e.preventDefault()}>
        <${SearchField} id="win-filter" inputRef=${filterRef} label="Filter windows" value=${filter}
          onInput=${setFilter} count=${countText(view.matches, total)} testid="windows-filter"
          fieldClass="proc-filter-field"
          hint="Matches the title, application, process name, PID or window id; every word must match." />
        ${canAct && html`<div class="win-toolbar-end">${closeAll.button({ disabled: total === 0 })}</div>`}
      </form>
      <${StatusMessage} message=${actions.status} testid="action-status" />
      <${ErrorAlert} message=${actions.error} testid="action-error" />
      ${closeAll.results}
      <${WindowTable} view=${view} sort=${sort} onSort=${onSort} canAct=${canAct} busy=${actions.busy}
        notes=${actions.notes} noWindowManager=${!list.window_manager} caps=${list.capabilities}
        label=${list.label} onAct=${actions.act}
        emptyText=${total === 0 ? 'No windows are open on this desktop.' : 'No window matches this filter.'} />
      ${!canAct && html`<p class="hint win-viewer-note" data-testid="viewer-note">Viewers can see windows but not act on them.</p>`}
      ${closeAll.dialog}
    `;
  }

  return html`
    <div class="windows-page">
      <${PageHeading} title=${title}>
        <${LiveIndicator} status=${liveStatus} liveTitle="Updated as windows open, close and change" />
      <//>
      ${body}
    </div>
  `;
}
