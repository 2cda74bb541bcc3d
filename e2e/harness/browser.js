// The browser: Debian's Chromium through playwright-core, and a watch on every page for console
// errors, CSP violations, uncaught exceptions and failed requests.
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from './config.js';
import { isExecutable } from './prerequisites.js';

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
