// The app shell: deep links, navigation, the footer's server version, and no console errors on
// any page, at desktop and phone widths.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, BASE } from './harness.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const PAGES = [
  ['/', 'Overview'], ['/scenario', 'Scenario'], ['/costs', 'Costs'], ['/capacity', 'Capacity'],
  ['/decision', 'Decision'], ['/bundles', 'Bundles'], ['/live', 'Live'], ['/operations', 'Operations'], ['/scenarios', 'Library'], ['/compare', 'Compare'],
];

for (const width of [1400, 390, 360]) {
  test(`every route loads by deep link without console errors at ${width}px`, async () => {
    for (const [path, title] of PAGES) {
      const page = await openPage(browser, path, { width, height: 900 });
      assert.equal(await page.locator('main h1').innerText(), title, path);
      assert.equal(
        await page.locator(`nav a[data-path="${path}"]`).getAttribute('aria-current'), 'page', path);
      if (path === '/live') {
        await page.waitForSelector('[data-testid="live-connection"][data-state="open"]');
      }
      if (path === '/operations') {
        await page.waitForSelector('[data-testid="ops-readings"]');
      }
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${path} overflows horizontally by ${overflow}px at ${width}px`);
      assert.deepEqual(page.errors, [], path);
      await page.context().close();
    }
  });
}

test('navigating by link changes the page without a reload', async () => {
  const page = await openPage(browser, '/');
  await page.evaluate(() => { window.__marker = 42; });
  await page.locator('nav a[data-path="/costs"]').click();
  await page.waitForFunction(() => document.querySelector('main h1')?.innerText === 'Costs');
  assert.equal(await page.evaluate(() => location.pathname), '/costs');
  assert.equal(await page.evaluate(() => window.__marker), 42, 'the page reloaded');
  assert.deepEqual(page.errors, []);
});

test('a second visit in the same browser (the page revalidated from its cache) runs the app', async () => {
  const page = await openPage(browser, '/');
  // The browser revalidates the cached page (If-None-Match → 304) and keeps its policy.
  for (const path of ['/', '/costs']) {
    const res = await page.goto(BASE + path);
    await page.waitForSelector('nav[aria-label="Main"] a');
    assert.ok([200, 304].includes(res.status()), `${path}: ${res.status()}`);
  }
  assert.deepEqual(page.errors, []);
});

test('the footer shows the server version from /api/v1/health', async () => {
  const page = await openPage(browser, '/');
  const health = await (await fetch(`${BASE}/api/v1/health`)).json();
  await page.waitForFunction((v) => document.querySelector('footer')?.innerText.includes(v), health.version);
  assert.match(await page.locator('footer').innerText(), new RegExp(`v${health.version.replaceAll('.', '\\.')}`));
});

test('without sign-in (auth = "none") there is no sign-in page, only a quiet line, and no Admin entry', async () => {
  const page = await openPage(browser, '/');
  assert.equal((await (await fetch(`${BASE}/api/v1/me`)).json()).auth, 'none');
  assert.equal(await page.getByTestId('signin-name').count(), 0);
  assert.equal(await page.getByTestId('who-local').innerText(), 'No sign-in (this machine)');
  assert.equal(await page.getByTestId('sign-out').count(), 0);
  assert.equal(await page.locator('nav a[data-path="/admin"]').count(), 0);
  // Everyone is the local admin: Save is there.
  assert.equal(await page.getByTestId('save').count(), 1);
  assert.deepEqual(page.errors, []);
});

test('an unknown deep link shows a not-found page, not a blank one', async () => {
  const page = await openPage(browser, '/no/such/page');
  assert.equal(await page.locator('main h1').innerText(), 'Page not found');
  assert.deepEqual(page.errors, []);
});

test('the server serves wasm with its MIME type and a JSON 404 for unknown API paths', async () => {
  const index = await (await fetch(`${BASE}/`)).text();
  // The split app lives in a directory named by its hash (xtask/src/split.rs).
  const wasm = index.match(/\/app-[0-9a-f]{16}\/[\w-]+_bg\.wasm/)[0];
  const res = await fetch(BASE + wasm);
  assert.equal(res.headers.get('content-type'), 'application/wasm');
  assert.match(res.headers.get('cache-control'), /immutable/);
  const api = await fetch(`${BASE}/api/v1/nope`);
  assert.equal(api.status, 404);
  assert.equal((await api.json()).error.code, 'not_found');
});
