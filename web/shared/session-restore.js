// Restoring a saved session, for the Sessions page ("Restore…") and the Windows page ("Reopen
// what was closed"): the plan first (a dry run, shown in a dialog: what would start, what runs
// already, what cannot be restored and why), then the restore, whose result per app stays in a
// panel with counts.
import { html, useState } from '../vendor/preact-htm.js';
import { api, errorMessage } from '../api.js';
import { useLaunchStream } from './launch-stream.js';
import { confirmOrCancel, useModal } from '../ui/dialog.js';
import { plural } from '../ui/format.js';

/** How long a restore waits for the started apps' windows. */
export const RESTORE_TIMEOUT_MS = 20000;

const OUTCOME_TEXT = {
  launched: 'started',
  placed: 'windows put back',
  already_running: 'already running',
  unrestorable: "can't be restored",
  failed: 'failed',
  timeout: 'no window in time',
  would_launch: 'will be started',
};
const OUTCOME_BADGE = {
  launched: 'badge-success',
  placed: 'badge-success',
  already_running: 'badge-neutral',
  unrestorable: 'badge-warning',
  failed: 'badge-danger',
  timeout: 'badge-danger',
  would_launch: 'badge-success',
};
const ORDER = ['failed', 'timeout', 'unrestorable', 'launched', 'would_launch', 'placed', 'already_running'];

function countText(results) {
  const counts = {};
  for (const r of results) counts[r.outcome] = (counts[r.outcome] || 0) + 1;
  const parts = ORDER.filter((o) => counts[o]).map((o) => `${counts[o]} ${OUTCOME_TEXT[o]}`);
  return parts.length ? parts.join(' · ') : 'The session holds no apps.';
}

function ResultList({ results }) {
  const sorted = [...results].sort((a, b) => ORDER.indexOf(a.outcome) - ORDER.indexOf(b.outcome));
  return html`
    <ul class="ca-list">
      ${sorted.map(
        (r) => html`<li key=${r.key} data-testid="restore-row" data-key=${r.key} data-outcome=${r.outcome}>
          <span class="ca-name">
            <strong class="ca-title">${r.name}</strong>
            <span class="muted ca-app">${r.windows.map((w) => w.title).filter(Boolean).join(', ')}</span>
          </span>
          <span class=${`badge ${OUTCOME_BADGE[r.outcome] || 'badge-neutral'}`}>${OUTCOME_TEXT[r.outcome] || r.outcome}</span>
          ${r.reason && html`<span class="ca-reason">${r.reason}</span>`}
        </li>`,
      )}
    </ul>
  `;
}

function PlanDialog({ plan, onConfirm, onCancel }) {
  const ref = useModal();
  const starts = plan.report.results.filter((r) => r.outcome === 'would_launch').length;
  const handleClose = confirmOrCancel(ref, onConfirm, onCancel);
  return html`
    <dialog ref=${ref} class="dialog dialog-wide" aria-labelledby="restore-title" onClose=${handleClose}
      data-testid="restore-dialog">
      <form method="dialog">
        <h2 id="restore-title">Restore “${plan.label}”?</h2>
        <p>${starts
          ? `${plural(starts, 'app is', 'apps are')} started; apps already running only get their windows put back.`
          : 'Nothing needs starting: running apps get their windows put back.'}</p>
        <p class="ca-counts" data-testid="restore-plan-counts">${countText(plan.report.results)}</p>
        <div class="ca-preview" data-testid="restore-plan"><${ResultList} results=${plan.report.results} /></div>
        <div class="dialog-actions">
          <button type="submit" value="cancel" class="btn" autofocus data-testid="restore-cancel">Cancel</button>
          <button type="submit" value="confirm" class="btn btn-primary" data-testid="restore-confirm">Restore</button>
        </div>
      </form>
    </dialog>
  `;
}

// While a restore runs: the apps it has started so far, live from the launch stream (the
// launches that began since the restore did).
function StartedSoFar({ since }) {
  const [started, setStarted] = useState([]);
  useLaunchStream((launch) => {
    if (Date.parse(launch.started_at) < since) return;
    setStarted((list) => (list.some((l) => l.id === launch.id) ? list : [...list, launch]));
  });
  if (!started.length) return null;
  return html`
    <ul class="ca-list" aria-live="polite" data-testid="restore-started">
      ${started.map(
        (l) => html`<li key=${l.id} data-testid="restore-started-row">
          <span class="ca-name"><strong class="ca-title">${l.app_name}</strong>
            <span class="muted ca-app">PID ${l.pid ?? '—'}</span></span>
          <span class=${`badge ${l.outcome === 'failed_to_start' ? 'badge-danger' : 'badge-success'}`}>
            ${l.outcome === 'failed_to_start' ? 'failed' : 'started'}</span>
        </li>`,
      )}
    </ul>
  `;
}

/** The panel of a restore: running (with the apps started so far), or its results. */
export function RestoreResults({ run, onDismiss }) {
  if (run.running) {
    return html`
      <section class="panel ca-results" aria-labelledby="restore-results-title" data-testid="restore-results"
        data-state="running" aria-busy="true">
        <h2 id="restore-results-title">Restoring “${run.label}”…</h2>
        <p class="muted">Apps start one after another; Boss waits up to ${RESTORE_TIMEOUT_MS / 1000} s for their
          windows and puts each back as it appears.</p>
        <${StartedSoFar} since=${run.since} />
      </section>
    `;
  }
  return html`
    <section class="panel ca-results" aria-labelledby="restore-results-title" data-testid="restore-results" data-state="done">
      <div class="ca-results-head">
        <h2 id="restore-results-title">Restored “${run.label}”</h2>
        <button type="button" class="btn btn-small" onClick=${onDismiss} data-testid="restore-dismiss">Dismiss</button>
      </div>
      <p class="ca-counts" data-testid="restore-counts">${countText(run.results)}</p>
      <${ResultList} results=${run.results} />
    </section>
  `;
}

/** Restores session `id` for real. */
export function restoreSession(id) {
  return api(`/sessions/${id}/restore`, {
    method: 'POST',
    body: { dry_run: false, timeout_ms: RESTORE_TIMEOUT_MS },
  });
}

/**
 * "Restore…": `start(session)` fetches the plan and shows it; on Confirm the restore runs and
 * its results stay in a panel. Returns { start, dialog, results }.
 */
export function useRestore({ onError, label = (s) => s.name }) {
  const [plan, setPlan] = useState(null); // {session, label, report}
  const [run, setRun] = useState(null); // {label, running, results}

  async function start(session) {
    try {
      const report = await api(`/sessions/${session.id}/restore`, { method: 'POST', body: { dry_run: true } });
      setPlan({ session, label: label(session), report });
    } catch (err) {
      onError(`Could not plan the restore: ${errorMessage(err)}`);
    }
  }

  async function confirm() {
    const { session, label: name } = plan;
    setPlan(null);
    setRun({ label: name, running: true, results: [], since: Date.now() - 1000 });
    try {
      const report = await restoreSession(session.id);
      setRun({ label: name, running: false, results: report.results });
    } catch (err) {
      setRun(null);
      onError(`Could not restore: ${errorMessage(err)}`);
    }
  }

  const dialog = plan ? html`<${PlanDialog} plan=${plan} onConfirm=${confirm} onCancel=${() => setPlan(null)} />` : null;
  const results = run ? html`<${RestoreResults} run=${run} onDismiss=${() => setRun(null)} />` : null;
  return { start, dialog, results };
}
