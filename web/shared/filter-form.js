// The parts of the Audit and History pages' filter forms: a draft that applies on submit (Reset
// applies the empty filters), the outcome choice, the time range, suggestions, and the buttons.
// Ids and test ids derive from the page's prefix: `${prefix}-since`, `${prefix}-apply`, and with
// `testids`, `${prefix}-filter-since`.
import { html, useState, useEffect } from '../vendor/preact-htm.js';

/**
 * The draft of a filter form that shows `value` (the applied filters; they may also change from
 * elsewhere, such as a link). Returns { draft, set(key) (an input handler), submit, reset }.
 */
export function useFilterDraft(value, empty, onApply) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  return {
    draft,
    set: (key) => (event) => setDraft({ ...draft, [key]: event.target.value }),
    submit(event) {
      event.preventDefault();
      onApply({ ...draft });
    },
    reset() {
      setDraft(empty);
      onApply({ ...empty });
    },
  };
}

const testidOf = (prefix, testids, name) => (testids ? `${prefix}-filter-${name}` : undefined);

/** A datalist of suggestions: strings, or {value, label}. */
export function Suggestions({ id, items }) {
  return html`
    <datalist id=${id}>
      ${items.map((item) =>
        typeof item === 'string'
          ? html`<option key=${item} value=${item} />`
          : html`<option key=${item.value} value=${item.value}>${item.label}</option>`)}
    </datalist>
  `;
}

/** The outcome select: Any, then `outcomes` named by `label(outcome)`. */
export function OutcomeField({ prefix, testids, value, onChange, outcomes, label = (outcome) => outcome }) {
  return html`
    <div class="field">
      <label for=${`${prefix}-outcome`}>Outcome</label>
      <select id=${`${prefix}-outcome`} name="outcome" value=${value} onChange=${onChange}
        data-testid=${testidOf(prefix, testids, 'outcome')}>
        <option value="">Any</option>
        ${outcomes.map((outcome) => html`<option key=${outcome} value=${outcome}>${label(outcome)}</option>`)}
      </select>
    </div>
  `;
}

/** Since and Until, as local date-times to the second. */
export function TimeRangeFields({ prefix, testids, draft, set }) {
  return [['since', 'Since'], ['until', 'Until']].map(([name, label]) => html`
    <div class="field field-wide" key=${name}>
      <label for=${`${prefix}-${name}`}>${label}</label>
      <input id=${`${prefix}-${name}`} name=${name} type="datetime-local" step="1" value=${draft[name]}
        onInput=${set(name)} data-testid=${testidOf(prefix, testids, name)} />
    </div>
  `);
}

/** Apply (submits the form) and Reset. */
export function FilterActions({ prefix, onReset }) {
  return html`
    <div class="filter-actions">
      <button type="submit" class="btn btn-primary" data-testid=${`${prefix}-apply`}>Apply</button>
      <button type="button" class="btn" onClick=${onReset} data-testid=${`${prefix}-reset`}>Reset</button>
    </div>
  `;
}
