// The filter form of the History page: user, app, outcome and a time range. Applied on submit,
// like the audit log's.
import { html } from '../../vendor/preact-htm.js';
import { OUTCOMES, outcomeLabel } from '../../shared/launch-format.js';
import { EMPTY_FILTERS } from './model.js';
import { FilterActions, OutcomeField, Suggestions, TimeRangeFields, useFilterDraft } from '../../shared/filter-form.js';
import { TextField } from '../../ui/field.js';

/** Props: value (the applied filters), onApply(filters), users and apps (suggestions). */
export function HistoryFilters({ value, onApply, users, apps }) {
  const { draft, set, submit, reset } = useFilterDraft(value, EMPTY_FILTERS, onApply);
  return html`
    <form class="filters history-filters" onSubmit=${submit} aria-label="Filter launches" data-testid="history-filters">
      <${TextField} id="history-user" label="User" name="user" list="history-user-list" autocapitalize="none"
        spellcheck=${false} autocomplete="off" value=${draft.user} onInput=${set('user')}
        data-testid="history-filter-user">
        <${Suggestions} id="history-user-list" items=${users} />
      <//>
      <${TextField} id="history-app" label="App" name="app" list="history-app-list" autocapitalize="none"
        spellcheck=${false} autocomplete="off" placeholder="Name or id" value=${draft.app} onInput=${set('app')}
        data-testid="history-filter-app">
        <${Suggestions} id="history-app-list" items=${apps} />
      <//>
      <${OutcomeField} prefix="history" testids value=${draft.outcome} onChange=${set('outcome')} outcomes=${OUTCOMES}
        label=${outcomeLabel} />
      <${TimeRangeFields} prefix="history" testids draft=${draft} set=${set} />
      <${FilterActions} prefix="history" onReset=${reset} />
    </form>
  `;
}
