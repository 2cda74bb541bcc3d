// The HTTP API from Node (no browser): requests, the setup code, accounts.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_PASSWORD } from './config.js';
import { waitUntil } from './ui.js';

/**
 * Calls the API from Node. `cookie` is a Cookie header value (e.g. from registerAdmin), `token` a
 * bearer token. Returns { status, headers, body } where body is parsed JSON, text, or null.
 */
export async function apiRequest(boss, apiPath, { method = 'GET', body, cookie, token, headers = {} } = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers }, redirect: 'manual' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (cookie) init.headers.Cookie = cookie;
  if (token) init.headers.Authorization = `Bearer ${token}`;
  const response = await fetch(`${boss.url}/api/v1${apiPath}`, init);
  const text = await response.text();
  let parsed = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

function sessionCookieFrom(headers) {
  const setCookies = headers.getSetCookie ? headers.getSetCookie() : [headers.get('set-cookie')].filter(Boolean);
  // "boss_session=abc; HttpOnly; ..." -> "boss_session=abc"
  return setCookies.map((c) => c.split(';')[0]).join('; ') || null;
}

/**
 * The setup code the first registration needs (Boss writes it to setup-code in its data
 * directory while no account exists), or null once it is spent.
 */
export async function setupCode(boss) {
  try {
    return (await readFile(path.join(boss.dataDir, 'setup-code'), 'utf8')).trim();
  } catch {
    return null;
  }
}

/**
 * Registers an account through POST /api/v1/auth/register (the first one becomes admin).
 * Returns { user, password, cookie } where cookie is the session cookie header value.
 */
export async function registerUser(boss, { username = 'admin', password = DEFAULT_PASSWORD } = {}) {
  const setup_code = await setupCode(boss);
  const result = await apiRequest(boss, '/auth/register', { method: 'POST', body: { username, password, setup_code } });
  if (result.status !== 201) {
    throw new Error(`register ${username}: expected 201, got ${result.status} ${JSON.stringify(result.body)}`);
  }
  return { user: result.body, password, cookie: sessionCookieFrom(result.headers) };
}

/** Creates the first (admin) account through the API. Same result as registerUser. */
export async function createFirstAdmin(boss, options = {}) {
  const { user, ...rest } = await registerUser(boss, options);
  if (user.role !== 'admin') throw new Error(`the first account should be admin, got role ${user.role}`);
  return { user, ...rest };
}

/** Logs in through the API. Returns { user, cookie }. */
export async function loginApi(boss, { username, password = DEFAULT_PASSWORD }) {
  const result = await apiRequest(boss, '/auth/login', { method: 'POST', body: { username, password } });
  if (result.status !== 200) {
    throw new Error(`login ${username}: expected 200, got ${result.status} ${JSON.stringify(result.body)}`);
  }
  return { user: result.body.user, cookie: sessionCookieFrom(result.headers) };
}

/** Admin creates another account (role viewer, operator or admin) through POST /api/v1/users. */
export async function createUser(boss, adminCookie, { username, password = DEFAULT_PASSWORD, role = 'operator' }) {
  const result = await apiRequest(boss, '/users', {
    method: 'POST',
    cookie: adminCookie,
    body: { username, password, role },
  });
  if (result.status !== 201) {
    throw new Error(`create user ${username}: expected 201, got ${result.status} ${JSON.stringify(result.body)}`);
  }
  return { user: result.body, password };
}

/** The titles of the windows GET /api/v1/windows lists (none when the answer has no list). */
export async function windowTitles(boss, cookie) {
  return ((await apiRequest(boss, '/windows', { cookie })).body?.windows || []).map((w) => w.title);
}

/** Waits until GET /api/v1/windows lists a window with each of these titles (15 s at most). */
export async function waitForWindows(boss, cookie, titles, message) {
  await waitUntil(async () => {
    const listed = await windowTitles(boss, cookie);
    return titles.every((title) => listed.includes(title));
  }, { timeout: 15_000, message: `${message} in GET /api/v1/windows` });
}
