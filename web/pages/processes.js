// Processes page: the system summary and the live process table (htop in the browser), with a
// detail panel and actions. The pieces live in ./processes/.
import { html } from '../vendor/preact-htm.js';
import { PageHeading } from '../ui/page.js';
import { LiveIndicator } from '../ui/live-stream.js';
import { useProcessStream } from './processes/live.js';
import { SystemSummary } from './processes/summary.js';
import { ProcessView } from './processes/view.js';

export function ProcessesPage({ title, user }) {
  const stream = useProcessStream();
  const canAct = user.role === 'admin' || user.role === 'operator';
  return html`
    <div class="processes-page">
      <${PageHeading} title=${title}>
        <${LiveIndicator} status=${stream.status} liveTitle="Updated every second" />
      <//>
      <${SystemSummary} system=${stream.system} />
      <${ProcessView} rows=${stream.rows} byPid=${stream.byPid} takenAt=${stream.takenAt} canAct=${canAct}
        canReveal=${user.role === 'admin'} />
    </div>
  `;
}
