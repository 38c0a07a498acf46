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

// Each edit timed two ways, in the page: (a) input event → every update applied (the plan
// evaluated, deltas, the keyed cells, both charts' new options): a zero-delay task runs only
// after the microtasks Leptos runs its effects in; (b) input event → the frame that shows it: the
// next animation frame after (a), and past its rendering (a message posted from the frame
// callback is handled after the browser paints). Zero-delay tasks are not clamped here (one
// level deep), and nothing is read from ECharts while timing (getOption copies every option).
const timings = await page.evaluate(async () => {
  const input = document.querySelector('input[data-testid="workload.peak_concurrent_users"]');
  const chart = window.echarts?.getInstanceByDom(document.querySelector('[data-testid="compare-users-chart"]'));
  const afterPaint = () => new Promise((resolve) => {
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => resolve(performance.now());
      ch.port2.postMessage(0);
    });
  });
  const applied = [];
  const shown = [];
  for (let i = 0; i < 80; i++) {
    const before = JSON.stringify(chart.getOption().series[0].data);
    await afterPaint();
    const t0 = performance.now();
    input.value = String(1000 + i * 37);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((r) => setTimeout(r, 0));
    const t1 = performance.now();
    const t2 = await afterPaint();
    if (JSON.stringify(chart.getOption().series[0].data) === before) {
      throw new Error(`edit ${i} did not update the users chart`);
    }
    applied.push(t1 - t0);
    shown.push(t2 - t0);
  }
  return { applied, shown };
});

const pct = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * s.length))]; };
const line = (what, xs) => console.log(`${what}: p50 ${pct(xs, 0.5).toFixed(1)} ms, p95 ${pct(xs, 0.95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms over ${xs.length} edits`);
line('compare, 4 columns: input → every update applied', timings.applied);
line('compare, 4 columns: input → the frame that shows it', timings.shown);
await browser.close();
