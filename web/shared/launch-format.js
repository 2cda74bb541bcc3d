// Words and numbers for launches, shared by the Applications and History pages: run times,
// outcomes with their exit code or signal, argument vectors shown as a command line.

const SIGNAL_NAMES = {
  1: 'HUP', 2: 'INT', 3: 'QUIT', 4: 'ILL', 5: 'TRAP', 6: 'ABRT', 7: 'BUS', 8: 'FPE', 9: 'KILL',
  10: 'USR1', 11: 'SEGV', 12: 'USR2', 13: 'PIPE', 14: 'ALRM', 15: 'TERM', 17: 'CHLD', 18: 'CONT',
  19: 'STOP', 20: 'TSTP', 24: 'XCPU', 25: 'XFSZ', 31: 'SYS',
};

/** 15 -> "TERM"; unknown numbers stay numbers. */
export function signalName(signal) {
  if (signal == null) return '';
  return SIGNAL_NAMES[signal] || String(signal);
}

/**
 * Milliseconds as a run time: "0 s", "42 s", "5 min 03 s", "3 h 12 min", "4 d 2 h". Seconds stay
 * visible under an hour, so a running launch visibly ticks.
 */
export function formatRunTime(ms) {
  if (ms == null || !Number.isFinite(ms)) return '—';
  const s = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(s / 86400);
  const hours = Math.floor((s % 86400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  if (days > 0) return hours ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
  if (minutes > 0) return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
  return `${seconds} s`;
}

/** A launch with the moment the browser received it, so that a running one can tick locally. */
export function stamp(launch) {
  return { ...launch, receivedAt: Date.now() };
}

/** How long a launch ran, or has run so far (for running ones, counted on from `now`). */
export function runTimeMs(launch, now = Date.now()) {
  if (launch.running) {
    const base = launch.duration_ms ?? (Date.now() - Date.parse(launch.started_at));
    return base + Math.max(0, now - (launch.receivedAt ?? now));
  }
  if (launch.duration_ms != null) return launch.duration_ms;
  if (launch.ended_at) return Date.parse(launch.ended_at) - Date.parse(launch.started_at);
  return null;
}

export const OUTCOMES = ['running', 'exited', 'failed', 'killed', 'stopped', 'lost', 'ended', 'failed_to_start'];

export const OUTCOME_LABELS = {
  running: 'Running',
  exited: 'Exited',
  failed: 'Failed',
  killed: 'Killed',
  stopped: 'Stopped',
  lost: 'Lost',
  ended: 'Ended',
  failed_to_start: 'Did not start',
};

const OUTCOME_HINTS = {
  running: 'Still running',
  exited: 'Ended by itself with exit code 0',
  failed: 'Ended by itself with a non-zero exit code',
  killed: 'Ended by a signal',
  stopped: 'Stopped through Boss',
  lost: 'Ended while Boss was not watching: how is unknown',
  ended: 'Ended; its exit status is unknown',
  failed_to_start: 'The program could not be started',
};

export const OUTCOME_BADGES = {
  running: 'badge-success',
  exited: 'badge-neutral',
  failed: 'badge-danger',
  killed: 'badge-danger',
  stopped: 'badge-accent',
  lost: 'badge-warning',
  ended: 'badge-neutral',
  failed_to_start: 'badge-danger',
};

export function outcomeLabel(outcome) {
  return OUTCOME_LABELS[outcome] || outcome || 'Unknown';
}

/** "code 1", "KILL", "code 0" or '' — the detail that goes with the outcome badge. */
export function outcomeDetail(launch) {
  if (launch.running) return '';
  if (launch.signal != null) return signalName(launch.signal);
  if (launch.exit_code != null) return `code ${launch.exit_code}`;
  return '';
}

export function outcomeHint(launch) {
  const base = OUTCOME_HINTS[launch.outcome] || '';
  if (launch.signal != null) return `${base} (signal ${launch.signal}, ${signalName(launch.signal)})`;
  if (launch.exit_code != null) return `${base} (exit code ${launch.exit_code})`;
  return base;
}

/** One argument as a shell-ish word: quoted only when it must be, so the line reads back. */
function quoteArg(arg) {
  if (arg === '') return '""';
  if (!/[\s"'\\]/.test(arg)) return arg;
  return `"${arg.replace(/(["\\])/g, '\\$1')}"`;
}

/** ["xterm", "-T", "My term"] -> 'xterm -T "My term"' (the form the Run dialog reads back). */
export function argvText(argv) {
  return (argv || []).map(quoteArg).join(' ');
}

/** The last part of a path: "/usr/bin/xterm" -> "xterm". */
export function baseName(path) {
  const trimmed = String(path || '').replace(/\/+$/, '');
  const index = trimmed.lastIndexOf('/');
  return index >= 0 ? trimmed.slice(index + 1) || '/' : trimmed;
}

/** The name a launch goes by in sentences. */
export function launchName(launch) {
  return launch.app_name || baseName(launch.argv?.[0]) || `launch ${launch.id}`;
}

/** "Started XTerm (PID 1234)" or, for a program that did not start, what happened. */
export function startedSentence(launch, again = false) {
  const name = launchName(launch);
  if (launch.outcome === 'failed_to_start') return `${name} did not start.`;
  const pid = launch.pid != null ? ` (PID ${launch.pid})` : '';
  return `Started ${name}${again ? ' again' : ''}${pid}.`;
}

/** What POST /launches/{id}/stop did, as a sentence without the name. */
export function stopSentence(answer) {
  const closed = answer.windows_closed || 0;
  if (answer.signal === 'KILL') return 'Needed KILL';
  if (answer.signal === 'TERM') {
    return closed ? `Closed ${windowCount(closed)}, then ended with TERM` : 'Ended with TERM';
  }
  if (closed) return `Closed ${closed === 1 ? 'its window' : `its ${closed} windows`}`;
  return answer.outcome === 'stopped' ? 'Stopped' : `Ended (${answer.outcome || 'done'})`;
}

function windowCount(n) {
  return n === 1 ? '1 window' : `${n} windows`;
}
