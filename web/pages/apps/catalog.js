// The application catalog: search and category matching, the grid (a launcher) and the list
// view, icons with a letter placeholder when an app has none (or it does not load).
import { html, useState } from '../../vendor/preact-htm.js';
import { PlayIcon, TerminalIcon } from '../../ui/icons.js';

// Names for the freedesktop main categories (the menu names desktops show); others are split
// from their CamelCase.
const CATEGORY_LABELS = {
  AudioVideo: 'Sound & Video',
  Audio: 'Audio',
  Video: 'Video',
  Development: 'Development',
  Education: 'Education',
  Game: 'Games',
  Graphics: 'Graphics',
  Network: 'Internet',
  Office: 'Office',
  Science: 'Science',
  Settings: 'Settings',
  System: 'System',
  Utility: 'Accessories',
};

export function categoryLabel(category) {
  return CATEGORY_LABELS[category] || category.replace(/([a-z])([A-Z])/g, '$1 $2');
}

/** Lower case without accents, so "écran" matches "ecran". */
function fold(text) {
  return String(text || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

/** The text a search looks through, once per app. */
export function searchText(app) {
  return fold([app.name, app.generic_name, app.comment, app.id, ...(app.keywords || []), ...(app.categories || [])]
    .filter(Boolean)
    .join('\n'));
}

/**
 * The apps matching every word of `query` (in name, generic name, comment, keywords, id or
 * categories) and, when set, the category. `haystacks` is a Map from app id to searchText(app).
 */
export function filterApps(apps, haystacks, query, category) {
  const words = fold(query).split(/\s+/).filter(Boolean);
  return apps.filter((app) => {
    if (category && !(app.categories || []).includes(category)) return false;
    if (!words.length) return true;
    const text = haystacks.get(app.id) || '';
    return words.every((word) => text.includes(word));
  });
}

/** Per category, how many apps have it. */
export function categoryCounts(apps) {
  const counts = new Map();
  for (const app of apps) {
    for (const category of app.categories || []) counts.set(category, (counts.get(category) || 0) + 1);
  }
  return counts;
}

const LETTER_COLOURS = 8;

function letterOf(name) {
  const match = /[\p{L}\p{N}]/u.exec(String(name || ''));
  return match ? match[0].toUpperCase() : '?';
}

function colourOf(text) {
  let hash = 0;
  for (const ch of String(text || '')) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return hash % LETTER_COLOURS;
}

/** The app's icon, or its first letter on a coloured tile when it has none or it fails to load. */
export function AppIcon({ app, size = 48 }) {
  const [failed, setFailed] = useState(false);
  if (!app.icon_url || failed) {
    return html`<span class=${`app-icon app-letter app-letter-${colourOf(app.id || app.name)}`} aria-hidden="true"
      data-testid="app-icon-placeholder">${letterOf(app.name)}</span>`;
  }
  return html`<img class="app-icon" src=${app.icon_url} alt="" width=${size} height=${size} loading="lazy"
    decoding="async" data-testid="app-icon" onError=${() => setFailed(true)} />`;
}

function RunningBadge({ app }) {
  if (!app.running) return null;
  const query = new URLSearchParams({ app: app.id, outcome: 'running' }).toString();
  return html`<a class="badge badge-success app-running" href=${`#/history?${query}`} data-testid="app-running"
    title=${`${app.running} running now: see them in History`}>
    <span class="live-dot" aria-hidden="true"></span>${app.running} running</a>`;
}

function AppCard({ app, canAct, busy, onLaunch, onKeep }) {
  const titleId = `app-name-${app.id}`;
  const description = app.comment || app.generic_name || '';
  return html`
    <li class=${app.running ? 'app-card is-running' : 'app-card'} data-testid="app-card" data-app-id=${app.id}>
      <${AppIcon} app=${app} />
      <div class="app-text">
        <h2 class="app-name" id=${titleId} title=${app.name}>${app.name}</h2>
        ${description && html`<p class="app-comment" title=${description}>${description}</p>`}
      </div>
      <div class="app-meta">
        <${RunningBadge} app=${app} />
        ${app.terminal && html`<span class="badge badge-neutral app-terminal" title="Runs in a terminal">
          <${TerminalIcon} size=${13} />Terminal</span>`}
      </div>
      ${canAct &&
      html`<button type="button" class="btn btn-small app-launch-btn" data-testid="app-launch" disabled=${busy}
        aria-label=${`Launch ${app.name}`} onClick=${() => onLaunch(app)}>
        <${PlayIcon} size=${14} />${busy ? 'Launching…' : 'Launch'}
      </button>`}
      ${canAct && onKeep &&
      html`<button type="button" class="btn btn-small app-keep-btn" data-testid="app-keep" disabled=${busy}
        aria-label=${`Keep ${app.name} running`} title="Boss starts it and restarts it when it ends (see Managed)"
        onClick=${() => onKeep(app)}>Keep running</button>`}
    </li>
  `;
}

/** Props: apps (already filtered), view ('grid' | 'list'), canAct, busyId, onLaunch(app), onKeep(app). */
export function AppCatalog({ apps, view, canAct, busyId, onLaunch, onKeep }) {
  return html`
    <ul class=${`app-catalog app-${view}`} data-testid="apps-grid" data-view=${view} aria-label="Applications">
      ${apps.map((app) => html`<${AppCard} key=${app.id} app=${app} canAct=${canAct} busy=${busyId === app.id}
        onLaunch=${onLaunch} onKeep=${onKeep} />`)}
    </ul>
  `;
}
