// The fleet in a browser: two Boss servers (alpha, bravo) on one throw-away PostgreSQL cluster.
// On the Applications page, "Launch on" starts an app on every online host at once and a
// program on another host alone, with one result per host (each launch is stopped again).
// Signed in on alpha, the header's host switcher lists both; choosing bravo sends the pages'
// machine requests to /api/v1/hosts/bravo/... (the process list is bravo's, relayed through the
// database) and survives a reload; the Hosts page shows both online with their summaries and
// runs a fleet close-all (a preview per host, then one result per host); when
// bravo stops, the Hosts page reports it offline and an admin removes it (the header's switcher,
// which shares the page's host list, goes with it); choosing alpha again goes back to
// unprefixed routes.
//
// Everything the test starts (the cluster, both servers, the browser) is ended by its own handle.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  apiRequest,
  createFirstAdmin,
  launchBrowser,
  loginApi,
  loginViaUi,
  missingPostgres,
  missingPrerequisites,
  openPage,
  screenshot,
  skipUnlessPresent,
  startBoss,
  startPostgres,
  waitUntil,
  withEvidence,
} from '../harness.js';

const SLEEPER_ID = 'boss-fleet-sleeper';

describe('the host switcher', { skip: skipUnlessPresent('the fleet tests', [...missingPrerequisites(), ...missingPostgres()]), timeout: 180_000 }, () => {
  let pg;
  let alpha;
  let bravo;
  let browser;
  let xdg;

  before(async () => {
    pg = startPostgres('fleet');
    // One desktop entry, the same on both hosts, and no other.
    xdg = await mkdtemp(path.join(os.tmpdir(), 'boss-e2e-fleet-'));
    await mkdir(path.join(xdg, 'home', 'applications'), { recursive: true });
    await mkdir(path.join(xdg, 'dirs'), { recursive: true });
    await writeFile(path.join(xdg, 'home', 'applications', `${SLEEPER_ID}.desktop`), [
      '[Desktop Entry]', 'Type=Application', 'Name=Fleet Sleeper', 'Exec=sleep 86394', '',
    ].join('\n'));
    const apps = { XDG_DATA_HOME: path.join(xdg, 'home'), XDG_DATA_DIRS: path.join(xdg, 'dirs') };
    alpha = await startBoss({ env: { BOSS_DATABASE_URL: pg.url, BOSS_HOST_NAME: 'alpha', ...apps } });
    bravo = await startBoss({ env: { BOSS_DATABASE_URL: pg.url, BOSS_HOST_NAME: 'bravo', ...apps } });
    await createFirstAdmin(alpha, { username: 'alice' });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await bravo?.stop();
    await alpha?.stop();
    pg?.stop();
    if (xdg) await rm(xdg, { recursive: true, force: true });
  });

  it('launches an app on every online host, and a program on another host alone', async () => {
    const { page, watch, close } = await openPage(browser, alpha);
    const { cookie } = await loginApi(alpha, { username: 'alice' });
    // Every launch the page made, to be stopped on the host that started it. The answers are
    // read as they come (a listener is not awaited), and awaited before they are counted.
    const answers = [];
    page.on('response', (r) => {
      if (r.url().endsWith('/api/v1/fleet/launch') && r.status() === 200) answers.push(r.json());
    });
    const launched = async () =>
      (await Promise.all(answers)).flatMap(({ results }) =>
        results.filter((r) => r.body?.launch?.id).map((r) => ({ host: r.host, id: r.body.launch.id })));
    try {
      await withEvidence({ name: 'fleet-launch', page, watch, boss: alpha }, async () => {
        await page.goto('/#/login');
        await loginViaUi(page, { username: 'alice' });
        await page.goto('/#/apps');
        const label = page.getByTestId('launch-hosts-label');
        await label.waitFor();
        assert.equal((await label.textContent()).trim(), 'alpha (shown)');

        // Every online host: one launch each, one result each.
        await page.getByTestId('launch-hosts-toggle').click();
        await page.getByTestId('launch-hosts-all').click();
        assert.equal((await label.textContent()).trim(), '2 hosts');
        await screenshot(page, 'fleet-launch-hosts');
        await page.getByTestId('launch-hosts-toggle').click();
        const card = page.locator(`[data-testid="app-card"][data-app-id="${SLEEPER_ID}"]`);
        await card.getByTestId('app-launch').click();
        const results = page.getByTestId('fleet-launch-result');
        await waitUntil(async () => (await results.count()) === 2, { message: 'a result per host' });
        for (const host of ['alpha', 'bravo']) {
          const row = page.locator(`[data-testid="fleet-launch-result"][data-host="${host}"]`);
          assert.equal(await row.getAttribute('data-ok'), 'true', `${host}: ${await row.textContent()}`);
          assert.match(await row.textContent(), /Started Fleet Sleeper \(PID \d+\)/);
        }
        await screenshot(page, 'fleet-launch-results');

        // Bravo alone, for a program from "Run a program…".
        await page.getByTestId('launch-hosts-toggle').click();
        await page.locator('[data-testid="launch-host"][value="alpha"]').uncheck();
        assert.equal((await label.textContent()).trim(), 'bravo');
        await page.getByTestId('launch-hosts-toggle').click();
        await page.getByTestId('run-program').click();
        assert.match(await page.getByTestId('run-hosts').textContent(), /Starts on bravo/);
        await page.getByTestId('program-path').fill('sleep');
        await page.getByTestId('program-args').fill('86393');
        await page.getByTestId('program-launch').click();
        await waitUntil(async () => (await results.count()) === 1, { message: 'one result, for bravo' });
        assert.equal(await results.first().getAttribute('data-host'), 'bravo');
        assert.equal(await results.first().getAttribute('data-ok'), 'true');
        const all = await launched();
        assert.equal(all.length, 3, JSON.stringify(all));
      });
    } finally {
      for (const { host, id } of await launched()) {
        const stopped = await apiRequest(alpha, `/hosts/${host}/launches/${id}/stop`, {
          method: 'POST', body: { timeout_ms: 2000 }, cookie,
        });
        assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
      }
      await close();
    }
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

      // Back to alpha.
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

      // Alpha's own live stream again, no relayed requests.
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
      // The switcher shares the Hosts page's list: with one host left it is gone at once, not
      // at its own next refresh.
      assert.equal(await page.getByTestId('host-switcher').count(), 0);
    });
    await close();
  });
});
