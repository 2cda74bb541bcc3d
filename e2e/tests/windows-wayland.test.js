// The Windows page on Wayland, in a real browser: a private headless sway (harness/sway.js)
// with a foot terminal. With sway's IPC the page names the desktop "sway (Wayland)" and shows
// the terminal's PID; with the wlr-foreign-toplevel backend (BOSS_WINDOW_BACKEND=wlr, what
// Hyprland or labwc users get) it names "wlroots (Wayland)", and the PID column says that this
// desktop does not tell which process owns a window, while Close still works.
//
// Everything the test starts (sway, foot, Boss) is ended by its own handle in the after hooks.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  apiRequest,
  createFirstAdmin,
  launchBrowser,
  loginViaUi,
  openPage,
  startBoss,
  startSway,
  swayPrerequisites,
  waitUntil,
  withEvidence,
} from '../harness.js';

const ADMIN = 'admin';
const FOOT = 'boss-e2e foot';

const rowOf = (page, title) => page.locator(`[data-testid="window-row"][data-title="${title}"]`);

async function textOf(locator) {
  return ((await locator.textContent()) || '').trim();
}

async function openWindowsPage(page) {
  await page.getByTestId('nav-windows').click();
  await page.locator('[data-testid="live-indicator"][data-state="live"]').waitFor();
  await page.getByTestId('windows-table').waitFor();
}

for (const [backend, label] of [
  ['', 'sway (Wayland)'],
  ['wlr', 'wlroots (Wayland)'],
]) {
  describe(`the windows page on sway (${label})`, { skip: swayPrerequisites(), timeout: 120_000 }, () => {
    let sway;
    let boss;
    let browser;
    let desk;
    let foot;

    before(async () => {
      sway = await startSway();
      boss = await startBoss({ env: { ...sway.env, BOSS_WINDOW_BACKEND: backend } });
      const admin = await createFirstAdmin(boss, { username: ADMIN });
      foot = sway.spawn('foot', ['-T', FOOT, '--app-id', 'boss-foot', 'sleep', '600']);
      await waitUntil(
        async () => ((await apiRequest(boss, '/windows', { cookie: admin.cookie })).body?.windows || []).some((w) => w.title === FOOT),
        { timeout: 15_000, message: 'the foot window in GET /api/v1/windows' },
      );
      browser = await launchBrowser();
      desk = await openPage(browser, boss);
    });

    after(async () => {
      try {
        await desk?.close().catch(() => {});
        await browser?.close().catch(() => {});
        await boss?.stop();
      } finally {
        await sway?.stop(); // foot, then sway, each by its handle
      }
    });

    it('names the desktop, shows what it can tell, and closes the terminal politely', () =>
      withEvidence({ name: `wayland-${backend || 'sway'}`, page: desk.page, watch: desk.watch, boss }, async () => {
        const { page } = desk;
        await loginViaUi(page, { username: ADMIN });
        await openWindowsPage(page);
        const row = rowOf(page, FOOT);
        await row.waitFor();
        assert.match(await textOf(page.getByTestId('window-manager')), new RegExp(label.replace(/[()]/g, '\\$&')));
        assert.match(await textOf(row), /boss-foot/);
        if (backend === 'wlr') {
          const unknown = row.getByTestId('window-pid-unknown');
          assert.match(await unknown.getAttribute('title'), /does not say which process owns a window/);
        } else {
          assert.equal(await textOf(row.getByTestId('window-pid')), String(foot.pid));
        }
        const close = row.getByTestId('window-close');
        assert.equal(await close.isDisabled(), false, 'Close works on this desktop');
        await close.click();
        await row.waitFor({ state: 'detached', timeout: 10_000 });
        await waitUntil(() => foot.exitCode !== null || foot.signalCode !== null, {
          timeout: 10_000,
          message: 'foot to exit after its window closed',
        });
        desk.watch.assertClean();
      }));
  });
}
