// The detail panel of one process: everything GET /api/v1/processes/{pid} says (refreshed every
// few seconds while open), a CPU/memory history drawn from the live updates, and the actions.
// It follows one process (PID and start time): when that process ends, the panel says so.
import { html, useState, useEffect, useRef } from '../../vendor/preact-htm.js';
import { api, errorMessage } from '../../api.js';
import { ErrorAlert, Loading } from '../../ui/feedback.js';
import {
  formatBytes, formatCount, formatFullDate, formatPercent, stateLabel,
} from './format.js';
import { HistoryChart, HISTORY_LENGTH } from './chart.js';
import { ProcessActions } from './actions.js';
import { LockIcon, XIcon } from '../../ui/icons.js';
import { useSubmit } from '../../ui/submit.js';

const REFRESH_MS = 3000;

export function processLink(pid) {
  return `#/processes?pid=${pid}`;
}

/** "Keep running": adopt this process as a managed app (restarted by Boss when it ends). */
function KeepRunning({ proc }) {
  const [message, setMessage] = useState(null);
  const { busy, error, run } = useSubmit();
  const adopt = () =>
    run(async () => {
      const answer = await api(`/processes/${proc.pid}/adopt`, {
        method: 'POST',
        body: { name: `${proc.name} (${proc.pid})`, started_at: proc.started_at },
      });
      setMessage(`Boss keeps ${answer.app.name} running (see Managed).`);
    });
  return html`
    <div class="detail-section">
      <button type="button" class="btn btn-small" onClick=${adopt} disabled=${busy || Boolean(message)}
        data-testid="detail-keep-running" title="Boss watches it and restarts it by the default policy when it ends">
        Keep running</button>
      ${message && html`<p class="alert alert-success" role="status" data-testid="detail-keep-status">${message}</p>`}
      <${ErrorAlert} message=${error} testid="detail-keep-error" />
    </div>
  `;
}

function Fact({ label, children, testid }) {
  return html`<dt>${label}</dt><dd data-testid=${testid}>${children ?? html`<span class="muted">—</span>`}</dd>`;
}

function Mono({ children }) {
  return children == null || children === '' ? null : html`<code class="mono">${children}</code>`;
}

function OpenFiles({ files, count }) {
  if (files == null) {
    return html`<p class="muted detail-section">Open files: not readable (the process belongs to another user).</p>`;
  }
  return html`
    <details class="detail-section collapsible" data-testid="detail-open-files">
      <summary>Open files and sockets <span class="badge badge-neutral">${formatCount(count ?? files.length)}</span></summary>
      ${files.length === 0
        ? html`<p class="muted">None.</p>`
        : html`<ul class="fd-list">
            ${files.map((f) => html`<li key=${f.fd}>
              <span class="fd-num mono">${f.fd}</span>
              <span class=${`fd-kind fd-${f.kind}`}>${f.kind}</span>
              <span class="fd-target mono">${f.target}</span>
            </li>`)}
          </ul>`}
    </details>
  `;
}

function Environment({ detail }) {
  if (detail.environment_hidden) {
    return html`<p class="detail-section muted" data-testid="detail-environment-hidden">
      Environment: hidden for viewers.</p>`;
  }
  if (detail.environment == null) {
    return html`<p class="detail-section muted">Environment: not readable (the process belongs to another user).</p>`;
  }
  return html`
    <details class="detail-section collapsible" data-testid="detail-environment">
      <summary>Environment <span class="badge badge-neutral">${detail.environment.length}</span></summary>
      <dl class="env-list">
        ${detail.environment.map((v, i) => html`<div key=${i} class="env-item"><dt class="mono">${v.name}</dt><dd class="mono">${v.value}</dd></div>`)}
      </dl>
    </details>
  `;
}

// The argument list. Credentials in it come redacted (`***`) for every role; an admin may reveal
// the full line, which the server writes to the audit log.
function CommandLine({ pid, detail, canReveal }) {
  const [revealed, setRevealed] = useState(null);
  const { busy, error, run } = useSubmit();
  const argv = revealed?.argv ?? detail.argv;
  const reveal = () =>
    run(async () => {
      setRevealed(await api(`/processes/${pid}/reveal`, {
        method: 'POST',
        body: { started_at: detail.process.started_at },
      }));
    });
  return html`
    <section class="detail-section" aria-labelledby="proc-argv-title">
      <div class="argv-head">
        <h3 id="proc-argv-title">Command line</h3>
        ${detail.process.redacted && !revealed &&
        html`<span class="badge badge-neutral" data-testid="detail-redacted"
          title="Passwords, tokens and similar values are shown as ***">secrets hidden</span>`}
        ${detail.process.redacted && canReveal && !revealed &&
        html`<button type="button" class="btn btn-small" onClick=${reveal} disabled=${busy}
          data-testid="detail-reveal" title="Show the full command line (written to the audit log)">Reveal</button>`}
        ${revealed &&
        html`<span class="badge badge-neutral" data-testid="detail-revealed">revealed</span>
          <button type="button" class="btn btn-small" onClick=${() => setRevealed(null)}
            data-testid="detail-hide">Hide</button>`}
      </div>
      <${ErrorAlert} message=${error} testid="detail-reveal-error" />
      ${argv?.length
        ? html`<ol class="argv" data-testid="detail-argv">
            ${argv.map((arg, i) => html`<li key=${i}><code class="mono">${arg}</code></li>`)}
          </ol>`
        : html`<p class="muted">None (a kernel thread or a zombie).</p>`}
    </section>
  `;
}

function Children({ children }) {
  if (!children?.length) return null;
  return html`
    <section class="detail-section" aria-labelledby="proc-children-title">
      <h3 id="proc-children-title">Children <span class="badge badge-neutral">${children.length}</span></h3>
      <ul class="child-list" data-testid="detail-children">
        ${children.map((c) => html`<li key=${c.pid}>
          <a href=${processLink(c.pid)} data-testid="detail-child">${c.name}</a> <span class="muted mono">${c.pid}</span>
        </li>`)}
      </ul>
    </section>
  `;
}

/**
 * Props: pid, row (the live row for that PID, if the live list has it), live (the live list has
 * loaded), takenAt (time of the latest live sample), canAct, canReveal (admins: may reveal hidden
 * command-line secrets), onClose, headingRef.
 */
export function ProcessDetail({ pid, row, live, takenAt, canAct, canReveal, onClose, headingRef }) {
  const [detail, setDetail] = useState(null);
  const [error, setError] = useState(null);
  const [notFound, setNotFound] = useState(false);
  const [samples, setSamples] = useState([]);
  // The parent renders this panel with key=pid, so each PID starts with fresh state.
  const identity = useRef(row?.started_at || null); // started_at of the process this panel follows
  const lastRow = useRef(row || null);
  const request = useRef(0);

  if (row && !identity.current) identity.current = row.started_at;
  const reused = Boolean(row && identity.current && row.started_at !== identity.current);
  const gone = notFound || reused || (live && !row && Boolean(identity.current || detail));
  if (row && !reused) lastRow.current = row;

  // Details now and every few seconds, until the process is gone.
  useEffect(() => {
    if (gone) return undefined;
    let timer = null;
    let stopped = false;
    const load = async () => {
      const id = ++request.current;
      try {
        const data = await api(`/processes/${pid}`);
        if (stopped || id !== request.current) return;
        if (!identity.current) identity.current = data.process.started_at;
        if (data.process.started_at !== identity.current) {
          setNotFound(true); // the PID now belongs to another process
          return;
        }
        setDetail(data);
        setError(null);
      } catch (err) {
        if (stopped || id !== request.current) return;
        if (err.status === 404) {
          setNotFound(true);
          return;
        }
        setError(errorMessage(err));
      }
      if (!stopped) timer = setTimeout(load, REFRESH_MS);
    };
    load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [pid, gone]);

  // One chart sample per live update.
  useEffect(() => {
    if (!row || gone) return;
    setSamples((previous) => {
      const next = previous.length >= HISTORY_LENGTH ? previous.slice(1 - HISTORY_LENGTH) : previous.slice();
      next.push({ cpu: row.cpu_percent, mem: row.memory_bytes });
      return next;
    });
  }, [takenAt]);

  const proc = (!reused && row) || detail?.process || lastRow.current;
  const refresh = () => {
    request.current += 1; // drop an answer in flight; the timer loop continues
    api(`/processes/${pid}`)
      .then((data) => {
        if (identity.current && data.process.started_at !== identity.current) setNotFound(true);
        else setDetail(data);
      })
      .catch((err) => {
        if (err.status === 404) setNotFound(true);
      });
  };

  return html`
    <aside class="proc-detail" aria-labelledby="proc-detail-title" data-testid="process-detail" data-pid=${pid}
      data-gone=${gone ? 'true' : 'false'}>
      <header class="detail-head">
        <div class="detail-title">
          <h2 id="proc-detail-title" tabindex="-1" ref=${headingRef}>
            ${proc?.protected && html`<span class="lock" title=${`Protected: ${proc.protected}`}><${LockIcon} size=${16} /></span>`}
            <span class="cell-text">${proc ? proc.name : `PID ${pid}`}</span>
          </h2>
          <p class="detail-sub">
            PID <span class="mono">${pid}</span>
            ${proc && html` · <span class=${`state state-${proc.state}`}>${stateLabel(proc.state)}</span>`}
            ${proc && html` · ${proc.user}`}
          </p>
        </div>
        <button type="button" class="btn btn-icon" onClick=${onClose} aria-label="Close details"
          title="Close (Esc)" data-testid="detail-close"><${XIcon} /></button>
      </header>

      <div class="detail-body">
        ${gone &&
        html`<p class="alert alert-ended" role="status" data-testid="process-ended">
          ${reused
            ? `PID ${pid} now belongs to another process; the one shown here has ended.`
            : proc
              ? 'This process has ended.'
              : `No process has PID ${pid} (any more).`}
        </p>`}
        <${ErrorAlert} message=${error} testid="detail-error" />
        ${proc?.protected && !gone && !canAct &&
        html`<p class="protected-note" data-testid="detail-protected"><${LockIcon} size=${16} />
          <span>Protected: ${proc.protected}</span></p>`}

        <${HistoryChart} samples=${samples} />

        ${proc && canAct &&
        html`<${ProcessActions} target=${proc} currentNice=${detail?.nice} gone=${gone} onActed=${refresh} />`}
        ${proc && canAct && !gone && !proc.protected && html`<${KeepRunning} proc=${proc} />`}
        ${proc && !canAct &&
        html`<p class="muted detail-section" data-testid="viewer-note">Viewers can see processes but not act on them.</p>`}

        ${!detail && !gone && !error && html`<${Loading} label="Loading details…" />`}
        ${proc && html`
          <dl class="facts detail-facts" data-testid="detail-facts">
            <${Fact} label="CPU">${formatPercent(proc.cpu_percent)} % of one core<//>
            <${Fact} label="Memory (RSS)">${formatBytes(proc.memory_bytes)}<//>
            ${detail && html`<${Fact} label="Virtual memory">${formatBytes(detail.virtual_memory_bytes)}<//>`}
            <${Fact} label="Threads">${proc.threads}<//>
            <${Fact} label="Started"><time datetime=${proc.started_at} title=${proc.started_at}>${formatFullDate(proc.started_at)}</time><//>
            <${Fact} label="Parent">${proc.ppid > 0 ? html`<a href=${processLink(proc.ppid)} data-testid="detail-parent">${proc.ppid}</a>` : null}<//>
            ${detail && html`
              <${Fact} label="Executable" testid="detail-exe"><${Mono}>${detail.exe}<//><//>
              <${Fact} label="Working directory" testid="detail-cwd"><${Mono}>${detail.cwd}<//><//>
              <${Fact} label="Nice · priority">${detail.nice} · ${detail.priority}<//>
              <${Fact} label="Session · group">${detail.session_id} · ${detail.process_group}<//>
              <${Fact} label="Terminal">${detail.terminal}<//>
              <${Fact} label="I/O read">${detail.io ? `${formatBytes(detail.io.read_bytes)} disk · ${formatBytes(detail.io.read_chars)} total` : null}<//>
              <${Fact} label="I/O written">${detail.io ? `${formatBytes(detail.io.write_bytes)} disk · ${formatBytes(detail.io.write_chars)} total` : null}<//>
              <${Fact} label="Context switches">${formatCount(detail.voluntary_context_switches)} voluntary · ${formatCount(detail.involuntary_context_switches)} involuntary<//>
            `}
          </dl>
        `}
        ${detail && html`
          <${CommandLine} pid=${pid} detail=${detail} canReveal=${canReveal} />
          <${Children} children=${detail.children} />
          <${OpenFiles} files=${detail.open_files} count=${detail.open_file_count} />
          <${Environment} detail=${detail} />
        `}
      </div>
    </aside>
  `;
}
