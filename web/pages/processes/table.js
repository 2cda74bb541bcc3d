// The process table: a virtual-scrolled ARIA grid. Only the rows inside the scroll container's
// viewport (plus a few above and below) are in the DOM, every row has the same fixed height, so
// thousands of processes scroll and update smoothly. The container keeps the keyboard focus and
// points at the selected row with aria-activedescendant.
import { html, useState, useEffect, useLayoutEffect, useRef } from '../../vendor/preact-htm.js';
import { COLUMNS } from './model.js';
import { formatBytes, formatPercent, formatStart, formatFullDate, stateLabel } from './format.js';
import { LockIcon } from '../../ui/icons.js';

const OVERSCAN = 8;
const MAX_INDENT = 8; // deeper levels stop indenting, so the name stays readable
const ROW_HEIGHT = 34;
const ROW_HEIGHT_TOUCH = 44;
const narrowQuery = window.matchMedia('(max-width: 640px)');

function useRowHeight() {
  const [height, setHeight] = useState(narrowQuery.matches ? ROW_HEIGHT_TOUCH : ROW_HEIGHT);
  useEffect(() => {
    const follow = () => setHeight(narrowQuery.matches ? ROW_HEIGHT_TOUCH : ROW_HEIGHT);
    narrowQuery.addEventListener('change', follow);
    return () => narrowQuery.removeEventListener('change', follow);
  }, []);
  return height;
}

/** Height that lets the scroll container fill the window below where it starts. */
function useFillHeight(ref) {
  const [height, setHeight] = useState(480);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    let frame = 0;
    const measure = () => {
      frame = 0;
      const top = el.getBoundingClientRect().top + window.scrollY;
      const viewport = window.innerHeight;
      let wanted = viewport - top - 16;
      // Not enough room under the summary (phones): a nearly full-screen table the page scrolls to.
      if (wanted < 300) wanted = viewport - 72;
      wanted = Math.max(240, Math.round(wanted));
      setHeight((previous) => (previous === wanted ? previous : wanted));
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(measure);
    };
    measure();
    window.addEventListener('resize', schedule);
    const observer = new ResizeObserver(schedule);
    observer.observe(document.body);
    return () => {
      cancelAnimationFrame(frame);
      window.removeEventListener('resize', schedule);
      observer.disconnect();
    };
  }, [ref]);
  return height;
}

function ariaSort(sort, key) {
  if (sort.key !== key) return 'none';
  return sort.dir === 'desc' ? 'descending' : 'ascending';
}

function HeaderRow({ sort, onSort }) {
  return html`
    <div class="proc-head" role="rowgroup">
      <div class="proc-row proc-row-head" role="row" aria-rowindex="1">
        ${COLUMNS.map((col) => {
          const active = sort.key === col.key;
          return html`
            <div key=${col.key} role="columnheader" class=${`proc-cell c-${col.key}${col.numeric ? ' num' : ''}`}
              aria-sort=${ariaSort(sort, col.key)} data-sort=${col.key} data-testid="sort-header">
              <button type="button" class=${active ? 'sort-button active' : 'sort-button'}
                onClick=${() => onSort(col.key)}
                title=${`Sort by ${col.label.toLowerCase()}${active ? (sort.dir === 'asc' ? ' (descending next)' : ' (ascending next)') : ''}`}>
                <span>${col.label}</span>
                ${active && html`<span class="sort-arrow" aria-hidden="true">${sort.dir === 'asc' ? '▲' : '▼'}</span>`}
              </button>
            </div>
          `;
        })}
      </div>
    </div>
  `;
}

function ProcessRow({ row, index, depth, context, selected, onRowClick }) {
  const cpu = row.cpu_percent || 0;
  const classes = ['proc-row'];
  if (selected) classes.push('selected');
  if (context) classes.push('context');
  if (row.kernel_thread) classes.push('kernel');
  return html`
    <div class=${classes.join(' ')} role="row" id=${`proc-row-${row.pid}`} aria-rowindex=${index + 2}
      aria-selected=${selected ? 'true' : 'false'} aria-level=${depth ? depth + 1 : undefined}
      data-testid="process-row" data-pid=${row.pid}
      onClick=${() => onRowClick(row.pid)}>
      <div role="gridcell" class="proc-cell c-pid num">${row.pid}</div>
      <div role="gridcell" class="proc-cell c-name">
        ${depth > 0 && html`<span class="tree-indent" style=${{ width: `${Math.min(depth - 1, MAX_INDENT) * 0.75}rem` }} aria-hidden="true"></span>
          <span class="tree-branch" aria-hidden="true">└</span>`}
        ${row.protected &&
        html`<span class="lock" title=${`Protected: ${row.protected}`} data-testid="protected-badge">
          <${LockIcon} /><span class="visually-hidden">Protected: ${row.protected}.</span>
        </span>`}
        <span class="cell-text" title=${row.name}>${row.name}</span>
      </div>
      <div role="gridcell" class="proc-cell c-user"><span class="cell-text" title=${row.user}>${row.user}</span></div>
      <div role="gridcell" class="proc-cell c-state"><span class=${`state state-${row.state}`}>${stateLabel(row.state)}</span></div>
      <div role="gridcell" class="proc-cell c-started_at" title=${formatFullDate(row.started_at)}>${formatStart(row.started_at)}</div>
      <div role="gridcell" class=${`proc-cell c-cpu_percent num${cpu >= 50 ? ' hot' : cpu >= 10 ? ' warm' : ''}`}>${formatPercent(cpu)}</div>
      <div role="gridcell" class="proc-cell c-memory_bytes num">${formatBytes(row.memory_bytes)}</div>
      <div role="gridcell" class="proc-cell c-threads num">${row.threads}</div>
      <div role="gridcell" class="proc-cell c-cmdline">
        ${row.cmdline
          ? html`<span class=${`cell-text mono${row.redacted ? ' redacted' : ''}`}
              title=${row.redacted ? `${row.cmdline}\n(secrets hidden)` : row.cmdline}>${row.cmdline}</span>`
          : html`<span class="muted">[${row.name}]</span>`}
      </div>
    </div>
  `;
}

/**
 * Props: view ({rows, depths, context}), loading, sort ({key, dir}), onSort(key), selectedPid,
 * onSelect(pid), onOpen(pid), reveal ({pid} object: scroll to that row once, when it changes),
 * label (accessible name).
 */
export function ProcessTable({ view, loading, sort, onSort, selectedPid, onSelect, onOpen, reveal, label, tableRef }) {
  const scrollRef = useRef(null);
  const [scrollTop, setScrollTop] = useState(0);
  const rowHeight = useRowHeight();
  const height = useFillHeight(scrollRef);
  const rows = view.rows;
  const count = rows.length;

  useLayoutEffect(() => {
    if (tableRef) tableRef.current = scrollRef.current;
  });

  // The header row has the same fixed height as the others (CSS), so nothing is measured here:
  // reading layout during a render would force the browser to lay out the page each time.
  const headHeight = () => rowHeight;

  function scrollToIndex(index) {
    const el = scrollRef.current;
    if (!el || index < 0) return;
    const head = headHeight();
    const top = index * rowHeight;
    const visible = el.clientHeight - head;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + visible) el.scrollTop = top + rowHeight - visible;
  }

  // Scroll a row into view when asked (deep link, selection from the detail panel's links).
  useEffect(() => {
    if (!reveal) return;
    const index = rows.findIndex((r) => r.pid === reveal.pid);
    if (index >= 0) scrollToIndex(index);
  }, [reveal]);

  function onKeyDown(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const current = selectedPid == null ? -1 : rows.findIndex((r) => r.pid === selectedPid);
    const page = Math.max(1, Math.floor((height - headHeight()) / rowHeight) - 1);
    let next = null;
    switch (event.key) {
      case 'ArrowDown':
        next = current < 0 ? 0 : current + 1;
        break;
      case 'ArrowUp':
        next = current < 0 ? 0 : current - 1;
        break;
      case 'PageDown':
        next = current < 0 ? 0 : current + page;
        break;
      case 'PageUp':
        next = current < 0 ? 0 : current - page;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = count - 1;
        break;
      case 'Enter':
      case ' ':
        if (current >= 0) {
          event.preventDefault();
          onOpen(rows[current].pid);
        }
        return;
      default:
        return;
    }
    event.preventDefault();
    if (!count) return;
    next = Math.max(0, Math.min(count - 1, next));
    scrollToIndex(next);
    onSelect(rows[next].pid);
  }

  function onRowClick(pid) {
    scrollRef.current?.focus({ preventScroll: true });
    onOpen(pid);
  }

  // When the list shrinks (filtering), the browser clamps the scroll position; clamp here too
  // rather than wait for its scroll event.
  const maxTop = Math.max(0, (count + 1) * rowHeight - height);
  const bodyTop = Math.max(0, Math.min(scrollTop, maxTop) - rowHeight);
  const first = Math.max(0, Math.floor(bodyTop / rowHeight) - OVERSCAN);
  const last = Math.min(count, Math.ceil((bodyTop + height) / rowHeight) + OVERSCAN);
  const slice = [];
  for (let i = first; i < last; i += 1) {
    const row = rows[i];
    slice.push(html`<${ProcessRow} key=${row.pid} row=${row} index=${i} depth=${view.depths ? view.depths[i] : 0}
      context=${view.context ? view.context.has(row.pid) : false} selected=${row.pid === selectedPid}
      onRowClick=${onRowClick} />`);
  }
  const activeRendered = selectedPid != null && slice.some((v) => v.props.row.pid === selectedPid);

  return html`
    <div class="proc-table-wrap">
      <div class=${view.depths ? 'proc-scroll tree' : 'proc-scroll'} ref=${scrollRef} role=${view.depths ? 'treegrid' : 'grid'} tabindex="0" aria-label=${label}
        aria-rowcount=${count + 1} aria-colcount=${COLUMNS.length} aria-multiselectable="false"
        aria-activedescendant=${activeRendered ? `proc-row-${selectedPid}` : undefined}
        data-testid="process-table" data-row-count=${count}
        style=${{ height: `${height}px`, '--proc-row-h': `${rowHeight}px` }}
        onScroll=${(e) => setScrollTop(e.currentTarget.scrollTop)} onKeyDown=${onKeyDown}>
        <${HeaderRow} sort=${sort} onSort=${onSort} />
        <div class="proc-body" role="rowgroup" style=${{ height: `${count * rowHeight}px` }}>
          <div class="proc-window" style=${{ transform: `translateY(${first * rowHeight}px)` }}>${slice}</div>
        </div>
        ${count === 0 &&
        html`<p class="empty proc-empty" data-testid="process-empty">
          ${loading ? 'Loading processes…' : 'No process matches these filters.'}
        </p>`}
      </div>
    </div>
  `;
}
