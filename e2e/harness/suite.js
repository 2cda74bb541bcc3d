// The set-up most browser test files share: a server with its accounts, a browser and one page,
// started before the steps and stopped after them in reverse order; steps that run on that page
// with evidence; and a second page for a single step (another account, a phone, the dark theme).
import { after, before, it } from 'node:test';
import { createFirstAdmin, createUser } from './api.js';
import { openPage, launchBrowser } from './browser.js';
import { startBoss } from './server.js';
import { withEvidence } from './ui.js';

/** What `openPage` takes for a phone: 375x740 CSS pixels at twice the density, with touch. */
export const PHONE = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

/**
 * Call inside `describe`. Its `before` hook starts the server (`start()`, by default
 * `startBoss()`), registers the first admin named `admin` (none when null: a fresh server) and
 * the other `users` ({username, role}), runs `prepare(suite)`, then launches the browser and
 * opens the shared page (unless `sharedPage` is false). Its `after` hook runs
 * `beforeStop(suite)` while the server still runs, closes the page and the browser, stops the
 * server, and last runs `afterStop(suite)` even when something before it failed.
 *
 * Returns the suite; its fields are set by the `before` hook:
 *   boss, browser, desk ({context, page, watch, close}), adminCookie,
 *   step(name, body): a test that runs `body(desk)` with evidence (see withEvidence),
 *   onPage(name, [options,] body): opens another page with `openPage` options, runs
 *     `body({page, watch, context})` with evidence, and closes it.
 */
export function browserSuite({ start = () => startBoss(), admin = 'admin', users = [], prepare, beforeStop, afterStop, sharedPage = true } = {}) {
  const suite = {
    boss: undefined,
    browser: undefined,
    desk: undefined,
    adminCookie: undefined,

    step(name, body) {
      it(name, () => withEvidence({ name, page: suite.desk.page, watch: suite.desk.watch, boss: suite.boss }, () => body(suite.desk)));
    },

    async onPage(name, options, body) {
      if (typeof options === 'function') [options, body] = [{}, options];
      const other = await openPage(suite.browser, suite.boss, options);
      try {
        await withEvidence({ name, page: other.page, watch: other.watch, boss: suite.boss }, () => body(other));
      } finally {
        await other.close();
      }
    },
  };

  before(async () => {
    suite.boss = await start();
    if (admin) {
      suite.adminCookie = (await createFirstAdmin(suite.boss, { username: admin })).cookie;
      for (const user of users) await createUser(suite.boss, suite.adminCookie, user);
    }
    await prepare?.(suite);
    suite.browser = await launchBrowser();
    if (sharedPage) suite.desk = await openPage(suite.browser, suite.boss);
  });

  after(async () => {
    try {
      try {
        await beforeStop?.(suite);
      } finally {
        await suite.desk?.close().catch(() => {});
        await suite.browser?.close().catch(() => {});
        await suite.boss?.stop();
      }
    } finally {
      await afterStop?.(suite);
    }
  });

  return suite;
}
