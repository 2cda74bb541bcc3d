// The frame around every signed-in page: header (brand, user, theme, log out) and navigation
// (a sidebar on wide screens, a menu opened by a button on phones).
import { html, useState, useEffect } from './vendor/preact-htm.js';
import { useTheme } from './theme.js';
import { can, roleLabel } from './ui/roles.js';
import { MenuIcon, CloseIcon, SunIcon, MoonIcon, LogoutIcon } from './ui/icons.js';
import { HostSwitcher } from './ui/host-switcher.js';

export const NAV_ITEMS = [
  { route: 'processes', label: 'Processes', testid: 'nav-processes' },
  { route: 'windows', label: 'Windows', testid: 'nav-windows' },
  { route: 'apps', label: 'Applications', testid: 'nav-apps' },
  { route: 'history', label: 'History', testid: 'nav-history' },
  { route: 'sessions', label: 'Sessions', testid: 'nav-sessions' },
  { route: 'managed', label: 'Managed', testid: 'nav-managed' },
  { route: 'hosts', label: 'Hosts', testid: 'nav-hosts' },
  { route: 'audit', label: 'Audit', testid: 'nav-audit', needs: 'readAudit' },
  { route: 'settings', label: 'Settings', testid: 'nav-settings' },
  { route: 'account', label: 'Account', testid: 'nav-account' },
];

function ThemeToggle() {
  const [theme, toggle] = useTheme();
  const next = theme === 'dark' ? 'light' : 'dark';
  return html`
    <button type="button" class="btn btn-icon" onClick=${toggle} data-testid="theme-toggle"
      aria-label=${`Switch to ${next} theme`} title=${`Switch to ${next} theme`}>
      ${theme === 'dark' ? html`<${SunIcon} />` : html`<${MoonIcon} />`}
    </button>
  `;
}

export function Layout({ user, route, onLogout, children }) {
  const [menuOpen, setMenuOpen] = useState(false);

  // Navigating closes the phone menu.
  useEffect(() => setMenuOpen(false), [route]);

  useEffect(() => {
    if (!menuOpen) return undefined;
    const onKey = (event) => {
      if (event.key === 'Escape') setMenuOpen(false);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [menuOpen]);

  const items = NAV_ITEMS.filter((item) => !item.needs || can(user, item.needs));

  return html`
    <a class="skip-link" href="#main" onClick=${skipToMain}>Skip to content</a>
    <div class="shell">
      <header class="topbar">
        <button type="button" class="btn btn-icon menu-button" aria-controls="main-nav"
          aria-expanded=${menuOpen ? 'true' : 'false'} aria-label="Menu" data-testid="menu-button"
          onClick=${() => setMenuOpen(!menuOpen)}>
          ${menuOpen ? html`<${CloseIcon} />` : html`<${MenuIcon} />`}
        </button>
        <a class="brand" href="#/processes">
          <img src="/favicon.svg" alt="" width="24" height="24" />
          <span>Boss of Apps</span>
        </a>
        <div class="topbar-end">
          <${HostSwitcher} />
          <span class="user-badge" data-testid="current-user" title=${`${user.username} (${user.role})`}>
            <span class="user-name">${user.username}</span>
            <span class="role-tag role-${user.role}">${roleLabel(user.role)}</span>
          </span>
          <${ThemeToggle} />
          <button type="button" class="btn btn-logout" onClick=${onLogout} data-testid="logout">
            <${LogoutIcon} /><span class="btn-label">Log out</span>
          </button>
        </div>
      </header>
      <nav id="main-nav" class=${menuOpen ? 'sidebar open' : 'sidebar'} aria-label="Main">
        <ul>
          ${items.map(
            (item) => html`
              <li key=${item.route}>
                <a href=${`#/${item.route}`} data-testid=${item.testid}
                  aria-current=${route === item.route ? 'page' : undefined}>${item.label}</a>
              </li>
            `,
          )}
        </ul>
      </nav>
      <main id="main" tabindex="-1">${children}</main>
    </div>
  `;
}

// The hash router owns location.hash, so the skip link moves focus instead of navigating.
function skipToMain(event) {
  event.preventDefault();
  document.getElementById('main')?.focus();
}
