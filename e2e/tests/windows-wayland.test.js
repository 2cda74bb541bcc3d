// The Windows page on Wayland, in a real browser: a private headless sway (harness/sway.js)
// with a foot terminal. With sway's IPC the page names the desktop "sway (Wayland)" and shows
// the terminal's PID; with the wlr-foreign-toplevel backend (BOSS_WINDOW_BACKEND=wlr, what
// Hyprland or labwc users get) it names "wlroots (Wayland)", and the PID column says that this
// desktop does not tell which process owns a window, while Close still works.
//
// Everything the test starts (sway, foot, Boss) is ended by its own handle in the after hooks.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import {
  browserSuite,
  loginViaUi,
  openWindowsPage,
  startBoss,
  startSway,
  swayPrerequisites,
  textOf,
  waitForWindows,
  waitUntil,
  windowRow,
} from '../harness.js';

const ADMIN = 'admin';
const FOOT = 'boss-e2e foot';

for (const [backend, label] of [
  ['', 'sway (Wayland)'],
  ['wlr', 'wlroots (Wayland)'],
]) {
  describe(`the windows page on sway (${label})`, { skip: swayPrerequisites(), timeout: 120_000 }, () => {
    let sway;
    let foot;
    const suite = browserSuite({
      admin: ADMIN,
      start: async () => {
        sway = await startSway();
        return startBoss({ env: { ...sway.env, BOSS_WINDOW_BACKEND: backend } });
      },
      prepare: async ({ boss, adminCookie }) => {
        foot = sway.spawn('foot', ['-T', FOOT, '--app-id', 'boss-foot', 'sleep', '600']);
        await waitForWindows(boss, adminCookie, [FOOT], 'the foot window');
      },
      afterStop: () => sway?.stop(), // foot, then sway, each by its handle
    });

    suite.step(`names the desktop ${label}, shows what it can tell, and closes the terminal politely`, async ({ page }) => {
      await loginViaUi(page, { username: ADMIN });
      await openWindowsPage(page);
      const row = windowRow(page, FOOT);
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
    });
  });
}
