// The filter form of the History page: user, app, outcome and a time range. Applied on submit,
// like the audit log's.
import { html, useState, useEffect } from '../../vendor/preact-htm.js';
import { OUTCOMES, outcomeLabel } from '../../shared/launch-format.js';
import { EMPTY_FILTERS } from './model.js';

/** Props: value (the applied filters), onApply(filters), users and apps (suggestions). */
export function HistoryFilters({ value, onApply, users, apps }) {
  const [draft, setDraft] = useState(value);
  // Filters applied from elsewhere (a link, Reset) show in the form.
  useEffect(() => setDraft(value), [value]);
  const set = (key) => (event) => setDraft({ ...draft, [key]: event.target.value });

  function submit(event) {
    event.preventDefault();
    onApply({ ...draft });
  }
  function reset() {
    setDraft(EMPTY_FILTERS);
    onApply({ ...EMPTY_FILTERS });
  }

  return html`
    <form class="filters history-filters" onSubmit=${submit} aria-label="Filter launches" data-testid="history-filters">
      <div class="field">
        <label for="history-user">User</label>
        <input id="history-user" name="user" list="history-user-list" autocapitalize="none" spellcheck=${false}
          autocomplete="off" value=${draft.user} onInput=${set('user')} data-testid="history-filter-user" />
        <datalist id="history-user-list">
          ${users.map((u) => html`<option key=${u} value=${u} />`)}
        </datalist>
      </div>
      <div class="field">
        <label for="history-app">App</label>
        <input id="history-app" name="app" list="history-app-list" autocapitalize="none" spellcheck=${false}
          autocomplete="off" placeholder="Name or id" value=${draft.app} onInput=${set('app')}
          data-testid="history-filter-app" />
        <datalist id="history-app-list">
          ${apps.map((a) => html`<option key=${a.value} value=${a.value}>${a.label}</option>`)}
        </datalist>
      </div>
      <div class="field">
        <label for="history-outcome">Outcome</label>
        <select id="history-outcome" name="outcome" value=${draft.outcome} onChange=${set('outcome')}
          data-testid="history-filter-outcome">
          <option value="">Any</option>
          ${OUTCOMES.map((o) => html`<option key=${o} value=${o}>${outcomeLabel(o)}</option>`)}
        </select>
      </div>
      <div class="field field-wide">
        <label for="history-since">Since</label>
        <input id="history-since" name="since" type="datetime-local" step="1" value=${draft.since}
          onInput=${set('since')} data-testid="history-filter-since" />
      </div>
      <div class="field field-wide">
        <label for="history-until">Until</label>
        <input id="history-until" name="until" type="datetime-local" step="1" value=${draft.until}
          onInput=${set('until')} data-testid="history-filter-until" />
      </div>
      <div class="filter-actions">
        <button type="submit" class="btn btn-primary" data-testid="history-apply">Apply</button>
        <button type="button" class="btn" onClick=${reset} data-testid="history-reset">Reset</button>
      </div>
    </form>
  `;
}
