// The phase check on the Overview page: the slider and the number field recompute the phase,
// its utilisation and the chart in the browser.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, chartData, text } from './harness.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('initial state: 1,500 users fit Launch at 75 %, chart shows every phase', async () => {
  const page = await openPage(browser, '/');
  await page.waitForFunction(() => document.querySelector('[data-testid="phase-name"]')?.innerText === 'Launch');
  assert.equal(await text(page, 'utilisation'), '75.0 %');
  assert.equal((await text(page, 'status')).toLowerCase(), 'warning');
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid="phase-chart"]');
    return el && window.echarts.getInstanceByDom(el);
  });
  assert.deepEqual(await chartData(page, 'phase-chart'), [75, 30, 10, 3]);
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
