// The process table's data work, kept free of the DOM so it is easy to measure: applying live
// updates, sorting, filtering and the parent/child tree. Everything here is O(n) or O(n log n)
// in the number of processes, and per-row derived values are cached by row object (a row object
// only changes when the server sends a new version of it).

export const COLUMNS = [
  { key: 'pid', label: 'PID', numeric: true },
  { key: 'name', label: 'Name' },
  { key: 'user', label: 'User' },
  { key: 'state', label: 'State' },
  { key: 'started_at', label: 'Started' },
  { key: 'cpu_percent', label: 'CPU %', numeric: true },
  { key: 'memory_bytes', label: 'Memory', numeric: true },
  { key: 'threads', label: 'Threads', numeric: true },
  { key: 'cmdline', label: 'Command line' },
];

export const SORT_KEYS = COLUMNS.map((c) => c.key);

/** The direction a column sorts in when first clicked: busiest first for the counters. */
export function defaultDirection(key) {
  return key === 'cpu_percent' || key === 'memory_bytes' || key === 'threads' ? 'desc' : 'asc';
}

// ---------------------------------------------------------------------------------------------
// Live updates

/** Replaces the whole table (the `processes` event). Returns a new Map pid -> row. */
export function snapshotToMap(processes) {
  const map = new Map();
  for (const row of processes || []) map.set(row.pid, row);
  return map;
}

/** Applies a `processes_diff` event in place: removes first, then inserts or replaces by pid. */
export function applyDiff(map, diff) {
  for (const pid of diff.removed || []) map.delete(pid);
  for (const row of diff.upserted || []) map.set(row.pid, row);
  return map;
}

// ---------------------------------------------------------------------------------------------
// Derived per-row values, cached by row object

const searchText = new WeakMap();
const lowerName = new WeakMap();
const lowerCmd = new WeakMap();
const startMs = new WeakMap();

function haystack(row) {
  let text = searchText.get(row);
  if (text === undefined) {
    text = `${row.pid} ${row.name || ''} ${row.user || ''} ${row.cmdline || ''}`.toLowerCase();
    searchText.set(row, text);
  }
  return text;
}

function cachedLower(cache, row, value) {
  let text = cache.get(row);
  if (text === undefined) {
    text = (value || '').toLowerCase();
    cache.set(row, text);
  }
  return text;
}

function startedMs(row) {
  let ms = startMs.get(row);
  if (ms === undefined) {
    ms = Date.parse(row.started_at);
    if (Number.isNaN(ms)) ms = 0;
    startMs.set(row, ms);
  }
  return ms;
}

// ---------------------------------------------------------------------------------------------
// Sorting

// The sort key of a row: a number, or a string compared by code units (lower-cased where case
// should not matter). Keys are computed once per row per sort (decorate, sort, undecorate), so
// the comparator itself only reads two arrays.
const KEY_OF = {
  pid: (row) => row.pid,
  name: (row) => cachedLower(lowerName, row, row.name),
  user: (row) => row.user || '',
  state: (row) => row.state || '',
  started_at: (row) => startedMs(row),
  cpu_percent: (row) => row.cpu_percent || 0,
  memory_bytes: (row) => row.memory_bytes || 0,
  threads: (row) => row.threads || 0,
  cmdline: (row) => cachedLower(lowerCmd, row, row.cmdline),
};
const TEXT_KEYS = new Set(['name', 'user', 'state', 'cmdline']);

/**
 * A new array of the rows, sorted by `key` in `dir` ('asc' or 'desc'). Equal keys fall back to
 * the PID, always ascending, so the order is total and rows with equal keys do not jump around.
 */
export function sortRows(rows, key, dir) {
  const keyOf = KEY_OF[key] || KEY_OF.pid;
  const n = rows.length;
  const keys = new Array(n);
  const pids = new Float64Array(n);
  const order = new Array(n);
  for (let i = 0; i < n; i += 1) {
    keys[i] = keyOf(rows[i]);
    pids[i] = rows[i].pid;
    order[i] = i;
  }
  const sign = dir === 'desc' ? -1 : 1;
  if (TEXT_KEYS.has(key)) {
    order.sort((a, b) => {
      const ka = keys[a];
      const kb = keys[b];
      if (ka !== kb) return ka < kb ? -sign : sign;
      return pids[a] - pids[b];
    });
  } else {
    order.sort((a, b) => sign * (keys[a] - keys[b]) || pids[a] - pids[b]);
  }
  const sorted = new Array(n);
  for (let i = 0; i < n; i += 1) sorted[i] = rows[order[i]];
  return sorted;
}

// ---------------------------------------------------------------------------------------------
// Filtering

/**
 * A predicate for the filter settings: `text` (every whitespace-separated word must appear in the
 * PID, name, user or command line; case-insensitive), `user`, `state` (exact, '' for any) and
 * `hideKernel` (leave out kernel threads).
 */
export function rowPredicate({ text = '', user = '', state = '', hideKernel = true } = {}) {
  const terms = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (!terms.length && !user && !state && !hideKernel) return null; // everything passes
  return (row) => {
    if (hideKernel && row.kernel_thread) return false;
    if (user && row.user !== user) return false;
    if (state && row.state !== state) return false;
    if (terms.length) {
      const hay = haystack(row);
      for (const term of terms) if (!hay.includes(term)) return false;
    }
    return true;
  };
}

/**
 * The rows to show, as `{ rows, depths, matches }`: `rows` in display order; `depths` (tree view
 * only) the indentation level of each; `matches` the number of rows that pass the filter (in the
 * tree view, ancestors of matches are shown too, for context, and are not counted).
 *
 * `sorted` must already be in the wanted order; the tree keeps that order among siblings.
 */
export function buildView(sorted, filters, tree) {
  const keep = rowPredicate(filters);
  if (!tree) {
    const rows = keep ? sorted.filter(keep) : sorted;
    return { rows, depths: null, matches: rows.length, context: null };
  }
  return treeView(sorted, keep, filters.hideKernel !== false);
}

function treeView(sorted, keep, hideKernel) {
  const byPid = new Map();
  for (const row of sorted) byPid.set(row.pid, row);

  // Which rows to show: those that pass the filter, plus their ancestors (greyed as context).
  const shown = new Set();
  const context = new Set();
  let matches = 0;
  for (const row of sorted) {
    if (keep && !keep(row)) continue;
    matches += 1;
    shown.add(row.pid);
    let parent = byPid.get(row.ppid);
    while (parent && parent.pid !== row.pid && !shown.has(parent.pid)) {
      if (hideKernel && parent.kernel_thread) break;
      shown.add(parent.pid);
      context.add(parent.pid);
      parent = byPid.get(parent.ppid);
    }
  }

  // Children in sorted order (sorted is already ordered, so pushing keeps siblings ordered).
  const children = new Map();
  const roots = [];
  for (const row of sorted) {
    if (!shown.has(row.pid)) continue;
    if (row.ppid !== row.pid && shown.has(row.ppid)) {
      let list = children.get(row.ppid);
      if (!list) children.set(row.ppid, (list = []));
      list.push(row);
    } else {
      roots.push(row);
    }
  }

  // Depth-first, without recursion (process trees can be deep).
  const rows = [];
  const depths = [];
  const visited = new Set();
  const stack = [];
  for (let i = roots.length - 1; i >= 0; i -= 1) stack.push([roots[i], 0]);
  while (stack.length) {
    const [row, depth] = stack.pop();
    if (visited.has(row.pid)) continue; // a parent loop (PID reuse) must not hang the page
    visited.add(row.pid);
    rows.push(row);
    depths.push(depth);
    const kids = children.get(row.pid);
    if (kids) for (let i = kids.length - 1; i >= 0; i -= 1) stack.push([kids[i], depth + 1]);
  }
  return { rows, depths, matches, context: context.size ? context : null };
}

/** The distinct users and states in the rows, sorted, for the filter menus. */
export function distinctValues(rows) {
  const users = new Set();
  const states = new Set();
  for (const row of rows) {
    if (row.user) users.add(row.user);
    if (row.state) states.add(row.state);
  }
  return { users: [...users].sort(), states: [...states].sort() };
}
