// Small inline SVG icons (decorative: buttons carry their own accessible names).
import { html } from '../vendor/preact-htm.js';

function Icon({ children }) {
  return html`<svg class="icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false"
    fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${children}</svg>`;
}

export const MenuIcon = () => html`<${Icon}><path d="M4 6h16M4 12h16M4 18h16" /><//>`;
export const CloseIcon = () => html`<${Icon}><path d="M6 6l12 12M18 6L6 18" /><//>`;
export const SunIcon = () =>
  html`<${Icon}><circle cx="12" cy="12" r="4" /><path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" /><//>`;
export const MoonIcon = () => html`<${Icon}><path d="M21 12.8A9 9 0 1 1 11.2 3a7 7 0 0 0 9.8 9.8z" /><//>`;
export const LogoutIcon = () =>
  html`<${Icon}><path d="M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9" /><//>`;
