// The fleet in a browser: two Boss servers (alpha, bravo) on one throw-away PostgreSQL cluster.
// Signed in on alpha, the header's host switcher lists both; choosing bravo sends the pages'
// machine requests to /api/v1/hosts/bravo/... (the process list is bravo's, relayed through the
// database) and survives a reload; the Hosts page shows both online with their summaries and
// runs a fleet close-all (a preview per host, then one result per host); when
// bravo stops, the Hosts page reports it offline and an admin removes it; choosing alpha again
// goes back to unprefixed routes.
//
// Everything the test starts (the cluster, both servers, the browser) is ended by its own handle.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createFirstAdmin,
  launchBrowser,
  loginViaUi,
  missingPostgres,
  openPage,
  prerequisites,
  screenshot,
  startBoss,
  startPostgres,
  waitUntil,
  withEvidence,
} from '../harness.js';

function skip() {
  const browser = prerequisites();
  if (browser) return browser;
  const missing = missingPostgres();
  if (missing.length === 0) return false;
  if (process.env.CI) throw new Error(`the fleet tests need ${missing.join(' and ')} (CI is set)`);
  return `skipped: the fleet tests need ${missing.join(' and ')}`;
}

describe('the host switcher', { skip: skip(), timeout: 180_000 }, () => {
  let pg;
  let alpha;
  let bravo;
  let browser;

  before(async () => {
    pg = startPostgres('fleet');
    alpha = await startBoss({ env: { BOSS_DATABASE_URL: pg.url, BOSS_HOST_NAME: 'alpha', DISPLAY: '' } });
    bravo = await startBoss({ env: { BOSS_DATABASE_URL: pg.url, BOSS_HOST_NAME: 'bravo', DISPLAY: '' } });
    await createFirstAdmin(alpha, { username: 'alice' });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await bravo?.stop();
    await alpha?.stop();
    pg?.stop();
  });

  it('shows the chosen host on every page and reports a stopped host offline', async () => {
    const { page, watch, close } = await openPage(browser, alpha);
    await withEvidence({ name: 'fleet-switcher', page, watch, boss: alpha }, async () => {
      await page.goto('/#/login');
      await loginViaUi(page, { username: 'alice' });

      const switcher = page.getByTestId('host-switcher');
      await switcher.waitFor();
      const options = await switcher.locator('option').allTextContents();
      assert.deepEqual(options.map((o) => o.trim()), ['alpha (this server)', 'bravo']);
      assert.equal(await switcher.inputValue(), 'alpha');

      // Bravo's process list, relayed through the database.
      await page.goto('/#/processes');
      const relayed = page.waitForResponse((r) => /\/api\/v1\/hosts\/bravo\/processes/.test(r.url()));
      await switcher.selectOption('bravo');
      const answer = await relayed;
      assert.equal(answer.status(), 200);
      const body = await answer.json();
      // Each Boss protects itself: in bravo's list bravo is protected, alpha is not.
      const row = (pid) => body.processes.find((p) => p.pid === pid);
      assert.ok(row(bravo.proc.pid)?.protected, "bravo's list protects bravo");
      assert.equal(row(alpha.proc.pid)?.protected, null, "bravo's list does not protect alpha");
      await waitUntil(async () => (await page.getByTestId('process-row').count()) > 5, {
        message: "bravo's processes are listed",
      });
      await screenshot(page, 'fleet-processes-bravo');

      // The choice survives a reload (kept per tab).
      const again = page.waitForResponse((r) => /\/api\/v1\/hosts\/bravo\/processes/.test(r.url()));
      await page.reload();
      await again;
      assert.equal(await page.getByTestId('host-switcher').inputValue(), 'bravo');

      // The overview: both online, bravo shown.
      await page.goto('/#/hosts');
      const rows = page.getByTestId('host-row');
      await waitUntil(async () => (await rows.count()) === 2, { message: 'two hosts listed' });
      for (const name of ['alpha', 'bravo']) {
        const row = page.locator(`[data-testid="host-row"][data-host="${name}"]`);
        assert.equal((await row.getByTestId('host-state').textContent()).trim(), 'online');
      }
      assert.equal(
        (await page.locator('[data-testid="host-row"][data-host="bravo"]').getByTestId('host-show').textContent()).trim(),
        'Shown',
      );
      await screenshot(page, 'fleet-hosts');

      // A fleet action: close every window on every host, after a preview per host.
      await page.getByTestId('fleet-close-all').click();
      const dialogText = page.locator('#dialog-message');
      await waitUntil(async () => /bravo: /.test((await dialogText.textContent()) || ''), {
        message: 'the preview names every host',
      });
      assert.match(await dialogText.textContent(), /alpha: /);
      await screenshot(page, 'fleet-close-all-preview');
      await page.getByTestId('confirm-ok').click();
      const report = page.getByTestId('fleet-report');
      await waitUntil(async () => /alpha: .*bravo: /.test((await report.textContent()) || ''), {
        message: 'a result per host',
      });

      // Bravo stops: the overview (refreshed every 5 s) reports it offline.
      await bravo.stop();
      const bravoState = page.locator('[data-testid="host-row"][data-host="bravo"]').getByTestId('host-state');
      await waitUntil(async () => (await bravoState.textContent()).trim() === 'offline', {
        timeout: 20_000,
        message: 'bravo is reported offline',
      });

      // Back to alpha: its own live stream again, no relayed requests.
      await page.locator('[data-testid="host-row"][data-host="alpha"]').getByTestId('host-show').click();

      // Bravo is gone for good: an admin removes it (only offline hosts offer Remove).
      assert.equal(await page.locator('[data-testid="host-row"][data-host="alpha"]').getByTestId('host-remove').count(), 0);
      await page.locator('[data-testid="host-row"][data-host="bravo"]').getByTestId('host-remove').click();
      assert.match(await page.locator('#dialog-title').textContent(), /Remove host bravo\?/);
      await screenshot(page, 'fleet-remove-host');
      await page.getByTestId('confirm-ok').click();
      await waitUntil(async () => /Removed host bravo/.test((await page.getByTestId('host-removed').textContent()) || ''), {
        message: 'the removal is reported',
      });
      await waitUntil(async () => (await page.getByTestId('host-row').count()) === 1, { message: 'bravo left the list' });
      const stream = page.waitForRequest((r) => r.url().includes('/api/v1/events?topics=processes'));
      const relayedAfter = [];
      page.on('request', (r) => {
        if (r.url().includes('/api/v1/hosts/')) relayedAfter.push(r.url());
      });
      await page.goto('/#/processes');
      await stream;
      await waitUntil(async () => (await page.getByTestId('process-row').count()) > 5, {
        message: "alpha's processes are listed",
      });
      assert.deepEqual(relayedAfter, []);
      assert.equal(await page.getByTestId('host-switcher').inputValue(), 'alpha');
    });
    await close();
  });
});
