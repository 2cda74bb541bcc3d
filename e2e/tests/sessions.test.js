// The Sessions page and the Windows page's undo offer in a real browser, on a private desktop
// (Xvfb + openbox started here): an xterm is saved as a session "work", its detail shows how it
// starts again, the restore plan says it is already running; then "Close all" on the Windows
// page offers "Reopen what was closed", which brings the xterm back (a new process); the
// session Boss saved before the close-all is listed as "Before close-all, <time>"; a viewer
// sees sessions but no actions (also on a phone). An admin picks the session Boss restores when it starts.
//
// Everything the test starts (X server, window manager, apps, Boss) is ended by its own handle
// in the after hook; what Boss restored is closed politely through the API first.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import {
  apiRequest,
  browserSuite,
  desktopPrerequisites,
  horizontalOverflow,
  loginViaUi,
  logoutViaUi,
  screenshot,
  startBoss,
  startDesktop,
  textOf,
  waitForWindows,
  waitUntil,
} from '../harness.js';

const ADMIN = 'admin';
const VIEWER = 'viewer1';
const TERM = 'boss-e2e session term';

describe('the sessions page in the browser', { skip: desktopPrerequisites(), timeout: 300_000 }, () => {
  let desktop;
  let term;
  const suite = browserSuite({
    admin: ADMIN,
    users: [{ username: VIEWER, role: 'viewer' }],
    start: async () => {
      desktop = await startDesktop();
      return startBoss({ args: ['--display', desktop.display] });
    },
    prepare: async ({ boss, adminCookie }) => {
      await desktop.waitForWindowManager(boss, adminCookie);
      term = desktop.spawn('xterm', ['-T', TERM, '-e', 'sleep', '600']);
      await waitForWindows(boss, adminCookie, [TERM], 'the xterm');
    },
    // What Boss restored runs detached from it: ask it to close, as a person would.
    beforeStop: async ({ boss, adminCookie }) => {
      if (!boss || !adminCookie) return;
      await apiRequest(boss, '/windows/close-all', {
        method: 'POST',
        cookie: adminCookie,
        body: { dry_run: false, timeout_ms: 5000 },
      }).catch(() => {});
    },
    afterStop: () => desktop?.stop(),
  });
  const { step } = suite;

  step('a. save the desk as "work" and look inside', async ({ page }) => {
    await loginViaUi(page, { username: ADMIN });
    await page.getByTestId('nav-sessions').click();
    await page.getByTestId('sessions-empty').waitFor();
    await page.getByTestId('session-name').fill('work');
    await page.getByTestId('session-save').click();
    await waitUntil(async () => /Saved “work”: 1 app, 1 window/.test(await textOf(page.getByTestId('sessions-status'))), {
      message: 'the saved status',
    });
    const row = page.locator('[data-testid="session-row"][data-kind="manual"]');
    await row.waitFor();
    assert.match(await textOf(row), /work/);
    await row.getByTestId('session-open').click();
    const app = page.getByTestId('session-app');
    await app.waitFor();
    assert.equal(await app.getAttribute('data-restorable'), 'true');
    assert.match(await textOf(app), new RegExp(TERM));
    assert.match(await textOf(app), /xterm/);
    await screenshot(page, 'sessions-detail');

    // Admins choose it as the session Boss restores when it starts.
    await page.getByTestId('session-startup').check();
    await row.getByTestId('session-startup-badge').waitFor();
    const settings = (await apiRequest(suite.boss, '/settings', { cookie: suite.adminCookie })).body;
    assert.equal(settings.restore_session_on_start, Number(await row.getAttribute('data-session-id')));
  });

  step('b. the restore plan says the xterm is already running', async ({ page }) => {
    await page.locator('[data-testid="session-row"][data-kind="manual"]').getByTestId('session-restore').click();
    const dialog = page.getByTestId('restore-dialog');
    await dialog.waitFor();
    assert.equal(await dialog.locator('[data-testid="restore-row"]').getAttribute('data-outcome'), 'already_running');
    await page.getByTestId('restore-cancel').click();
    await dialog.waitFor({ state: 'detached' });
  });

  step('c. close all, then "Reopen what was closed" brings the xterm back', async ({ page }) => {
    await page.getByTestId('nav-windows').click();
    await page.getByTestId('windows-table').waitFor();
    await page.getByTestId('close-all').click();
    await page.getByTestId('close-all-confirm').click();
    await page.locator('[data-testid="close-all-results"][data-state="done"]').waitFor({ timeout: 15_000 });
    await term.exited;
    await page.getByTestId('close-all-reopen').click();
    const results = page.locator('[data-testid="restore-results"][data-state="done"]');
    await results.waitFor({ timeout: 30_000 });
    assert.equal(await results.locator('[data-testid="restore-row"]').getAttribute('data-outcome'), 'launched');
    await waitForWindows(suite.boss, suite.adminCookie, [TERM], 'the xterm back');
    const back = (await apiRequest(suite.boss, '/windows', { cookie: suite.adminCookie })).body.windows.find((w) => w.title === TERM);
    assert.notEqual(back.pid, term.pid, 'a new process');
    await screenshot(page, 'windows-reopened');
  });

  step('d. the close-all session is listed; a viewer sees sessions but no actions', async ({ page }) => {
    await page.getByTestId('nav-sessions').click();
    const undo = page.locator('[data-testid="session-row"][data-kind="close_all"]');
    await undo.waitFor();
    assert.match(await textOf(undo), /Before close-all, /);
    assert.equal(await undo.getByTestId('session-restore').count(), 1);
    await logoutViaUi(page);
    await loginViaUi(page, { username: VIEWER });
    await page.getByTestId('nav-sessions').click();
    await page.getByTestId('sessions-table').waitFor();
    assert.equal(await page.getByTestId('session-restore').count(), 0, 'no Restore for viewers');
    assert.equal(await page.getByTestId('session-save-form').count(), 0, 'no Save for viewers');
    await page.getByTestId('viewer-note').waitFor();

    // On a phone the table stacks: nothing scrolls sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByTestId('sessions-table').waitFor();
    const width = await horizontalOverflow(page);
    assert.ok(width.scrollWidth <= width.clientWidth, `the sessions page scrolls sideways: ${JSON.stringify(width)}`);
    await screenshot(page, 'sessions-phone');
  });
});
