// Formatting of API values for display, in the browser's locale and time zone.

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function formatDateTime(rfc3339) {
  if (!rfc3339) return '';
  const date = new Date(rfc3339);
  return Number.isNaN(date.getTime()) ? String(rfc3339) : dateTimeFormat.format(date);
}

/** "1 window", "3 windows": a count with the word for it. */
export function plural(count, one, many) {
  return `${count} ${count === 1 ? one : many}`;
}

/** A <time> element with the exact UTC value as its tooltip. */
export function timeProps(rfc3339) {
  return { datetime: rfc3339, title: rfc3339 };
}

/** Value of an <input type=datetime-local> (local time) to RFC 3339 UTC, or '' when empty. */
export function localInputToRfc3339(value) {
  if (!value) return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

// The server's rule too (8-1024 characters); checked here to save a round trip.
export const MIN_PASSWORD_LENGTH = 8;
