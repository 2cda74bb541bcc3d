// Thin fetch wrapper for the Boss REST API (/api/v1): JSON in, JSON out, errors as ApiError.

export class ApiError extends Error {
  constructor(status, code, message, retryAfter = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

// The app registers what to do when the session is gone (show the login page).
let onUnauthorized = () => {};
export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler;
}

const FALLBACK_MESSAGES = {
  400: 'The request was not understood.',
  401: 'You are not logged in.',
  403: 'You are not allowed to do that.',
  404: 'Not found.',
  409: 'That conflicts with the current state.',
  422: 'Some values are not valid.',
  429: 'Too many attempts. Wait a moment and try again.',
  503: 'The service is unavailable right now.',
};

// The fleet host whose machine the pages show (null: the server's own), kept per tab. Machine
// routes go to it as /hosts/{host}/...; accounts, tokens, the host list, fleet actions,
// settings and the audit log are the same on every host and are not prefixed.
const SHARED_ROUTES = ['/auth', '/tokens', '/users', '/hosts', '/fleet', '/health', '/settings', '/audit'];
let host = sessionStorage.getItem('boss.host') || null;
const hostListeners = new Set();

export function selectedHost() {
  return host;
}

/** Shows `name`'s machine from now on (null: this server's). */
export function selectHost(name) {
  host = name || null;
  if (host) sessionStorage.setItem('boss.host', host);
  else sessionStorage.removeItem('boss.host');
  for (const listener of hostListeners) listener(host);
}

/** Calls `listener(host)` when another host is selected; returns the unsubscribe function. */
export function onHostChange(listener) {
  hostListeners.add(listener);
  return () => hostListeners.delete(listener);
}

function routed(path, target = host) {
  if (!target || SHARED_ROUTES.some((p) => path === p || path.startsWith(`${p}/`) || path.startsWith(`${p}?`))) {
    return path;
  }
  return `/hosts/${encodeURIComponent(target)}${path}`;
}

// Builds "?a=1&b=2", leaving out empty values so filters stay optional.
export function queryString(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * Calls `/api/v1${path}`. Options: method, body (sent as JSON), query (object),
 * quiet401 (do not send the user to the login page on 401, e.g. for the start-up probe), host
 * (send a machine route to this fleet host rather than the selected one, e.g. a launch's own),
 * text (the route answers plain text, such as a log: resolve to it as it is).
 * Resolves to the parsed JSON body, or null for empty responses (204).
 */
export async function api(path, { method = 'GET', body, query, quiet401 = false, host: target = host, text: asText = false } = {}) {
  const headers = { Accept: asText ? 'text/plain' : 'application/json' };
  const init = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }

  let response;
  try {
    response = await fetch(`/api/v1${routed(path, target)}${queryString(query)}`, init);
  } catch {
    throw new ApiError(0, 'network', 'Cannot reach the Boss server. Check that it is running.');
  }

  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }

  if (response.ok) return asText ? text : data;

  const code = data?.error?.code || 'http_' + response.status;
  const message =
    data?.error?.message || FALLBACK_MESSAGES[response.status] || `Request failed (${response.status}).`;
  const retryAfter = response.headers.get('Retry-After');
  const error = new ApiError(response.status, code, message, retryAfter);

  // A wrong password also answers 401, but that is not a lost session.
  if (response.status === 401 && !quiet401 && code !== 'invalid_credentials') onUnauthorized(error);
  throw error;
}

/** A sentence for any error, for alerts. */
export function errorMessage(error) {
  if (error instanceof ApiError) {
    if (error.status === 429 && error.retryAfter) {
      return `${error.message} (retry in ${error.retryAfter} s)`;
    }
    return error.message;
  }
  return error?.message || String(error);
}
