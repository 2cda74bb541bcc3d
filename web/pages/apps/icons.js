// Small inline SVG icons of the Applications and History pages (decorative: the text or the
// accessible name sits beside them).
import { html } from '../../vendor/preact-htm.js';

function Icon({ children, size = 18 }) {
  return html`<svg class="icon" viewBox="0 0 24 24" width=${size} height=${size} aria-hidden="true" focusable="false"
    fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${children}</svg>`;
}

export const SearchIcon = ({ size = 18 }) =>
  html`<${Icon} size=${size}><circle cx="11" cy="11" r="7" /><path d="M20 20l-3.5-3.5" /><//>`;
export const GridIcon = ({ size = 18 }) =>
  html`<${Icon} size=${size}><rect x="4" y="4" width="6.5" height="6.5" rx="1.2" /><rect x="13.5" y="4" width="6.5" height="6.5" rx="1.2" /><rect x="4" y="13.5" width="6.5" height="6.5" rx="1.2" /><rect x="13.5" y="13.5" width="6.5" height="6.5" rx="1.2" /><//>`;
export const ListIcon = ({ size = 18 }) =>
  html`<${Icon} size=${size}><path d="M9 6h11M9 12h11M9 18h11" /><circle cx="4.5" cy="6" r="1" /><circle cx="4.5" cy="12" r="1" /><circle cx="4.5" cy="18" r="1" /><//>`;
export const PlayIcon = ({ size = 16 }) =>
  html`<${Icon} size=${size}><path d="M7 4.5v15l12-7.5z" /><//>`;
export const TerminalIcon = ({ size = 18 }) =>
  html`<${Icon} size=${size}><rect x="3" y="4" width="18" height="16" rx="2" /><path d="M7 9l3 3-3 3M12.5 15H17" /><//>`;
export const FolderIcon = ({ size = 18 }) =>
  html`<${Icon} size=${size}><path d="M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z" /><//>`;
export const FileIcon = ({ size = 18 }) =>
  html`<${Icon} size=${size}><path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z" /><path d="M14 3v5h5" /><//>`;
export const LinkIcon = ({ size = 18 }) =>
  html`<${Icon} size=${size}><path d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1" /><path d="M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1" /><//>`;
export const UpIcon = ({ size = 18 }) =>
  html`<${Icon} size=${size}><path d="M12 19V5M5 12l7-7 7 7" /><//>`;
export const HomeIcon = ({ size = 18 }) =>
  html`<${Icon} size=${size}><path d="M3 11l9-7 9 7" /><path d="M5 10v10h14V10" /><//>`;
export const XIcon = ({ size = 20 }) => html`<${Icon} size=${size}><path d="M6 6l12 12M18 6L6 18" /><//>`;
export const DownloadIcon = ({ size = 18 }) =>
  html`<${Icon} size=${size}><path d="M12 4v11M7 10l5 5 5-5M5 20h14" /><//>`;
