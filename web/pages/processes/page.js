// Processes page: the system summary and the live process table (htop in the browser), with a
// detail panel and actions. The pieces live in ./processes/.
import { html } from '../../vendor/preact-htm.js';
import { PageHeading } from '../../ui/page.js';
import { can } from '../../ui/roles.js';
import { LiveIndicator } from '../../ui/live-stream.js';
import { useProcessStream } from './live.js';
import { SystemSummary } from './summary.js';
import { ProcessView } from './view.js';

export function ProcessesPage({ title, user }) {
  const stream = useProcessStream();
  const canAct = can(user, 'act');
  return html`
    <div class="processes-page">
      <${PageHeading} title=${title}>
        <${LiveIndicator} status=${stream.status} liveTitle="Updated every second" />
      <//>
      <${SystemSummary} system=${stream.system} />
      <${ProcessView} rows=${stream.rows} byPid=${stream.byPid} takenAt=${stream.takenAt} canAct=${canAct}
        canReveal=${can(user, 'revealCommandLine')} />
    </div>
  `;
}
