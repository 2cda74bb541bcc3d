// The search box of the Processes, Windows and Applications pages: a magnifier, the input, how
// many rows match, and the "/" key hint. The "/" shortcut itself is wired by the page
// (ui/find-shortcut.js, or the Processes page's own keys), which owns `inputRef`.
import { html } from '../vendor/preact-htm.js';
import { SearchIcon } from './icons.js';

/**
 * Props: id (of the input; its hint is `${id}-hint`), inputRef, name, label (also the
 * placeholder), value, onInput(text), count (text shown at the end), hint (what matches, read
 * to screen readers), testid, fieldClass.
 */
export function SearchField({ id, inputRef, name = 'filter', label, value, onInput, count, hint, testid, fieldClass }) {
  const hintId = `${id}-hint`;
  return html`
    <div class=${`field ${fieldClass}`}>
      <label for=${id} class="visually-hidden">${label}</label>
      <span class="search-box">
        <${SearchIcon} />
        <input id=${id} ref=${inputRef} name=${name} type="search" autocomplete="off" autocapitalize="none"
          spellcheck=${false} placeholder=${label} value=${value} aria-keyshortcuts="/"
          aria-describedby=${hintId} data-testid=${testid} onInput=${(e) => onInput(e.target.value)} />
        <span class="filter-end" aria-hidden="true">
          <span class="filter-count">${count}</span>
          <kbd class="key-hint">/</kbd>
        </span>
      </span>
      <span id=${hintId} class="visually-hidden">${hint} Press slash to come back here.</span>
    </div>
  `;
}
