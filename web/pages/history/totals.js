// Totals per app for the History page's filters (GET /api/v1/launches/totals): how many
// launches and how long they ran in all, with a bar for the run time.
import { html, useState } from '../../vendor/preact-htm.js';
import { ErrorAlert } from '../../ui/feedback.js';
import { formatRunTime } from '../../shared/launch-format.js';

const FIRST_ROWS = 8;

/** Props: totals (null while loading), error. */
export function TotalsPanel({ totals, error }) {
  const [all, setAll] = useState(false);
  const list = totals || [];
  const longest = Math.max(1, ...list.map((t) => t.total_run_ms || 0));
  const shown = all ? list : list.slice(0, FIRST_ROWS);
  const sumLaunches = list.reduce((sum, t) => sum + (t.launches || 0), 0);
  const sumMs = list.reduce((sum, t) => sum + (t.total_run_ms || 0), 0);

  return html`
    <section class="panel totals-panel" aria-labelledby="totals-title" data-testid="history-totals">
      <div class="totals-head">
        <h2 id="totals-title">Totals per app</h2>
        ${totals && list.length > 0 && html`<p class="totals-sum muted" data-testid="totals-sum">
          ${sumLaunches} ${sumLaunches === 1 ? 'launch' : 'launches'} · ${formatRunTime(sumMs)} in all</p>`}
      </div>
      <${ErrorAlert} message=${error} testid="totals-error" />
      ${totals === null && !error && html`<p class="loading">Loading…</p>`}
      ${totals && list.length === 0 && html`<p class="muted totals-empty">No launches match these filters.</p>`}
      ${list.length > 0 &&
      html`<table class="totals-table">
        <thead>
          <tr>
            <th scope="col">App</th>
            <th scope="col" class="num">Launches</th>
            <th scope="col" class="num">Run time</th>
            <th scope="col" class="totals-bar-col"><span class="visually-hidden">Share of the longest</span></th>
          </tr>
        </thead>
        <tbody>
          ${shown.map((t) => {
            const share = Math.round(((t.total_run_ms || 0) / longest) * 100);
            return html`<tr key=${`${t.app_id ?? ''}\u0000${t.app_name}`} data-testid="total-row"
              data-app-id=${t.app_id ?? ''} data-app-name=${t.app_name}>
              <th scope="row" class="totals-name" title=${t.app_id || t.app_name}>${t.app_name || t.app_id}</th>
              <td class="num" data-testid="total-launches">${t.launches}</td>
              <td class="num nowrap" data-testid="total-run-time">${formatRunTime(t.total_run_ms)}</td>
              <td class="totals-bar-col" aria-hidden="true">
                <span class="totals-bar"><span class="totals-bar-fill" style=${{ width: `${share}%` }}></span></span>
              </td>
            </tr>`;
          })}
        </tbody>
      </table>`}
      ${list.length > FIRST_ROWS && html`<button type="button" class="btn btn-small totals-more" onClick=${() => setAll(!all)}
        aria-expanded=${all ? 'true' : 'false'}>${all ? 'Show fewer' : `Show all ${list.length}`}</button>`}
    </section>
  `;
}
