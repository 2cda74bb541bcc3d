// "Close all windows…": a dry run first, shown in a dialog (what would be closed, what is
// protected and why, which dialogs are skipped, which windows don't accept close requests);
// on Confirm the real close-all, whose per-window results stay in a panel with counts.
import { html, useState, useEffect } from '../../vendor/preact-htm.js';
import { api, errorMessage } from '../../api.js';
import { CLOSE_TIMEOUT_MS, OUTCOME_BADGE, outcomeText } from './model.js';
import { RestoreResults, restoreSession } from '../../shared/session-restore.js';
import { confirmOrCancel, useModal } from '../../ui/dialog.js';
import { plural } from '../../ui/format.js';

// How long after a close-all the page offers to reopen what it closed (the session stays
// listed on the Sessions page after that).
const UNDO_OFFER_MS = 10 * 60 * 1000;

// Preview groups, in the order shown.
const PREVIEW_GROUPS = [
  { outcome: 'would_close', title: 'Will be asked to close', hint: 'Each is asked politely, as its close button would; none is killed.' },
  { outcome: 'protected', title: 'Protected: left alone' },
  { outcome: 'skipped', title: 'Dialogs: skipped', hint: 'Their main window is asked to close instead.' },
  { outcome: 'unsupported', title: "Don't accept close requests: left alone" },
];

// Results: what needs attention first.
const RESULT_ORDER = ['prompting', 'still_open', 'failed', 'closed', 'gone', 'unsupported', 'protected', 'skipped'];
const COUNT_LABELS = {
  closed: 'closed',
  prompting: 'asked to save',
  still_open: 'still open',
  failed: 'failed',
  gone: 'already gone',
  unsupported: "don't accept close requests",
  protected: 'protected',
  skipped: 'dialogs skipped',
};

function count(results) {
  const counts = {};
  for (const r of results) counts[r.outcome] = (counts[r.outcome] || 0) + 1;
  return counts;
}

function WindowName({ w }) {
  return html`
    <span class="ca-name">
      ${w.title ? html`<strong class="ca-title">${w.title}</strong>` : html`<strong class="ca-title muted">(untitled)</strong>`}
      <span class="muted ca-app">${w.class}${w.pid != null ? ` · PID ${w.pid}` : ''}</span>
    </span>
  `;
}

function PreviewList({ results }) {
  const known = new Set(PREVIEW_GROUPS.map((g) => g.outcome));
  const groups = [...PREVIEW_GROUPS];
  const others = results.filter((r) => !known.has(r.outcome));
  if (others.length) groups.push({ outcome: null, title: 'Other' });
  return groups.map((group) => {
    const items = group.outcome ? results.filter((r) => r.outcome === group.outcome) : others;
    if (!items.length) return null;
    return html`
      <section key=${group.title} class=${`ca-group ca-group-${group.outcome || 'other'}`}>
        <h3>${group.title} <span class="ca-count">${items.length}</span></h3>
        ${group.hint && html`<p class="hint">${group.hint}</p>`}
        <ul class="ca-list">
          ${items.map(
            (r) => html`<li key=${r.window.id} data-testid="preview-row" data-title=${r.window.title}
              data-outcome=${r.outcome}>
              <${WindowName} w=${r.window} />
              ${r.message && r.outcome !== 'skipped' && html`<span class="ca-reason">${r.message}</span>`}
            </li>`,
          )}
        </ul>
      </section>
    `;
  });
}

function PreviewDialog({ preview, onConfirm, onCancel }) {
  const ref = useModal();
  const toClose = preview.results.filter((r) => r.outcome === 'would_close').length;
  const handleClose = confirmOrCancel(ref, onConfirm, onCancel);
  return html`
    <dialog ref=${ref} class="dialog dialog-wide" aria-labelledby="close-all-title" onClose=${handleClose}
      data-testid="close-all-dialog">
      <form method="dialog">
        <h2 id="close-all-title">Close all windows?</h2>
        <p>
          ${toClose
            ? `${plural(toClose, 'window is', 'windows are')} asked to close at once. Boss waits up to
              ${CLOSE_TIMEOUT_MS / 1000} s for the answers; an application that asks to save keeps its window open.`
            : 'No window can be closed right now.'}
        </p>
        <div class="ca-preview" data-testid="close-all-preview">
          ${preview.results.length
            ? html`<${PreviewList} results=${preview.results} />`
            : html`<p class="muted">There are no windows.</p>`}
        </div>
        <div class="dialog-actions">
          <button type="submit" value="cancel" class="btn" autofocus data-testid="close-all-cancel">Cancel</button>
          <button type="submit" value="confirm" class="btn btn-primary" disabled=${toClose === 0}
            data-testid="close-all-confirm">
            ${toClose ? `Close ${plural(toClose, 'window', 'windows')}` : 'Nothing to close'}
          </button>
        </div>
      </form>
    </dialog>
  `;
}

// "Reopen what was closed": restores the session the close-all saved first.
function UndoOffer({ sessionId, closedAt }) {
  const [state, setState] = useState({ phase: 'offer' }); // offer | running | done | error
  const [expired, setExpired] = useState(() => Date.now() - closedAt > UNDO_OFFER_MS);
  useEffect(() => {
    const left = closedAt + UNDO_OFFER_MS - Date.now();
    if (left <= 0) return undefined;
    const timer = setTimeout(() => setExpired(true), left);
    return () => clearTimeout(timer);
  }, [closedAt]);

  async function reopen() {
    setState({ phase: 'running', since: Date.now() - 1000 });
    try {
      const report = await restoreSession(sessionId);
      setState({ phase: 'done', results: report.results });
    } catch (err) {
      setState({ phase: 'error', message: errorMessage(err) });
    }
  }

  const label = 'what was closed';
  if (state.phase === 'running') {
    return html`<${RestoreResults} run=${{ label, running: true, results: [], since: state.since }} />`;
  }
  if (state.phase === 'done') {
    return html`<${RestoreResults} run=${{ label, running: false, results: state.results }}
      onDismiss=${() => setState({ phase: 'dismissed' })} />`;
  }
  if (state.phase === 'dismissed' || expired) return null;
  return html`
    <p class="ca-undo" data-testid="close-all-undo">
      <button type="button" class="btn btn-primary btn-small" onClick=${reopen} data-testid="close-all-reopen">
        Reopen what was closed
      </button>
      <span class="hint">Boss saved the windows first: the session is on the Sessions page.</span>
      ${state.phase === 'error' && html`<span class="alert alert-error" role="alert">Could not reopen: ${state.message}</span>`}
    </p>
  `;
}

function ResultsPanel({ run, onDismiss }) {
  if (run.running) {
    return html`
      <section class="panel ca-results" aria-labelledby="ca-results-title" data-testid="close-all-results"
        data-state="running" aria-busy="true">
        <h2 id="ca-results-title">Closing ${plural(run.expected, 'window', 'windows')}…</h2>
        <p class="muted">Boss waits up to ${CLOSE_TIMEOUT_MS / 1000} s for the applications to answer.</p>
      </section>
    `;
  }
  const results = [...run.results].sort(
    (a, b) => RESULT_ORDER.indexOf(a.outcome) - RESULT_ORDER.indexOf(b.outcome),
  );
  const counts = count(results);
  const parts = RESULT_ORDER.filter((o) => counts[o]).map((o) => `${counts[o]} ${COUNT_LABELS[o]}`);
  const attention = (counts.prompting || 0) + (counts.still_open || 0);
  return html`
    <section class="panel ca-results" aria-labelledby="ca-results-title" data-testid="close-all-results" data-state="done">
      <div class="ca-results-head">
        <h2 id="ca-results-title">Close all: results</h2>
        <button type="button" class="btn btn-small" onClick=${onDismiss} data-testid="close-all-dismiss">Dismiss</button>
      </div>
      <p class="ca-counts" data-testid="close-all-counts">${parts.length ? parts.join(' · ') : 'There were no windows.'}</p>
      ${attention > 0 &&
      html`<p class="hint">Windows still open kept their unsaved work: answer the application, or close them again.</p>`}
      ${run.sessionId != null && html`<${UndoOffer} sessionId=${run.sessionId} closedAt=${run.closedAt} />`}
      <ul class="ca-list ca-result-list">
        ${results.map(
          (r) => html`<li key=${r.window.id} data-testid="result-row" data-title=${r.window.title} data-outcome=${r.outcome}>
            <${WindowName} w=${r.window} />
            <span class=${`badge ${OUTCOME_BADGE[r.outcome] || 'badge-neutral'}`}>${outcomeText(r.outcome)}</span>
            ${r.message && r.outcome !== 'skipped' && html`<span class="ca-reason">${r.message}</span>`}
          </li>`,
        )}
      </ul>
    </section>
  `;
}

/**
 * The "Close all windows…" button, its preview dialog and its results panel.
 * Props: disabled, onError(message), onStarted() (clears the page's other messages).
 */
export function useCloseAll({ onError, onStarted }) {
  const [phase, setPhase] = useState('idle'); // idle | previewing | preview | running
  const [preview, setPreview] = useState(null);
  const [run, setRun] = useState(null); // {running, expected, results}

  async function start() {
    onStarted?.();
    setPhase('previewing');
    try {
      const answer = await api('/windows/close-all', { method: 'POST', body: { dry_run: true } });
      setPreview(answer);
      setPhase('preview');
    } catch (err) {
      onError(`Could not prepare closing all windows: ${errorMessage(err)}`);
      setPhase('idle');
    }
  }

  async function confirm() {
    const expected = preview.results.filter((r) => r.outcome === 'would_close').length;
    setPreview(null);
    setPhase('running');
    setRun({ running: true, expected, results: [] });
    try {
      const answer = await api('/windows/close-all', {
        method: 'POST',
        body: { dry_run: false, timeout_ms: CLOSE_TIMEOUT_MS },
      });
      setRun({
        running: false,
        expected,
        results: answer.results || [],
        sessionId: answer.session_id ?? null,
        closedAt: Date.now(),
      });
    } catch (err) {
      setRun(null);
      onError(`Could not close all windows: ${errorMessage(err)}`);
    } finally {
      setPhase('idle');
    }
  }

  function cancel() {
    setPreview(null);
    setPhase('idle');
  }

  const button = ({ disabled }) => html`
    <button type="button" class="btn btn-danger" onClick=${start} disabled=${disabled || phase !== 'idle'}
      data-testid="close-all" title="Ask every window to close, except protected ones; a preview comes first">
      ${phase === 'previewing' ? 'Checking…' : phase === 'running' ? 'Closing…' : 'Close all windows…'}
    </button>
  `;

  const dialog = phase === 'preview' && preview
    ? html`<${PreviewDialog} preview=${preview} onConfirm=${confirm} onCancel=${cancel} />`
    : null;
  const results = run ? html`<${ResultsPanel} run=${run} onDismiss=${() => setRun(null)} />` : null;
  return { button, dialog, results };
}
