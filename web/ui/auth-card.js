// The centred card used by the login and register pages (shown without the app frame).
import { html } from '../vendor/preact-htm.js';

export function AuthCard({ title, children }) {
  return html`
    <main class="center-page">
      <section class="card auth-card">
        <p class="brand brand-large">
          <img src="/favicon.svg" alt="" width="32" height="32" />
          <span>Boss of Apps</span>
        </p>
        <h1 id="page-title" tabindex="-1">${title}</h1>
        ${children}
      </section>
    </main>
  `;
}
