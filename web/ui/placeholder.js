// Honest stand-in for the parts of Boss that later versions fill in.
import { html } from '../vendor/preact-htm.js';
import { PageHeading } from './page.js';

export function NotBuiltPage({ title, purpose }) {
  return html`
    <${PageHeading} title=${title} />
    <section class="panel panel-notice" data-testid="not-built">
      <p><span class="badge badge-neutral">Not built yet</span></p>
      <p><strong>This part of Boss is not built into this version yet.</strong></p>
      <p class="muted">${purpose}</p>
    </section>
  `;
}
