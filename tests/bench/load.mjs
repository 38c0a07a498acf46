// Browser benchmark (not a test): the first visit to a page on a slow mobile link, as the lab's
// "slow 4G" profile has it: 1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip, and the CPU slowed
// 4× (Chromium's network and CPU emulation through the DevTools protocol), cache disabled.
// Reports the bytes transferred, Largest Contentful Paint, when the app's navigation appeared
// (the wasm has run) and when the first chart's canvas appeared. Goals (issue 19): LCP ≤ 2.5 s,
// first chart ≤ 3 s. Run against a running release server:
//   PHASEPLAN_URL=http://127.0.0.1:8080 node tests/bench/load.mjs [/path …]
// RUNS (default 3) visits per page; FAST=1 measures without throttling.
import { launch, BASE } from '../e2e/harness.mjs';

const pages = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['/'];
const runs = Number(process.env.RUNS ?? 3);
const fast = process.env.FAST === '1';

const browser = await launch();

async function visit(path) {
  const context = await browser.newContext({ viewport: { width: 412, height: 823 } });
  const page = await context.newPage();
  // Marks recorded inside the page from its first script on (DevTools-injected, so the page's
  // Content-Security-Policy does not apply to it).
  await page.addInitScript(() => {
    window.__marks = {};
    new PerformanceObserver((list) => {
      const last = list.getEntries().at(-1);
      if (last) {
        window.__marks.lcp = last.startTime;
        const el = last.element;
        window.__marks.lcpElement = el ? `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ')[0]}` : ''}` : '?';
      }
    }).observe({ type: 'largest-contentful-paint', buffered: true });
    new MutationObserver(() => {
      const m = window.__marks;
      if (m.nav === undefined && document.querySelector('nav[aria-label="Main"] a')) m.nav = performance.now();
      if (m.chart === undefined && document.querySelector('.chart canvas')) m.chart = performance.now();
    }).observe(document, { childList: true, subtree: true });
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  if (!fast) {
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 150, downloadThroughput: (1.6e6 / 8), uploadThroughput: (750e3 / 8),
    });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  }
  let bytes = 0;
  cdp.on('Network.loadingFinished', ({ encodedDataLength }) => { bytes += encodedDataLength; });
  await page.goto(BASE + path, { timeout: 120_000 });
  await page.waitForFunction(() => window.__marks.chart !== undefined || window.__marks.nav !== undefined
    && !document.querySelector('.chart'), null, { timeout: 120_000, polling: 100 });
  // LCP is final once the page has been interacted with or hidden; a short wait lets late
  // paints report first.
  await new Promise((r) => setTimeout(r, 500));
  const marks = await page.evaluate(() => window.__marks);
  await context.close();
  return { bytes, ...marks };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
for (const path of pages) {
  const results = [];
  for (let i = 0; i < runs; i += 1) results.push(await visit(path));
  const ms = (k) => `${median(results.map((r) => r[k] ?? NaN)).toFixed(0)} ms`;
  console.log(`BENCH load ${path} (${fast ? 'unthrottled' : 'slow 4G, 4× CPU'}, median of ${runs}): `
    + `${median(results.map((r) => r.bytes))} bytes, LCP ${ms('lcp')} (${results.map((r) => r.lcpElement).join(', ')}), `
    + `app ready ${ms('nav')}, first chart ${ms('chart')}`);
}
await browser.close();
