// Issue 10, finding 1 in the browser: a process whose command line holds secrets shows them as
// *** with a "secrets hidden" note, for a viewer with no way to reveal them; an admin reveals the
// full command line with one click (and the server audits it). The test ends only the child it
// spawned, by its handle.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import {
  apiRequest,
  createFirstAdmin,
  createUser,
  launchBrowser,
  loginViaUi,
  openPage,
  prerequisites,
  startBoss,
  waitUntil,
  withEvidence,
} from '../harness.js';

const TOKEN = `boss_${'ab12'.repeat(16)}`;

describe('hidden command-line secrets in the browser', { skip: prerequisites(), timeout: 120_000 }, () => {
  let boss;
  let browser;
  let adminCookie;
  let holder; // sh waiting on stdin, with secrets among its arguments

  before(async () => {
    boss = await startBoss();
    const admin = await createFirstAdmin(boss, { username: 'admin' });
    adminCookie = admin.cookie;
    await createUser(boss, adminCookie, { username: 'vera', role: 'viewer' });
    holder = spawn('sh', ['-c', 'read line', 'sh', '--token', TOKEN, '--password=hunter2'], { stdio: ['pipe', 'ignore', 'ignore'] });
    browser = await launchBrowser();
  });

  after(async () => {
    try {
      await browser?.close().catch(() => {});
      await boss?.stop();
    } finally {
      if (holder && holder.exitCode === null && holder.signalCode === null) holder.kill('SIGKILL');
    }
  });

  async function openDetail(page, username) {
    await loginViaUi(page, { username });
    await page.goto(`/#/processes?pid=${holder.pid}`);
    const panel = page.getByTestId('process-detail');
    await panel.getByTestId('detail-argv').waitFor();
    return panel;
  }

  it('a viewer sees *** and a note, and no reveal button', async () => {
    const desk = await openPage(browser, boss);
    await withEvidence({ name: 'redaction-viewer', page: desk.page, watch: desk.watch, boss }, async () => {
      const panel = await openDetail(desk.page, 'vera');
      const argv = await panel.getByTestId('detail-argv').textContent();
      assert.ok(argv.includes('***'), argv);
      assert.ok(!argv.includes('hunter2') && !argv.includes(TOKEN), argv);
      await panel.getByTestId('detail-redacted').waitFor();
      assert.equal(await panel.getByTestId('detail-reveal').count(), 0, 'viewers cannot reveal');
      const page = await desk.page.content();
      assert.ok(!page.includes('hunter2') && !page.includes(TOKEN), 'the table does not show them either');
    });
    await desk.close();
  });

  it('an admin reveals the full command line, and the reveal is audited', async () => {
    const desk = await openPage(browser, boss);
    await withEvidence({ name: 'redaction-admin', page: desk.page, watch: desk.watch, boss }, async () => {
      const panel = await openDetail(desk.page, 'admin');
      await panel.getByTestId('detail-reveal').click();
      await panel.getByTestId('detail-revealed').waitFor();
      await waitUntil(async () => (await panel.getByTestId('detail-argv').textContent()).includes('hunter2'), {
        message: 'the revealed argv',
      });
      assert.ok((await panel.getByTestId('detail-argv').textContent()).includes(TOKEN));
      const audit = await apiRequest(boss, '/audit?action=process.reveal_cmdline', { cookie: adminCookie });
      assert.equal(audit.body.events.length, 1);
      assert.equal(audit.body.events[0].outcome, 'success');
      await panel.getByTestId('detail-hide').click();
      await panel.getByTestId('detail-redacted').waitFor();
    });
    await desk.close();
  });
});

