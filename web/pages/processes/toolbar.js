// Filters above the process table: text, user, state, kernel threads, tree view.
import { html } from '../../vendor/preact-htm.js';
import { formatCount, stateLabel } from './format.js';
import { SearchField } from '../../ui/search-field.js';

function countText(shown, total, long = false) {
  if (total == null) return '';
  if (shown === total) return `${formatCount(total)} processes`;
  return long ? `${formatCount(shown)} of ${formatCount(total)} processes shown` : `${formatCount(shown)} of ${formatCount(total)}`;
}

/**
 * Props: filters ({text, user, state, hideKernel}), onFilters(patch), tree, onTree(bool),
 * users, states (choices), shown, total, filterRef.
 */
export function ProcessToolbar({ filters, onFilters, tree, onTree, users, states, shown, total, filterRef }) {
  // Keep a chosen user/state in the menu even when no process has it right now.
  const userChoices = filters.user && !users.includes(filters.user) ? [...users, filters.user] : users;
  const stateChoices = filters.state && !states.includes(filters.state) ? [...states, filters.state] : states;

  return html`
    <form class="proc-toolbar" role="search" aria-label="Filter processes" onSubmit=${(e) => e.preventDefault()}>
      <${SearchField} id="proc-filter" inputRef=${filterRef} label="Filter processes" value=${filters.text}
        onInput=${(text) => onFilters({ text })} count=${countText(shown, total)} testid="process-filter"
        fieldClass="proc-filter-field" hint="Matches the name, command line, user or PID; every word must match." />
      <div class="field">
        <label for="proc-user" class="visually-hidden">User</label>
        <select id="proc-user" name="user" value=${filters.user} data-testid="filter-user"
          onChange=${(e) => onFilters({ user: e.target.value })}>
          <option value="">All users</option>
          ${userChoices.map((u) => html`<option key=${u} value=${u}>${u}</option>`)}
        </select>
      </div>
      <div class="field">
        <label for="proc-state" class="visually-hidden">State</label>
        <select id="proc-state" name="state" value=${filters.state} data-testid="filter-state"
          onChange=${(e) => onFilters({ state: e.target.value })}>
          <option value="">All states</option>
          ${stateChoices.map((s) => html`<option key=${s} value=${s}>${stateLabel(s)}</option>`)}
        </select>
      </div>
      <div class="proc-switches">
        <div class="switch-row">
          <input id="proc-hide-kernel" type="checkbox" role="switch" class="switch" checked=${filters.hideKernel}
            data-testid="kernel-toggle" onChange=${(e) => onFilters({ hideKernel: e.target.checked })} />
          <label for="proc-hide-kernel">Hide kernel threads</label>
        </div>
        <div class="switch-row">
          <input id="proc-tree-view" type="checkbox" role="switch" class="switch" checked=${tree}
            data-testid="tree-toggle" onChange=${(e) => onTree(e.target.checked)} />
          <label for="proc-tree-view">Tree view</label>
        </div>
      </div>
      <p class="visually-hidden" data-testid="process-count">${countText(shown, total, true)}</p>
    </form>
  `;
}
