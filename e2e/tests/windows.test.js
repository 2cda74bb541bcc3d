// The Windows page in a real browser, on a private desktop (Xvfb + openbox started here): two
// xterms and a Tk window that refuses to close are listed live with their PIDs; minimize and
// activate; closing one xterm from its row reports "Closed", the row leaves and the xterm
// exits; closing the refuser reports that it is still open; "Close all" previews, then closes
// the other xterm and reports the refuser as still open (and it is still running); protecting
// the refuser's class in Settings shows the lock and disables its Close button; a viewer sees
// no actions; the phone layout; screenshots.
//
// Everything the test starts (X server, window manager, apps, Boss) is ended by its own handle
// in the after hook; no other display is touched.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  apiRequest,
  browserSuite,
  createFirstAdmin,
  desktopPrerequisites,
  horizontalOverflow,
  isRunning,
  launchBrowser,
  loginViaUi,
  openPage,
  openWindowsPage,
  PHONE,
  screenshot,
  startBoss,
  startDesktop,
  stopChild,
  textOf,
  waitForWindows,
  waitUntil,
  windowRow,
  withEvidence,
  writeRefuserScript,
} from '../harness.js';

const ADMIN = 'admin';
const OPERATOR = 'operator1';
const VIEWER = 'viewer1';
const ALPHA = 'boss-e2e alpha';
const BETA = 'boss-e2e beta';
const REFUSER = 'boss-e2e refuser';

// The refuser renames itself after each refused request ("… [refused 1]").
const refuserRow = (page) => page.locator(`[data-testid="window-row"][data-title^="${REFUSER}"]`);

async function waitForText(locator, pattern, message, timeout = 10_000) {
  await waitUntil(async () => pattern.test(await textOf(locator)), { timeout, message });
}

/** Resolves to the child's exit, or throws after `timeout` ms. */
function exitWithin(child, timeout, what) {
  return Promise.race([
    child.exited,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`${what} did not exit within ${timeout} ms`)), timeout)),
  ]);
}

describe('the windows page in the browser', { skip: desktopPrerequisites(), timeout: 300_000 }, () => {
  let desktop;
  let tmp;
  let alpha;
  let beta;
  let refuser;
  const suite = browserSuite({
    admin: ADMIN,
    users: [
      { username: VIEWER, role: 'viewer' },
      { username: OPERATOR, role: 'operator' },
    ],
    start: async () => {
      tmp = await mkdtemp(path.join(os.tmpdir(), 'boss-e2e-windows-'));
      desktop = await startDesktop();
      return startBoss({ args: ['--display', desktop.display] });
    },
    prepare: async ({ boss, adminCookie }) => {
      await desktop.waitForWindowManager(boss, adminCookie);
      alpha = desktop.spawn('xterm', ['-T', ALPHA, '-e', 'sleep', '600']);
      beta = desktop.spawn('xterm', ['-T', BETA, '-e', 'sleep', '600']);
      const script = await writeRefuserScript(tmp);
      refuser = desktop.spawn('python3', [script, REFUSER]);
      await waitUntil(() => /^ready$/m.test(refuser.output) || !isRunning(refuser), {
        timeout: 15_000,
        message: 'the refuser to print ready',
      });
      assert.ok(isRunning(refuser), `the refuser failed to start:\n${refuser.output}`);
      await waitForWindows(boss, adminCookie, [ALPHA, BETA, REFUSER], 'the three windows');
    },
    afterStop: async () => {
      await desktop?.stop(); // the apps, openbox and Xvfb, each by its handle
      if (tmp) await rm(tmp, { recursive: true, force: true });
    },
  });
  const { step } = suite;

  step('a. the page lists the xterms and the refuser live, with their PIDs and the window manager', async ({ page }) => {
    await loginViaUi(page, { username: ADMIN });
    await openWindowsPage(page);
    await windowRow(page, ALPHA).waitFor();
    await windowRow(page, BETA).waitFor();
    await refuserRow(page).waitFor();
    assert.equal(await page.getByTestId('windows-unavailable').count(), 0);
    assert.match(await textOf(page.getByTestId('window-manager')), /Openbox \(X11\)/);
    // The page's module arrives after navigation; the reading position still lands on its heading.
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'page-title', 'focus on the heading');

    // The PID column shows each xterm's own PID and links to the Processes page.
    for (const [title, child] of [[ALPHA, alpha], [BETA, beta]]) {
      const pid = windowRow(page, title).getByTestId('window-pid');
      assert.equal(await textOf(pid), String(child.pid), `${title}: PID`);
      assert.equal(await pid.getAttribute('href'), `#/processes?pid=${child.pid}`);
      assert.match(await textOf(windowRow(page, title)), /XTerm/);
    }
    assert.match(await textOf(refuserRow(page)), /Bossrefuser/);
    // Every row has its actions, and nothing is protected yet.
    for (const id of ['window-close', 'window-activate', 'window-minimize']) {
      assert.equal(await windowRow(page, ALPHA).getByTestId(id).isEnabled(), true, `${id} enabled`);
    }
    assert.equal(await page.getByTestId('protected-badge').count(), 0);
    await page.mouse.move(0, 0);
    await screenshot(page, 'windows-light');
  });

  step('b. filter and sort', async ({ page }) => {
    const filter = page.getByTestId('windows-filter');
    await filter.fill('alpha');
    await waitUntil(async () => (await page.getByTestId('window-row').count()) === 1, { message: 'one row for alpha' });
    await windowRow(page, ALPHA).waitFor();
    await filter.fill(String(beta.pid));
    await waitUntil(async () => (await page.getByTestId('window-row').count()) === 1, { message: 'one row for the PID' });
    await windowRow(page, BETA).waitFor();
    await filter.fill('no-such-window');
    await page.getByTestId('windows-empty').waitFor();
    await filter.fill('');

    const pidHeader = page.locator('[data-testid="windows-sort"][data-sort="pid"]');
    await pidHeader.locator('button').click();
    assert.equal(await pidHeader.getAttribute('aria-sort'), 'ascending');
    const pids = async () =>
      (await page.getByTestId('window-row').evaluateAll((rows) => rows.map((r) => Number(r.dataset.pid))));
    const ascending = await pids();
    assert.deepEqual(ascending, [...ascending].sort((a, b) => a - b), `PIDs ascending: ${ascending}`);
    await pidHeader.locator('button').click();
    assert.equal(await pidHeader.getAttribute('aria-sort'), 'descending');
    const descending = await pids();
    assert.deepEqual(descending, [...ascending].reverse(), `PIDs descending: ${descending}`);

    const titleHeader = page.locator('[data-testid="windows-sort"][data-sort="title"]');
    await titleHeader.locator('button').click();
    assert.equal(await titleHeader.getAttribute('aria-sort'), 'ascending');
    const titles = await page.getByTestId('window-row').evaluateAll((rows) => rows.map((r) => r.dataset.title));
    assert.deepEqual(titles.slice(0, 2), [ALPHA, BETA], `sorted by title: ${titles}`);
  });

  step('c. minimize and activate show up live', async ({ page }) => {
    const row = windowRow(page, BETA);
    await row.getByTestId('window-minimize').click();
    await waitForText(page.getByTestId('action-status'), /Minimized/, 'the minimized status');
    await waitForText(row.getByTestId('window-state').first(), /Minimized/, 'the Minimized badge');
    assert.equal(await row.getByTestId('window-minimize').isDisabled(), true, 'already minimized');
    await row.getByTestId('window-activate').click();
    await waitForText(page.getByTestId('action-status'), /front/, 'the activated status');
    await waitForText(row.getByTestId('window-state').first(), /Active/, 'the Active badge');
  });

  step('d. closing an xterm from its row: "Closed", the row leaves live, the xterm exits', async ({ page }) => {
    await windowRow(page, ALPHA).getByTestId('window-close').click();
    await waitForText(page.getByTestId('action-status'), /Closed/, 'the Closed status');
    assert.match(await textOf(page.getByTestId('action-status')), new RegExp(ALPHA));
    await windowRow(page, ALPHA).waitFor({ state: 'detached' });
    const exit = await exitWithin(alpha, 10_000, 'the closed xterm');
    assert.ok(exit, 'the xterm exited');
    assert.equal(await page.getByTestId('action-error').count(), 0, 'no error');
  });

  step('e. closing the refuser from its row says it is still open', async ({ page }) => {
    await refuserRow(page).getByTestId('window-close').click();
    assert.match(await textOf(refuserRow(page).getByTestId('window-close')), /Closing/);
    await waitForText(page.getByTestId('action-status'), /still open/, 'the still-open status', 15_000);
    assert.match(await textOf(page.getByTestId('action-status')), /Didn't respond in 5 s/);
    assert.match(await textOf(refuserRow(page).getByTestId('window-outcome')), /still open/);
    assert.match(refuser.output, /close-request 1/, 'the refuser got the request');
    assert.ok(isRunning(refuser), 'the refuser still runs');
  });

  step('f. close all: the preview, then the results; the refuser stays', async ({ page }) => {
    await page.getByTestId('close-all').click();
    const preview = page.getByTestId('close-all-preview');
    await preview.waitFor();
    const items = await preview.getByTestId('preview-row').evaluateAll((rows) =>
      rows.map((r) => ({ title: r.dataset.title, outcome: r.dataset.outcome })),
    );
    assert.deepEqual(
      items.map((i) => `${i.title.replace(/ \[refused \d+\]$/, '')}=${i.outcome}`).sort(),
      [`${BETA}=would_close`, `${REFUSER}=would_close`],
      `preview: ${JSON.stringify(items)}`,
    );
    assert.match(await textOf(page.getByTestId('close-all-confirm')), /Close 2 windows/);
    await screenshot(page, 'windows-preview');

    // Cancel changes nothing.
    await page.getByTestId('close-all-cancel').click();
    await preview.waitFor({ state: 'detached' });
    assert.ok(isRunning(beta), 'beta still runs after Cancel');

    await page.getByTestId('close-all').click();
    await preview.waitFor();
    await page.getByTestId('close-all-confirm').click();
    const results = page.locator('[data-testid="close-all-results"][data-state="done"]');
    await results.waitFor({ timeout: 20_000 });
    const outcomes = await results.getByTestId('result-row').evaluateAll((rows) =>
      rows.map((r) => ({ title: r.dataset.title, outcome: r.dataset.outcome })),
    );
    const byTitle = Object.fromEntries(outcomes.map((r) => [r.title.replace(/ \[refused \d+\]$/, ''), r.outcome]));
    assert.equal(byTitle[BETA], 'closed', JSON.stringify(outcomes));
    assert.equal(byTitle[REFUSER], 'still_open', JSON.stringify(outcomes));
    assert.match(await textOf(results.getByTestId('close-all-counts')), /1 closed/);
    assert.match(await textOf(results.getByTestId('close-all-counts')), /1 still open/);
    await exitWithin(beta, 10_000, 'the second xterm');
    await windowRow(page, BETA).waitFor({ state: 'detached' });
    assert.ok(isRunning(refuser), 'the refuser is still running');
    await refuserRow(page).waitFor();
    await page.mouse.move(0, 0);
    await screenshot(page, 'windows-results');
  });

  step('g. dark theme', async ({ page }) => {
    await page.getByTestId('theme-toggle').click();
    await waitUntil(async () => (await page.evaluate(() => document.documentElement.dataset.theme)) === 'dark', {
      message: 'the dark theme',
    });
    await page.mouse.move(0, 0);
    await screenshot(page, 'windows-dark');
    await page.getByTestId('theme-toggle').click();
  });

  step('h. protecting the refuser in Settings locks its row', async ({ page }) => {
    await page.getByTestId('nav-settings').click();
    const editor = page.getByTestId('protected-windows');
    await editor.waitFor({ state: 'visible' });
    await editor.fill('BossRefuser\n');
    await page.getByTestId('protected-windows-save').click();
    await waitForText(page.getByTestId('protected-windows-status'), /Saved/, 'the saved status');
    assert.deepEqual((await apiRequest(suite.boss, '/settings', { cookie: suite.adminCookie })).body.protected_windows, ['BossRefuser']);
    await page.evaluate(() => window.scrollTo(0, 0)); // the sticky header stays on top of a full-page shot
    await screenshot(page, 'settings-protected-windows');

    await openWindowsPage(page);
    const row = refuserRow(page);
    const badge = row.getByTestId('protected-badge');
    await badge.waitFor();
    assert.match(await badge.getAttribute('title'), /Protected: .*BossRefuser/);
    for (const id of ['window-close', 'window-activate', 'window-minimize']) {
      assert.equal(await row.getByTestId(id).isDisabled(), true, `${id} is disabled`);
    }
    assert.match(await row.getByTestId('window-close').getAttribute('title'), /Protected/);

    // Close all now leaves it alone, and says why.
    await page.getByTestId('close-all').click();
    const preview = page.getByTestId('close-all-preview');
    await preview.waitFor();
    const item = preview.locator(`[data-testid="preview-row"][data-title^="${REFUSER}"]`);
    assert.equal(await item.getAttribute('data-outcome'), 'protected');
    assert.match(await textOf(item), /BossRefuser/);
    assert.equal(await page.getByTestId('close-all-confirm').isDisabled(), true, 'nothing to close');
    await page.getByTestId('close-all-cancel').click();
    await preview.waitFor({ state: 'detached' });
    await page.mouse.move(0, 0);
    await screenshot(page, 'windows-protected');
  });

  step('i. a viewer sees the windows but no action buttons', async () => {
    await suite.onPage('i-viewer', async ({ page }) => {
      await loginViaUi(page, { username: VIEWER });
      await openWindowsPage(page);
      await refuserRow(page).waitFor();
      for (const id of ['window-close', 'window-activate', 'window-minimize', 'close-all']) {
        assert.equal(await page.getByTestId(id).count(), 0, `no ${id} for a viewer`);
      }
      await page.getByTestId('viewer-note').waitFor();
    });
  });

  step('j. an operator acts; on a phone, cards without sideways scroll', async () => {
    const extra = desktop.spawn('xterm', ['-T', ALPHA, '-e', 'sleep', '600']);
    try {
      await suite.onPage('j-phone', PHONE, async ({ page }) => {
        await loginViaUi(page, { username: OPERATOR });
        await page.getByTestId('menu-button').tap();
        await openWindowsPage(page);
        await windowRow(page, ALPHA).waitFor({ timeout: 15_000 });
        await refuserRow(page).waitFor();
        const width = await horizontalOverflow(page);
        assert.ok(width.scrollWidth <= width.clientWidth, `the page scrolls sideways: ${JSON.stringify(width)}`);
        await screenshot(page, 'windows-phone');
        await windowRow(page, ALPHA).getByTestId('window-close').tap();
        await waitForText(page.getByTestId('action-status'), /Closed/, 'the Closed status');
        await windowRow(page, ALPHA).waitFor({ state: 'detached' });
        await exitWithin(extra, 10_000, 'the third xterm');
      });
    } finally {
      await stopChild(extra);
    }
  });
});

describe('the windows page without a desktop or a window manager', { skip: desktopPrerequisites(), timeout: 120_000 }, () => {
  let browser;

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close().catch(() => {});
  });

  it('says why it sees no desktop instead of the table', async () => {
    // A display name that cannot be parsed: Boss reports why it sees no desktop (no X server is
    // contacted).
    const boss = await startBoss({ args: ['--display', 'no-such-display'] });
    const { page, watch, close } = await openPage(browser, boss);
    try {
      await createFirstAdmin(boss, { username: ADMIN });
      await withEvidence({ name: 'no-desktop', page, watch, boss }, async () => {
        await loginViaUi(page, { username: ADMIN });
        await page.getByTestId('nav-windows').click();
        const panel = page.getByTestId('windows-unavailable');
        await panel.waitFor();
        assert.match(await textOf(panel), /Boss can't see a desktop: \S/);
        assert.equal(await page.getByTestId('windows-table').count(), 0);
        await screenshot(page, 'windows-unavailable');
      });
    } finally {
      await close();
      await boss.stop();
    }
  });

  it('without a window manager: says so, and Minimize is disabled', async () => {
    const desktop = await startDesktop({ windowManager: false });
    let boss;
    let page;
    let watch;
    let close;
    try {
      boss = await startBoss({ env: { BOSS_DISPLAY: desktop.display } }); // the environment works too
      const admin = await createFirstAdmin(boss, { username: ADMIN });
      const xterm = desktop.spawn('xterm', ['-T', ALPHA, '-e', 'sleep', '600']);
      await waitForWindows(boss, admin.cookie, [ALPHA], 'the xterm on the bare display');
      ({ page, watch, close } = await openPage(browser, boss));
      await withEvidence({ name: 'no-window-manager', page, watch, boss }, async () => {
        await loginViaUi(page, { username: ADMIN });
        await openWindowsPage(page);
        const wm = page.getByTestId('window-manager');
        assert.match(await textOf(wm), /No window manager: minimize unavailable/);
        const row = windowRow(page, ALPHA);
        await row.waitFor();
        assert.equal(await row.getByTestId('window-minimize').isDisabled(), true, 'minimize is disabled');
        assert.match(await row.getByTestId('window-minimize').getAttribute('title'), /No window manager/);
        assert.equal(await textOf(row.getByTestId('window-pid')), String(xterm.pid));
        await screenshot(page, 'windows-no-wm');
        // Closing still works without a window manager (WM_DELETE_WINDOW straight to the app).
        await row.getByTestId('window-close').click();
        await waitForText(page.getByTestId('action-status'), /Closed/, 'the Closed status');
        await row.waitFor({ state: 'detached' });
        await exitWithin(xterm, 10_000, 'the xterm');
      });
    } finally {
      await close?.();
      await boss?.stop();
      await desktop.stop();
    }
  });
});
