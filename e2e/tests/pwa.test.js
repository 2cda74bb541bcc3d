// The installable web app: the manifest and its icons are public and valid, the service worker
// takes control of the page and caches no API answer, Chromium reports the app installable
// (DevTools protocol, Page.getInstallabilityErrors), and with the server stopped a reload shows
// the "offline: Boss unreachable" page.
//
// Chromium calls every page of an incognito profile not installable, so this test uses a
// persistent profile (launchPersistentContext) in a temporary directory.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath, prerequisites, startBoss, watchPage, withEvidence } from '../harness.js';

/** Width and height of a PNG, from its IHDR chunk. */
function pngSize(bytes) {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(bytes.subarray(0, 8).equals(signature), 'a PNG file');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('the installable web app', { skip: prerequisites(), timeout: 120_000 }, () => {
  let boss;
  let profile;
  let context;
  let page;
  let watch;

  before(async () => {
    boss = await startBoss();
    profile = await mkdtemp(path.join(os.tmpdir(), 'boss-e2e-profile-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath(),
      args: CHROMIUM_ARGS,
      headless: true,
      baseURL: boss.url,
      viewport: { width: 412, height: 860 },
    });
    context.setDefaultTimeout(15_000);
    page = context.pages()[0] || (await context.newPage());
    watch = await watchPage(page);
  });

  after(async () => {
    await context?.close().catch(() => {});
    if (profile) await rm(profile, { recursive: true, force: true });
    await boss?.stop();
  });

  const step = (name, body) => it(name, () => withEvidence({ name, page, watch, boss }, body));

  step('a. the manifest and its icons are public and say what phones need', async () => {
    // Browsers fetch the manifest without cookies: no credentials here either.
    const response = await fetch(`${boss.url}/manifest.webmanifest`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /^application\/manifest\+json/);
    const manifest = await response.json();
    assert.equal(manifest.name, 'Boss of Apps');
    assert.ok(manifest.short_name, 'a short name for the home screen');
    assert.equal(manifest.display, 'standalone');
    assert.equal(manifest.start_url, '/');
    assert.match(manifest.theme_color, /^#[0-9a-f]{6}$/i);
    assert.match(manifest.background_color, /^#[0-9a-f]{6}$/i);
    const pngs = manifest.icons.filter((icon) => icon.type === 'image/png');
    for (const [size, purpose] of [[192, 'any'], [512, 'any'], [192, 'maskable'], [512, 'maskable']]) {
      const icon = pngs.find((i) => i.sizes === `${size}x${size}` && i.purpose === purpose);
      assert.ok(icon, `a ${size} px ${purpose} PNG icon`);
      const image = await fetch(new URL(icon.src, boss.url));
      assert.equal(image.status, 200, icon.src);
      assert.equal(image.headers.get('content-type'), 'image/png');
      assert.deepEqual(pngSize(Buffer.from(await image.arrayBuffer())), { width: size, height: size }, icon.src);
    }
  });

  step('b. the service worker controls the page and Chromium finds the app installable', async () => {
    await page.goto('/');
    await page.getByRole('heading').first().waitFor({ state: 'visible' });
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
    const theme = await page.locator('meta[name="theme-color"]').evaluateAll((metas) =>
      metas.map((m) => m.getAttribute('media')),
    );
    assert.deepEqual(theme.sort(), ['(prefers-color-scheme: dark)', '(prefers-color-scheme: light)']);

    const cdp = await context.newCDPSession(page);
    const manifest = await cdp.send('Page.getAppManifest');
    assert.deepEqual(manifest.errors, [], 'the manifest parses without errors');
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    assert.deepEqual(installabilityErrors, [], 'Chromium reports the app installable');

    // A reload is served through the worker; what it cached is the UI shell, never the API.
    await page.reload();
    await page.getByRole('heading').first().waitFor({ state: 'visible' });
    const cached = await page.evaluate(async () => {
      const urls = [];
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
      }
      return urls;
    });
    assert.ok(cached.includes('/offline.html'), `the offline page is cached: ${cached}`);
    assert.ok(cached.includes('/app.js'), `the UI shell is cached: ${cached}`);
    assert.deepEqual(cached.filter((p) => p.startsWith('/api/') || p === '/metrics'), [], 'no API answer is cached');
    watch.assertClean('online');
  });

  step('c. with the server stopped, a reload shows the offline page', async () => {
    await boss.stop();
    watch.reset();
    await page.reload();
    const offline = page.getByTestId('offline-page');
    await offline.waitFor({ state: 'visible' });
    assert.match(await page.locator('h1').textContent(), /Offline: Boss unreachable/);
    assert.equal(await page.getByTestId('offline-retry').getAttribute('href'), '/');
    // Its styles came from the cache: the card has the theme's surface, not the browser default.
    const background = await page.locator('.card').evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.notEqual(background, 'rgba(0, 0, 0, 0)', 'the cached stylesheet applies');
  });
});
