// Processes page: the system summary and the live process table (htop in the browser), with a
// detail panel and actions. The pieces live in ./processes/.
import { html } from '../vendor/preact-htm.js';
import { PageHeading } from '../ui/page.js';
import { useProcessStream } from './processes/live.js';
import { SystemSummary } from './processes/summary.js';
import { ProcessView } from './processes/view.js';

const LIVE_LABELS = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  paused: 'Paused',
};
const LIVE_TITLES = {
  connecting: 'Connecting to the live stream',
  live: 'Updated every second',
  reconnecting: 'The connection dropped; retrying',
  offline: 'Cannot reach Boss; retrying every few seconds',
  paused: 'Paused while this tab is hidden',
};

function LiveIndicator({ status }) {
  return html`
    <span class=${`live-indicator live-${status}`} role="status" data-testid="live-indicator" data-state=${status}
      title=${LIVE_TITLES[status]}>
      <span class="live-dot" aria-hidden="true"></span>${LIVE_LABELS[status] || status}
    </span>
  `;
}

export function ProcessesPage({ title, user }) {
  const stream = useProcessStream();
  const canAct = user.role === 'admin' || user.role === 'operator';
  return html`
    <div class="processes-page">
      <${PageHeading} title=${title}>
        <${LiveIndicator} status=${stream.status} />
      <//>
      <${SystemSummary} system=${stream.system} />
      <${ProcessView} rows=${stream.rows} byPid=${stream.byPid} takenAt=${stream.takenAt} canAct=${canAct} />
    </div>
  `;
}
