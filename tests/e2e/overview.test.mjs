// The phase check on the Overview page: the slider and the number field recompute the phase,
// its utilisation and the chart in the browser.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, chartData, text } from './harness.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('initial state: the ride-hailing preset at 1,310 users fits Launch at 65.5 %', async () => {
  const page = await openPage(browser, '/');
  await page.waitForFunction(() => document.querySelector('[data-testid="phase-name"]')?.innerText === 'Launch');
  assert.equal(await text(page, 'utilisation'), '65.5 %');
  assert.equal((await text(page, 'status')).toLowerCase(), 'warning');
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid="phase-chart"]');
    return el && window.echarts?.getInstanceByDom(el);
  });
  assert.deepEqual(await chartData(page, 'phase-chart'), [65.5, 26.2, 8.7, 2.6]);
  assert.deepEqual(page.errors, []);
});

test('typing a peak recomputes the phase and the chart', async () => {
  const page = await openPage(browser, '/');
  await page.getByTestId('peak-input').fill('3500');
  await page.waitForFunction(() => document.querySelector('[data-testid="phase-name"]')?.innerText === 'Growth');
  assert.equal(await text(page, 'utilisation'), '70.0 %');
  assert.equal(await text(page, 'next-step'), 'Prepare Scale');
  // Launch is overloaded (175 %), Growth at 70 %, Scale at 23.3 %, Enterprise at 7 %.
  assert.deepEqual(await chartData(page, 'phase-chart'), [175, 70, 23.3, 7]);
  assert.deepEqual(page.errors, []);
});

test('the slider moves with the keyboard and updates everything', async () => {
  const page = await openPage(browser, '/');
  const slider = page.getByTestId('peak-slider');
  await slider.focus();
  await page.keyboard.press('End'); // 60,000: beyond the top phase
  await page.waitForFunction(() => document.querySelector('[data-testid="phase-name"]')?.innerText === 'Enterprise');
  assert.equal(await page.getByTestId('peak-input').inputValue(), '60000');
  assert.equal(await text(page, 'next-step'), 'Beyond the top phase: add a rung');
  await page.waitForFunction(() => document.querySelector('[data-testid="advice"]')?.innerText.startsWith('Extend the ladder. '));
  assert.deepEqual(await chartData(page, 'phase-chart'), [200, 200, 200, 120]);
  await page.keyboard.press('Home'); // 0
  await page.waitForFunction(() => document.querySelector('[data-testid="utilisation"]')?.innerText === '0.0 %');
  assert.equal((await text(page, 'status')).toLowerCase(), 'optimal');
  assert.deepEqual(page.errors, []);
});

test('invalid input is explained inline and keeps the last valid result', async () => {
  const page = await openPage(browser, '/');
  const input = page.getByTestId('peak-input');
  await input.fill('-5');
  await page.waitForFunction(() => document.querySelector('[data-testid="peak-error"]')?.innerText !== '');
  assert.match(await text(page, 'peak-error'), /must not be negative/);
  assert.equal(await input.getAttribute('aria-invalid'), 'true');
  assert.equal(await text(page, 'phase-name'), 'Launch');
  await input.fill('2000000000');
  assert.match(await text(page, 'peak-error'), /must be between 0 and 1000000000/);
  await input.fill('4000');
  await page.waitForFunction(() => document.querySelector('[data-testid="phase-name"]')?.innerText === 'Growth');
  assert.equal(await text(page, 'peak-error'), '');
  assert.equal(await input.getAttribute('aria-invalid'), 'false');
  assert.deepEqual(page.errors, []);
});

/** Waits until the cost chart exists and returns echarts' option for it. */
async function costOption(page) {
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid="cost-chart"]');
    const c = el && window.echarts?.getInstanceByDom(el);
    return c && c.getOption().series.length === 6;
  });
  return page.evaluate(() => {
    const c = window.echarts?.getInstanceByDom(document.querySelector('[data-testid="cost-chart"]'));
    const o = c.getOption();
    return { names: o.series.map((s) => s.name), first: o.series.map((s) => s.data), xAxis: o.xAxis[0].data };
  });
}

test('the plan: cost cards and one cost line per provider, recomputed on input', async () => {
  const page = await openPage(browser, '/');
  const opt = await costOption(page);
  assert.equal(opt.names.length, 6);
  assert.ok(opt.names.includes('AWS') && opt.names.includes('Hetzner Cloud'), opt.names.join());
  assert.equal(opt.xAxis.length, 36);
  assert.equal(opt.xAxis[0], 'Jan 2027');
  assert.match(await text(page, 'cost-now'), /^\$\d{1,3}(,\d{3})*$/);
  assert.match(await text(page, 'tco'), /^\$\d{1,3}(,\d{3})*$/);
  assert.match(await text(page, 'cost-per-user'), /^\$\d+\.\d\d$/);
  // 1,310 × 1.08^t crosses Launch's critical 1,600 in month 3: April 2027.
  assert.equal(await text(page, 'next-transition'), 'Growth in Apr 2027');
  // The plan's step first, in the words the Live page uses for the same step, then why.
  assert.match(await text(page, 'advice'), /^Prepare Growth\. Launch is at 66 % of its capacity/);
  const before = await text(page, 'tco');
  const linodeBefore = opt.first[opt.names.indexOf('Linode (Akamai)')][35];
  await page.getByTestId('peak-input').fill('3000');
  await page.waitForFunction((b) => document.querySelector('[data-testid="tco"]')?.innerText !== b, before);
  const after = await costOption(page);
  assert.ok(after.first[after.names.indexOf('Linode (Akamai)')][35] > linodeBefore);
  assert.deepEqual(page.errors, []);
});

test('switching the preset recomputes everything', async () => {
  const page = await openPage(browser, '/');
  await costOption(page);
  await page.getByTestId('preset-picker').selectOption('ecommerce');
  await page.waitForFunction(() => document.querySelector('[data-testid="peak-input"]')?.value === '200');
  assert.equal(await text(page, 'utilisation'), '10.0 %');
  // 200 × 10^(t/12) with the November ×1.3 / December ×1.5 peak: Growth in November 2027.
  assert.equal(await text(page, 'next-transition'), 'Growth in Nov 2027');
  assert.match(await text(page, 'cost-now'), /^\$\d/);
  assert.deepEqual(page.errors, []);
});
