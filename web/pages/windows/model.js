// Pure helpers of the Windows page: sorting, filtering, dialogs grouped under their main window,
// and the words for each outcome the server reports.

export const CLOSE_TIMEOUT_MS = 5000;
export const SORT_KEYS = ['title', 'app', 'pid'];

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

function appName(w) {
  return `${w.class || ''} ${w.process_name || ''}`;
}

function compare(a, b, key) {
  switch (key) {
    case 'app':
      return collator.compare(appName(a), appName(b)) || collator.compare(a.title, b.title);
    case 'pid':
      // Windows without a PID (remote clients) go last either way.
      if (a.pid == null || b.pid == null) return a.pid == null ? (b.pid == null ? 0 : 1) : -1;
      return a.pid - b.pid || collator.compare(a.title, b.title);
    default:
      return collator.compare(a.title, b.title) || collator.compare(appName(a), appName(b));
  }
}

function sorted(list, sort) {
  const sign = sort.dir === 'desc' ? -1 : 1;
  return [...list].sort((a, b) => {
    const c = compare(a, b, sort.key);
    if (sort.key === 'pid' && (a.pid == null || b.pid == null)) return c; // keep PID-less last
    // Ids are opaque strings; X11's are zero-padded hex, so this keeps creation order there.
    return sign * c || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  });
}

/** Every word of the filter must appear in the title, class, instance, process name, PID or id. */
export function matcher(text) {
  const words = text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return () => true;
  return (w) => {
    const hay = [w.title, w.class, w.instance, w.process_name, w.pid, w.id, w.kind]
      .filter((v) => v != null)
      .join(' ')
      .toLowerCase();
    return words.every((word) => hay.includes(word));
  };
}

/**
 * Rows in display order: main windows sorted, each followed by its dialogs (transient_for set),
 * marked with depth 1. A main window is shown when it or one of its dialogs matches the filter;
 * a dialog when it or its main window matches. Dialogs whose main window is not listed stand
 * on their own. Returns { rows: [{window, depth}], matches, total }.
 */
export function buildView(windows, filterText, sort) {
  const list = windows || [];
  const ids = new Set(list.map((w) => w.id));
  const children = new Map();
  const tops = [];
  for (const w of list) {
    if (w.transient_for != null && ids.has(w.transient_for) && w.transient_for !== w.id) {
      if (!children.has(w.transient_for)) children.set(w.transient_for, []);
      children.get(w.transient_for).push(w);
    } else {
      tops.push(w);
    }
  }
  const matches = matcher(filterText);
  const rows = [];
  let count = 0;
  const seen = new Set();
  const add = (w, depth) => {
    if (seen.has(w.id)) return; // a cycle of transient_for cannot loop us
    seen.add(w.id);
    rows.push({ window: w, depth });
    if (matches(w)) count += 1;
  };
  const byTitle = { key: 'title', dir: 'asc' };
  for (const top of sorted(tops, sort)) {
    const kids = sorted(children.get(top.id) || [], byTitle);
    const topMatches = matches(top);
    const shownKids = topMatches ? kids : kids.filter(matches);
    if (!topMatches && shownKids.length === 0) continue;
    add(top, 0);
    for (const kid of shownKids) add(kid, 1);
  }
  return { rows, matches: count, total: list.length };
}

/** A short phrase for the outcome of closing one window (the row's status). */
export function outcomeText(outcome, timeoutMs = CLOSE_TIMEOUT_MS) {
  switch (outcome) {
    case 'closed':
      return 'Closed';
    case 'prompting':
      return 'Asked to save — still open';
    case 'still_open':
      return `Didn't respond in ${Math.round(timeoutMs / 1000)} s — still open`;
    case 'unsupported':
      return "Doesn't accept close requests — nothing was sent";
    case 'gone':
      return 'Had already closed';
    case 'protected':
      return 'Protected — left alone';
    case 'skipped':
      return 'Dialog — skipped';
    case 'would_close':
      return 'Will be asked to close';
    case 'failed':
      return 'Failed';
    default:
      return outcome || 'Done';
  }
}

/** Badge colour for each outcome. */
export const OUTCOME_BADGE = {
  closed: 'badge-success',
  would_close: 'badge-success',
  gone: 'badge-neutral',
  prompting: 'badge-warning',
  still_open: 'badge-warning',
  unsupported: 'badge-neutral',
  protected: 'badge-neutral',
  skipped: 'badge-neutral',
  failed: 'badge-danger',
};

/** A short label for a window in messages: its title in quotes, or its class and id. */
export function windowLabel(w) {
  const title = (w.title || '').trim();
  if (title) return `“${title.length > 60 ? `${title.slice(0, 59)}…` : title}”`;
  return `${w.class || 'window'} ${w.id}`;
}

/** The desktop number as people count (from 1), "All" for sticky windows, or null. */
export function desktopText(desktop) {
  if (desktop == null) return null;
  if (desktop < 0) return 'All';
  return String(desktop + 1);
}
