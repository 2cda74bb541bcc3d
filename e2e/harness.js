// Browser end-to-end harness for Boss of Apps: starts the real `boss` binary on a free loopback
// port with a throw-away data directory, drives Debian's Chromium through playwright-core, and
// watches every page for console errors, CSP violations, uncaught exceptions and failed requests.
//
// Typical use (see tests/auth.test.js):
//
//   const skip = prerequisites();               // skip message, false, or throws when CI is set
//   describe('thing', { skip }, () => {
//     let boss, browser;
//     before(async () => { boss = await startBoss(); browser = await launchBrowser(); });
//     after(async () => { await browser?.close(); await boss?.stop(); });
//     it('works', async () => {
//       const { page, watch, close } = await openPage(browser, boss);
//       ...
//       watch.assertClean();
//       await close();
//     });
//   });

import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, mkdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const E2E_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_DIR = path.resolve(E2E_DIR, '..');
export const ARTIFACTS_DIR = path.resolve(process.env.ARTIFACTS_DIR || path.join(E2E_DIR, 'artifacts'));

/** Path of the server binary: $BOSS_BIN, else ../target/debug/boss next to this folder. */
export function bossBinary() {
  return path.resolve(process.env.BOSS_BIN || path.join(REPO_DIR, 'target', 'debug', 'boss'));
}

/** Path of the browser: $CHROMIUM, else Debian's /usr/bin/chromium. */
export function chromiumPath() {
  return process.env.CHROMIUM || '/usr/bin/chromium';
}

export const CHROMIUM_ARGS = [
  '--no-sandbox', // we run as root in CI; the sandbox refuses root
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export const DEFAULT_PASSWORD = 'correct horse battery staple';

// ---------------------------------------------------------------------------------------------
// Prerequisites

function isExecutable(file) {
  try {
    accessSync(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Names what is missing to run the browser tests, or returns an empty list. */
export function missingPrerequisites() {
  const missing = [];
  const bin = bossBinary();
  if (!isExecutable(bin)) {
    missing.push(`the boss binary ${bin} (build it with \`cargo build\`, or set BOSS_BIN)`);
  }
  const browser = chromiumPath();
  if (!isExecutable(browser)) {
    missing.push(`Chromium at ${browser} (install it with \`apt-get install -y chromium\`, or set CHROMIUM)`);
  }
  return missing;
}

/**
 * For `describe(name, { skip: prerequisites() }, ...)`. Returns false when everything is there.
 * When something is missing: throws if the CI environment variable is set (a CI run must not
 * pass by skipping), else returns a skip message that node:test prints.
 */
export function prerequisites() {
  const missing = missingPrerequisites();
  if (missing.length === 0) return false;
  const message = `browser tests need ${missing.join(' and ')}`;
  if (process.env.CI) throw new Error(`${message} (CI is set, so this is a failure, not a skip)`);
  return `skipped: ${message}`;
}

// ---------------------------------------------------------------------------------------------
// The server

const liveServers = new Set();

// Never leave a server behind, even when the test process dies early. Only our own children.
function killLiveServers() {
  for (const child of liveServers) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  liveServers.clear();
}
process.on('exit', killLiveServers);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    killLiveServers();
    process.exit(128 + os.constants.signals[signal]);
  });
}

/** A free TCP port on 127.0.0.1 (asks the kernel, then releases it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The server gets our environment without BOSS_* variables (which could point it at the
// developer's own database or settings; tests pass what they need through `env`), with colour
// off so logs read cleanly, and RUST_LOG from our environment or `info`.
function cleanEnv(extra) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('BOSS_')) continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: '1', RUST_LOG: process.env.RUST_LOG || 'info', ...extra };
}

const MAX_LOG_CHARS = 200_000;

/**
 * Starts `boss serve` on a free port of 127.0.0.1 with a new temporary data directory and waits
 * until GET /api/v1/health answers 200.
 *
 * Options: env (extra environment, merged over a copy of ours without BOSS_* variables),
 * args (extra arguments after `serve`), timeoutMs (default 20 s), dataDir (use this directory
 * instead of a new one; it is then not removed by stop()).
 *
 * Returns { url, port, dataDir, proc, log(), stop() }. `url` has no trailing slash. `log()` is the
 * server's stdout and stderr so far. `stop()` ends only this child (by its PID: TERM, then KILL
 * after 5 s) and removes the temporary data directory; calling it twice is harmless.
 */
export async function startBoss({ env = {}, args = [], timeoutMs = 20_000, dataDir: givenDataDir } = {}) {
  const bin = bossBinary();
  if (!isExecutable(bin)) {
    throw new Error(`boss binary not found or not executable: ${bin} (build it with \`cargo build\`, or set BOSS_BIN)`);
  }
  const dataDir = givenDataDir || (await mkdtemp(path.join(os.tmpdir(), 'boss-e2e-')));
  const ownsDataDir = !givenDataDir;
  let lastError;
  // A port found free can be taken by someone else before boss binds it: try a few.
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    const port = await freePort();
    try {
      const server = await spawnBoss({ bin, port, dataDir, ownsDataDir, env, args, timeoutMs });
      return server;
    } catch (error) {
      lastError = error;
      if (!error.portInUse) break;
    }
  }
  if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
  throw lastError;
}

async function spawnBoss({ bin, port, dataDir, ownsDataDir, env, args, timeoutMs }) {
  const url = `http://127.0.0.1:${port}`;
  const argv = ['serve', '--bind', `127.0.0.1:${port}`, '--data-dir', dataDir, ...args];
  const proc = spawn(bin, argv, {
    cwd: REPO_DIR,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  liveServers.add(proc);

  let output = '';
  const append = (chunk) => {
    output += chunk.toString();
    if (output.length > MAX_LOG_CHARS) output = output.slice(-MAX_LOG_CHARS);
  };
  proc.stdout.on('data', append);
  proc.stderr.on('data', append);

  let exited = null;
  const exitPromise = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      exited = { code, signal };
      liveServers.delete(proc);
      resolve(exited);
    });
    proc.on('error', (error) => {
      // spawn failed (ENOENT, EACCES): there will be no 'exit'
      exited = { code: null, signal: null, error };
      liveServers.delete(proc);
      resolve(exited);
    });
  });

  let stopped = false;
  const stop = async ({ removeDataDir = ownsDataDir } = {}) => {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      try {
        process.kill(proc.pid, 'SIGTERM');
      } catch {
        // gone already
      }
      const timer = setTimeout(() => {
        try {
          if (!exited) process.kill(proc.pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }, 5_000);
      await exitPromise;
      clearTimeout(timer);
    }
    if (removeDataDir) await rm(dataDir, { recursive: true, force: true });
  };

  const server = { url, port, dataDir, proc, log: () => output, stop };

  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (exited) break;
    try {
      const response = await fetch(`${url}/api/v1/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) {
        await response.arrayBuffer();
        return server;
      }
      lastProblem = `health answered ${response.status}`;
    } catch (error) {
      lastProblem = error.cause?.code || error.message;
    }
    await sleep(100);
  }

  const how = exited
    ? exited.error
      ? `could not start: ${exited.error.message}`
      : `exited early (code ${exited.code}, signal ${exited.signal})`
    : `did not answer /api/v1/health within ${timeoutMs} ms (${lastProblem})`;
  // Keep the data dir here: startBoss retries with it and removes it after the last attempt.
  await stop({ removeDataDir: false });
  const error = new Error(`boss ${how}\ncommand: ${bin} ${argv.join(' ')}\n--- server log ---\n${output || '(empty)'}`);
  error.portInUse = Boolean(exited) && /address already in use|AddrInUse|os error 98/i.test(output);
  error.serverLog = output;
  throw error;
}

// ---------------------------------------------------------------------------------------------
// The HTTP API from Node (no browser)

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

// ---------------------------------------------------------------------------------------------
// The browser

/** Launches Debian's Chromium (headless) through playwright-core. */
export async function launchBrowser(options = {}) {
  const executablePath = chromiumPath();
  if (!isExecutable(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath} (install it with \`apt-get install -y chromium\`, or set CHROMIUM)`);
  }
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true, ...options });
}

/**
 * Watches a page for problems. Fails (in assertClean) on:
 *   - uncaught exceptions in the page,
 *   - console errors, including CSP violations (also caught through `securitypolicyviolation`),
 *   - HTTP responses >= 400 that the test did not declare as expected (5xx are never expected),
 *   - requests that failed at the network level (except ERR_ABORTED from navigation or close).
 * Chromium also logs each HTTP error response as a console error "Failed to load resource"; such
 * responses are judged by status and URL against the expected list, not as console errors.
 *
 * By default a 401 from GET /api/v1/auth/me is expected: it is how the UI learns that nobody is
 * signed in. Declare more with watch.expectHttpError(status, urlPattern).
 */
export async function watchPage(page, { expected = [{ status: 401, url: /\/api\/v1\/auth\/me$/ }] } = {}) {
  const events = []; // everything, for diagnostics
  const problems = [];
  const expectedHttp = [...expected];

  const isExpected = (status, url) =>
    status < 500 &&
    expectedHttp.some((e) => e.status === status && (e.url instanceof RegExp ? e.url.test(url) : url.includes(e.url)));

  // Same-origin URLs as path and query (what tests match against); others in full.
  const pathOf = (url) => {
    try {
      const u = new URL(url);
      return u.origin === new URL(page.url()).origin ? u.pathname + u.search : url;
    } catch {
      return url;
    }
  };

  page.on('console', (message) => {
    const type = message.type();
    const text = message.text();
    const { url } = message.location() || {};
    events.push(`console.${type}: ${text}${url ? ` (${url})` : ''}`);
    if (type !== 'error') return;
    // "Failed to load resource: the server responded with a status of 401 (...)": judged from the
    // response event below, with its exact URL and status, against the expected list.
    if (/^Failed to load resource: the server responded with a status of \d+/.test(text)) return;
    // "Failed to load resource: net::ERR_...": judged from the requestfailed event below.
    if (/^Failed to load resource: net::/.test(text)) return;
    if (/Content.Security.Policy/i.test(text)) problems.push(`CSP violation (console): ${text}`);
    else problems.push(`console error: ${text}${url ? ` at ${url}` : ''}`);
  });

  page.on('pageerror', (error) => {
    events.push(`pageerror: ${error.stack || error.message}`);
    problems.push(`uncaught exception in the page: ${error.stack || error.message}`);
  });

  page.on('requestfailed', (request) => {
    const failure = request.failure()?.errorText || 'unknown error';
    events.push(`requestfailed: ${request.method()} ${request.url()} ${failure}`);
    if (/ERR_ABORTED/.test(failure)) return; // navigation, reload or close cancelled it
    problems.push(`request failed: ${request.method()} ${pathOf(request.url())}: ${failure}`);
  });

  page.on('response', (response) => {
    const status = response.status();
    if (status < 400) return;
    const url = pathOf(response.url());
    const method = response.request().method();
    events.push(`response: ${status} ${method} ${url}`);
    if (!isExpected(status, url)) problems.push(`unexpected HTTP ${status} for ${method} ${url}`);
  });

  // CSP violations also as DOM events; init scripts run through CDP, so the CSP does not block them.
  await page.exposeBinding('__bossE2eCspViolation', (_source, report) => {
    const text = `${report.directive} blocked ${report.blockedURI || '(inline)'} in ${report.sourceFile || report.documentURI}:${report.lineNumber}`;
    events.push(`csp: ${text}`);
    problems.push(`CSP violation: ${text}`);
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__bossE2eCspViolation({
        directive: event.effectiveDirective || event.violatedDirective,
        blockedURI: event.blockedURI,
        sourceFile: event.sourceFile,
        documentURI: event.documentURI,
        lineNumber: event.lineNumber,
      });
    });
  });

  return {
    events,
    problems,
    /** Declares an HTTP error response the test causes on purpose (status < 500). */
    expectHttpError(status, url) {
      expectedHttp.push({ status, url });
    },
    /** Forgets problems seen so far (after the test has looked at them). */
    reset() {
      problems.length = 0;
    },
    /** Throws an Error listing every problem seen so far, then forgets them. */
    assertClean(context = '') {
      if (problems.length === 0) return;
      const list = problems.splice(0).map((p) => `  - ${p}`).join('\n');
      throw new Error(`the page had problems${context ? ` (${context})` : ''}:\n${list}`);
    },
    log() {
      return events.join('\n');
    },
  };
}

/**
 * Opens a new browser context and page on a Boss server, with a watcher attached.
 * Options: viewport (default 1280x800), colorScheme ('light' by default so screenshots are
 * stable), expected (see watchPage), timeout for actions (default 10 s).
 * Returns { context, page, watch, close() }.
 */
export async function openPage(browser, boss, { viewport = { width: 1280, height: 800 }, colorScheme = 'light', expected, timeout = 10_000, ...contextOptions } = {}) {
  const context = await browser.newContext({ baseURL: boss.url, viewport, colorScheme, ...contextOptions });
  context.setDefaultTimeout(timeout);
  context.setDefaultNavigationTimeout(Math.max(timeout, 15_000));
  const page = await context.newPage();
  const watch = await watchPage(page, expected ? { expected } : undefined);
  return { context, page, watch, close: () => context.close() };
}

// ---------------------------------------------------------------------------------------------
// UI helpers (the contract the UI implements: hash routes, named inputs, role=alert, data-testid)

/** Waits until `predicate()` (sync or async) returns truthy; throws `message` after `timeout` ms. */
export async function waitUntil(predicate, { timeout = 10_000, interval = 100, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await predicate();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${message}${last instanceof Error ? `: ${last.message}` : ''}`);
    }
    await sleep(interval);
  }
}

/** The auth form on screen (login or register). */
export function authForm(page) {
  return page.locator('form').filter({ has: page.locator('input[name="username"]') });
}

/** Waits for the login page: its form with username/password and no confirm field, at #/login. */
export async function expectLoginPage(page) {
  await page.locator('input[name="username"]').waitFor({ state: 'visible' });
  await waitUntil(async () => (await page.locator('input[name="confirm"]').count()) === 0, {
    message: 'the login form (no confirm field)',
  });
  await waitUntil(() => /^#\/login/.test(new URL(page.url()).hash), { message: `#/login in the URL (at ${page.url()})` });
}

/** Waits for the register page (username, password and confirm fields, at #/register). */
export async function expectRegisterPage(page) {
  await page.locator('input[name="confirm"]').waitFor({ state: 'visible' });
  await waitUntil(() => /^#\/register/.test(new URL(page.url()).hash), { message: `#/register in the URL (at ${page.url()})` });
}

/** Waits for the signed-in shell: current user (optionally with this name), logout, nav. */
export async function expectShell(page, { username } = {}) {
  const user = page.getByTestId('current-user');
  await user.waitFor({ state: 'visible' });
  if (username) {
    await waitUntil(async () => (await user.textContent()).includes(username), {
      message: `current-user to show ${username}`,
    });
  }
  await page.getByTestId('logout').waitFor({ state: 'visible' });
  await page.getByTestId('nav-processes').waitFor({ state: 'attached' });
  await page.locator('h1').first().waitFor({ state: 'visible' });
}

/** Fills and submits the login form (goes to #/login first unless `navigate: false`). */
export async function fillLogin(page, { username, password = DEFAULT_PASSWORD, navigate = true } = {}) {
  if (navigate) {
    await page.goto('/#/login');
    await expectLoginPage(page);
  }
  const form = authForm(page);
  await form.locator('input[name="username"]').fill(username);
  await form.locator('input[name="password"]').fill(password);
  await form.locator('button[type="submit"]').click();
}

/** Logs a page in through the UI and waits for the shell. */
export async function loginViaUi(page, { username, password = DEFAULT_PASSWORD } = {}) {
  await fillLogin(page, { username, password });
  await expectShell(page, { username });
}

/** Fills and submits the register form at #/register. */
export async function fillRegister(page, { username, password = DEFAULT_PASSWORD, confirm = password, navigate = true } = {}) {
  if (navigate) {
    await page.goto('/#/register');
    await expectRegisterPage(page);
  }
  const form = authForm(page);
  await form.locator('input[name="username"]').fill(username);
  await form.locator('input[name="password"]').fill(password);
  await form.locator('input[name="confirm"]').fill(confirm);
  await form.locator('button[type="submit"]').click();
}

/** Clicks the logout button and waits for the login page. */
export async function logoutViaUi(page) {
  await page.getByTestId('logout').click();
  await expectLoginPage(page);
}

/** The inputs of the auth form that have no label (by <label for>, aria-label or aria-labelledby). */
export async function unlabelledInputs(page) {
  return page.locator('input:not([type="hidden"])').evaluateAll((inputs) =>
    inputs
      .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')))
      .map((el) => el.name || el.id || el.outerHTML),
  );
}

/** { scrollWidth, clientWidth } of the document: scrollWidth > clientWidth means horizontal scroll. */
export async function horizontalOverflow(page) {
  return page.evaluate(() => {
    const doc = document.documentElement;
    const widest = [...document.querySelectorAll('body *')]
      .map((el) => ({ el, right: el.getBoundingClientRect().right }))
      .filter(({ right }) => right > doc.clientWidth + 1)
      .slice(0, 5)
      .map(({ el, right }) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} (right edge ${Math.round(right)})`);
    return {
      scrollWidth: Math.max(doc.scrollWidth, document.body.scrollWidth),
      clientWidth: doc.clientWidth,
      offenders: widest,
    };
  });
}

/** The current theme as the page resolves it, and the page background colour. */
export async function themeState(page) {
  return page.evaluate(() => ({
    dataTheme: document.documentElement.dataset.theme || null,
    background: getComputedStyle(document.body).backgroundColor,
    color: getComputedStyle(document.body).color,
  }));
}

/** Saves a full-page PNG into artifacts/ (created on demand). Returns the path. */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  return file;
}

/**
 * Wraps a test body so that a failure leaves evidence: a screenshot in artifacts/failures/, the
 * page's console and network log, and the tail of the server log, all printed with the error.
 * Also asserts the page stayed clean (watch.assertClean) when the body succeeds.
 */
export async function withEvidence({ name, page, watch, boss }, body) {
  try {
    await body();
    watch?.assertClean(name);
  } catch (error) {
    const notes = [];
    if (page && !page.isClosed()) {
      try {
        const dir = path.join(ARTIFACTS_DIR, 'failures');
        mkdirSync(dir, { recursive: true });
        const file = path.join(dir, `${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
        await page.screenshot({ path: file, fullPage: true, timeout: 5_000 });
        notes.push(`screenshot: ${file}`, `url: ${page.url()}`);
      } catch (shotError) {
        notes.push(`(no screenshot: ${shotError.message})`);
      }
    }
    if (watch) notes.push('--- page log ---', watch.log() || '(empty)');
    if (boss) notes.push('--- server log (tail) ---', boss.log().slice(-6_000) || '(empty)');
    error.message += `\n${notes.join('\n')}`;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// A throw-away X desktop (Xvfb + openbox) for the Windows tests
// (imports are hoisted, so these work here, at the end, like the ones at the top)

import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';

const DESKTOP_PROGRAMS = ['Xvfb', 'openbox', 'xterm', 'python3'];

function onPath(program) {
  return (process.env.PATH || '').split(path.delimiter).some((dir) => dir && isExecutable(path.join(dir, program)));
}

/** Names what is missing to run a test desktop (Xvfb, openbox, xterm, python3 with Tk). */
export function missingDesktopPrerequisites() {
  const missing = DESKTOP_PROGRAMS.filter((p) => !onPath(p)).map((p) => `\`${p}\``);
  if (onPath('python3')) {
    const probe = spawnSync('python3', ['-c', 'import tkinter'], { stdio: 'ignore', timeout: 10_000 });
    if (probe.status !== 0) missing.push('python3-tk (Tkinter)');
  }
  return missing;
}

/**
 * Like prerequisites(), for tests that also need a desktop: false when the browser, the binary
 * and Xvfb, openbox, xterm and python3-tk are all there; otherwise a skip message, or a thrown
 * error when CI is set. Install with `apt-get install -y xvfb openbox xterm python3-tk`.
 */
export function desktopPrerequisites() {
  const missing = [...missingPrerequisites(), ...missingDesktopPrerequisites()];
  if (missing.length === 0) return false;
  const message = `desktop tests need ${missing.join(' and ')} (apt-get install -y xvfb openbox xterm python3-tk)`;
  if (process.env.CI) throw new Error(`${message} (CI is set, so this is a failure, not a skip)`);
  return `skipped: ${message}`;
}

const liveDesktopChildren = new Set();
process.on('exit', () => {
  for (const child of liveDesktopChildren) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  liveDesktopChildren.clear();
});

function trackChild(child, name) {
  child.label = name;
  child.output = '';
  const append = (chunk) => {
    child.output += chunk.toString();
    if (child.output.length > 50_000) child.output = child.output.slice(-50_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  child.exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      liveDesktopChildren.delete(child);
      resolve({ code, signal });
    });
    child.once('error', (error) => {
      liveDesktopChildren.delete(child);
      resolve({ code: null, signal: null, error });
    });
  });
  liveDesktopChildren.add(child);
  return child;
}

/** True while a child spawned here has not exited. */
export function isRunning(child) {
  return child.exitCode === null && child.signalCode === null;
}

/** Ends one child by its handle: TERM, then KILL after `graceMs`; resolves when it has exited. */
export async function stopChild(child, { graceMs = 3_000 } = {}) {
  if (!child || !isRunning(child)) return child?.exited;
  try {
    child.kill('SIGTERM');
  } catch {
    // gone already
  }
  const timer = setTimeout(() => {
    if (isRunning(child)) {
      try {
        child.kill('SIGKILL');
      } catch {
        // gone already
      }
    }
  }, graceMs);
  const result = await child.exited;
  clearTimeout(timer);
  return result;
}

/**
 * Starts a private X server (`Xvfb -displayfd 3`, which picks a free display and writes its
 * number to fd 3) and, unless `windowManager: false`, `openbox --sm-disable` on it.
 *
 * Returns { display (":N"), xvfb, wm, spawn(command, args), waitForWindowManager(boss, cookie),
 * stop() }. `spawn` starts a program on this display (tracked: `child.exited`, `child.output`).
 * `waitForWindowManager` proves openbox manages windows: it opens a probe xterm and polls
 * GET /api/v1/windows until the probe is listed with a window manager, then ends the probe.
 * `stop()` ends every process started here, by its handle, newest first (never by name).
 */
export async function startDesktop({ windowManager = true, timeoutMs = 15_000 } = {}) {
  const started = [];
  const stop = async () => {
    for (const child of started.reverse()) await stopChild(child);
    started.length = 0;
  };
  try {
    const xvfb = trackChild(
      spawn('Xvfb', ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '1280x1024x24'], {
        stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      }),
      'Xvfb',
    );
    started.push(xvfb);
    const number = await new Promise((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`Xvfb gave no display number within ${timeoutMs} ms\n${xvfb.output}`)), timeoutMs);
      xvfb.stdio[3].on('data', (chunk) => {
        text += chunk.toString();
        const match = /^(\d+)\n/.exec(text);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      xvfb.exited.then(({ code, signal, error }) => {
        clearTimeout(timer);
        reject(new Error(`Xvfb ended early (code ${code}, signal ${signal}${error ? `, ${error.message}` : ''})\n${xvfb.output}`));
      });
    });
    const display = `:${number}`;
    const env = { ...process.env, DISPLAY: display };
    delete env.WAYLAND_DISPLAY;

    const spawnOnDisplay = (command, args = [], options = {}) => {
      const child = trackChild(
        spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], ...options }),
        `${command} ${args.join(' ')}`,
      );
      started.push(child);
      return child;
    };

    const wm = windowManager ? spawnOnDisplay('openbox', ['--sm-disable']) : null;

    async function waitForWindowManager(boss, cookie, { timeout = timeoutMs } = {}) {
      const title = `boss-e2e-probe-${process.pid}-${Date.now()}`;
      const probe = spawnOnDisplay('xterm', ['-T', title, '-e', 'sleep', '60']);
      try {
        await waitUntil(
          async () => {
            if (wm && !isRunning(wm)) throw new Error(`openbox ended early\n${wm.output}`);
            const answer = await apiRequest(boss, '/windows', { cookie });
            const body = answer.body || {};
            return answer.status === 200 && body.window_manager && body.windows?.some((w) => w.title === title);
          },
          { timeout, interval: 150, message: `openbox to manage a probe window on ${display}` },
        );
      } finally {
        await stopChild(probe);
      }
      // The probe's window is gone from the list too, so tests start from a clean desktop.
      await waitUntil(
        async () => !(await apiRequest(boss, '/windows', { cookie })).body?.windows?.some((w) => w.title === title),
        { timeout, message: 'the probe window to go away' },
      );
    }

    return { display, xvfb, wm, env, spawn: spawnOnDisplay, waitForWindowManager, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * A Tk window that refuses to close (from docs: prints `ready`, then `close-request N` per
 * refused close; SIGTERM ends it). Written to a temporary file; returns its path.
 */
export async function writeRefuserScript(dir) {
  const file = path.join(dir, 'refuse_close.py');
  await writeFile(file, REFUSER_SCRIPT);
  return file;
}

export const REFUSER_SCRIPT = `# refuse_close.py [TITLE] [--prompt]: a window that ignores close requests
import sys, tkinter as tk
words = [a for a in sys.argv[1:] if a != "--prompt"]
title = words[0] if words else "Unsaved work"
win = tk.Tk(className="BossRefuser")   # WM_CLASS "bossRefuser", "Bossrefuser"
win.title(title)
refused = 0
def on_close_request():
    global refused
    refused += 1
    print("close-request", refused, flush=True)
    win.title(f"{title} [refused {refused}]")
    if "--prompt" in sys.argv:           # like an editor asking to save
        dlg = tk.Toplevel(win); dlg.title("Save changes?"); dlg.transient(win)
        tk.Button(dlg, text="Discard", command=win.destroy).pack(side="left")
        tk.Button(dlg, text="Cancel", command=dlg.destroy).pack(side="right")
win.protocol("WM_DELETE_WINDOW", on_close_request)
tk.Label(win, text="pretends to hold unsaved changes").pack(padx=24, pady=24)
win.wait_visibility(win)               # mapped, so WM_PROTOCOLS is set
print("ready", flush=True)
win.mainloop()
`;
