// The launch table of the History page: one row per launch, newest first; running ones are
// marked live and their duration ticks; Stop and Relaunch for operators and admins.
import { html } from '../../vendor/preact-htm.js';
import {
  argvText, launchName, outcomeDetail, outcomeHint, outcomeLabel, runTimeMs, formatRunTime, OUTCOME_BADGES,
} from '../../shared/launch-format.js';

const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dayAndTime = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const fullDateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** The time of day when today, else the day and time. */
function formatStart(rfc3339) {
  const date = new Date(rfc3339);
  if (Number.isNaN(date.getTime())) return String(rfc3339 || '—');
  return date.toDateString() === new Date().toDateString() ? timeOfDay.format(date) : dayAndTime.format(date);
}

function formatFull(rfc3339) {
  const date = new Date(rfc3339);
  return Number.isNaN(date.getTime()) ? String(rfc3339 || '') : fullDateTime.format(date);
}

export function OutcomeBadge({ launch }) {
  const detail = outcomeDetail(launch);
  return html`
    <span class=${`badge launch-outcome ${OUTCOME_BADGES[launch.outcome] || 'badge-neutral'}`} title=${outcomeHint(launch)}
      data-testid="launch-outcome">
      ${launch.running && html`<span class="live-dot" aria-hidden="true"></span>`}${outcomeLabel(launch.outcome)}${detail &&
      html`<span class="launch-outcome-detail">${detail}</span>`}
    </span>
  `;
}

function filterLink(key, value) {
  return `#/history?${new URLSearchParams({ [key]: value }).toString()}`;
}

function LaunchRow({ launch, now, canAct, fleet, busy, onStop, onRelaunch }) {
  const name = launchName(launch);
  const command = argvText(launch.argv);
  const ended = launch.ended_at ? `; ended ${formatFull(launch.ended_at)}` : '';
  return html`
    <tr class=${launch.running ? 'launch-row is-running' : 'launch-row'} data-testid="launch-row"
      data-launch-id=${launch.id} data-outcome=${launch.outcome} data-running=${launch.running ? 'true' : 'false'}>
      <td data-label="App" class="launch-app">
        <div>
          <span class="launch-app-name">
            ${launch.running && html`<span class="launch-live" title="Running now"><span class="visually-hidden">Running: </span></span>`}
            <a href=${filterLink('app', launch.app_id || launch.app_name || '')} title=${`Only launches of ${name}`}
              data-testid="launch-app">${name}</a>
          </span>
          ${launch.app_id && launch.app_id !== name && html`<span class="launch-app-id muted">${launch.app_id}</span>`}
        </div>
      </td>
      <td data-label="User" data-testid="launch-user">
        <a class="launch-user" href=${filterLink('user', launch.user)} title=${`Only launches by ${launch.user}`}>${launch.user}</a>
      </td>
      <td data-label="Started" class="nowrap">
        <time datetime=${launch.started_at} title=${`${formatFull(launch.started_at)}${ended}`}>${formatStart(launch.started_at)}</time>
      </td>
      <td data-label="Duration" class="nowrap num launch-duration" data-testid="launch-duration">
        ${formatRunTime(runTimeMs(launch, now))}
      </td>
      <td data-label="PID" class="nowrap num" data-testid="launch-pid">
        ${launch.pid == null
          ? html`<span class="muted">—</span>`
          : launch.running
            ? html`<a href=${`#/processes?pid=${launch.pid}`} title="Show this process">${launch.pid}</a>`
            : html`<span class="muted">${launch.pid}</span>`}
      </td>
      ${fleet && html`<td data-label="Host" class="nowrap" data-testid="launch-host">${launch.host ?? html`<span class="muted">—</span>`}</td>`}
      <td data-label="Outcome"><${OutcomeBadge} launch=${launch} /></td>
      <td data-label="Command" class="launch-command">
        <code title=${launch.cwd ? `${command}\nin ${launch.cwd}` : command} data-testid="launch-argv">${command}</code>
      </td>
      ${canAct &&
      html`<td class="actions-cell launch-actions">
        ${launch.running &&
        html`<button type="button" class="btn btn-small btn-danger" disabled=${busy} data-testid="launch-stop"
          aria-label=${`Stop ${name}`} onClick=${() => onStop(launch)}>Stop</button>`}
        <button type="button" class="btn btn-small" disabled=${busy} data-testid="launch-relaunch"
          aria-label=${`Launch ${name} again`} title=${launch.app_id ? `Launch ${name} again` : `Run ${command} again`}
          onClick=${() => onRelaunch(launch)}>Relaunch</button>
      </td>`}
    </tr>
  `;
}

/** Props: launches, now (for running durations), canAct, busyId, onStop(launch), onRelaunch(launch). */
export function LaunchTable({ launches, now, canAct, busyId, onStop, onRelaunch }) {
  // The host column appears once launches of a fleet's hosts are listed.
  const fleet = launches.some((launch) => launch.host);
  return html`
    <table class="table table-stack launch-table" data-testid="history-table">
      <thead>
        <tr>
          <th scope="col">App</th>
          <th scope="col">User</th>
          <th scope="col">Started</th>
          <th scope="col" class="num">Duration</th>
          <th scope="col" class="num">PID</th>
          ${fleet && html`<th scope="col">Host</th>`}
          <th scope="col">Outcome</th>
          <th scope="col">Command</th>
          ${canAct && html`<th scope="col" class="actions-cell"><span class="visually-hidden">Actions</span></th>`}
        </tr>
      </thead>
      <tbody>
        ${launches.map((launch) => html`<${LaunchRow} key=${launch.id} launch=${launch} now=${now} canAct=${canAct} fleet=${fleet}
          busy=${busyId === launch.id} onStop=${onStop} onRelaunch=${onRelaunch} />`)}
      </tbody>
    </table>
  `;
}
