// The interactive part of the Processes page, fed with rows from outside (the live stream):
// filters, sortable virtual table, tree view, selection, keyboard, and the detail panel.
import { html, useState, useEffect, useMemo, useRef, useCallback } from '../../vendor/preact-htm.js';
import { isTyping } from '../../ui/find-shortcut.js';
import { loadJsonPref, saveJsonPref } from '../../ui/prefs.js';
import { buildView, defaultDirection, distinctValues, sortRows, SORT_KEYS } from './model.js';
import { ProcessToolbar } from './toolbar.js';
import { ProcessTable } from './table.js';
import { ProcessDetail } from './detail.js';

const PREFS_KEY = 'boss.processes.view';
const phoneQuery = window.matchMedia('(max-width: 640px)');

function loadPrefs() {
  const defaults = { sort: { key: 'cpu_percent', dir: 'desc' }, tree: false, hideKernel: true };
  const saved = loadJsonPref(PREFS_KEY);
  if (!saved) return defaults;
  const sort = SORT_KEYS.includes(saved.sort?.key) && ['asc', 'desc'].includes(saved.sort?.dir) ? saved.sort : defaults.sort;
  return {
    sort,
    tree: typeof saved.tree === 'boolean' ? saved.tree : defaults.tree,
    hideKernel: typeof saved.hideKernel === 'boolean' ? saved.hideKernel : defaults.hideKernel,
  };
}

/** The PID in "#/processes?pid=123", or null. */
function pidFromHash() {
  const match = /[?&]pid=(\d+)/.exec(location.hash);
  return match ? Number(match[1]) : null;
}

function setHashPid(pid) {
  const base = '#/processes';
  const target = pid == null ? base : `${base}?pid=${pid}`;
  if (location.hash.startsWith(base) && location.hash !== target) {
    history.replaceState(history.state, '', target);
  }
}

/**
 * Props: rows (array, null while loading), byPid (Map of the live rows), takenAt, canAct, canReveal,
 * syncHash (follow and update #/processes?pid=…; default true).
 */
export function ProcessView({ rows, byPid, takenAt, canAct, canReveal = false, syncHash = true }) {
  const [prefs] = useState(loadPrefs);
  const [sort, setSort] = useState(prefs.sort);
  const [tree, setTree] = useState(prefs.tree);
  const [filters, setFilters] = useState({ text: '', user: '', state: '', hideKernel: prefs.hideKernel });
  const [selectedPid, setSelectedPid] = useState(() => (syncHash ? pidFromHash() : null));
  const [openPid, setOpenPid] = useState(() => (syncHash ? pidFromHash() : null));
  const [reveal, setReveal] = useState(() => (syncHash && pidFromHash() != null ? { pid: pidFromHash() } : null));
  const filterRef = useRef(null);
  const tableRef = useRef(null);
  const headingRef = useRef(null);

  useEffect(() => saveJsonPref(PREFS_KEY, { sort, tree, hideKernel: filters.hideKernel }), [sort, tree, filters.hideKernel]);

  const list = rows || [];
  // Sorting runs when the data or the sort changes; typing in the filter only filters.
  const sorted = useMemo(() => sortRows(list, sort.key, sort.dir), [list, sort]);
  const view = useMemo(() => buildView(sorted, filters, tree), [sorted, filters, tree]);
  const choices = useMemo(() => distinctValues(list), [list]);

  // A deep link scrolls to its row once the rows have arrived.
  const revealedOnLoad = useRef(false);
  useEffect(() => {
    if (rows && !revealedOnLoad.current) {
      revealedOnLoad.current = true;
      if (selectedPid != null) setReveal({ pid: selectedPid });
    }
  }, [rows]);

  const onSort = useCallback((key) => {
    setSort((current) =>
      current.key === key ? { key, dir: current.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: defaultDirection(key) },
    );
  }, []);

  const onFilters = useCallback((patch) => setFilters((current) => ({ ...current, ...patch })), []);

  const open = useCallback(
    (pid) => {
      setSelectedPid(pid);
      setOpenPid(pid);
      if (syncHash) setHashPid(pid);
    },
    [syncHash],
  );

  const openRef = useRef(openPid);
  openRef.current = openPid;
  const onSelect = useCallback(
    (pid) => {
      setSelectedPid(pid);
      // With the panel open, it follows the selection (like a master/detail view).
      if (openRef.current != null) {
        setOpenPid(pid);
        if (syncHash) setHashPid(pid);
      }
    },
    [syncHash],
  );

  const close = useCallback(() => {
    setOpenPid(null);
    if (syncHash) setHashPid(null);
    tableRef.current?.focus({ preventScroll: true });
  }, [syncHash]);

  // Links to other processes (children, parent) change the hash.
  useEffect(() => {
    if (!syncHash) return undefined;
    const onHash = () => {
      const pid = pidFromHash();
      if (pid == null) {
        setOpenPid(null);
        return;
      }
      setSelectedPid(pid);
      setOpenPid(pid);
      setReveal({ pid });
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [syncHash]);

  // On a phone the panel covers the screen: move the reading position into it.
  useEffect(() => {
    if (openPid != null && phoneQuery.matches) headingRef.current?.focus({ preventScroll: true });
  }, [openPid]);

  // Page-wide keys: "/" goes to the filter, Escape closes the panel. The listener is added once
  // and reads the handler of the latest render, so a key pressed right after the panel opens is
  // not handled by the previous render's handler (which thought it closed).
  const onKeyRef = useRef(null);
  onKeyRef.current = (event) => {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    if (document.querySelector('dialog[open]')) return; // the confirm dialog has its own keys
    if (event.key === '/' && !isTyping(event.target)) {
      event.preventDefault();
      filterRef.current?.focus();
      filterRef.current?.select();
    } else if (event.key === 'Escape') {
      if (openPid != null) {
        event.preventDefault();
        close();
      } else if (event.target === filterRef.current && filters.text) {
        onFilters({ text: '' });
      }
    } else if (event.key === 'ArrowDown' && event.target === filterRef.current) {
      // From the filter straight into the results.
      event.preventDefault();
      tableRef.current?.focus();
      if (view.rows.length && !view.rows.some((r) => r.pid === selectedPid)) onSelect(view.rows[0].pid);
    }
  };
  useEffect(() => {
    const onKey = (event) => onKeyRef.current?.(event);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const detailOpen = openPid != null;
  return html`
    <div class=${detailOpen ? 'proc-view has-detail' : 'proc-view'}>
      <${ProcessToolbar} filters=${filters} onFilters=${onFilters} tree=${tree} onTree=${setTree}
        users=${choices.users} states=${choices.states} shown=${view.matches} total=${rows ? rows.length : null}
        filterRef=${filterRef} />
      <div class="proc-main">
        <div class="proc-table-area">
          <${ProcessTable} view=${view} loading=${!rows} sort=${sort} onSort=${onSort} selectedPid=${selectedPid}
            onSelect=${onSelect} onOpen=${open} reveal=${reveal} tableRef=${tableRef}
            label=${tree ? 'Processes (tree view)' : 'Processes'} />
        </div>
        ${detailOpen &&
        html`<${ProcessDetail} key=${openPid} pid=${openPid} row=${byPid?.get(openPid)} live=${Boolean(rows)}
          takenAt=${takenAt} canAct=${canAct} canReveal=${canReveal} onClose=${close} headingRef=${headingRef} />`}
      </div>
    </div>
  `;
}
