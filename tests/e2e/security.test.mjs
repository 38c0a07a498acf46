// The Content-Security-Policy in a real browser: every page loads and runs under the policy the
// server sends (scripts only from this origin plus the app's inline loader by hash, WebAssembly
// compiled with 'wasm-unsafe-eval', the pages' split chunks included), with no violation
// reported; and the exports (PNG, CSV, zip) still work under it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, BASE } from './harness.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const PAGES = ['/', '/scenario', '/costs', '/capacity', '/decision', '/bundles', '/live', '/operations'];

/** A page that records CSP violations (the DOM event, and Chromium's console report). */
async function open(path) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  await context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__violations.push(`${e.violatedDirective}: ${e.blockedURI}`);
    });
  });
  const page = await context.newPage();
  page.reports = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) page.reports.push(m.text());
  });
  const res = await page.goto(BASE + path);
  await page.waitForSelector('nav[aria-label="Main"] a');
  // The page's own chunk, then every other page's (the prefetch): all of them fetched and
  // instantiated under the policy (frontend/src/lazy.rs, xtask/src/split.rs).
  await page.waitForFunction(() => !document.querySelector('.page-loading')
    && document.documentElement.dataset.pages === 'done');
  return { page, res };
}

test('every page runs under the CSP with no violation', async () => {
  for (const path of PAGES) {
    const { page, res } = await open(path);
    const csp = res.headers()['content-security-policy'];
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-/, path);
    assert.doesNotMatch(csp.split(';').find((d) => d.includes('script-src')), /unsafe-inline/, path);
    assert.match(csp, /frame-ancestors 'none'/, path);
    assert.equal(res.headers()['referrer-policy'], 'no-referrer', path);
    // Let the charts draw.
    await page.waitForTimeout(300);
    assert.deepEqual(await page.evaluate(() => window.__violations), [], path);
    assert.deepEqual(page.reports, [], path);
    await page.context().close();
  }
});

test('PNG, CSV and zip exports work under the CSP', async () => {
  // PNG: the chart toolbox's save-as-image icon (top right: right 8 px, 15-px icon), clicked.
  let { page } = await open('/costs');
  await page.waitForSelector('[data-testid="costs-lines"] canvas');
  const box = await page.locator('[data-testid="costs-lines"]').boundingBox();
  await page.mouse.move(box.x + box.width - 16, box.y + 8);
  const [png] = await Promise.all([
    page.waitForEvent('download'), page.mouse.click(box.x + box.width - 16, box.y + 8),
  ]);
  assert.match(png.suggestedFilename(), /^phaseplan-.+\.png$/);
  // A real PNG: its signature.
  const { readFileSync } = await import('node:fs');
  assert.deepEqual([...readFileSync(await png.path()).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  // CSV download (a data: link).
  const [csv] = await Promise.all([
    page.waitForEvent('download'), page.locator('[data-testid="csv-link"]').click(),
  ]);
  assert.equal(csv.suggestedFilename(), 'phaseplan-timeline.csv');
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  await page.context().close();
  // Zip download from the Bundles page (built in the browser).
  ({ page } = await open('/bundles'));
  const [zip] = await Promise.all([
    page.waitForEvent('download'), page.locator('[data-testid="download-zip"]').click(),
  ]);
  assert.match(zip.suggestedFilename(), /\.zip$/);
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.deepEqual(page.reports, []);
  await page.context().close();
});
