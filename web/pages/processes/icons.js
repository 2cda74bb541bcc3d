// Small inline SVG icons of the Processes page (decorative: their text sits beside them).
import { html } from '../../vendor/preact-htm.js';

function Icon({ children, size = 14 }) {
  return html`<svg class="icon" viewBox="0 0 24 24" width=${size} height=${size} aria-hidden="true" focusable="false"
    fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round">${children}</svg>`;
}

export const LockIcon = ({ size }) =>
  html`<${Icon} size=${size}><rect x="5" y="11" width="14" height="10" rx="2" /><path d="M8 11V7a4 4 0 0 1 8 0v4" /><//>`;
export const SearchIcon = ({ size = 18 }) =>
  html`<${Icon} size=${size}><circle cx="11" cy="11" r="7" /><path d="M20 20l-3.5-3.5" /><//>`;
export const XIcon = ({ size = 20 }) => html`<${Icon} size=${size}><path d="M6 6l12 12M18 6L6 18" /><//>`;
