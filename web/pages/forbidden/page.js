// Shown instead of an admin-only page to other roles (the server refuses the data anyway).
import { html } from '../../vendor/preact-htm.js';
import { PageHeading } from '../../ui/page.js';

export function ForbiddenPage({ title }) {
  return html`
    <${PageHeading} title=${title} />
    <section class="panel panel-notice" data-testid="forbidden">
      <p>Only administrators can see this page.</p>
    </section>
  `;
}
