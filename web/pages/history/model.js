// The History page's state outside the components: its filters (as the form holds them, as the
// API wants them, in the location hash) and the launch list's live upsert.
import { localInputToRfc3339 } from '../../ui/format.js';
import { OUTCOMES, stamp } from '../../shared/launch-format.js';

export const PAGE_SIZE = 50;
export const EMPTY_FILTERS = { user: '', app: '', outcome: '', since: '', until: '' };

/** RFC 3339 to the value of an <input type=datetime-local> (local time), or ''. */
export function rfc3339ToLocalInput(value) {
  if (!value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** The API's query for these filters (without paging). */
export function filterQuery(filters) {
  return {
    user: filters.user.trim(),
    app: filters.app.trim(),
    outcome: filters.outcome,
    since: localInputToRfc3339(filters.since),
    until: localInputToRfc3339(filters.until),
  };
}

/** Filters from "#/history?app=xterm&outcome=running&since=<RFC 3339>" (links from other pages). */
export function filtersFromHash(hash = location.hash) {
  const index = hash.indexOf('?');
  if (index < 0) return { ...EMPTY_FILTERS };
  const params = new URLSearchParams(hash.slice(index + 1));
  const outcome = params.get('outcome') || '';
  return {
    user: params.get('user') || '',
    app: params.get('app') || '',
    outcome: OUTCOMES.includes(outcome) ? outcome : '',
    since: rfc3339ToLocalInput(params.get('since')),
    until: rfc3339ToLocalInput(params.get('until')),
  };
}

/** The hash that reproduces these filters (kept in the address so a reload or a link keeps them). */
export function hashForFilters(filters) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filterQuery(filters))) {
    if (value) query.set(key, value);
  }
  const text = query.toString();
  return text ? `#/history?${text}` : '#/history';
}

/** Whether a launch (say, a new one from the live stream) belongs to the list these filters show. */
export function matchesFilters(launch, filters) {
  const query = filterQuery(filters);
  if (query.user && launch.user !== query.user) return false;
  if (query.app && launch.app_id !== query.app && launch.app_name !== query.app) return false;
  if (query.outcome && launch.outcome !== query.outcome) return false;
  const started = Date.parse(launch.started_at);
  if (query.since && !(started >= Date.parse(query.since))) return false;
  if (query.until && !(started < Date.parse(query.until))) return false;
  return true;
}

/**
 * The list with this launch put in: replaced where it is; else, when it matches the filters,
 * added in order (newest first, by id). One older than the last loaded row while more pages
 * remain is left for "Load more".
 */
export function upsertLaunch(list, launch, filters, morePages) {
  const index = list.findIndex((l) => l.id === launch.id);
  if (index >= 0) {
    const next = list.slice();
    next[index] = stamp(launch);
    return next;
  }
  if (!matchesFilters(launch, filters)) return list;
  const last = list[list.length - 1];
  if (morePages && last && launch.id < last.id) return list;
  const next = list.slice();
  const at = next.findIndex((l) => l.id < launch.id);
  next.splice(at < 0 ? next.length : at, 0, stamp(launch));
  return next;
}
