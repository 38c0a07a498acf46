// The Decision page: editable weights and ratings → ranking, radar and sensitivity, recomputed in
// the browser; the weights travel in the share link.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, settle, text } from './harness.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const radarNames = (page) => page.evaluate(() => {
  const c = window.echarts?.getInstanceByDom(document.querySelector('[data-testid="radar-chart"]'));
  return c.getOption().series[0].data.map((d) => d.name);
});

const rankingOrder = (page) => page.$$eval('[data-testid="ranking"] tbody tr', (rows) => rows.map((r) => r.dataset.provider));

test('the matrix ranks all six providers, with a radar and a sensitivity row per criterion', async () => {
  const page = await openPage(browser, '/decision');
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid="radar-chart"]');
    const c = el && window.echarts?.getInstanceByDom(el);
    return c && c.getOption().series[0].data.length === 6;
  });
  const order = await rankingOrder(page);
  assert.equal(order.length, 6);
  assert.equal(new Set(order).size, 6);
  // The radar lists the providers in ranking order, the winner first.
  const names = await radarNames(page);
  assert.equal(names[0], await text(page, 'winner'));
  assert.equal(await page.locator('[data-testid="sensitivity"] tbody tr').count(), 7);
  assert.deepEqual(page.errors, []);
});

test('weights move the ranking; cost alone picks the cheapest provider over the horizon', async () => {
  const page = await openPage(browser, '/decision');
  await page.waitForSelector('[data-testid="ranking"] tbody tr');
  for (const key of ['headroom', 'availability', 'operations', 'lock_in', 'managed', 'monthly_cost']) {
    await page.getByTestId(`weight-${key}`).fill('0');
  }
  await page.getByTestId('weight-tco').fill('1');
  // With only the total cost weighted, the ranking follows TCO: Hetzner is the cheapest here.
  await page.waitForFunction(() => document.querySelector('[data-testid="winner"]')?.innerText === 'Hetzner Cloud');
  const order = await rankingOrder(page);
  assert.equal(order[0], 'hetzner');
  // All weights at zero is refused with the reason, keeping the last ranking on screen.
  await page.getByTestId('weight-tco').fill('0');
  await page.waitForSelector('[data-testid="decision-error"]');
  assert.match(await text(page, 'decision-error'), /decision\.weights/);
  assert.equal(await text(page, 'winner'), 'Hetzner Cloud');
  assert.deepEqual(page.errors, []);
});

test('ratings are editable and the edited weights survive a share link', async () => {
  const page = await openPage(browser, '/decision');
  await page.waitForSelector('[data-testid="ranking"] tbody tr');
  await page.getByTestId('weight-availability').fill('40');
  await page.getByTestId('availability-hetzner').fill('1');
  await page.getByTestId('availability-hetzner').press('Tab');
  await page.waitForFunction(() => document.querySelector('[data-testid="availability-hetzner"]')?.value === '1');
  const winner = await text(page, 'winner');
  const order = await rankingOrder(page);
  assert.notEqual(order[0], 'hetzner');
  await settle(page);
  // Asked of the page: playwright's page.url() hears of the app's replaceState later.
  const link = await page.evaluate(() => location.href);
  assert.match(link, /\/decision\?s=v1\./);
  const other = await openPage(browser, link.replace(/^https?:\/\/[^/]+/, ''));
  await other.waitForFunction((w) => document.querySelector('[data-testid="winner"]')?.innerText === w, winner);
  assert.equal(await other.getByTestId('weight-availability').inputValue(), '40');
  assert.deepEqual(await rankingOrder(other), order);
  assert.deepEqual(page.errors, []);
  assert.deepEqual(other.errors, []);
});
