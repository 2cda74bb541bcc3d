// The table of API tokens, shown on the Account page (your own tokens) and in Settings (an
// admin's view of another account's tokens); only the action button differs.
import { html } from '../vendor/preact-htm.js';
import { formatDateTime } from '../ui/format.js';

/** A date, or `empty` (muted) when there is none. */
export function Time({ value, empty = 'Never' }) {
  if (!value) return html`<span class="muted">${empty}</span>`;
  return html`<time datetime=${value} title=${value}>${formatDateTime(value)}</time>`;
}

/** When a token expires, and whether it already has. */
function TokenExpiry({ token }) {
  if (!token.expires_at) return html`<span class="muted">Never</span>`;
  return html`
    <${Time} value=${token.expires_at} />
    ${token.expired && html` <span class="badge badge-danger" data-testid="token-expired">expired</span>`}
  `;
}

/**
 * Props: tokens, label (the table's accessible name), nameHeader, rowTestid, testid (of the
 * table), action(token) → the button of the last column.
 */
export function TokenTable({ tokens, label, nameHeader, rowTestid, testid, action }) {
  return html`
    <table class="table table-stack" aria-label=${label} data-testid=${testid}>
      <thead>
        <tr>
          <th scope="col">${nameHeader}</th>
          <th scope="col">Created</th>
          <th scope="col">Last used</th>
          <th scope="col">Expires</th>
          <th scope="col"><span class="visually-hidden">Actions</span></th>
        </tr>
      </thead>
      <tbody>
        ${tokens.map(
          (t) => html`
            <tr key=${t.id} data-testid=${rowTestid}>
              <td data-label=${nameHeader}>${t.name}</td>
              <td class="nowrap" data-label="Created"><${Time} value=${t.created_at} empty="" /></td>
              <td class="nowrap" data-label="Last used"><${Time} value=${t.last_used_at} /></td>
              <td class="nowrap" data-label="Expires"><${TokenExpiry} token=${t} /></td>
              <td class="actions-cell">${action(t)}</td>
            </tr>
          `,
        )}
      </tbody>
    </table>
  `;
}
