// Every inline SVG icon of the UI, in one place (decorative: the text or the accessible name of
// the button sits beside them). Each icon has the size it is mostly used at; `size` overrides it.
import { html } from '../vendor/preact-htm.js';

function Icon({ children, size, weight = 2 }) {
  return html`<svg class="icon" viewBox="0 0 24 24" width=${size} height=${size} aria-hidden="true" focusable="false"
    fill="none" stroke="currentColor" stroke-width=${weight} stroke-linecap="round" stroke-linejoin="round">${children}</svg>`;
}

// Frame (header and navigation).
export const MenuIcon = ({ size = 20 }) => html`<${Icon} size=${size}><path d="M4 6h16M4 12h16M4 18h16" /><//>`;
export const CloseIcon = ({ size = 20 }) => html`<${Icon} size=${size}><path d="M6 6l12 12M18 6L6 18" /><//>`;
export const SunIcon = ({ size = 20 }) =>
  html`<${Icon} size=${size}><circle cx="12" cy="12" r="4" /><path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" /><//>`;
export const MoonIcon = ({ size = 20 }) => html`<${Icon} size=${size}><path d="M21 12.8A9 9 0 1 1 11.2 3a7 7 0 0 0 9.8 9.8z" /><//>`;
export const LogoutIcon = ({ size = 20 }) =>
  html`<${Icon} size=${size}><path d="M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9" /><//>`;

// Page content. The lock is drawn small beside text, so a heavier stroke keeps it legible.
export const LockIcon = ({ size = 14 }) =>
  html`<${Icon} size=${size} weight=${2.2}><rect x="5" y="11" width="14" height="10" rx="2" /><path d="M8 11V7a4 4 0 0 1 8 0v4" /><//>`;
export const SearchIcon = ({ size = 18 }) =>
  html`<${Icon} size=${size}><circle cx="11" cy="11" r="7" /><path d="M20 20l-3.5-3.5" /><//>`;
export const XIcon = CloseIcon;
export const GridIcon = ({ size = 18 }) =>
  html`<${Icon} size=${size}><rect x="4" y="4" width="6.5" height="6.5" rx="1.2" /><rect x="13.5" y="4" width="6.5" height="6.5" rx="1.2" /><rect x="4" y="13.5" width="6.5" height="6.5" rx="1.2" /><rect x="13.5" y="13.5" width="6.5" height="6.5" rx="1.2" /><//>`;
export const ListIcon = ({ size = 18 }) =>
  html`<${Icon} size=${size}><path d="M9 6h11M9 12h11M9 18h11" /><circle cx="4.5" cy="6" r="1" /><circle cx="4.5" cy="12" r="1" /><circle cx="4.5" cy="18" r="1" /><//>`;
export const PlayIcon = ({ size = 16 }) => html`<${Icon} size=${size}><path d="M7 4.5v15l12-7.5z" /><//>`;
export const TerminalIcon = ({ size = 18 }) =>
  html`<${Icon} size=${size}><rect x="3" y="4" width="18" height="16" rx="2" /><path d="M7 9l3 3-3 3M12.5 15H17" /><//>`;
export const FolderIcon = ({ size = 18 }) =>
  html`<${Icon} size=${size}><path d="M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z" /><//>`;
export const FileIcon = ({ size = 18 }) =>
  html`<${Icon} size=${size}><path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z" /><path d="M14 3v5h5" /><//>`;
export const LinkIcon = ({ size = 18 }) =>
  html`<${Icon} size=${size}><path d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1" /><path d="M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1" /><//>`;
export const UpIcon = ({ size = 18 }) => html`<${Icon} size=${size}><path d="M12 19V5M5 12l7-7 7 7" /><//>`;
export const HomeIcon = ({ size = 18 }) =>
  html`<${Icon} size=${size}><path d="M3 11l9-7 9 7" /><path d="M5 10v10h14V10" /><//>`;
export const DownloadIcon = ({ size = 18 }) =>
  html`<${Icon} size=${size}><path d="M12 4v11M7 10l5 5 5-5M5 20h14" /><//>`;
