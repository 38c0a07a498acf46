// Sign-in and roles in the browser, against a server with auth = "users" that has an admin
// `e2e-admin` (password in E2E_ADMIN_PASSWORD): the sign-in page and its refusals (a wrong
// password, then the wait after repeated failures); the admin adds an editor and a viewer and
// creates a token whose secret is shown once, works, and stops working when revoked; the editor
// saves and signs out (the cookie then opens nothing); the viewer reads the library and the saved
// scenario with no Save in sight, and a session ended elsewhere brings the sign-in page back; the
// audit log lists the editor's save. The tests build on each
// other in file order (node:test runs a file's tests one after another): the accounts one test
// adds are the ones the next signs in with. Names carry this run's stamp, so a rerun against the
// same server adds new ones.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, BASE } from '../e2e/harness.mjs';

const ADMIN = 'e2e-admin';
const ADMIN_PASSWORD = process.env.E2E_ADMIN_PASSWORD;
const RUN = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const EDITOR = { name: `e2e-editor-${RUN}`, password: 'an editor passphrase' };
const VIEWER = { name: `e2e-viewer-${RUN}`, password: 'a viewer passphrase' };
const SCENARIO = `E2E auth ${RUN}`;
const SIGN_IN = '[data-testid="signin-name"]';
const NAV = 'nav[aria-label="Main"] a';

let browser;
before(async () => {
  assert.ok(ADMIN_PASSWORD, 'E2E_ADMIN_PASSWORD names the admin password of the server under test');
  const me = await fetch(`${BASE}/api/v1/me`);
  assert.equal(me.status, 401, 'the server under test must run with auth = "users"');
  browser = await launch();
});
after(async () => { await browser?.close(); });

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The console errors left once Chromium's report of the answers this test expects (a 401 from
 * /api/v1/me before signing in, a 409 it provoked…) is taken out. */
const unexpected = (page, ...statuses) => page.errors.filter((e) => !statuses.some(
  (s) => e.includes(`Failed to load resource: the server responded with a status of ${s} `)));

/** A fresh browser (its own cookies) on the sign-in page. */
const freshSignIn = (path = '/') => openPage(browser, path, undefined, SIGN_IN);

/** Signs in through the form and waits for the app. */
async function signIn(page, name, password) {
  await page.getByTestId('signin-name').fill(name);
  await page.getByTestId('signin-password').fill(password);
  await page.getByTestId('signin-submit').click();
  await page.waitForSelector(NAV);
}

/** A sign-in by the API (no browser), for provoking the server's slowing. */
const signInByFetch = (name, password) => fetch(`${BASE}/api/v1/session`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ name, password }),
});

const meWith = (headers) => fetch(`${BASE}/api/v1/me`, { headers });

test('without a session the sign-in page appears; refusals show inline; the admin signs in', async () => {
  const page = await freshSignIn('/costs');
  assert.equal(await page.locator('main h1').innerText(), 'Sign in');
  assert.equal(await page.locator(NAV).count(), 0, 'no app before signing in');
  assert.equal(await page.getByTestId('signin-password').getAttribute('type'), 'password');
  assert.equal(await page.getByTestId('signin-password').getAttribute('autocomplete'), 'current-password');
  assert.equal(await page.getByTestId('signin-name').getAttribute('autocomplete'), 'username');

  // A wrong password: the server's sentence, which does not say which of the two is wrong.
  await page.getByTestId('signin-name').fill(ADMIN);
  await page.getByTestId('signin-password').fill('not the password at all');
  await page.getByTestId('signin-submit').click();
  const error = page.getByTestId('signin-error');
  await error.waitFor();
  assert.equal(await error.innerText(), 'The name or the password is wrong.');
  assert.equal(await page.getByTestId('signin-password').inputValue(), '', 'the password is cleared');
  assert.equal(await page.locator(NAV).count(), 0);

  // Repeated failures: the server makes this address wait, and the page says how long.
  const nobody = `nobody-${RUN}`;
  for (let retry = 0; retry < 2;) {
    const res = await signInByFetch(nobody, 'still not a password');
    if (res.status === 429) {
      retry = Number(res.headers.get('retry-after'));
      if (retry < 2) await sleep(retry * 1000 + 100);
    } else {
      assert.equal(res.status, 401);
    }
  }
  await page.getByTestId('signin-name').fill(nobody);
  await page.getByTestId('signin-password').fill('one more try');
  await page.getByTestId('signin-submit').click();
  await page.waitForFunction(() => /wait \d+ seconds? before trying again/
    .test(document.querySelector('[data-testid="signin-error"]')?.innerText ?? ''));
  const wait = Number((await error.innerText()).match(/wait (\d+) second/)[1]);
  assert.ok(wait >= 1, `waits ${wait} s`);

  // Once the wait is over, the right password opens the page the link named, as the admin.
  await sleep(wait * 1000 + 300);
  await signIn(page, ADMIN, ADMIN_PASSWORD);
  assert.equal(await page.locator('main h1').innerText(), 'Costs');
  const who = await page.getByTestId('who').innerText();
  assert.match(who, new RegExp(ADMIN));
  assert.match(who, /admin/);
  await page.locator('nav a[data-path="/admin"]').waitFor();
  assert.deepEqual(unexpected(page, 401, 429), []);
  await page.context().close();
});

test('the admin adds an editor and a viewer, and a token is shown once, works, and is revoked', async () => {
  const page = await freshSignIn('/');
  await signIn(page, ADMIN, ADMIN_PASSWORD);
  await page.locator('nav a[data-path="/admin"]').click();
  await page.waitForFunction(() => document.querySelector('main h1')?.innerText === 'Admin');

  // Checked here before sending, naming the field.
  await page.getByTestId('admin-user-name').fill(EDITOR.name);
  await page.getByTestId('admin-user-password').fill('too short');
  await page.getByTestId('admin-user-add').click();
  assert.match(await page.getByTestId('admin-user-password-error').innerText(), /password must be at least 10 characters/i);
  await page.getByTestId('admin-user-name').fill('-no good');
  await page.getByTestId('admin-user-add').click();
  assert.match(await page.getByTestId('admin-user-name-error').innerText(), /^The name must be/);

  for (const [who, role] of [[EDITOR, 'editor'], [VIEWER, 'viewer']]) {
    await page.getByTestId('admin-user-name').fill(who.name);
    await page.getByTestId('admin-user-role').selectOption(role);
    await page.getByTestId('admin-user-password').fill(who.password);
    await page.getByTestId('admin-user-add').click();
    const row = page.locator(`[data-testid="admin-user-row"][data-name="${who.name}"]`);
    await row.waitFor();
    assert.match(await row.innerText(), new RegExp(`\\b${role}\\b`));
  }
  assert.equal(await page.getByTestId('admin-user-password').inputValue(), '', 'the password is not kept');

  // The server's refusals, inline: a taken name (409), the last admin (409).
  await page.getByTestId('admin-user-name').fill(EDITOR.name);
  await page.getByTestId('admin-user-password').fill(EDITOR.password);
  await page.getByTestId('admin-user-add').click();
  await page.getByTestId('admin-user-name-error').waitFor();
  const adminRow = page.locator(`[data-testid="admin-user-row"][data-name="${ADMIN}"]`);
  await adminRow.getByTestId('admin-user-remove').click();
  await adminRow.getByTestId('admin-user-remove-confirm').click();
  assert.match(await adminRow.getByTestId('admin-user-remove-error').innerText(), /last admin/i);

  // A token: its secret is shown once, and it works as a bearer token.
  const tokenName = `e2e-token-${RUN}`;
  await page.getByTestId('admin-token-name').fill(tokenName);
  await page.getByTestId('admin-token-role').selectOption('viewer');
  await page.getByTestId('admin-token-days').fill('7');
  await page.getByTestId('admin-token-create').click();
  const secretInput = page.getByTestId('admin-token-secret');
  await secretInput.waitFor();
  const secret = await secretInput.inputValue();
  assert.match(secret, /^pp_/);
  assert.equal(await secretInput.getAttribute('readonly'), '');
  assert.match(await page.getByTestId('admin-token-created').innerText(), /shown only this once/);
  const asToken = await meWith({ authorization: `Bearer ${secret}` });
  assert.equal(asToken.status, 200);
  assert.deepEqual(await asToken.json(), { name: `token:${tokenName}`, role: 'viewer', auth: 'users', via: 'token' });
  const row = page.locator(`[data-testid="admin-token-row"][data-name="${tokenName}"][data-state="active"]`);
  await row.waitFor();
  assert.doesNotMatch(await row.innerText(), /\bnever\b.*\bnever\b/, 'it expires');

  // Leaving the page forgets the secret: nothing on the page holds it when coming back.
  await page.locator('nav a[data-path="/"]').click();
  await page.locator('nav a[data-path="/admin"]').click();
  await page.getByTestId('admin-tokens').waitFor();
  assert.equal(await page.getByTestId('admin-token-secret').count(), 0);
  assert.equal(await page.evaluate((s) => document.body.innerHTML.includes(s)
    || [...document.querySelectorAll('input')].some((i) => i.value === s), secret), false);

  // Revoked: it stops working at once.
  const active = page.locator(`[data-testid="admin-token-row"][data-name="${tokenName}"]`);
  await active.getByTestId('admin-token-revoke').click();
  await active.getByTestId('admin-token-revoke-confirm').click();
  await page.locator(`[data-testid="admin-token-row"][data-name="${tokenName}"][data-state="revoked"]`).waitFor();
  assert.equal((await meWith({ authorization: `Bearer ${secret}` })).status, 401);

  // On a phone the page scrolls down, never sideways (the tables scroll inside themselves).
  for (const width of [390, 360]) {
    await page.setViewportSize({ width, height: 900 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the admin page overflows by ${overflow}px at ${width}px`);
  }
  assert.deepEqual(unexpected(page, 401, 409), []);
  await page.context().close();
});

test('the editor saves a scenario, signs out, and the session cookie opens nothing after', async () => {
  const page = await freshSignIn('/');
  await signIn(page, EDITOR.name, EDITOR.password);
  assert.match(await page.getByTestId('who').innerText(), /editor/);
  assert.equal(await page.locator('nav a[data-path="/admin"]').count(), 0, 'no Admin entry for an editor');

  await page.getByTestId('save-as').click();
  await page.getByTestId('save-name').fill(SCENARIO);
  await page.getByTestId('save-as-confirm').click();
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid="save-status"]')?.innerText.startsWith(n), SCENARIO);
  assert.match(await page.getByTestId('save-notice').innerText(), /revision 1/);

  const cookie = (await page.context().cookies()).find((c) => c.name === 'phaseplan_session');
  assert.ok(cookie, 'signed in with a session cookie');
  assert.equal(cookie.httpOnly, true);
  const header = { cookie: `${cookie.name}=${cookie.value}` };
  assert.equal((await meWith(header)).status, 200);

  await page.getByTestId('sign-out').click();
  await page.waitForSelector(SIGN_IN);
  assert.equal(await page.locator(NAV).count(), 0);
  assert.equal((await meWith(header)).status, 401, 'the signed-out session no longer works');
  // And a reload stays signed out.
  await page.reload();
  await page.waitForSelector(SIGN_IN);
  assert.deepEqual(unexpected(page, 401), []);
  await page.context().close();
});

test('the viewer reads the library and the saved scenario, with no Save and no Admin entry', async () => {
  const page = await freshSignIn('/');
  await signIn(page, VIEWER.name, VIEWER.password);
  assert.match(await page.getByTestId('who').innerText(), /viewer/);
  assert.equal(await page.getByTestId('save').count(), 0);
  assert.equal(await page.getByTestId('save-as').count(), 0);
  assert.match(await page.getByTestId('save-viewing').innerText(), /cannot save/);
  assert.equal(await page.locator('nav a[data-path="/admin"]').count(), 0);

  await page.getByTestId('open').click();
  await page.waitForFunction(() => document.querySelector('main h1')?.innerText === 'Library');
  await page.getByTestId('library-search').fill(SCENARIO);
  // The search's answer: only this run's scenario (the list before it may hold older runs').
  await page.waitForFunction((n) => {
    const rows = [...document.querySelectorAll('[data-testid="library-row"]')];
    return rows.length === 1 && rows[0].innerText.includes(n);
  }, SCENARIO);
  const row = page.getByTestId('library-row');
  for (const id of ['library-archive', 'library-restore', 'library-duplicate']) {
    assert.equal(await row.getByTestId(id).count(), 0, `${id} is not offered to a viewer`);
  }
  await row.getByTestId('library-open').click();
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid="save-status"]')?.innerText.startsWith(`${n} · revision 1`), SCENARIO);
  assert.equal(await page.locator('main h1').innerText(), 'Overview');

  // The Compare page and a share link work for a viewer too.
  await page.locator('nav a[data-path="/compare"]').click();
  await page.waitForFunction(() => document.querySelector('main h1')?.innerText === 'Compare');
  await page.locator('nav a[data-path="/"]').click();
  const link = await page.getByTestId('share-link').inputValue();
  await page.goto(link);
  await page.waitForSelector(NAV);
  assert.equal(await page.getByTestId('link-error').count(), 0);
  assert.equal(await page.locator('main h1').innerText(), 'Overview');

  // The Operations page: the platform, its checklist and milestones, and nothing to change.
  await page.locator('nav a[data-path="/operations"]').click();
  await page.getByTestId('ops-track').waitFor();
  await page.getByTestId('checklist-item').first().waitFor();
  for (const id of ['transition-record', 'checklist-state', 'checklist-add', 'milestone-save']) {
    assert.equal(await page.getByTestId(id).count(), 0, `${id} is not offered to a viewer`);
  }
  assert.ok(await page.getByTestId('checklist-state-text').count() > 0, 'a viewer reads the states');

  // The admin page by its address says it is not theirs, and asks the server nothing.
  await page.goto(`${BASE}/admin`);
  await page.getByTestId('admin-refused').waitFor();

  // The session ends elsewhere (signed out in another tab): the next request's 401 brings the
  // sign-in page back, saying why, and signing in again returns to the page that asked.
  const cookie = (await page.context().cookies()).find((c) => c.name === 'phaseplan_session');
  const ended = await fetch(`${BASE}/api/v1/session`, {
    method: 'DELETE', headers: { cookie: `${cookie.name}=${cookie.value}`, origin: BASE },
  });
  assert.equal(ended.status, 204);
  await page.locator('nav a[data-path="/scenarios"]').click();
  await page.waitForSelector(SIGN_IN);
  assert.match(await page.locator('main.sign-in').innerText(), /session has ended/);
  await signIn(page, VIEWER.name, VIEWER.password);
  await page.waitForFunction(() => document.querySelector('main h1')?.innerText === 'Library');
  assert.equal(await page.evaluate(() => location.pathname), '/scenarios');
  assert.deepEqual(unexpected(page, 401), []);
  await page.context().close();
});

test("the audit log on the admin page lists the editor's save", async () => {
  const page = await freshSignIn('/admin');
  await signIn(page, ADMIN, ADMIN_PASSWORD);
  const audit = page.getByTestId('admin-audit');
  const save = audit.locator('[data-testid="admin-audit-row"][data-action="scenario_create"]')
    .filter({ has: page.locator(`[data-testid="admin-audit-actor"]:text-is("${EDITOR.name}")`) });
  await save.first().waitFor();
  assert.match(await save.first().innerText(), /saved a new scenario/);
  for (const action of ['user_add', 'token_create', 'token_revoke', 'sign_out']) {
    assert.ok(await audit.locator(`[data-action="${action}"]`).count() > 0, action);
  }
  assert.deepEqual(unexpected(page, 401), []);
  await page.context().close();
});
