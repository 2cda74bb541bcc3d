// A labelled text input in the forms' layout: the label above, the input, then what belongs to it
// (a hint, which the input names in aria-describedby, or a list of suggestions).
import { html } from '../vendor/preact-htm.js';

/**
 * Props: id, label, hint (optional, shown as `${id}-hint`), onValue(text) on each input,
 * fieldClass (default 'field'), children (after the input, such as a datalist); every other prop
 * goes to the input.
 */
export function TextField({ id, label, hint, onValue, fieldClass = 'field', children, ...input }) {
  const hintId = hint ? `${id}-hint` : undefined;
  return html`
    <div class=${fieldClass}>
      <label for=${id}>${label}</label>
      <input id=${id} aria-describedby=${hintId} onInput=${onValue && ((event) => onValue(event.target.value))} ...${input} />
      ${hint && html`<p id=${hintId} class="hint">${hint}</p>`}
      ${children}
    </div>
  `;
}
