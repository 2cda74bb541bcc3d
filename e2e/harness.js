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
//
// The parts live in harness/, one file per section; tests import them all from here.

export * from './harness/config.js';
export * from './harness/prerequisites.js';
export * from './harness/server.js';
export * from './harness/api.js';
export * from './harness/browser.js';
export * from './harness/ui.js';
export * from './harness/desktop.js';
export * from './harness/sway.js';
export * from './harness/postgres.js';
export * from './harness/suite.js';
