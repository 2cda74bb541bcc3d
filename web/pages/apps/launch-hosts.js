// "Launch on": where the Applications page starts what it launches, when the fleet has more than
// one host. By default the host the pages show (the switcher in the header), through the usual
// launch routes; any other choice (another host, several, or every online one) goes through
// POST /api/v1/fleet/launch, which starts it on each host at once and answers one result per
// host, shown beside each other. Offline hosts cannot be chosen: they could only fail.
import { html, useState, useEffect, useCallback } from '../../vendor/preact-htm.js';
import { api, selectedHost } from '../../api.js';
import { startedSentence } from '../../shared/launch-format.js';
import { useHostList } from '../../shared/hosts.js';

const REFRESH_MS = 15000;

/** The hosts as the launch choice needs them: `{fleet, hosts, shown}` (shown: a host name). */
function useHosts() {
  // Without the list the page launches where it shows, as on a single host. Choosing another
  // host remounts the page (app.js), so the selected host is read as it renders.
  const { answer } = useHostList(REFRESH_MS);
  if (!answer) return { fleet: false, hosts: [], shown: null };
  const here = answer.hosts.find((h) => h.this_host)?.name || null;
  return { fleet: answer.fleet, hosts: answer.hosts, shown: selectedHost() || here };
}

/**
 * The launch choice: `{choosable, shown, targets, setTargets, elsewhere}`. `targets` are host
 * names; `elsewhere` is true when they are not just the shown host (then launches go through
 * the fleet route). A change of the shown host resets the choice to it.
 */
export function useLaunchHosts() {
  const { fleet, hosts, shown } = useHosts();
  const [targets, setTargets] = useState([]);
  useEffect(() => setTargets(shown ? [shown] : []), [shown]);
  const choosable = fleet && hosts.length > 1;
  const elsewhere = choosable && !(targets.length === 1 && targets[0] === shown);
  return { choosable, hosts, shown, targets, setTargets, elsewhere };
}

/** Starts `what` (`{app_id}` or `{program, args, cwd}`) on each of `targets`: the fleet report. */
export function fleetLaunch(targets, what) {
  return api('/fleet/launch', { method: 'POST', body: { hosts: targets, ...what } });
}

function targetsLabel(targets, shown) {
  if (targets.length === 1) return targets[0] === shown ? `${shown} (shown)` : targets[0];
  return `${targets.length} hosts`;
}

/** Props: the value of useLaunchHosts(). A disclosure with a checkbox per host. */
export function LaunchHostsPicker({ choice }) {
  const { hosts, shown, targets, setTargets } = choice;
  const online = hosts.filter((h) => h.online).map((h) => h.name);
  const toggle = useCallback((name, on) => {
    setTargets((now) => {
      const next = on ? [...new Set([...now, name])] : now.filter((n) => n !== name);
      // Never nothing: unticking the last host goes back to the shown one.
      return next.length ? hosts.map((h) => h.name).filter((n) => next.includes(n)) : [shown];
    });
  }, [hosts, shown, setTargets]);
  return html`
    <details class="launch-hosts" data-testid="launch-hosts">
      <summary class="btn" data-testid="launch-hosts-toggle">
        Launch on: <strong data-testid="launch-hosts-label">${targetsLabel(targets, shown)}</strong>
      </summary>
      <fieldset class="launch-hosts-panel">
        <legend>Launch on these hosts</legend>
        ${hosts.map((h) => html`
          <label key=${h.id} class="launch-host" data-host=${h.name}>
            <input type="checkbox" checked=${targets.includes(h.name)} disabled=${!h.online}
              data-testid="launch-host" value=${h.name} onChange=${(e) => toggle(h.name, e.target.checked)} />
            ${h.name}${h.name === shown ? ' (shown)' : ''}${h.online ? '' : ' (offline)'}
          </label>`)}
        <div class="launch-hosts-shortcuts">
          <button type="button" class="btn btn-small" data-testid="launch-hosts-all"
            onClick=${() => setTargets(online)}>All online (${online.length})</button>
          <button type="button" class="btn btn-small" data-testid="launch-hosts-shown"
            onClick=${() => setTargets([shown])}>Only ${shown}</button>
        </div>
      </fieldset>
    </details>
  `;
}

// A host's launch record: null when the host refused or could not be reached.
const launchOf = (result) => (result.ok && result.body?.launch) || null;
function startedOn(result) {
  const launch = launchOf(result);
  return launch !== null && launch.outcome !== 'failed_to_start';
}

/** One line per host of a fleet launch: started (with its PID) or why not. */
export function FleetLaunchResults({ report, onDismiss }) {
  if (!report) return null;
  const started = report.results.filter(startedOn).length;
  return html`
    <section class="panel fleet-launch-results" aria-live="polite" data-testid="fleet-launch-results">
      <div class="fleet-launch-head">
        <h2>${report.name}: started on ${started} of ${report.results.length} host(s)</h2>
        <button type="button" class="btn btn-small" onClick=${onDismiss}>Dismiss</button>
      </div>
      <ul>
        ${report.results.map((r) => {
          const launch = launchOf(r);
          const ok = startedOn(r);
          const text = launch ? startedSentence(launch) : r.body?.error?.message || `HTTP ${r.status}`;
          return html`
            <li key=${r.host} data-testid="fleet-launch-result" data-host=${r.host} data-ok=${ok ? 'true' : 'false'}>
              <span class=${`badge ${ok ? 'badge-success' : 'badge-danger'}`}>${ok ? 'started' : 'failed'}</span>
              <strong>${r.host}</strong>: ${text}
            </li>`;
        })}
      </ul>
    </section>
  `;
}
