// History page: every launch (who started what, when, for how long and how it ended), filtered
// by user, app, outcome and time, live as launches start and end, with totals per app, CSV
// export, and Stop and Relaunch for operators and admins. The pieces live in ./history/.
import { html, useState, useEffect, useRef, useCallback, useMemo } from '../../vendor/preact-htm.js';
import { api, errorMessage, queryString } from '../../api.js';
import { PageHeading } from '../../ui/page.js';
import { can } from '../../ui/roles.js';
import { ErrorAlert, StatusMessage, Loading } from '../../ui/feedback.js';
import { useConfirm } from '../../ui/dialog.js';
import { useLaunchStream, useNow } from '../../shared/launch-stream.js';
import { LiveIndicator } from '../../ui/live-stream.js';
import { launchName, stamp, startedSentence, stopSentence } from '../../shared/launch-format.js';
import { DownloadIcon } from '../../ui/icons.js';
import {
  EMPTY_FILTERS, PAGE_SIZE, filterQuery, filtersFromHash, hashForFilters, upsertLaunch,
} from './model.js';
import { HistoryFilters } from './filters.js';
import { LaunchTable } from './table.js';
import { TotalsPanel } from './totals.js';

const STOP_TIMEOUT_MS = 5000;

// In a fleet a launch is stopped and relaunched by the host that started it, whichever host
// the pages show.
function onItsHost(launch) {
  return launch.host ? { host: launch.host } : {};
}
const TOTALS_DELAY_MS = 500;

function sameFilters(a, b) {
  return Object.keys(EMPTY_FILTERS).every((key) => a[key] === b[key]);
}

export function HistoryPage({ title, user }) {
  const canAct = can(user, 'act');
  const [filters, setFilters] = useState(filtersFromHash);
  const [launches, setLaunches] = useState([]);
  const [cursor, setCursor] = useState(null);
  const [loading, setLoading] = useState(true);
  const [loadError, setLoadError] = useState(null);
  const [totals, setTotals] = useState(null);
  const [totalsError, setTotalsError] = useState(null);
  const [busyId, setBusyId] = useState(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState(null);
  const [dialog, confirm] = useConfirm();
  const [seenApps, setSeenApps] = useState(() => new Map());
  const requestId = useRef(0);
  const totalsId = useRef(0);
  const totalsTimer = useRef(null);
  // The stream's handlers read the current filters and paging through refs.
  const filtersRef = useRef(filters);
  filtersRef.current = filters;
  const cursorRef = useRef(cursor);
  cursorRef.current = cursor;

  const load = useCallback(async (active, fromCursor) => {
    const id = ++requestId.current;
    setLoading(true);
    setLoadError(null);
    try {
      const query = { ...filterQuery(active), limit: PAGE_SIZE };
      if (fromCursor) query.cursor = fromCursor;
      const page = await api('/launches', { query });
      if (id !== requestId.current) return;
      const received = (page.launches || []).map(stamp);
      setLaunches((previous) => (fromCursor ? [...previous, ...received.filter((l) => !previous.some((p) => p.id === l.id))] : received));
      setCursor(page.next_cursor || null);
    } catch (err) {
      if (id === requestId.current) setLoadError(errorMessage(err));
    } finally {
      if (id === requestId.current) setLoading(false);
    }
  }, []);

  const loadTotals = useCallback(async (active) => {
    const id = ++totalsId.current;
    try {
      const answer = await api('/launches/totals', { query: filterQuery(active) });
      if (id !== totalsId.current) return;
      setTotals(answer.totals || []);
      setTotalsError(null);
    } catch (err) {
      if (id === totalsId.current) setTotalsError(errorMessage(err));
    }
  }, []);

  const totalsSoon = useCallback(() => {
    clearTimeout(totalsTimer.current);
    totalsTimer.current = setTimeout(() => loadTotals(filtersRef.current), TOTALS_DELAY_MS);
  }, [loadTotals]);

  useEffect(() => {
    load(filters, null);
    loadTotals(filters);
  }, [filters, load, loadTotals]);

  useEffect(() => () => clearTimeout(totalsTimer.current), []);

  // Links to other filters (an app or user name in the table, another page) change the hash.
  useEffect(() => {
    const onHash = () => {
      if (!/^#\/history(\?|$)/.test(location.hash)) return;
      const next = filtersFromHash();
      setFilters((current) => (sameFilters(current, next) ? current : next));
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  function applyFilters(next) {
    const target = hashForFilters(next);
    if (location.hash !== target) window.history.replaceState(window.history.state, '', target);
    setFilters(next);
  }

  const upsert = useCallback((launch) => {
    setLaunches((list) => upsertLaunch(list, launch, filtersRef.current, Boolean(cursorRef.current)));
  }, []);

  const onLaunchEvent = useCallback((launch) => {
    upsert(launch);
    totalsSoon();
  }, [upsert, totalsSoon]);

  const onResync = useCallback(() => {
    load(filtersRef.current, null);
    loadTotals(filtersRef.current);
  }, [load, loadTotals]);

  const liveStatus = useLaunchStream(onLaunchEvent, onResync);
  const anyRunning = launches.some((l) => l.running);
  const now = useNow(anyRunning);

  // Suggestions for the filter form: the users and apps seen so far.
  useEffect(() => {
    setSeenApps((previous) => {
      let changed = false;
      const next = new Map(previous);
      const add = (value, label) => {
        if (value && !next.has(value)) {
          next.set(value, label);
          changed = true;
        }
      };
      for (const l of launches) add(l.app_id || l.app_name, l.app_name);
      for (const t of totals || []) add(t.app_id || t.app_name, t.app_name);
      return changed ? next : previous;
    });
  }, [launches, totals]);
  const userChoices = useMemo(
    () => [...new Set([user.username, ...launches.map((l) => l.user)])].sort(),
    [launches, user.username],
  );
  const appChoices = useMemo(
    () => [...seenApps.entries()].map(([value, label]) => ({ value, label })).sort((a, b) => a.label.localeCompare(b.label)),
    [seenApps],
  );

  const stop = useCallback(async (launch) => {
    const name = launchName(launch);
    const ok = await confirm({
      title: `Stop ${name}?`,
      message: `Boss closes its windows, then ends it (TERM, then KILL after ${STOP_TIMEOUT_MS / 1000} s if it still runs).`,
      confirmLabel: 'Stop',
      danger: true,
    });
    if (!ok) return;
    setBusyId(launch.id);
    setError(null);
    setStatus('');
    try {
      const answer = await api(`/launches/${launch.id}/stop`, { method: 'POST', body: { timeout_ms: STOP_TIMEOUT_MS }, ...onItsHost(launch) });
      if (answer.launch) upsert(answer.launch);
      setStatus(`${name}: ${stopSentence(answer)}.`);
    } catch (err) {
      setError(err.status === 409 ? `${name} had already ended.` : `Could not stop ${name}: ${errorMessage(err)}`);
      try {
        upsert(await api(`/launches/${launch.id}`, onItsHost(launch)));
      } catch {
        // the list refreshes from the live stream anyway
      }
    } finally {
      setBusyId(null);
      totalsSoon();
    }
  }, [confirm, upsert, totalsSoon]);

  const relaunch = useCallback(async (launch) => {
    const name = launchName(launch);
    setBusyId(launch.id);
    setError(null);
    setStatus('');
    try {
      // The server runs the full recorded command (the history shows credentials hidden).
      const answer = await api(`/launches/${launch.id}/relaunch`, { method: 'POST', ...onItsHost(launch) });
      upsert(answer.launch);
      if (answer.launch.outcome === 'failed_to_start') setError(startedSentence(answer.launch, true));
      else setStatus(startedSentence(answer.launch, true));
    } catch (err) {
      setError(`Could not launch ${name} again: ${errorMessage(err)}`);
    } finally {
      setBusyId(null);
      totalsSoon();
    }
  }, [upsert, totalsSoon]);

  const csvHref = `/api/v1/launches.csv${queryString(filterQuery(filters))}`;
  const filtered = !sameFilters(filters, EMPTY_FILTERS);

  return html`
    <div class="history-page">
      <${PageHeading} title=${title}>
        <div class="heading-tools">
          <${LiveIndicator} status=${liveStatus} liveTitle="Launches appear and end here as they happen" />
          <a class="btn" href=${csvHref} download data-testid="history-csv"
            title="The launches matching these filters (at most 100000, newest first), as a CSV file"><${DownloadIcon} />Download CSV</a>
        </div>
      <//>
      <${HistoryFilters} value=${filters} onApply=${applyFilters} users=${userChoices} apps=${appChoices} />
      <div class="page-feedback">
        <${ErrorAlert} message=${error} testid="action-error" />
        <${StatusMessage} message=${status} testid="action-status" />
      </div>
      <${TotalsPanel} totals=${totals} error=${totalsError} />
      <${ErrorAlert} message=${loadError} testid="history-error" />
      <section aria-labelledby="launches-title">
        <h2 id="launches-title" class="visually-hidden">Launches</h2>
        ${launches.length > 0 &&
        html`<div class="table-wrap" tabindex="0" role="region" aria-label="Launches">
          <${LaunchTable} launches=${launches} now=${now} canAct=${canAct} busyId=${busyId} onStop=${stop}
            onRelaunch=${relaunch} />
        </div>`}
        ${!loading && !loadError && launches.length === 0 &&
        html`<p class="empty panel" data-testid="history-empty">
          ${filtered ? 'No launches match these filters.' : html`Nothing launched yet. Start something from <a href="#/apps">Applications</a>.`}
        </p>`}
        ${loading && html`<${Loading} />`}
        ${cursor && !loading &&
        html`<p class="load-more">
          <button type="button" class="btn" onClick=${() => load(filters, cursor)} data-testid="history-load-more">Load more</button>
        </p>`}
      </section>
      ${dialog}
    </div>
  `;
}
