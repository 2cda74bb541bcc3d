// Audit log page (admins): who did what, when, and how it ended; filterable, paged with a cursor.
import { html, useState, useEffect, useRef, useCallback } from '../../vendor/preact-htm.js';
import { api, errorMessage } from '../../api.js';
import { PageHeading } from '../../ui/page.js';
import { ErrorAlert, Loading } from '../../ui/feedback.js';
import { formatDateTime, localInputToRfc3339 } from '../../ui/format.js';
import { FilterActions, OutcomeField, Suggestions, TimeRangeFields, useFilterDraft } from '../../shared/filter-form.js';
import { TextField } from '../../ui/field.js';

const PAGE_SIZE = 50;
const KNOWN_ACTIONS = [
  'auth.register', 'auth.login', 'auth.login_failed', 'auth.logout', 'auth.password_change',
  'token.create', 'token.delete', 'user.create', 'user.update', 'user.delete', 'settings.update',
];
const OUTCOMES = ['success', 'failure', 'denied'];
const OUTCOME_BADGE = { success: 'badge-success', failure: 'badge-danger', denied: 'badge-warning' };
const EMPTY_FILTERS = { actor: '', action: '', outcome: '', since: '', until: '' };

function toQuery(filters) {
  return {
    actor: filters.actor.trim(),
    action: filters.action.trim(),
    outcome: filters.outcome,
    since: localInputToRfc3339(filters.since),
    until: localInputToRfc3339(filters.until),
    limit: PAGE_SIZE,
  };
}

function FilterForm({ value, onApply }) {
  const { draft, set, submit, reset } = useFilterDraft(value, EMPTY_FILTERS, onApply);
  return html`
    <form class="filters" onSubmit=${submit} aria-label="Filter events" data-testid="audit-filters">
      <${TextField} id="audit-actor" label="Actor" name="actor" autocapitalize="none" spellcheck=${false}
        value=${draft.actor} onInput=${set('actor')} />
      <${TextField} id="audit-action" label="Action" name="action" list="audit-action-list" autocapitalize="none"
        spellcheck=${false} value=${draft.action} onInput=${set('action')}>
        <${Suggestions} id="audit-action-list" items=${KNOWN_ACTIONS} />
      <//>
      <${OutcomeField} prefix="audit" value=${draft.outcome} onChange=${set('outcome')} outcomes=${OUTCOMES} />
      <${TimeRangeFields} prefix="audit" draft=${draft} set=${set} />
      <${FilterActions} prefix="audit" onReset=${reset} />
    </form>
  `;
}

// In a fleet each row names the host that wrote it, and the host a relayed request came through.
function hostCell(detail) {
  if (!detail?.host) return html`<span class="muted">—</span>`;
  return detail.via ? `${detail.host} (via ${detail.via})` : detail.host;
}

function EventRow({ event }) {
  const detail = event.detail == null ? '' : JSON.stringify(event.detail);
  return html`
    <tr data-testid="audit-row">
      <td class="nowrap" data-label="Time"><time datetime=${event.at} title=${event.at}>${formatDateTime(event.at)}</time></td>
      <td data-label="Actor">${event.actor ?? html`<span class="muted">—</span>`}</td>
      <td data-label="Action"><code>${event.action}</code></td>
      <td data-label="Target">${event.target ?? html`<span class="muted">—</span>`}</td>
      <td data-label="Outcome">
        <span class=${`badge ${OUTCOME_BADGE[event.outcome] || 'badge-neutral'}`} data-testid="audit-outcome">
          ${event.outcome}
        </span>
      </td>
      <td class="nowrap" data-label="Client">${event.client ?? html`<span class="muted">—</span>`}</td>
      <td class="nowrap" data-label="Host" data-testid="audit-host">${hostCell(event.detail)}</td>
      <td class="detail-cell" data-label="Detail">${detail ? html`<code>${detail}</code>` : html`<span class="muted">—</span>`}</td>
    </tr>
  `;
}

export function AuditPage({ title }) {
  const [filters, setFilters] = useState(EMPTY_FILTERS);
  const [events, setEvents] = useState([]);
  const [cursor, setCursor] = useState(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState(null);
  // Each load gets a number; answers to superseded loads are dropped.
  const requestId = useRef(0);

  const load = useCallback(async (activeFilters, fromCursor) => {
    const id = ++requestId.current;
    setLoading(true);
    setError(null);
    try {
      const query = toQuery(activeFilters);
      if (fromCursor) query.cursor = fromCursor;
      const page = await api('/audit', { query });
      if (id !== requestId.current) return;
      setEvents((previous) => (fromCursor ? [...previous, ...page.events] : page.events));
      setCursor(page.next_cursor || null);
    } catch (err) {
      if (id === requestId.current) setError(errorMessage(err));
    } finally {
      if (id === requestId.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    load(filters, null);
  }, [filters, load]);

  return html`
    <${PageHeading} title=${title}>
      <button type="button" class="btn" onClick=${() => load(filters, null)} disabled=${loading}
        data-testid="audit-refresh">Refresh</button>
    <//>
    <${FilterForm} value=${filters} onApply=${setFilters} />
    <${ErrorAlert} message=${error} testid="audit-error" />
    <div class="table-wrap" tabindex="0" role="region" aria-label="Audit events">
      <table class="table table-stack" data-testid="audit-table">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Outcome</th>
            <th scope="col">Client</th>
            <th scope="col">Host</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          ${events.map((event) => html`<${EventRow} key=${event.id} event=${event} />`)}
        </tbody>
      </table>
      ${!loading && !error && events.length === 0 &&
      html`<p class="empty" data-testid="audit-empty">No events match these filters.</p>`}
    </div>
    ${loading && html`<${Loading} />`}
    ${cursor && !loading &&
    html`<p class="load-more">
      <button type="button" class="btn" onClick=${() => load(filters, cursor)} data-testid="audit-load-more">
        Load more
      </button>
    </p>`}
  `;
}
