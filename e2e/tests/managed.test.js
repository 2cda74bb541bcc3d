// The Managed page in a real browser: adding a crash-looping program shows "restarting in N s
// (attempt k/10)" and it stops on request; a program that prints shows its output in the log
// tail; the policy editor saves a change and shows the server's refusal of an unknown field;
// removing asks first; a viewer sees the apps without any control. Every managed app is removed
// through the API before the server stops (Boss stops each whole process tree).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiRequest, browserSuite, loginViaUi, prerequisites, waitUntil } from '../harness.js';

describe('the managed apps page in the browser', { skip: prerequisites(), timeout: 180_000 }, () => {
  const suite = browserSuite({
    users: [{ username: 'vic', role: 'viewer' }],
    sharedPage: false,
    beforeStop: async ({ boss, adminCookie }) => {
      if (!boss || !adminCookie) return;
      const list = await apiRequest(boss, '/managed', { cookie: adminCookie });
      for (const app of list.body?.apps || []) {
        await apiRequest(boss, `/managed/${app.id}`, { method: 'DELETE', cookie: adminCookie });
      }
    },
  });

  async function addApp(page, name, words) {
    const form = page.getByTestId('managed-add');
    await form.getByTestId('managed-add-name').fill(name);
    await form.getByTestId('managed-add-argv').fill(words.join('\n'));
    await form.getByTestId('managed-add-submit').click();
    const card = page.locator(`[data-testid="managed-app"][data-name="${name}"]`);
    await card.waitFor();
    return card;
  }

  it('an operator adds, watches, edits, reads the log of and removes managed apps', () =>
    suite.onPage('managed-admin', async ({ page, watch }) => {
      await loginViaUi(page, { username: 'admin' });
      await page.getByTestId('nav-managed').first().click();
      await page.getByTestId('managed-empty').waitFor();

      const looper = await addApp(page, 'looper', ['sh', '-c', 'exit 1']);
      const badge = looper.getByTestId('managed-state');
      await waitUntil(async () => /restarting in \d+ s \(attempt \d+\/10\)/.test(await badge.textContent()), {
        message: 'the backoff sentence',
      });
      await looper.getByTestId('managed-stop').click();
      await waitUntil(async () => (await looper.getAttribute('data-state')) === 'stopped', { message: 'stopped' });

      const greeter = await addApp(page, 'greeter', ['sh', '-c', 'echo hello-from-e2e; sleep 300']);
      await waitUntil(async () => (await greeter.getAttribute('data-state')) === 'running', { message: 'running' });
      await greeter.getByTestId('managed-log-toggle').click();
      await waitUntil(async () => (await greeter.getByTestId('managed-log').textContent()).includes('hello-from-e2e'), {
        message: 'the output in the log tail',
      });

      await greeter.getByTestId('managed-policy-toggle').click();
      const text = greeter.getByTestId('policy-text');
      const policy = JSON.parse(await text.inputValue());
      await text.fill(JSON.stringify({ ...policy, max_restarts: 3 }));
      await greeter.getByTestId('policy-save').click();
      await waitUntil(async () => {
        const list = await apiRequest(suite.boss, '/managed', { cookie: suite.adminCookie });
        return list.body.apps.find((a) => a.name === 'greeter')?.policy.max_restarts === 3;
      }, { message: 'the saved policy' });
      watch.expectHttpError(422, /\/api\/v1\/managed\/\d+$/);
      await text.fill('{"max_restart": 3}');
      await greeter.getByTestId('policy-save').click();
      const refusal = greeter.getByTestId('policy-error');
      await refusal.waitFor();
      assert.match(await refusal.textContent(), /max_restart/);

      await greeter.getByTestId('managed-remove').click();
      await page.getByTestId('confirm-ok').click();
      await greeter.waitFor({ state: 'detached' });
      const left = await apiRequest(suite.boss, '/managed', { cookie: suite.adminCookie });
      assert.deepEqual(left.body.apps.map((a) => a.name), ['looper']);
    }));

  it('a viewer sees the apps and their state but no controls', () =>
    suite.onPage('managed-viewer', async ({ page }) => {
      await loginViaUi(page, { username: 'vic' });
      await page.goto('/#/managed');
      const card = page.locator('[data-testid="managed-app"][data-name="looper"]');
      await card.waitFor();
      assert.equal(await page.getByTestId('managed-add').count(), 0);
      assert.equal(await card.getByTestId('managed-start').count(), 0);
      assert.equal(await card.getByTestId('managed-remove').count(), 0);
      assert.equal(await card.getByTestId('managed-log-toggle').count(), 1);
    }));
});
