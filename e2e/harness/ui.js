// UI helpers (the contract the UI implements: hash routes, named inputs, role=alert, data-testid)
// and the evidence saved when a test fails.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ARTIFACTS_DIR, DEFAULT_PASSWORD } from './config.js';

/** Resolves after `ms` milliseconds. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

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

/** The trimmed text of a locator ('' when it has none). */
export async function textOf(locator) {
  return ((await locator.textContent()) || '').trim();
}

/** The Windows page's row of the window with this title. */
export const windowRow = (page, title) => page.locator(`[data-testid="window-row"][data-title="${title}"]`);

/** Opens the Windows page from the navigation and waits for its live table. */
export async function openWindowsPage(page) {
  await page.getByTestId('nav-windows').click();
  await page.locator('[data-testid="live-indicator"][data-state="live"]').waitFor();
  await page.getByTestId('windows-table').waitFor();
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

/** Fills the auth form's inputs by name ({username, password, ...}) and submits it. */
async function submitAuthForm(page, fields) {
  const form = authForm(page);
  for (const [name, value] of Object.entries(fields)) await form.locator(`input[name="${name}"]`).fill(value);
  await form.locator('button[type="submit"]').click();
}

/** Fills and submits the login form (goes to #/login first unless `navigate: false`). */
export async function fillLogin(page, { username, password = DEFAULT_PASSWORD, navigate = true } = {}) {
  if (navigate) {
    await page.goto('/#/login');
    await expectLoginPage(page);
  }
  await submitAuthForm(page, { username, password });
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
  await submitAuthForm(page, { username, password, confirm });
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
