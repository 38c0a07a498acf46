// The first visit's weight: every request a browser makes on its first visit to the Overview
// (cache disabled), with the bytes it transferred (headers and compressed body, as DevTools
// counts them), until the Overview's charts are drawn — without the other pages' chunks, which
// the app fetches once it is idle (frontend/src/lazy.rs) and which are reported apart. The bytes
// are deterministic for a build, so the budget is a hard line: later work cannot grow the first
// visit past it unnoticed. `FIRST_VISIT_BUDGET` is the floor reached so far (561,111 bytes with
// the wasm split per page; 944,550 before), with 1.6 % of headroom; the goal is 350 KB (see
// ARCHITECTURE.md). The same visit then goes offline and opens every page from the navigation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, BASE } from './harness.mjs';

const FIRST_VISIT_BUDGET = Number(process.env.FIRST_VISIT_BUDGET ?? 570_000);

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Opens `path` with an empty, disabled cache; returns every finished request, the page and its
 * context (still open: the caller closes it). */
async function firstVisit(browser, path, drawn) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (err) => page.errors.push(`pageerror: ${err.message}`));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const requests = new Map();
  cdp.on('Network.responseReceived', ({ requestId, response }) => {
    requests.set(requestId, {
      url: response.url,
      status: response.status,
      encoding: response.headers['content-encoding'] ?? response.headers['Content-Encoding'] ?? '',
      vary: response.headers.vary ?? response.headers.Vary ?? '',
      bytes: 0,
    });
  });
  cdp.on('Network.loadingFinished', ({ requestId, encodedDataLength }) => {
    const r = requests.get(requestId);
    if (r) r.bytes = encodedDataLength;
  });
  await page.goto(BASE + path);
  await page.waitForFunction(drawn, null, { timeout: 30_000 });
  // Once idle, the app fetches the other pages' chunks (frontend/src/lazy.rs): wait for that too.
  await page.waitForFunction(() => document.documentElement.dataset.pages === 'done', null, {
    timeout: 30_000,
  });
  await page.waitForLoadState('networkidle');
  return { requests: [...requests.values()], page, context };
}

const overviewDrawn = () => ['cost-chart', 'phase-chart'].every((id) => {
  const el = document.querySelector(`[data-testid="${id}"]`);
  return el && window.echarts?.getInstanceByDom(el) && el.querySelector('canvas');
});

/** A page's chunk: a wasm file of the split app other than its main module. */
const isChunk = (r) => /\/app-[0-9a-f]{16}\/(?!phaseplan_web_bg\.wasm$)[^/]+\.wasm$/.test(new URL(r.url).pathname);

const listing = (requests) => requests
  .map((r) => `  ${String(r.bytes).padStart(8)}  ${r.encoding.padEnd(4)}  ${new URL(r.url).pathname}`)
  .join('\n');

test(`the first visit to the Overview transfers at most ${FIRST_VISIT_BUDGET} bytes, then fetches the other pages, which then work offline`, async () => {
  const { requests, page, context } = await firstVisit(browser, '/', overviewDrawn);
  try {
    // The Overview's own downloads: everything but the other pages' chunks, which are fetched
    // after it is interactive and reported apart.
    const own = requests.filter((r) => !isChunk(r));
    const prefetched = requests.filter(isChunk);
    const total = own.reduce((sum, r) => sum + r.bytes, 0);
    const later = prefetched.reduce((sum, r) => sum + r.bytes, 0);
    console.log(`first visit to /: ${own.length} requests, ${total} bytes\n${listing(own)}`);
    console.log(`prefetched afterwards: ${prefetched.length} chunks, ${later} bytes\n${listing(prefetched)}`);
    assert.ok(total <= FIRST_VISIT_BUDGET, `${total} bytes > ${FIRST_VISIT_BUDGET}:\n${listing(own)}`);
    assert.ok(prefetched.length > 0, 'no page chunk was prefetched');
    // The app's own code comes precompressed at brotli 11, and says so for caches.
    for (const r of requests.filter((r) => /\.(wasm|js|css)$/.test(new URL(r.url).pathname))) {
      assert.equal(r.encoding, 'br', r.url);
      assert.match(r.vary, /accept-encoding/i, r.url);
    }
    // Offline now: every page still opens from the navigation, its code already here.
    await context.setOffline(true);
    for (const path of ['/scenario', '/costs', '/capacity', '/decision', '/bundles', '/scenarios', '/compare']) {
      await page.locator(`nav a[data-path="${path}"]`).click();
      await page.waitForFunction(() => !document.querySelector('.page-loading'));
      await page.locator('main h1').first().waitFor();
      assert.equal(await page.getByTestId('page-unavailable').count(), 0, path);
    }
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});

test('a page whose code cannot be fetched says so and loads on Retry', async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (err) => page.errors.push(`pageerror: ${err.message}`));
  try {
    // The chunks are refused until `blocked` is cleared; the main module is not.
    let blocked = true;
    await page.route(/\/app-[0-9a-f]{16}\/.+\.wasm$/, (route) => (
      blocked && isChunk({ url: route.request().url() }) ? route.abort('internetdisconnected') : route.continue()
    ));
    await page.goto(`${BASE}/costs`);
    const banner = page.getByTestId('page-unavailable');
    await banner.waitFor();
    assert.match(await banner.innerText(), /The Costs page could not be loaded/);
    // The rest of the app is alive: the Overview (in the main module) still opens.
    await page.locator('nav a[data-path="/"]').click();
    await page.getByTestId('cost-chart').waitFor();
    await page.locator('nav a[data-path="/costs"]').click();
    await banner.waitFor();
    // Back on line, Retry fetches the chunk and shows the page.
    blocked = false;
    await banner.getByRole('button', { name: 'Retry' }).click();
    await page.locator('main h1', { hasText: 'Costs' }).waitFor();
    assert.equal(await banner.count(), 0);
    assert.deepEqual(page.errors, []);
  } finally {
    await context.close();
  }
});
