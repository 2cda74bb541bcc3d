// Issue 10, finding 1 in the browser: a process whose command line holds secrets shows them as
// *** with a "secrets hidden" note, for a viewer with no way to reveal them; an admin reveals the
// full command line with one click (and the server audits it). The test ends only the child it
// spawned, by its handle.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { apiRequest, browserSuite, loginViaUi, prerequisites, waitUntil } from '../harness.js';

const TOKEN = `boss_${'ab12'.repeat(16)}`;

describe('hidden command-line secrets in the browser', { skip: prerequisites(), timeout: 120_000 }, () => {
  let holder; // sh waiting on stdin, with secrets among its arguments
  const suite = browserSuite({
    users: [{ username: 'vera', role: 'viewer' }],
    sharedPage: false,
    prepare: () => {
      holder = spawn('sh', ['-c', 'read line', 'sh', '--token', TOKEN, '--password=hunter2'], { stdio: ['pipe', 'ignore', 'ignore'] });
    },
    afterStop: () => {
      if (holder && holder.exitCode === null && holder.signalCode === null) holder.kill('SIGKILL');
    },
  });

  async function openDetail(page, username) {
    await loginViaUi(page, { username });
    await page.goto(`/#/processes?pid=${holder.pid}`);
    const panel = page.getByTestId('process-detail');
    await panel.getByTestId('detail-argv').waitFor();
    return panel;
  }

  it('a viewer sees *** and a note, and no reveal button', () =>
    suite.onPage('redaction-viewer', async ({ page }) => {
      const panel = await openDetail(page, 'vera');
      const argv = await panel.getByTestId('detail-argv').textContent();
      assert.ok(argv.includes('***'), argv);
      assert.ok(!argv.includes('hunter2') && !argv.includes(TOKEN), argv);
      await panel.getByTestId('detail-redacted').waitFor();
      assert.equal(await panel.getByTestId('detail-reveal').count(), 0, 'viewers cannot reveal');
      const html = await page.content();
      assert.ok(!html.includes('hunter2') && !html.includes(TOKEN), 'the table does not show them either');
    }));

  it('an admin reveals the full command line, and the reveal is audited', () =>
    suite.onPage('redaction-admin', async ({ page }) => {
      const panel = await openDetail(page, 'admin');
      await panel.getByTestId('detail-reveal').click();
      await panel.getByTestId('detail-revealed').waitFor();
      await waitUntil(async () => (await panel.getByTestId('detail-argv').textContent()).includes('hunter2'), {
        message: 'the revealed argv',
      });
      assert.ok((await panel.getByTestId('detail-argv').textContent()).includes(TOKEN));
      const audit = await apiRequest(suite.boss, '/audit?action=process.reveal_cmdline', { cookie: suite.adminCookie });
      assert.equal(audit.body.events.length, 1);
      assert.equal(audit.body.events[0].outcome, 'success');
      await panel.getByTestId('detail-hide').click();
      await panel.getByTestId('detail-redacted').waitFor();
    }));
});

