// Browser benchmark (not a test): first load to interactive, and input event → updated cost chart
// on the Overview, in Debian's headless Chromium. Run against a running server:
//   PHASEPLAN_URL=http://127.0.0.1:8080 node tests/bench/interaction.mjs
// CPU=4 slows the page's CPU fourfold (DevTools' CPU throttling), as the slow-4G lab profile does.
import { launch, BASE } from '../e2e/harness.mjs';

const browser = await launch();
const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
const slowdown = Number(process.env.CPU ?? 1);
if (slowdown > 1) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: slowdown });
}

const loads = [];
for (let i = 0; i < 5; i++) {
  await page.goto(BASE + '/?bench=' + i, { waitUntil: 'commit' });
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid="cost-chart"]');
    const c = el && window.echarts?.getInstanceByDom(el);
    return c && c.getOption().series.length === 6;
  }, null, { polling: 'raf' });
  loads.push(await page.evaluate(() => performance.now()));
}

const latencies = await page.evaluate(async () => {
  const input = document.querySelector('[data-testid="peak-input"]');
  const chart = window.echarts?.getInstanceByDom(document.querySelector('[data-testid="cost-chart"]'));
  const out = [];
  for (let i = 0; i < 60; i++) {
    const before = JSON.stringify(chart.getOption().series[3].data);
    const t0 = performance.now();
    input.value = String(1000 + i * 37);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    // Leptos runs its effects on the microtask queue; wait until the chart holds new data.
    while (JSON.stringify(chart.getOption().series[3].data) === before) {
      await new Promise((r) => setTimeout(r, 0));
    }
    out.push(performance.now() - t0);
  }
  return out;
});

// The same edits, timed until ECharts has painted the new frame ('finished' fires after the
// render that follows setOption): what a person sees, not just the option being set.
const painted = await page.evaluate(async () => {
  const input = document.querySelector('[data-testid="peak-input"]');
  const chart = window.echarts?.getInstanceByDom(document.querySelector('[data-testid="cost-chart"]'));
  const out = [];
  const data = () => JSON.stringify(chart.getOption().series.map((x) => x.data));
  for (let i = 0; i < 60; i++) {
    const before = data();
    const done = new Promise((resolve) => {
      const h = () => { chart.off('finished', h); resolve(); };
      chart.on('finished', h);
      setTimeout(h, 2000);
    });
    const t0 = performance.now();
    input.value = String(3000 - i * 29);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await done;
    const t1 = performance.now();
    // Only a frame that shows new numbers counts (an edit within a price step may change none).
    if (data() !== before) out.push(t1 - t0);
  }
  return out;
});

const pct = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * s.length))]; };
console.log(`CPU slowdown ${slowdown}×`);
console.log(`first load to interactive (cost chart drawn): median ${pct(loads, 0.5).toFixed(0)} ms, max ${Math.max(...loads).toFixed(0)} ms over ${loads.length} loads`);
console.log(`input → updated cost chart: p50 ${pct(latencies, 0.5).toFixed(1)} ms, p95 ${pct(latencies, 0.95).toFixed(1)} ms over ${latencies.length} edits`);
console.log(`input → cost chart painted: p50 ${pct(painted, 0.5).toFixed(1)} ms, p95 ${pct(painted, 0.95).toFixed(1)} ms over ${painted.length} edits`);
await browser.close();
