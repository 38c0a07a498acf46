// Browser benchmark (not a test): the Live page with a full day of history, in Debian's headless
// Chromium. Every history request is answered with 24 h at a 5-s interval (17,280 points per
// metric: what the server holds by default); the stream is the running server's. Measures the
// 24-h window's load (history → charts drawn) and each streamed update → charts redrawn, which
// re-judges the whole day in WebAssembly. Run against a running server:
//   PHASEPLAN_URL=http://127.0.0.1:8080 node tests/bench/live.mjs
import { launch, BASE } from '../e2e/harness.mjs';

const DAY = 24 * 3600;
// Seconds of updates measured: at the 24-h window a chart changes once per 144-s bucket, so a
// run shorter than that can miss (or over-count) its redraws; 150 s holds at least one.
const SECONDS = Number(process.env.SECONDS ?? 150);
const STEP = 5;
const now = Date.now() / 1000;
const wave = (t, base, amp) => base + amp * Math.sin((2 * Math.PI * (t % DAY)) / DAY) + Math.random();
const series = {
  cpu_percent: (t) => wave(t, 35, 20),
  memory_percent: (t) => wave(t, 50, 5),
  cache_memory_bytes: (t) => wave(t, 20e6, 5e6),
  cache_max_memory_bytes: () => 64 * 1048576,
};
const history = {};
for (const [metric, f] of Object.entries(series)) {
  const points = [];
  for (let t = now - DAY; t <= now; t += STEP) points.push([t, f(t)]);
  history[metric] = JSON.stringify({ metric, points });
}

const browser = await launch();
const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
await page.route('**/api/v1/live/history?**', (route) => {
  const metric = new URL(route.request().url()).searchParams.get('metric');
  route.fulfill({ contentType: 'application/json', body: history[metric] ?? JSON.stringify({ metric, points: [] }) });
});
// History requests in flight: the measurement starts once the window's history has all arrived
// (the CPU chart is drawn before the other metrics have loaded).
let pending = 0;
page.on('request', (r) => { if (r.url().includes('/api/v1/live/history')) pending += 1; });
const settled = (r) => { if (r.url().includes('/api/v1/live/history')) pending -= 1; };
page.on('requestfinished', settled);
page.on('requestfailed', settled);
await page.goto(`${BASE}/live`);
await page.waitForSelector('[data-testid="live-connection"][data-state="open"]');
await page.waitForSelector('.live-charts [data-component="app_cpu"] canvas');

const chartPoints = () => page.evaluate(() => {
  const el = document.querySelector('.live-charts [data-component="app_cpu"] [data-testid="live-chart"]');
  return window.echarts?.getInstanceByDom(el).getOption().series[0].data.length;
});

// The window: 1 h → 24 h, until the CPU chart holds the day.
const t0 = Date.now();
await page.selectOption('[data-testid="live-window"]', String(process.env.WINDOW ?? DAY));
await page.waitForFunction((from) => {
  const el = document.querySelector('.live-charts [data-component="app_cpu"] [data-testid="live-chart"]');
  const first = window.echarts?.getInstanceByDom(el).getOption().series[0].data[0];
  return first && first[0] < from;
}, (now - Number(process.env.WINDOW ?? DAY) + 600) * 1000, { polling: 100, timeout: 60_000 });
const windowMs = Date.now() - t0;
for (const deadline = Date.now() + 60_000; pending > 0;) {
  if (Date.now() > deadline) throw new Error(`the history requests did not finish: ${pending} pending`);
  await new Promise((r) => setTimeout(r, 50));
}
// Let the last history's redraw finish before measuring.
await new Promise((r) => setTimeout(r, 1_000));
const points = await chartPoints();

// Each update re-judges the whole day in WebAssembly and redraws the charts: the main thread's
// busy time (Chrome's TaskDuration) over SECONDS of updates, per update received.
const cdp = await page.context().newCDPSession(page);
await cdp.send('Performance.enable');
const busy = async () => (await cdp.send('Performance.getMetrics')).metrics
  .find((m) => m.name === 'TaskDuration').value;
await page.evaluate(() => {
  window.__updates = 0;
  window.__source = new EventSource('/api/v1/live/stream');
  window.__source.addEventListener('update', () => { window.__updates += 1; });
});
await page.waitForFunction(() => window.__updates > 0);
const [busy0, n0] = [await busy(), await page.evaluate(() => window.__updates)];
await new Promise((r) => setTimeout(r, SECONDS * 1_000));
const [busy1, n1] = [await busy(), await page.evaluate(() => window.__updates)];
const perUpdate = ((busy1 - busy0) * 1000) / Math.max(1, n1 - n0);
await browser.close();

console.log(`BENCH live: 24-h window (4 metrics × ${Math.round(DAY / STEP)} points, drawn as ${points}) loaded and drawn in ${windowMs} ms`);
console.log(`BENCH live: main-thread time per streamed update (re-judge the day + redraw): ${perUpdate.toFixed(1)} ms over ${n1 - n0} updates`);
