// Messages shown to the user: errors (role=alert, announced at once) and confirmations (role=status).
import { html } from '../vendor/preact-htm.js';

export function ErrorAlert({ message, testid }) {
  if (!message) return null;
  return html`<p class="alert alert-error" role="alert" data-testid=${testid}>${message}</p>`;
}

export function StatusMessage({ message, testid }) {
  // The live region stays mounted so screen readers announce each new message.
  return html`<p class="alert alert-success" role="status" data-testid=${testid} hidden=${!message}>${message}</p>`;
}

export function Loading({ label = 'Loading…' }) {
  return html`<p class="loading" role="status">${label}</p>`;
}
