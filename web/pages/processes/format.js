// Number, size, time and state formatting for the Processes page.

const KIB = 1024;
const MIB = KIB * 1024;
const GIB = MIB * 1024;
const TIB = GIB * 1024;

/** Bytes as "0 B", "512 KiB", "12.3 MiB", "1.25 GiB". */
export function formatBytes(bytes) {
  if (bytes == null || !Number.isFinite(bytes)) return '—';
  if (bytes < KIB) return `${bytes} B`;
  if (bytes < MIB) return `${Math.round(bytes / KIB)} KiB`;
  if (bytes < GIB) return `${(bytes / MIB).toFixed(1)} MiB`;
  if (bytes < TIB) return `${(bytes / GIB).toFixed(2)} GiB`;
  return `${(bytes / TIB).toFixed(2)} TiB`;
}

/** A percentage with one decimal ("7.5"), without the sign. */
export function formatPercent(value) {
  if (value == null || !Number.isFinite(value)) return '—';
  return value.toFixed(1);
}

const integerFormat = new Intl.NumberFormat();
export function formatCount(value) {
  return value == null ? '—' : integerFormat.format(value);
}

/** Seconds as "42 s", "5 min", "3 h 12 min", "4 d 2 h". */
export function formatDuration(totalSeconds) {
  if (totalSeconds == null || !Number.isFinite(totalSeconds)) return '—';
  const s = Math.max(0, Math.floor(totalSeconds));
  const days = Math.floor(s / 86400);
  const hours = Math.floor((s % 86400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  if (days > 0) return hours ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
  if (minutes > 0) return `${minutes} min`;
  return `${s} s`;
}

const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dayAndTime = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const fullDateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

// Many rows share a start time (everything started at boot): remember the last few answers.
const startCache = new Map();

/** A start time short enough for a table cell: the time of day when today, else day and time. */
export function formatStart(rfc3339) {
  if (!rfc3339) return '—';
  let text = startCache.get(rfc3339);
  if (text !== undefined) return text;
  const date = new Date(rfc3339);
  if (Number.isNaN(date.getTime())) {
    text = String(rfc3339);
  } else {
    const now = new Date();
    const sameDay = date.toDateString() === now.toDateString();
    text = sameDay ? timeOfDay.format(date) : dayAndTime.format(date);
  }
  if (startCache.size > 2000) startCache.clear();
  startCache.set(rfc3339, text);
  return text;
}

const fullCache = new Map();

export function formatFullDate(rfc3339) {
  if (!rfc3339) return '—';
  let text = fullCache.get(rfc3339);
  if (text === undefined) {
    const date = new Date(rfc3339);
    text = Number.isNaN(date.getTime()) ? String(rfc3339) : fullDateTime.format(date);
    if (fullCache.size > 2000) fullCache.clear();
    fullCache.set(rfc3339, text);
  }
  return text;
}

export const STATE_LABELS = {
  running: 'Running',
  sleeping: 'Sleeping',
  disk_sleep: 'Disk wait',
  stopped: 'Stopped',
  tracing_stop: 'Traced',
  zombie: 'Zombie',
  dead: 'Dead',
  idle: 'Idle',
  unknown: 'Unknown',
};

export function stateLabel(state) {
  return STATE_LABELS[state] || state || 'Unknown';
}

/** A sentence for each action outcome the server reports. */
export function outcomeSentence(outcome, { signal, nice, timeoutMs = 5000 } = {}) {
  switch (outcome) {
    case 'terminated':
      return 'Ended with TERM';
    case 'killed':
      return `Needed KILL after ${Math.round(timeoutMs / 1000)} s`;
    case 'signalled':
      return signal ? `Sent ${signal}` : 'Signal sent';
    case 'reniced':
      return nice != null ? `Priority set to nice ${nice}` : 'Priority changed';
    case 'still_running':
      return 'Still running';
    case 'already_gone':
      return 'Had already ended';
    case 'protected':
      return 'Protected: left alone';
    case 'failed':
      return 'Failed';
    default:
      return outcome || 'Done';
  }
}
