// The actions of the detail panel (operators and admins): end, kill, stop, continue, any signal
// from a short menu, and priority, each optionally on the whole tree. Every request carries the
// process's start time, so the server refuses (409) instead of acting on a reused PID.
import { html, useState, useEffect, useRef } from '../../vendor/preact-htm.js';
import { api, errorMessage } from '../../api.js';
import { useConfirm } from '../../ui/dialog.js';
import { ErrorAlert, StatusMessage } from '../../ui/feedback.js';
import { outcomeSentence } from './format.js';
import { LockIcon } from '../../ui/icons.js';

export const TERMINATE_TIMEOUT_MS = 5000;
const MENU_SIGNALS = [
  { name: 'HUP', hint: 'hang up: many daemons reload their configuration' },
  { name: 'INT', hint: 'interrupt, like Ctrl+C in a terminal' },
  { name: 'USR1', hint: 'user-defined signal 1' },
  { name: 'USR2', hint: 'user-defined signal 2' },
  { name: 'TERM', hint: 'ask the process to end' },
  { name: 'KILL', hint: 'end the process at once; unsaved work is lost' },
];

const label = (target) => `${target.name} (PID ${target.pid})`;

function treeNote(tree) {
  return tree ? ' This applies to the whole tree: the process and every process under it.' : '';
}

function ResultList({ results }) {
  if (!results || results.length < 2) return null;
  return html`
    <ul class="action-results" data-testid="action-results">
      ${results.map(
        (r) => html`<li key=${r.pid}>
          <span class="mono">${r.pid}</span> ${r.name}:
          <strong>${outcomeSentence(r.outcome, {})}</strong>${r.message ? html` <span class="muted">(${r.message})</span>` : ''}
        </li>`,
      )}
    </ul>
  `;
}

/**
 * Props: target ({pid, name, started_at, protected}), currentNice, gone (the process ended),
 * onActed() (after any answer, to refresh the details).
 */
export function ProcessActions({ target, currentNice, gone, onActed }) {
  const [tree, setTree] = useState(false);
  const [signal, setSignal] = useState('HUP');
  const [nice, setNice] = useState('');
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState('');
  const [results, setResults] = useState(null);
  const [error, setError] = useState(null);
  const [dialog, confirm] = useConfirm();

  // A new process: forget the last outcome and start the priority field at its nice value.
  const identity = `${target.pid}@${target.started_at}`;
  const niceFor = useRef(null);
  useEffect(() => {
    setStatus('');
    setResults(null);
    setError(null);
    setTree(false);
    setNice('');
    niceFor.current = null;
  }, [identity]);
  useEffect(() => {
    if (niceFor.current !== identity && currentNice != null) {
      niceFor.current = identity;
      setNice(String(currentNice));
    }
  }, [currentNice, identity]);

  const blocked = gone ? 'This process has ended.' : target.protected ? `Protected: ${target.protected}` : null;
  const disabled = Boolean(blocked) || busy;

  async function run({ path, body, question, describe }) {
    if (question) {
      const ok = await confirm(question);
      if (!ok) return;
    }
    setBusy(true);
    setError(null);
    setStatus('');
    setResults(null);
    try {
      const answer = await api(`/processes/${target.pid}/${path}`, {
        method: 'POST',
        body: { ...body, tree, started_at: target.started_at },
      });
      const sentence = describe(answer.outcome);
      const count = answer.results?.length || 0;
      setStatus(`${label(target)}: ${sentence}${tree && count > 1 ? ` (${count} processes)` : ''}.`);
      setResults(answer.results || null);
    } catch (err) {
      setError(`Could not act on ${label(target)}: ${errorMessage(err)}`);
    } finally {
      setBusy(false);
      onActed?.();
    }
  }

  const end = () =>
    run({
      path: 'terminate',
      body: { timeout_ms: TERMINATE_TIMEOUT_MS },
      question: {
        title: `End process ${label(target)}?`,
        message: `Boss sends TERM, waits ${TERMINATE_TIMEOUT_MS / 1000} s, then KILL.${treeNote(tree)}`,
        confirmLabel: 'End process',
        danger: true,
      },
      describe: (outcome) => outcomeSentence(outcome, { timeoutMs: TERMINATE_TIMEOUT_MS }),
    });

  const sendSignal = (name, question) =>
    run({
      path: 'signal',
      body: { signal: name },
      question,
      describe: (outcome) => outcomeSentence(outcome, { signal: name }),
    });

  const kill = () =>
    sendSignal('KILL', {
      title: `Kill process ${label(target)}?`,
      message: `Boss sends KILL: the process ends at once and cannot save its work.${treeNote(tree)}`,
      confirmLabel: 'Kill process',
      danger: true,
    });

  function sendMenuSignal(event) {
    event.preventDefault();
    const chosen = MENU_SIGNALS.find((s) => s.name === signal) || MENU_SIGNALS[0];
    sendSignal(chosen.name, {
      title: `Send ${chosen.name} to ${label(target)}?`,
      message: `${chosen.name}: ${chosen.hint}.${treeNote(tree)}`,
      confirmLabel: `Send ${chosen.name}`,
      danger: chosen.name === 'KILL' || chosen.name === 'TERM' || chosen.name === 'INT',
    });
  }

  function applyPriority(event) {
    event.preventDefault();
    const value = Number(nice);
    if (nice.trim() === '' || !Number.isInteger(value) || value < -20 || value > 19) {
      setError('Priority (nice) must be a whole number from -20 (highest) to 19 (lowest).');
      setStatus('');
      return;
    }
    run({
      path: 'priority',
      body: { nice: value },
      describe: (outcome) => outcomeSentence(outcome, { nice: value }),
    });
  }

  return html`
    <section class="detail-section proc-actions" aria-labelledby="proc-actions-title" data-testid="process-actions">
      <h3 id="proc-actions-title">Actions</h3>
      ${blocked &&
      html`<p class=${gone ? 'action-blocked' : 'action-blocked protected-note'} data-testid="action-blocked">
        ${!gone && html`<${LockIcon} size=${16} />`}<span>${blocked}</span>
      </p>`}
      <div class="action-row">
        <button type="button" class="btn btn-danger btn-small" onClick=${end} disabled=${disabled}
          title=${blocked || `TERM, then KILL after ${TERMINATE_TIMEOUT_MS / 1000} s`} data-testid="action-end">End</button>
        <button type="button" class="btn btn-danger btn-small" onClick=${kill} disabled=${disabled}
          title=${blocked || 'Send KILL'} data-testid="action-kill">Kill</button>
        <button type="button" class="btn btn-small" onClick=${() => sendSignal('STOP')} disabled=${disabled}
          title=${blocked || 'Pause the process (STOP)'} data-testid="action-stop">Stop</button>
        <button type="button" class="btn btn-small" onClick=${() => sendSignal('CONT')} disabled=${disabled}
          title=${blocked || 'Resume a stopped process (CONT)'} data-testid="action-continue">Continue</button>
      </div>
      <form class="action-row" onSubmit=${sendMenuSignal}>
        <label class="visually-hidden" for="proc-signal">Signal</label>
        <select id="proc-signal" name="signal" value=${signal} onChange=${(e) => setSignal(e.target.value)}
          disabled=${disabled} data-testid="action-signal">
          ${MENU_SIGNALS.map((s) => html`<option key=${s.name} value=${s.name}>${s.name}</option>`)}
        </select>
        <button type="submit" class="btn btn-small" disabled=${disabled} data-testid="action-signal-send">Send signal</button>
      </form>
      <form class="action-row" onSubmit=${applyPriority}>
        <label for="proc-nice">Priority (nice)</label>
        <input id="proc-nice" name="nice" type="number" min="-20" max="19" step="1" inputmode="numeric"
          class="nice-input" value=${nice} onInput=${(e) => setNice(e.target.value)} disabled=${disabled}
          aria-describedby="proc-nice-hint" data-testid="action-priority" />
        <button type="submit" class="btn btn-small" disabled=${disabled} data-testid="action-priority-apply">Apply</button>
        <span id="proc-nice-hint" class="hint">-20 highest … 19 lowest</span>
      </form>
      <div class="switch-row action-tree">
        <input id="proc-tree" type="checkbox" class="switch" role="switch" checked=${tree} disabled=${disabled}
          onChange=${(e) => setTree(e.target.checked)} data-testid="action-tree" />
        <label for="proc-tree" title="This process and every process under it">Whole tree</label>
      </div>
      <${StatusMessage} message=${status} testid="action-status" />
      <${ResultList} results=${results} />
      <${ErrorAlert} message=${error} testid="action-error" />
      ${dialog}
    </section>
  `;
}
