// The Applications and History pages in a real browser, on a server whose catalog holds only
// this test's desktop entries (a temporary XDG_DATA_HOME and an empty XDG_DATA_DIRS): the
// launcher grid with icons and letter placeholders, search, category and the list view; launching
// an app (PID reported, running badge kept live by the event stream); the History table (the
// user, the live row, its ticking duration, filters, totals, CSV); stopping from History;
// "Run a program…" with the server-side file browser and the argument preview; relaunch; a
// viewer without any launch control; dark theme and phone layout.
//
// Everything launched here is stopped before the server stops: through the API's stop endpoint, and
// only as a last resort by the PIDs the API reported for this test's own launches.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe } from 'node:test';
import zlib from 'node:zlib';
import { apiRequest, browserSuite, horizontalOverflow, loginViaUi, prerequisites, screenshot, startBoss, waitUntil } from '../harness.js';

const ADMIN = 'admin';
const VIEWER = 'viewer1';
const SLEEPER_ID = 'boss-test-sleeper';
const SLEEPER = 'Boss Sleeper';
const NOTES_ID = 'boss-test-notes';

// ---------------------------------------------------------------------------------------------
// A tiny valid PNG, written from bytes: a 48x48 rounded tile with a dot (RGBA, no filter).

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function iconPng(size = 48) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const rows = [];
  const r = size / 2;
  for (let y = 0; y < size; y += 1) {
    const row = Buffer.alloc(1 + size * 4); // filter byte 0, then pixels
    for (let x = 0; x < size; x += 1) {
      const dx = x + 0.5 - r;
      const dy = y + 0.5 - r;
      const inTile = Math.max(Math.abs(dx), Math.abs(dy)) < r - 2 || Math.hypot(Math.abs(dx) - (r - 10), Math.abs(dy) - (r - 10)) < 8;
      const corner = Math.abs(dx) > r - 10 && Math.abs(dy) > r - 10;
      const inside = corner ? Math.hypot(Math.abs(dx) - (r - 10), Math.abs(dy) - (r - 10)) < 8 : inTile;
      const moon = Math.hypot(dx + 3, dy + 2) < 12 && Math.hypot(dx - 3, dy - 6) >= 11;
      const pixel = !inside ? [0, 0, 0, 0] : moon ? [255, 214, 102, 255] : [52, 64, 140, 255];
      row.set(pixel, 1 + x * 4);
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** XDG_DATA_HOME with this test's desktop entries and icon; XDG_DATA_DIRS empty. */
async function makeXdgDirs() {
  const root = await mkdtemp(path.join(os.tmpdir(), 'boss-e2e-apps-'));
  const home = path.join(root, 'data-home');
  const dirs = path.join(root, 'data-dirs');
  await mkdir(path.join(home, 'applications'), { recursive: true });
  await mkdir(path.join(home, 'icons', 'hicolor', '48x48', 'apps'), { recursive: true });
  await mkdir(dirs, { recursive: true });
  await writeFile(path.join(home, 'applications', `${SLEEPER_ID}.desktop`), [
    '[Desktop Entry]',
    'Type=Application',
    `Name=${SLEEPER}`,
    'Comment=Sleeps for ten minutes (a test app of Boss of Apps)',
    'Exec=sleep 600',
    'Icon=boss-test-icon',
    'Categories=Utility;',
    'Keywords=nap;pause;',
    '',
  ].join('\n'));
  // No icon: the page shows a letter placeholder.
  await writeFile(path.join(home, 'applications', `${NOTES_ID}.desktop`), [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Boss Notes',
    'Comment=Another test entry, without an icon',
    'Exec=sleep 601',
    'Categories=Office;',
    '',
  ].join('\n'));
  // Hidden entries never show.
  await writeFile(path.join(home, 'applications', 'boss-test-hidden.desktop'), [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Boss Hidden',
    'Exec=sleep 602',
    'NoDisplay=true',
    '',
  ].join('\n'));
  await writeFile(path.join(home, 'icons', 'hicolor', 'index.theme'), [
    '[Icon Theme]',
    'Name=Hicolor',
    'Directories=48x48/apps',
    '',
    '[48x48/apps]',
    'Size=48',
    'Type=Fixed',
    '',
  ].join('\n'));
  await writeFile(path.join(home, 'icons', 'hicolor', '48x48', 'apps', 'boss-test-icon.png'), iconPng());
  return { root, home, dirs };
}

// ---------------------------------------------------------------------------------------------
// Page helpers

const card = (page, id) => page.locator(`[data-testid="app-card"][data-app-id="${id}"]`);
const row = (page, id) => page.locator(`[data-testid="launch-row"][data-launch-id="${id}"]`);

async function openAppsPage(page) {
  await page.getByTestId('nav-apps').click();
  await page.getByTestId('apps-grid').waitFor({ state: 'visible' });
  await card(page, SLEEPER_ID).waitFor();
}

async function openHistoryPage(page) {
  await page.getByTestId('nav-history').click();
  await page.locator('h1', { hasText: 'History' }).waitFor();
  await page.getByTestId('history-totals').waitFor();
}

/** Whether a PID is gone (or only a zombie waiting to be reaped). */
function processGone(pid) {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return true;
  try {
    const text = readFileSync(stat, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

// ---------------------------------------------------------------------------------------------

describe('the applications and history pages in the browser', { skip: prerequisites(), timeout: 300_000 }, () => {
  let xdg;
  let sleeperLaunch; // the Boss Sleeper launched from the Applications page
  let programLaunch; // sleep 600 from "Run a program…"
  let relaunched; // its relaunch from History
  const suite = browserSuite({
    admin: ADMIN,
    users: [{ username: VIEWER, role: 'viewer' }],
    start: async () => {
      xdg = await makeXdgDirs();
      return startBoss({ env: { XDG_DATA_HOME: xdg.home, XDG_DATA_DIRS: xdg.dirs } });
    },
    beforeStop: () => stopEverything(),
    afterStop: async () => {
      if (xdg) await rm(xdg.root, { recursive: true, force: true });
    },
  });
  const { step } = suite;

  /** Stops every launch of this test's server that still runs: the API first, then its PID. */
  async function stopEverything() {
    if (!suite.boss || !suite.adminCookie) return;
    const pids = [];
    try {
      const running = await apiRequest(suite.boss, '/launches?outcome=running&limit=1000', { cookie: suite.adminCookie });
      for (const launch of running.body?.launches || []) {
        if (launch.pid) pids.push(launch.pid);
        await apiRequest(suite.boss, `/launches/${launch.id}/stop`, { method: 'POST', cookie: suite.adminCookie, body: { timeout_ms: 2000 } });
      }
    } catch (error) {
      console.log(`# could not stop launches through the API: ${error.message}`);
    }
    // Only the PIDs the API reported for this test's own launches.
    for (const pid of [sleeperLaunch?.pid, programLaunch?.pid, relaunched?.pid, ...pids]) {
      if (pid && !processGone(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    }
  }

  async function launchById(id) {
    const answer = await apiRequest(suite.boss, `/launches/${id}`, { cookie: suite.adminCookie });
    assert.equal(answer.status, 200, `GET /launches/${id}`);
    return answer.body.launch || answer.body;
  }

  async function latestLaunch(query) {
    const answer = await apiRequest(suite.boss, `/launches?${query}`, { cookie: suite.adminCookie });
    assert.equal(answer.status, 200);
    return answer.body.launches[0];
  }

  step('a. the catalog shows only the test entries, with the icon and a letter placeholder', async ({ page }) => {
    await loginViaUi(page, { username: ADMIN });
    await openAppsPage(page);
    const cards = page.locator('[data-testid="app-card"]');
    await waitUntil(async () => (await cards.count()) === 2, { message: 'two app cards' });
    assert.deepEqual(await cards.evaluateAll((list) => list.map((c) => c.dataset.appId)), [NOTES_ID, SLEEPER_ID],
      'sorted by name; the NoDisplay entry left out');
    const sleeper = card(page, SLEEPER_ID);
    assert.match(await sleeper.textContent(), /Boss Sleeper/);
    assert.match(await sleeper.textContent(), /Sleeps for ten minutes/);
    const icon = sleeper.getByTestId('app-icon');
    await waitUntil(() => icon.evaluate((img) => img.complete && img.naturalWidth > 0), { message: 'the icon to load' });
    assert.equal(await icon.evaluate((img) => img.naturalWidth), 48);
    const placeholder = card(page, NOTES_ID).getByTestId('app-icon-placeholder');
    assert.equal((await placeholder.textContent()).trim(), 'B', 'the first letter stands in for the missing icon');
    assert.equal(await sleeper.getByTestId('app-launch').count(), 1, 'admins get a Launch button');
    await page.getByTestId('run-program').waitFor({ state: 'visible' });
    // Categories by their menu names, with counts.
    const options = await page.getByTestId('apps-category').locator('option').allTextContents();
    assert.deepEqual(options, ['All categories', 'Accessories (1)', 'Office (1)']);
    await screenshot(page, 'apps-grid-light');
  });

  step('b. search filters as you type; category and list view (remembered)', async ({ page }) => {
    const cards = page.locator('[data-testid="app-card"]');
    const search = page.getByTestId('apps-search');
    await search.fill('sleep');
    await waitUntil(async () => (await cards.count()) === 1, { message: 'one card for "sleep"' });
    assert.equal(await cards.first().getAttribute('data-app-id'), SLEEPER_ID);
    await search.fill('nap'); // a keyword
    await waitUntil(async () => (await cards.count()) === 1, { message: 'one card for the keyword' });
    await search.fill('no such thing');
    await page.getByTestId('apps-no-match').waitFor();
    await search.fill('');
    await waitUntil(async () => (await cards.count()) === 2, { message: 'both cards again' });

    await page.getByTestId('apps-category').selectOption('Office');
    await waitUntil(async () => (await cards.count()) === 1, { message: 'one Office app' });
    assert.equal(await cards.first().getAttribute('data-app-id'), NOTES_ID);
    await page.getByTestId('apps-category').selectOption('');

    const toggle = page.getByTestId('apps-view-toggle');
    await toggle.locator('[data-view="list"]').click();
    await waitUntil(async () => (await page.getByTestId('apps-grid').getAttribute('data-view')) === 'list', { message: 'list view' });
    assert.equal(await toggle.locator('[data-view="list"]').getAttribute('aria-pressed'), 'true');
    await screenshot(page, 'apps-list-light');
    await page.reload();
    await page.getByTestId('apps-grid').waitFor();
    assert.equal(await page.getByTestId('apps-grid').getAttribute('data-view'), 'list', 'the choice survives a reload');
    await page.getByTestId('apps-view-toggle').locator('[data-view="grid"]').click();
    await waitUntil(async () => (await page.getByTestId('apps-grid').getAttribute('data-view')) === 'grid', { message: 'grid view' });
  });

  step('c. Launch starts the app, reports its PID, and the running badge follows live', async ({ page }) => {
    await page.getByTestId('apps-search').fill('sleeper');
    const sleeper = card(page, SLEEPER_ID);
    await sleeper.getByTestId('app-launch').click();
    const status = page.getByTestId('action-status');
    await waitUntil(async () => /Started Boss Sleeper \(PID \d+\)/.test(await status.textContent()), { message: 'the started status' });
    const pid = Number(/PID (\d+)/.exec(await status.textContent())[1]);
    assert.equal(await status.getByRole('link', { name: /History/ }).getAttribute('href'), '#/history');
    sleeperLaunch = await latestLaunch(`app=${SLEEPER_ID}`);
    assert.equal(sleeperLaunch.pid, pid, 'the PID shown is the launch PID');
    assert.equal(sleeperLaunch.running, true);
    assert.equal(sleeperLaunch.user, ADMIN);
    assert.deepEqual(sleeperLaunch.argv, ['sleep', '600']);
    assert.ok(!processGone(pid), 'the process runs');
    const badge = sleeper.getByTestId('app-running');
    await waitUntil(async () => (await badge.count()) && /1 running/.test(await badge.textContent()), { message: '"1 running"' });
    await screenshot(page, 'apps-launched');

    // A launch from elsewhere (the API) reaches the page through the event stream.
    const other = await apiRequest(suite.boss, `/apps/${SLEEPER_ID}/launch`, { method: 'POST', cookie: suite.adminCookie, body: {} });
    assert.equal(other.status, 201);
    try {
      await waitUntil(async () => /2 running/.test(await badge.textContent()), { message: '"2 running" from the live stream' });
    } finally {
      const stopped = await apiRequest(suite.boss, `/launches/${other.body.launch.id}/stop`, { method: 'POST', cookie: suite.adminCookie, body: {} });
      assert.equal(stopped.status, 200);
    }
    await waitUntil(async () => /1 running/.test(await badge.textContent()), { message: 'back to "1 running"' });
  });

  step('d. History shows the running launch live, with the user, PID link and a ticking duration', async ({ page }) => {
    // The running badge links to History, filtered to this app's running launches.
    await card(page, SLEEPER_ID).getByTestId('app-running').click();
    await page.getByTestId('history-totals').waitFor();
    assert.equal(await page.getByTestId('history-filter-app').inputValue(), SLEEPER_ID);
    assert.equal(await page.getByTestId('history-filter-outcome').inputValue(), 'running');
    const filtered = page.locator('[data-testid="launch-row"]');
    await waitUntil(async () => (await filtered.count()) === 1, { message: 'only the running launch' });
    assert.equal(await filtered.first().getAttribute('data-launch-id'), String(sleeperLaunch.id));
    await openHistoryPage(page); // the menu link shows everything again
    await waitUntil(async () => (await filtered.count()) === 2, { message: 'both launches' });
    assert.equal(await page.getByTestId('history-filter-app').inputValue(), '');
    const line = row(page, sleeperLaunch.id);
    await line.waitFor();
    assert.equal(await line.getAttribute('data-outcome'), 'running');
    assert.equal((await line.getByTestId('launch-user').textContent()).trim(), ADMIN);
    assert.match(await line.getByTestId('launch-app').textContent(), /Boss Sleeper/);
    assert.equal(await line.getByTestId('launch-pid').locator('a').getAttribute('href'), `#/processes?pid=${sleeperLaunch.pid}`);
    assert.match(await line.getByTestId('launch-argv').textContent(), /^sleep 600$/);
    assert.equal(await line.locator('.launch-live').count(), 1, 'a live dot on the running row');
    const ids = await page.locator('[data-testid="launch-row"]').evaluateAll((rows) => rows.map((r) => Number(r.dataset.launchId)));
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');
    const duration = line.getByTestId('launch-duration');
    const first = (await duration.textContent()).trim();
    await waitUntil(async () => (await duration.textContent()).trim() !== first, { timeout: 4000, message: 'the duration to tick' });
    // Totals per app.
    const total = page.locator(`[data-testid="total-row"][data-app-id="${SLEEPER_ID}"]`);
    await total.waitFor();
    assert.equal((await total.getByTestId('total-launches').textContent()).trim(), '2');
    await screenshot(page, 'history-light');
  });

  step('e. filters narrow the list and the totals; Download CSV carries them', async ({ page }) => {
    await page.getByTestId('history-filter-app').fill(SLEEPER_ID);
    await page.getByTestId('history-filter-outcome').selectOption('running');
    await page.getByTestId('history-apply').click();
    const rows = page.locator('[data-testid="launch-row"]');
    await waitUntil(async () => (await rows.count()) === 1, { message: 'one running Boss Sleeper' });
    assert.equal(await rows.first().getAttribute('data-launch-id'), String(sleeperLaunch.id));
    assert.match(page.url(), /#\/history\?app=boss-test-sleeper&outcome=running/, 'the filters are in the address');
    const totalRows = page.locator('[data-testid="total-row"]');
    await waitUntil(async () => (await totalRows.count()) === 1 &&
      (await totalRows.first().getByTestId('total-launches').textContent()).trim() === '1', { message: 'totals for the filter' });

    const href = await page.getByTestId('history-csv').getAttribute('href');
    assert.match(href, /^\/api\/v1\/launches\.csv\?/);
    assert.match(href, /app=boss-test-sleeper/);
    assert.match(href, /outcome=running/);
    assert.notEqual(await page.getByTestId('history-csv').getAttribute('download'), null, 'a download link');
    const csv = await page.evaluate(async (url) => {
      const response = await fetch(url, { credentials: 'same-origin' });
      return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
    }, href);
    assert.equal(csv.status, 200);
    assert.match(csv.type, /text\/csv/);
    const lines = csv.text.trim().split(/\r?\n/);
    assert.match(lines[0], /^id,user,app_id,app_name,argv,cwd,started_at,pid/);
    assert.equal(lines.length, 2, 'the header and the one launch');
    assert.match(lines[1], new RegExp(`^${sleeperLaunch.id},${ADMIN},${SLEEPER_ID},${SLEEPER},`));

    await page.getByTestId('history-filter-outcome').selectOption('failed');
    await page.getByTestId('history-apply').click();
    await page.getByTestId('history-empty').waitFor();
    await page.getByTestId('history-reset').click();
    await waitUntil(async () => (await rows.count()) === 2, { message: 'both launches again' });
  });

  step('f. Stop from History closes the app: confirm, outcome, the process is gone', async ({ page }) => {
    const line = row(page, sleeperLaunch.id);
    await line.getByTestId('launch-stop').click();
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.waitFor();
    assert.match(await dialog.textContent(), /Stop Boss Sleeper\?/);
    assert.match(await dialog.textContent(), /Boss closes its windows, then ends it/);
    await page.getByTestId('confirm-ok').click();
    const status = page.getByTestId('action-status');
    // sleep has no window: it takes TERM.
    await waitUntil(async () => /Boss Sleeper: Ended with TERM/.test(await status.textContent()), { message: 'the stop outcome' });
    await waitUntil(async () => (await line.getAttribute('data-outcome')) === 'stopped', { message: 'the row to say stopped' });
    assert.equal(await line.getByTestId('launch-stop').count(), 0, 'no Stop button on an ended launch');
    assert.equal(await line.locator('.launch-live').count(), 0);
    await waitUntil(async () => (await launchById(sleeperLaunch.id)).running === false, { message: 'the API to say ended' });
    await waitUntil(() => processGone(sleeperLaunch.pid), { message: `PID ${sleeperLaunch.pid} to end` });
    assert.match(await line.getByTestId('launch-outcome').textContent(), /Stopped/);
  });

  step('g. Run a program: browse to /usr/bin, pick sleep, arguments preview, launch', async ({ page }) => {
    await page.getByTestId('nav-apps').click();
    await page.getByTestId('run-program').click();
    const browserPanel = page.getByTestId('file-browser');
    await browserPanel.waitFor();
    const home = os.homedir();
    await waitUntil(async () => (await browserPanel.getAttribute('data-path')) === home, { message: `the browser to open ${home}` });
    // To / through the breadcrumb, then into usr and bin.
    await browserPanel.locator('.fb-crumbs').getByRole('button', { name: '/' }).click();
    await waitUntil(async () => (await browserPanel.getAttribute('data-path')) === '/', { message: 'the root folder' });
    await browserPanel.locator('[data-testid="file-entry"][data-path="/usr"]').click();
    await waitUntil(async () => (await browserPanel.getAttribute('data-path')) === '/usr', { message: '/usr' });
    const entries = await browserPanel.locator('[data-testid="file-entry"]').evaluateAll((list) => list.map((e) => e.dataset.kind));
    const firstFile = entries.findIndex((k) => k !== 'dir');
    assert.ok(firstFile < 0 || entries.slice(firstFile).every((k) => k !== 'dir'), 'directories first');
    await browserPanel.locator('[data-testid="file-entry"][data-path="/usr/bin"]').click();
    await waitUntil(async () => (await browserPanel.getAttribute('data-path')) === '/usr/bin', { message: '/usr/bin' });
    await page.getByTestId('file-filter').fill('sleep');
    const sleepEntry = browserPanel.locator('[data-testid="file-entry"][data-path="/usr/bin/sleep"]');
    assert.equal(await sleepEntry.getAttribute('data-kind'), 'file');
    assert.equal(await sleepEntry.getAttribute('data-executable'), 'true');
    assert.match(await sleepEntry.getAttribute('class'), /fb-exec/, 'executables are highlighted');
    await sleepEntry.click();
    assert.equal(await page.getByTestId('program-path').inputValue(), '/usr/bin/sleep');
    assert.equal(await sleepEntry.getAttribute('aria-pressed'), 'true');

    // The argument preview reads quotes like a shell would, without one.
    const args = page.getByTestId('program-args');
    await args.fill('"a b" c');
    const argv = page.getByTestId('program-argv');
    assert.deepEqual((await argv.locator('li').allTextContents()).map((t) => t.trim()), ['/usr/bin/sleep', 'a b', 'c']);
    await args.fill('"open');
    await page.getByTestId('program-args-error').waitFor();
    assert.equal(await page.getByTestId('program-launch').isDisabled(), true, 'no launch with an open quote');
    await args.fill('600');
    assert.deepEqual((await argv.locator('li').allTextContents()).map((t) => t.trim()), ['/usr/bin/sleep', '600']);
    await page.getByTestId('program-cwd-here').click();
    assert.equal(await page.getByTestId('program-cwd').inputValue(), '/usr/bin');
    await page.getByTestId('program-cwd').fill('/tmp');
    await screenshot(page, 'apps-run-dialog');

    await page.getByTestId('program-launch').click();
    await page.getByTestId('run-dialog').waitFor({ state: 'detached' });
    const status = page.getByTestId('action-status');
    await waitUntil(async () => /Started sleep \(PID \d+\)/.test(await status.textContent()), { message: 'the started status' });
    programLaunch = await latestLaunch('app=sleep');
    assert.deepEqual(programLaunch.argv, ['/usr/bin/sleep', '600']);
    assert.equal(programLaunch.cwd, '/tmp');
    assert.equal(programLaunch.running, true);
    assert.equal(Number(/PID (\d+)/.exec(await status.textContent())[1]), programLaunch.pid);
  });

  step('h. a program that does not exist: the dialog says so and stays open', async ({ page }) => {
    suite.desk.watch.expectHttpError(404, '/api/v1/launches');
    await page.getByTestId('run-program').click();
    await page.getByTestId('program-path').fill('boss-no-such-program');
    await page.getByTestId('program-launch').click();
    const alert = page.getByTestId('run-dialog').getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.textContent(), /Could not start boss-no-such-program/);
    await page.keyboard.press('Escape');
    await page.getByTestId('run-dialog').waitFor({ state: 'detached' });
  });

  step('i. the program shows in History; Relaunch runs it again; both stop from the UI', async ({ page }) => {
    await openHistoryPage(page);
    const line = row(page, programLaunch.id);
    await line.waitFor();
    assert.equal(await line.getAttribute('data-outcome'), 'running');
    assert.equal((await line.getByTestId('launch-user').textContent()).trim(), ADMIN);
    await line.getByTestId('launch-relaunch').click();
    const status = page.getByTestId('action-status');
    await waitUntil(async () => /Started sleep again \(PID \d+\)/.test(await status.textContent()), { message: 'the relaunch status' });
    relaunched = await latestLaunch('app=sleep');
    assert.notEqual(relaunched.id, programLaunch.id);
    assert.deepEqual(relaunched.argv, programLaunch.argv);
    assert.equal(relaunched.cwd, '/tmp');
    const newRow = row(page, relaunched.id);
    await newRow.waitFor();
    const firstId = await page.locator('[data-testid="launch-row"]').first().getAttribute('data-launch-id');
    assert.equal(firstId, String(relaunched.id), 'the new launch is on top');

    for (const launch of [relaunched, programLaunch]) {
      await row(page, launch.id).getByTestId('launch-stop').click();
      await page.getByTestId('confirm-ok').click();
      await waitUntil(async () => (await row(page, launch.id).getAttribute('data-outcome')) === 'stopped', { message: `launch ${launch.id} stopped` });
      await waitUntil(async () => (await launchById(launch.id)).running === false, { message: 'the API to say ended' });
      await waitUntil(() => processGone(launch.pid), { message: `PID ${launch.pid} to end` });
    }
    assert.equal(await page.locator('[data-testid="launch-row"][data-outcome="running"]').count(), 0);
  });

  step('j. dark theme and the phone layout', async () => {
    await suite.onPage('j. dark', { colorScheme: 'dark' }, async ({ page }) => {
      await loginViaUi(page, { username: ADMIN });
      await openAppsPage(page);
      await waitUntil(() => card(page, SLEEPER_ID).getByTestId('app-icon').evaluate((img) => img.naturalWidth > 0), { message: 'icon' });
      await screenshot(page, 'apps-grid-dark');
      await openHistoryPage(page);
      await page.getByTestId('history-table').waitFor();
      await screenshot(page, 'history-dark');
    });

    await suite.onPage('j. phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }, async ({ page }) => {
      await loginViaUi(page, { username: ADMIN });
      await page.goto('/#/apps');
      await card(page, SLEEPER_ID).waitFor();
      let overflow = await horizontalOverflow(page);
      assert.ok(overflow.scrollWidth <= overflow.clientWidth, `no sideways scroll on apps: ${overflow.offenders.join(', ')}`);
      await screenshot(page, 'apps-phone');
      await page.getByTestId('run-program').click();
      const files = page.getByTestId('file-browser');
      await waitUntil(async () => (await files.getAttribute('data-path')) === os.homedir(), { message: 'the home folder' });
      await files.locator('.fb-crumbs').getByRole('button', { name: '/' }).click();
      await files.locator('[data-testid="file-entry"][data-path="/usr"]').waitFor();
      await screenshot(page, 'apps-phone-run-dialog');
      await page.keyboard.press('Escape');
      await page.goto('/#/history');
      await page.getByTestId('history-table').waitFor();
      overflow = await horizontalOverflow(page);
      assert.ok(overflow.scrollWidth <= overflow.clientWidth, `no sideways scroll on history: ${overflow.offenders.join(', ')}`);
      await screenshot(page, 'history-phone');
    });
  });

  step('k. a viewer sees the catalog and the history, without any launch or stop control', async () => {
    await suite.onPage('k. viewer', async ({ page }) => {
      // Something running, so that a Stop button would show if the role allowed it.
      const running = await apiRequest(suite.boss, `/apps/${SLEEPER_ID}/launch`, { method: 'POST', cookie: suite.adminCookie, body: {} });
      assert.equal(running.status, 201);
      try {
        await loginViaUi(page, { username: VIEWER });
        await openAppsPage(page);
        await page.getByTestId('apps-viewer-note').waitFor();
        assert.equal(await page.getByTestId('app-launch').count(), 0, 'no Launch buttons');
        assert.equal(await page.getByTestId('run-program').count(), 0, 'no Run a program button');
        await openHistoryPage(page);
        await row(page, running.body.launch.id).waitFor();
        assert.equal(await page.getByTestId('launch-stop').count(), 0, 'no Stop buttons');
        assert.equal(await page.getByTestId('launch-relaunch').count(), 0, 'no Relaunch buttons');
        await screenshot(page, 'history-viewer');
      } finally {
        await apiRequest(suite.boss, `/launches/${running.body.launch.id}/stop`, { method: 'POST', cookie: suite.adminCookie, body: {} });
      }
    });
  });
});
