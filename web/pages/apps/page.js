// Applications page: the installed applications (XDG desktop entries) as a launcher: search as
// you type, a category, a grid or a list, one-click launch with the PID reported, how many of
// each are running (live), and "Run a program…" for any executable; in a fleet, "Launch on"
// chooses the hosts (./launch-hosts.js). The pieces live in ./apps/.
import { html, useState, useEffect, useMemo, useRef, useCallback } from '../../vendor/preact-htm.js';
import { api, errorMessage } from '../../api.js';
import { PageHeading } from '../../ui/page.js';
import { can } from '../../ui/roles.js';
import { ErrorAlert, StatusMessage, Loading } from '../../ui/feedback.js';
import { useFindShortcut } from '../../ui/find-shortcut.js';
import { loadPref, savePref } from '../../ui/prefs.js';
import { AppCatalog, categoryCounts, categoryLabel, filterApps, searchText } from './catalog.js';
import { RunProgramDialog } from './run-dialog.js';
import { FleetLaunchResults, LaunchHostsPicker, fleetLaunch, useLaunchHosts } from './launch-hosts.js';
import { useLaunchStream } from '../../shared/launch-stream.js';
import { startedSentence } from '../../shared/launch-format.js';
import { GridIcon, ListIcon, TerminalIcon } from '../../ui/icons.js';
import { SearchField } from '../../ui/search-field.js';

const VIEW_KEY = 'boss.apps.view';
const REFRESH_DELAY_MS = 250;

function loadView() {
  return loadPref(VIEW_KEY) === 'list' ? 'list' : 'grid';
}

function countText(shown, total) {
  if (total == null) return '';
  const noun = total === 1 ? 'app' : 'apps';
  return shown === total ? `${total} ${noun}` : `${shown} of ${total} ${noun}`;
}

function ViewToggle({ view, onView }) {
  return html`
    <div class="segmented" role="group" aria-label="Show as" data-testid="apps-view-toggle" data-view=${view}>
      <button type="button" class="segment" aria-pressed=${view === 'grid' ? 'true' : 'false'} data-view="grid"
        title="Grid" onClick=${() => onView('grid')}><${GridIcon} /><span class="segment-label">Grid</span></button>
      <button type="button" class="segment" aria-pressed=${view === 'list' ? 'true' : 'false'} data-view="list"
        title="List" onClick=${() => onView('list')}><${ListIcon} /><span class="segment-label">List</span></button>
    </div>
  `;
}

/** "Started XTerm (PID 1234). See it in History" */
function startedMessage(launch) {
  return html`${startedSentence(launch)} <a href="#/history" data-testid="action-status-history">See it in History</a>`;
}

export function AppsPage({ title, user }) {
  const canAct = can(user, 'act');
  const [catalog, setCatalog] = useState(null); // {apps, categories}
  const [loadError, setLoadError] = useState(null);
  const [query, setQuery] = useState('');
  const [category, setCategory] = useState('');
  const [view, setView] = useState(loadView);
  const [busyId, setBusyId] = useState(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState(null);
  const [runOpen, setRunOpen] = useState(false);
  const [fleetReport, setFleetReport] = useState(null);
  const launchHosts = useLaunchHosts();
  const searchRef = useRef(null);
  const requestId = useRef(0);
  const refreshTimer = useRef(null);

  const load = useCallback(async () => {
    const id = ++requestId.current;
    try {
      const answer = await api('/apps');
      if (id !== requestId.current) return;
      setCatalog({ apps: answer.apps || [], categories: answer.categories || [] });
      setLoadError(null);
    } catch (err) {
      if (id === requestId.current) setLoadError(errorMessage(err));
    }
  }, []);

  // Launches start and end in bursts: refresh the running counts once per burst.
  const refreshSoon = useCallback(() => {
    clearTimeout(refreshTimer.current);
    refreshTimer.current = setTimeout(load, REFRESH_DELAY_MS);
  }, [load]);

  useEffect(() => {
    load();
    return () => clearTimeout(refreshTimer.current);
  }, [load]);

  useLaunchStream(refreshSoon, refreshSoon);

  useEffect(() => savePref(VIEW_KEY, view), [view]);

  // "/" goes to the search box; Escape there clears it.
  useFindShortcut(searchRef, query, () => setQuery(''));

  const apps = catalog?.apps || [];
  const haystacks = useMemo(() => new Map(apps.map((app) => [app.id, searchText(app)])), [apps]);
  const shown = useMemo(() => filterApps(apps, haystacks, query, category), [apps, haystacks, query, category]);
  const counts = useMemo(() => categoryCounts(apps), [apps]);
  const categories = useMemo(() => {
    const list = catalog?.categories?.length ? catalog.categories : [...counts.keys()];
    return [...list].filter((c) => counts.has(c) || c === category)
      .sort((a, b) => categoryLabel(a).localeCompare(categoryLabel(b)));
  }, [catalog, counts, category]);

  const launchApp = useCallback(async (app) => {
    setBusyId(app.id);
    setError(null);
    setStatus('');
    setFleetReport(null);
    try {
      if (launchHosts.elsewhere) {
        const report = await fleetLaunch(launchHosts.targets, { app_id: app.id });
        setFleetReport({ name: app.name, results: report.results });
        return;
      }
      const answer = await api(`/apps/${encodeURIComponent(app.id)}/launch`, { method: 'POST', body: {} });
      const launch = answer.launch;
      if (launch.outcome === 'failed_to_start') setError(startedSentence(launch));
      else setStatus(startedMessage(launch));
    } catch (err) {
      setError(`Could not launch ${app.name}: ${errorMessage(err)}`);
    } finally {
      setBusyId(null);
      refreshSoon();
    }
  }, [refreshSoon, launchHosts.elsewhere, launchHosts.targets]);

  // "Keep running": a managed app for this desktop entry (started at once, restarted by policy).
  const keepRunning = useCallback(async (app) => {
    setBusyId(app.id);
    setError(null);
    setStatus('');
    try {
      const answer = await api('/managed', { method: 'POST', body: { name: app.name, desktop_id: app.id } });
      setStatus(`Boss keeps ${answer.app.name} running (see Managed).`);
    } catch (err) {
      setError(`Could not keep ${app.name} running: ${errorMessage(err)}`);
    } finally {
      setBusyId(null);
      refreshSoon();
    }
  }, [refreshSoon]);

  const onLaunched = useCallback((launch) => {
    setError(null);
    setFleetReport(null);
    if (launch.outcome === 'failed_to_start') {
      setStatus('');
      setError(startedSentence(launch));
    } else {
      setStatus(startedMessage(launch));
    }
    refreshSoon();
  }, [refreshSoon]);

  return html`
    <div class="apps-page">
      <${PageHeading} title=${title}>
        ${canAct && launchHosts.choosable && html`<${LaunchHostsPicker} choice=${launchHosts} />`}
        ${canAct && html`<button type="button" class="btn btn-primary" data-testid="run-program"
          onClick=${() => setRunOpen(true)}><${TerminalIcon} />Run a program…</button>`}
      <//>
      <form class="apps-toolbar" role="search" aria-label="Find applications" onSubmit=${(e) => e.preventDefault()}>
        <${SearchField} id="apps-search" inputRef=${searchRef} name="q" label="Search applications" value=${query}
          onInput=${setQuery} count=${catalog ? countText(shown.length, apps.length) : ''} testid="apps-search"
          fieldClass="apps-search-field"
          hint="Matches the name, description, keywords or category; every word must match." />
        <div class="field apps-category-field">
          <label for="apps-category" class="visually-hidden">Category</label>
          <select id="apps-category" name="category" value=${category} data-testid="apps-category"
            onChange=${(e) => setCategory(e.target.value)}>
            <option value="">All categories</option>
            ${categories.map((c) => html`<option key=${c} value=${c}>${categoryLabel(c)} (${counts.get(c) || 0})</option>`)}
          </select>
        </div>
        <${ViewToggle} view=${view} onView=${setView} />
        <p class="visually-hidden" data-testid="apps-count">${catalog ? countText(shown.length, apps.length) : ''}</p>
      </form>

      <div class="page-feedback">
        <${ErrorAlert} message=${error} testid="action-error" />
        <${StatusMessage} message=${status} testid="action-status" />
        <${FleetLaunchResults} report=${fleetReport} onDismiss=${() => setFleetReport(null)} />
      </div>
      ${!canAct && html`<p class="hint apps-viewer-note" data-testid="apps-viewer-note">
        You can browse the catalog; launching needs an operator or administrator account.</p>`}

      <${ErrorAlert} message=${loadError} testid="apps-error" />
      ${!catalog && !loadError && html`<${Loading} label="Loading applications…" />`}
      ${catalog && apps.length === 0 && html`<p class="empty panel" data-testid="apps-empty">
        No applications found on this machine (Boss reads the desktop entries of
        <code>applications</code> folders in the XDG data directories).</p>`}
      ${catalog && apps.length > 0 && shown.length === 0 && html`<p class="empty" data-testid="apps-no-match">
        No application matches${query ? html` “${query}”` : ''}${category ? ` in ${categoryLabel(category)}` : ''}.
        ${' '}<button type="button" class="btn btn-small" onClick=${() => { setQuery(''); setCategory(''); }}>Show all</button>
      </p>`}
      ${catalog && shown.length > 0 &&
      html`<${AppCatalog} apps=${shown} view=${view} canAct=${canAct} busyId=${busyId} onLaunch=${launchApp}
        onKeep=${keepRunning} />`}

      ${runOpen && html`<${RunProgramDialog} onClose=${() => setRunOpen(false)} onLaunched=${onLaunched}
        fleet=${launchHosts.elsewhere ? launchHosts.targets : null}
        onFleetLaunched=${(report) => { setError(null); setStatus(''); setFleetReport(report); refreshSoon(); }} />`}
    </div>
  `;
}
