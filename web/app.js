// Entry point: loads health and the session, routes on location.hash, and renders the page.
//
// Where the UI's modules live (no build step: the browser loads these files as they are):
// - pages/<name>/page.js is every page, one folder per page (even a page of one file), with the
//   modules only that page uses beside it. A page never imports from another page's folder.
// - shared/ holds the parts of the product several pages use (launch outcomes and the launch
//   stream for Applications and History, the token table for Account and Settings).
// - ui/ holds the generic pieces: icons, search box, dialogs, feedback, roles, formatting.
import { html, render, useState, useEffect, useLayoutEffect, useCallback, useRef } from './vendor/preact-htm.js';
import { api, setUnauthorizedHandler, errorMessage, selectedHost, onHostChange } from './api.js';
import { applyStoredTheme } from './theme.js';
import { registerServiceWorker } from './pwa.js';
import { Layout } from './layout.js';
import { Loading } from './ui/feedback.js';
import { LoginPage } from './pages/login/page.js';
import { RegisterPage } from './pages/register/page.js';
import { ProcessesPage } from './pages/processes/page.js';
import { WindowsPage } from './pages/windows/page.js';
import { AppsPage } from './pages/apps/page.js';
import { HistoryPage } from './pages/history/page.js';
import { SessionsPage } from './pages/sessions/page.js';
import { ManagedPage } from './pages/managed/page.js';
import { AuditPage } from './pages/audit/page.js';
import { HostsPage } from './pages/hosts/page.js';
import { SettingsPage } from './pages/settings/page.js';
import { AccountPage } from './pages/account/page.js';
import { ForbiddenPage } from './pages/forbidden/page.js';
import { can } from './ui/roles.js';

const DEFAULT_ROUTE = 'processes';

// Pages of the signed-in app; a page that `needs` a permission shows a refusal to the roles without it.
const PAGES = {
  processes: { title: 'Processes', component: ProcessesPage },
  windows: { title: 'Windows', component: WindowsPage },
  apps: { title: 'Applications', component: AppsPage },
  history: { title: 'History', component: HistoryPage },
  sessions: { title: 'Sessions', component: SessionsPage },
  managed: { title: 'Managed apps', component: ManagedPage },
  hosts: { title: 'Hosts', component: HostsPage },
  audit: { title: 'Audit log', component: AuditPage, needs: 'readAudit' },
  settings: { title: 'Settings', component: SettingsPage },
  account: { title: 'Account', component: AccountPage },
};
const PUBLIC_PAGES = { login: 'Log in', register: 'Register' };

function currentRoute() {
  const path = location.hash.replace(/^#\/?/, '').split(/[?/]/)[0];
  return path in PAGES || path in PUBLIC_PAGES ? path : DEFAULT_ROUTE;
}

function navigate(route) {
  const target = `#/${route}`;
  if (location.hash !== target) location.hash = target;
}

function useHashRoute() {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const onChange = () => setRoute(currentRoute());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

function StartupError({ message, onRetry }) {
  return html`
    <main class="center-page">
      <section class="card">
        <h1>Boss of Apps</h1>
        <p class="alert alert-error" role="alert">${message}</p>
        <button type="button" class="btn btn-primary" onClick=${onRetry}>Try again</button>
      </section>
    </main>
  `;
}

function App() {
  const route = useHashRoute();
  // session: undefined while loading; then { health, user } where user is null when signed out.
  const [session, setSession] = useState(undefined);
  const [startupError, setStartupError] = useState(null);

  const load = useCallback(async () => {
    setStartupError(null);
    try {
      const health = await api('/health');
      let user = null;
      let auth = null;
      // Before the first account exists nobody can be signed in, so skip the (401) probe.
      if (!health.setup_required) {
        try {
          const me = await api('/auth/me', { quiet401: true });
          user = me.user;
          auth = me.auth;
        } catch (error) {
          if (error.status !== 401) throw error;
        }
      }
      setSession({ health, user, auth });
    } catch (error) {
      setStartupError(errorMessage(error));
    }
  }, []);

  useEffect(() => {
    load();
    setUnauthorizedHandler(() => {
      setSession((s) => (s ? { ...s, user: null, auth: null } : s));
      navigate('login');
    });
  }, [load]);

  const refreshHealth = useCallback(async () => {
    try {
      const health = await api('/health');
      setSession((s) => ({ ...s, health }));
    } catch {
      // keep the last known health; pages show their own errors
    }
  }, []);

  const onSignedIn = useCallback(
    (user) => {
      setSession((s) => ({ ...s, user, auth: 'session' }));
      refreshHealth(); // setup_required turns false after the first account
      navigate(DEFAULT_ROUTE);
    },
    [refreshHealth],
  );

  const onUserUpdated = useCallback((user) => setSession((s) => ({ ...s, user })), []);

  const onLogout = useCallback(async () => {
    try {
      await api('/auth/logout', { method: 'POST', quiet401: true });
    } catch {
      // the session may already be gone; the user is signed out either way
    }
    setSession((s) => ({ ...s, user: null, auth: null }));
    refreshHealth();
    navigate('login');
  }, [refreshHealth]);

  const [host, setHost] = useState(selectedHost);
  useEffect(() => onHostChange(setHost), []);

  const signedIn = Boolean(session?.user);
  const health = session?.health;

  // Send the browser to a route that fits the session state.
  useEffect(() => {
    if (!session) return;
    if (signedIn && route in PUBLIC_PAGES) navigate(DEFAULT_ROUTE);
    else if (!signedIn && health.setup_required && route !== 'register') navigate('register');
    else if (!signedIn && !(route in PUBLIC_PAGES)) navigate('login');
  }, [session, signedIn, health, route]);

  const page = signedIn ? PAGES[route] : null;
  const title = page ? page.title : PUBLIC_PAGES[route];

  useLayoutEffect(() => {
    document.title = title ? `${title} · Boss of Apps` : 'Boss of Apps';
  }, [title]);

  // Move focus to the new page's heading so keyboard and screen-reader users land on it.
  const shownRoute = useRef(null);
  useEffect(() => {
    if (!signedIn || !page) return;
    if (shownRoute.current !== null && shownRoute.current !== route) {
      document.getElementById('page-title')?.focus();
    }
    shownRoute.current = route;
  }, [route, signedIn, page]);

  if (startupError) return html`<${StartupError} message=${startupError} onRetry=${load} />`;
  if (!session) return html`<main class="center-page"><${Loading} /></main>`;

  if (!signedIn) {
    if (route === 'register' || health.setup_required) {
      return html`<${RegisterPage} health=${health} onSignedIn=${onSignedIn} />`;
    }
    return html`<${LoginPage} health=${health} onSignedIn=${onSignedIn} />`;
  }

  if (!page) return null; // redirecting away from login/register
  const Page = page.needs && !can(session.user, page.needs) ? ForbiddenPage : page.component;
  // Choosing another host remounts the page, which then loads that host's machine.
  return html`
    <${Layout} user=${session.user} route=${route} onLogout=${onLogout}>
      <${Page} key=${`${route}@${host || ''}`} user=${session.user} auth=${session.auth} title=${page.title}
        onUserUpdated=${onUserUpdated} />
    <//>
  `;
}

applyStoredTheme();
registerServiceWorker();
const root = document.getElementById('app');
root.textContent = ''; // drop the <noscript> fallback; Preact would otherwise keep it as a stray child
render(html`<${App} />`, root);
