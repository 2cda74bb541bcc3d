// Shared page chrome: the <h1> of every page (focus target after navigation).
import { html } from '../vendor/preact-htm.js';

export function PageHeading({ title, children }) {
  return html`
    <div class="page-heading">
      <h1 id="page-title" tabindex="-1">${title}</h1>
      ${children}
    </div>
  `;
}
