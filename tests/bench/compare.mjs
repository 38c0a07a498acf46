// Browser benchmark (not a test): the Compare page with four columns (this plan, a saved
// revision, two share links), an edit of this plan on the page → every column's deltas and both
// charts updated, in Debian's headless Chromium. Run against a running server:
//   PHASEPLAN_URL=http://127.0.0.1:8080 node tests/bench/compare.mjs
// It saves one scenario on that server (named "Compare benchmark …").
import { launch, BASE } from '../e2e/harness.mjs';

const browser = await launch();
const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();

// Two share links of other presets, and a saved revision of the default plan.
const links = [];
for (const preset of ['ecommerce', 'file-saas']) {
  await page.goto(BASE + '/');
  await page.waitForSelector('nav[aria-label="Main"] a');
  await page.getByTestId('preset-picker').selectOption(preset);
  await page.waitForFunction(() => new URL(location.href).searchParams.get('s')?.startsWith('v1.'));
  await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
  links.push(await page.getByTestId('share-link').inputValue());
}
await page.goto(BASE + '/');
await page.waitForSelector('nav[aria-label="Main"] a');
const name = `Compare benchmark ${Date.now()}`;
await page.getByTestId('save-as').click();
await page.getByTestId('save-name').fill(name);
await page.getByTestId('save-as-confirm').click();
await page.waitForFunction(() => document.querySelector('[data-testid="save-status"]')?.innerText.endsWith('revision 1'));

await page.locator('nav a[data-path="/compare"]').click();
await page.waitForFunction((n) => [...document.querySelectorAll('[data-testid="compare-saved"] option')]
  .some((o) => o.innerText.startsWith(n)), name);
const value = await page.locator('[data-testid="compare-saved"] option', { hasText: name }).getAttribute('value');
await page.getByTestId('compare-saved').selectOption(value);
await page.getByTestId('compare-add-saved').click();
for (const link of links) {
  await page.getByTestId('compare-link').fill(link);
  await page.getByTestId('compare-add-link').click();
}
await page.waitForFunction(() => document.querySelectorAll('[data-testid="compare-table"] thead th').length === 5);

// Input event → the last column's delta and the users chart hold the new numbers (the reactive
// work: evaluating this plan, deltas, keyed cells, both charts' options).
const updated = await page.evaluate(async () => {
  const input = document.querySelector('input[data-testid="workload.peak_concurrent_users"]');
  const chart = window.echarts.getInstanceByDom(document.querySelector('[data-testid="compare-users-chart"]'));
  const out = [];
  for (let i = 0; i < 60; i++) {
    const before = JSON.stringify(chart.getOption().series[0].data);
    const t0 = performance.now();
    input.value = String(1000 + i * 37);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    while (JSON.stringify(chart.getOption().series[0].data) === before) {
      await new Promise((r) => setTimeout(r, 0));
    }
    out.push(performance.now() - t0);
  }
  return out;
});

// The same edits, until both charts have painted the frame that shows them (ECharts `finished`).
const painted = await page.evaluate(async () => {
  const input = document.querySelector('input[data-testid="workload.peak_concurrent_users"]');
  const charts = ['compare-cost-chart', 'compare-users-chart']
    .map((id) => window.echarts.getInstanceByDom(document.querySelector(`[data-testid="${id}"]`)));
  const out = [];
  for (let i = 0; i < 60; i++) {
    const done = Promise.all(charts.map((chart) => new Promise((resolve) => {
      const h = () => { chart.off('finished', h); resolve(); };
      chart.on('finished', h);
      setTimeout(h, 2000);
    })));
    const t0 = performance.now();
    input.value = String(3000 - i * 29);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await done;
    out.push(performance.now() - t0);
  }
  return out;
});

const pct = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * s.length))]; };
const line = (what, xs) => console.log(`${what}: p50 ${pct(xs, 0.5).toFixed(1)} ms, p95 ${pct(xs, 0.95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms over ${xs.length} edits`);
line('compare, 4 columns: input → deltas and charts updated', updated);
line('compare, 4 columns: input → both charts painted', painted);
await browser.close();
