// Accounts in a real browser: first-account registration, logout, failed and successful login,
// server-side revocation of the session, the phone layout, screenshots of both themes, and API
// tokens (step-up password, expiry, an admin revoking one).
// The steps share one server and one browser page and run in order.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import {
  apiRequest,
  browserSuite,
  DEFAULT_PASSWORD,
  expectLoginPage,
  expectRegisterPage,
  expectShell,
  fillLogin,
  fillRegister,
  horizontalOverflow,
  loginViaUi,
  logoutViaUi,
  PHONE,
  prerequisites,
  screenshot,
  setupCode,
  themeState,
  unlabelledInputs,
  waitUntil,
} from '../harness.js';

const USERNAME = 'alice';
const PASSWORD = DEFAULT_PASSWORD;
const NAV_TESTIDS = [
  'nav-processes',
  'nav-windows',
  'nav-apps',
  'nav-history',
  'nav-sessions',
  'nav-audit',
  'nav-settings',
  'nav-account',
];

/** Status of GET /api/v1/auth/me fetched by the page itself (with the browser's cookies). */
function meStatusFromPage(page) {
  return page.evaluate(async () => {
    const response = await fetch('/api/v1/auth/me', { credentials: 'same-origin' });
    return response.status;
  });
}

async function sessionCookie(context) {
  return (await context.cookies()).find((c) => c.name === 'boss_session');
}

function hashOf(page) {
  return new URL(page.url()).hash;
}

describe('accounts in the browser', { skip: prerequisites(), timeout: 240_000 }, () => {
  // A fresh server (no account yet); the steps share its desktop-sized page. Each step runs with
  // evidence (screenshot, page log, server log) on failure, and fails on any console error, CSP
  // violation or unexpected HTTP error the page had during the step.
  const suite = browserSuite({ admin: null });
  const { step } = suite;

  step('a. a fresh server shows the register page; the first account lands in the shell', async ({ page }) => {
    const health = await apiRequest(suite.boss, '/health');
    assert.equal(health.status, 200);
    assert.equal(health.body.setup_required, true, 'a new data dir has no account yet');

    await page.goto('/');
    await expectRegisterPage(page);
    await page.locator('h1').first().waitFor({ state: 'visible' });
    assert.deepEqual(await unlabelledInputs(page), [], 'every register input has a label');
    await screenshot(page, 'register-first-account');

    // The form checks that both passwords match before it sends anything.
    await fillRegister(page, { username: USERNAME, password: PASSWORD, confirm: `${PASSWORD}?`, navigate: false });
    await page.getByRole('alert').waitFor({ state: 'visible' });
    assert.notEqual((await page.getByRole('alert').textContent()).trim(), '', 'the alert says what is wrong');
    await expectRegisterPage(page);

    // Without the setup code the form asks for it.
    await fillRegister(page, { username: USERNAME, password: PASSWORD, navigate: false });
    await waitUntil(async () => /setup code/i.test(await page.getByRole('alert').textContent()), {
      message: 'an alert asking for the setup code',
    });

    // The link Boss printed at start-up fills the code in.
    const link = suite.boss.log().match(/http:\/\/\S+#\/register\?code=([0-9a-f]+)/);
    assert.ok(link, `the start-up log has the setup link:\n${suite.boss.log()}`);
    assert.equal(link[1], await setupCode(suite.boss), 'the link and the setup-code file agree');
    await page.goto(`/#/register?code=${link[1]}`);
    await page.reload();
    await expectRegisterPage(page);
    assert.equal(await page.getByTestId('setup-code').inputValue(), link[1], 'the code comes from the link');
    await fillRegister(page, { username: USERNAME, password: PASSWORD, navigate: false });
    await expectShell(page, { username: USERNAME });
    assert.equal(await setupCode(suite.boss), null, 'the setup-code file is gone once used');
    for (const testid of NAV_TESTIDS) {
      await page.getByTestId(testid).waitFor({ state: 'visible' });
    }
    assert.match(hashOf(page), /^#\/processes/, 'the default page after registering');
    assert.equal(await page.getByRole('alert').count(), 0, 'no error left on screen');

    const me = await page.evaluate(async () => (await fetch('/api/v1/auth/me')).json());
    assert.equal(me.user.username, USERNAME);
    assert.equal(me.user.role, 'admin', 'the first account is the administrator');
  });

  step('b. logging out shows the login page', async ({ page }) => {
    await logoutViaUi(page);
    assert.equal(await page.getByTestId('current-user').count(), 0, 'the shell is gone');
    assert.equal(await page.getByTestId('logout').count(), 0, 'no logout button when signed out');
    await page.locator('h1').first().waitFor({ state: 'visible' });
    assert.deepEqual(await unlabelledInputs(page), [], 'every login input has a label');
    await screenshot(page, 'login');
  });

  step('c. a wrong password shows an alert and stays on the login page', async ({ page, watch }) => {
    watch.expectHttpError(401, '/api/v1/auth/login');
    await fillLogin(page, { username: USERNAME, password: 'not the right password', navigate: false });
    const alert = page.getByRole('alert');
    await alert.waitFor({ state: 'visible' });
    assert.notEqual((await alert.textContent()).trim(), '', 'the alert has a message');
    await expectLoginPage(page);
    assert.equal(await page.getByTestId('current-user').count(), 0, 'still signed out');
    await screenshot(page, 'login-wrong-password');
  });

  step('d. the right password logs back in', async ({ page }) => {
    await fillLogin(page, { username: USERNAME, password: PASSWORD, navigate: false });
    await expectShell(page, { username: USERNAME });
    assert.equal(await page.getByRole('alert').count(), 0, 'the old error is gone');
    assert.equal(await meStatusFromPage(page), 200);
  });

  step('e. after logout the old session cookie no longer works', async ({ page, context }) => {
    const old = await sessionCookie(context);
    assert.ok(old, 'the session cookie boss_session is set after login');
    assert.equal(old.httpOnly, true, 'the session cookie is HttpOnly');
    assert.equal(old.sameSite, 'Strict', 'the session cookie is SameSite=Strict');
    assert.equal(await meStatusFromPage(page), 200, 'the session works before logout');

    await logoutViaUi(page);
    const now = await sessionCookie(context);
    assert.ok(!now || now.value !== old.value, 'logout clears the cookie in the browser');

    // Put the old cookie back: the server must have revoked the session itself.
    await context.addCookies([old]);
    assert.equal((await sessionCookie(context))?.value, old.value);
    assert.equal(await meStatusFromPage(page), 401, 'a revoked session is refused');

    await page.reload();
    await expectLoginPage(page);
    assert.equal(await page.getByTestId('current-user').count(), 0, 'the UI does not trust the old cookie');
  });

  step('f. on a phone the menu reaches the navigation and nothing scrolls sideways', async () => {
    await suite.onPage('f-phone', PHONE, async ({ page }) => {
      await page.goto('/#/login');
      await expectLoginPage(page);
      const loginWidth = await horizontalOverflow(page);
      assert.ok(loginWidth.scrollWidth <= loginWidth.clientWidth, `login page scrolls sideways: ${JSON.stringify(loginWidth)}`);
      await screenshot(page, 'phone-login');

      await loginViaUi(page, { username: USERNAME, password: PASSWORD });
      const shellWidth = await horizontalOverflow(page);
      assert.ok(shellWidth.scrollWidth <= shellWidth.clientWidth, `shell scrolls sideways: ${JSON.stringify(shellWidth)}`);
      await screenshot(page, 'phone-shell');

      const menu = page.getByRole('button', { name: /menu/i });
      await menu.waitFor({ state: 'visible' });
      assert.equal(await page.getByTestId('nav-windows').isVisible(), false, 'the navigation starts folded away');
      await menu.tap();
      for (const testid of NAV_TESTIDS) {
        await page.getByTestId(testid).waitFor({ state: 'visible' });
      }
      const openWidth = await horizontalOverflow(page);
      assert.ok(openWidth.scrollWidth <= openWidth.clientWidth, `open menu scrolls sideways: ${JSON.stringify(openWidth)}`);
      await screenshot(page, 'phone-menu-open');

      await page.getByTestId('nav-windows').tap();
      await waitUntil(() => /^#\/windows/.test(hashOf(page)), { message: `#/windows (at ${page.url()})` });
      await page.locator('h1').first().waitFor({ state: 'visible' });
      await page.getByTestId('nav-windows').waitFor({ state: 'hidden' }); // the menu folds after choosing
      const windowsWidth = await horizontalOverflow(page);
      assert.ok(windowsWidth.scrollWidth <= windowsWidth.clientWidth, `windows page scrolls sideways: ${JSON.stringify(windowsWidth)}`);
      await screenshot(page, 'phone-windows');
    });
  });

  step('g. screenshots of the login page and of the shell in light and dark', async ({ page }) => {
    await page.goto('/#/login');
    await expectLoginPage(page);
    await screenshot(page, 'login-light');
    await loginViaUi(page, { username: USERNAME, password: PASSWORD });

    const light = await themeState(page);
    assert.notEqual(light.dataTheme, 'dark', 'a light system preference starts light');
    await screenshot(page, 'shell-light');

    const toggle = page.getByRole('button', { name: /theme|dark|light/i }).first();
    await toggle.click();
    const dark = await waitUntil(async () => {
      const state = await themeState(page);
      return state.dataTheme === 'dark' && state.background !== light.background && state;
    }, { message: 'the dark theme (data-theme=dark and another background)' });
    assert.notEqual(dark.color, light.color, 'the text colour changes with the theme');
    await screenshot(page, 'shell-dark');

    // The choice survives a reload, and applies to the signed-out pages too.
    await page.reload();
    await expectShell(page, { username: USERNAME });
    assert.equal((await themeState(page)).dataTheme, 'dark', 'the theme choice is kept');
    await logoutViaUi(page);
    assert.equal((await themeState(page)).background, dark.background, 'the login page is dark too');
    await screenshot(page, 'login-dark');

    // Without a stored choice, the system preference decides.
    await suite.onPage('g-system-dark', { colorScheme: 'dark' }, async ({ page }) => {
      await page.goto('/#/login');
      await expectLoginPage(page);
      const state = await themeState(page);
      assert.equal(state.background, dark.background, 'a dark system preference gives the dark theme');
    });
  });

  step('h. a token needs the current password and an expiry; an admin can revoke it', async ({ page, watch }) => {
    await loginViaUi(page, { username: USERNAME, password: PASSWORD });
    await page.goto('/#/account');
    const form = page.getByTestId('token-form');
    await form.waitFor({ state: 'visible' });
    assert.deepEqual(await unlabelledInputs(page), [], 'every account-page input has a label');
    await page.getByTestId('password-revoke-tokens').waitFor({ state: 'visible' });

    // A session alone is not enough: a wrong password is refused and creates nothing.
    watch.expectHttpError(403, '/api/v1/tokens');
    await form.locator('input[name=name]').fill('backup script');
    await form.locator('input[name=password]').fill('not my password');
    await page.getByTestId('token-create').click();
    await page.getByTestId('token-error').waitFor({ state: 'visible' });
    assert.equal(await page.getByTestId('token-row').count(), 0, 'no token was created');

    await form.locator('select[name=expires_in_days]').selectOption('30');
    await form.locator('input[name=password]').fill(PASSWORD);
    await page.getByTestId('token-create').click();
    await page.getByTestId('token-secret').waitFor({ state: 'visible' });
    const secret = await page.getByTestId('token-secret').inputValue();
    assert.match(secret, /^boss_[0-9a-f]{64}$/);
    const row = page.getByTestId('token-row');
    await row.waitFor({ state: 'visible' });
    const expires = await row.locator('[data-label=Expires] time').getAttribute('datetime');
    const days = (Date.parse(expires) - Date.now()) / 86_400_000;
    assert.ok(days > 29 && days <= 30, `expires in 30 days: ${expires}`);
    assert.equal(await form.locator('input[name=password]').inputValue(), '', 'the password is not kept');
    await screenshot(page, 'account-token-created');
    await page.getByTestId('token-secret-done').click();
    assert.equal((await apiRequest(suite.boss, '/auth/me', { token: secret })).status, 200);

    // The administrator sees the token under the user and revokes it.
    await page.goto('/#/settings');
    const mine = page.locator(`[data-testid=user-row][data-username=${USERNAME}]`);
    await mine.getByTestId('user-tokens-toggle').click();
    const listed = page.getByTestId('user-token-row');
    await listed.waitFor({ state: 'visible' });
    assert.match(await listed.textContent(), /backup script/);
    await screenshot(page, 'settings-user-tokens');
    await page.getByTestId('user-token-revoke').click();
    await page.getByTestId('confirm-ok').click();
    await listed.waitFor({ state: 'detached' });
    assert.equal((await apiRequest(suite.boss, '/auth/me', { token: secret })).status, 401, 'the revoked token is refused');
  });
});
