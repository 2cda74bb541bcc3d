// The Prometheus settings in a real browser: an admin allows a scraper address and turns on
// process-exporter's names in Settings, and /metrics (read from Node, without a token, from
// 127.0.0.1) follows: refused, then allowed, then with the other names. A bad address is refused
// with a message that quotes it.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { browserSuite, loginViaUi, prerequisites, screenshot, waitUntil } from '../harness.js';

describe('Prometheus settings', { skip: prerequisites(), timeout: 120_000 }, () => {
  const suite = browserSuite();
  const { step } = suite;
  const scrape = (query = '') => fetch(`${suite.boss.url}/metrics${query}`);
  const statusOf = async (page, testid) => (await page.getByTestId(testid).textContent()) || '';

  step('a. an allowed address scrapes without a token; a bad one is refused by name', async ({ page, watch }) => {
    await loginViaUi(page, { username: 'admin' });
    assert.equal((await scrape()).status, 401, 'a token is needed at first');
    await page.getByTestId('nav-settings').click();
    const editor = page.getByTestId('metrics-scrapers');
    await editor.waitFor({ state: 'visible' });

    watch.expectHttpError(422, '/api/v1/settings');
    await editor.fill('127.0.0.1\nnot an address\n');
    await page.getByTestId('metrics-scrapers-save').click();
    await waitUntil(async () => /'not an address'/.test(await statusOf(page, 'metrics-scrapers-error')), {
      message: 'an error that quotes the bad entry',
    });

    await editor.fill('127.0.0.1\n10.0.0.0/8\n');
    await page.getByTestId('metrics-scrapers-save').click();
    await waitUntil(async () => /Saved\. 2 addresses/.test(await statusOf(page, 'metrics-scrapers-status')), {
      message: 'the saved status',
    });
    const allowed = await scrape();
    assert.equal(allowed.status, 200);
    assert.match(await allowed.text(), /^# TYPE boss_app_processes gauge$/m);
  });

  step('b. process-exporter names are one switch away', async ({ page }) => {
    const toggle = page.getByTestId('metrics-process-exporter');
    assert.equal(await toggle.isChecked(), false);
    await toggle.check();
    await waitUntil(async () => /process-exporter/.test(await statusOf(page, 'metrics-status')), {
      message: 'the switch saved',
    });
    const text = await (await scrape()).text();
    assert.match(text, /^namedprocess_namegroup_num_procs\{groupname="boss"\} \d+$/m);
    assert.doesNotMatch(text, /boss_app_processes/);
    await page.getByTestId('metrics-section').scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-metrics');
  });
});
