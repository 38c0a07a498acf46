// The first visit's weight: every request a browser makes on its first visit to the Overview
// (cache disabled), with the bytes it transferred (headers and compressed body, as DevTools
// counts them), until the Overview's charts are drawn. The bytes are deterministic for a build,
// so the budget is a hard line: later work cannot grow the first visit past it unnoticed.
// `FIRST_VISIT_BUDGET` is the floor reached so far (944,550 bytes in the development checkout,
// 944,551 on a fresh clone, whose wasm came out 720 bytes larger), with 1.6 % of headroom; the
// goal is 350 KB (see ARCHITECTURE.md).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, BASE } from './harness.mjs';

const FIRST_VISIT_BUDGET = Number(process.env.FIRST_VISIT_BUDGET ?? 960_000);

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Opens `path` with an empty, disabled cache and returns every finished request. */
async function firstVisit(browser, path, drawn) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
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
  await page.waitForLoadState('networkidle');
  await context.close();
  return [...requests.values()];
}

const overviewDrawn = () => ['cost-chart', 'phase-chart'].every((id) => {
  const el = document.querySelector(`[data-testid="${id}"]`);
  return el && window.echarts?.getInstanceByDom(el) && el.querySelector('canvas');
});

test(`the first visit to the Overview transfers at most ${FIRST_VISIT_BUDGET} bytes`, async () => {
  const requests = await firstVisit(browser, '/', overviewDrawn);
  const total = requests.reduce((sum, r) => sum + r.bytes, 0);
  const table = requests
    .map((r) => `  ${String(r.bytes).padStart(8)}  ${r.encoding.padEnd(4)}  ${new URL(r.url).pathname}`)
    .join('\n');
  console.log(`first visit to /: ${requests.length} requests, ${total} bytes\n${table}`);
  assert.ok(total <= FIRST_VISIT_BUDGET, `${total} bytes > ${FIRST_VISIT_BUDGET}:\n${table}`);
  // The app's own code comes precompressed at brotli 11, and says so for caches.
  for (const r of requests.filter((r) => /\.(wasm|js|css)$/.test(new URL(r.url).pathname))) {
    assert.equal(r.encoding, 'br', r.url);
    assert.match(r.vary, /accept-encoding/i, r.url);
  }
});
