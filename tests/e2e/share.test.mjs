// Share links: the whole scenario in the URL; opening it restores the plan exactly; an old or
// damaged link is explained instead of showing a blank page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, text } from './harness.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const planText = async (page) => ({
  users: await page.getByTestId('peak-input').inputValue(),
  cost: await text(page, 'cost-now'),
  tco: await text(page, 'tco'),
  next: await text(page, 'next-transition'),
});

test('a shared link restores the scenario exactly', async () => {
  const page = await openPage(browser, '/');
  const initial = await page.getByTestId('share-link').inputValue();
  await page.getByTestId('preset-picker').selectOption('ecommerce');
  await page.getByTestId('peak-input').fill('750');
  // The link is re-encoded in a task after the edit: wait for it to reflect the new scenario.
  await page.waitForFunction((before) => {
    const v = document.querySelector('[data-testid="share-link"]')?.value ?? '';
    return v.includes('?s=v1.') && v !== before && location.href === v;
  }, initial);
  const link = await page.getByTestId('share-link').inputValue();
  // The address bar carries the same link.
  assert.equal(await page.evaluate(() => location.href), link);
  const before = await planText(page);
  assert.equal(before.users, '750');

  const other = await openPage(browser, link.replace(/^https?:\/\/[^/]+/, ''));
  await other.waitForFunction(() => document.querySelector('[data-testid="peak-input"]')?.value === '750');
  assert.deepEqual(await planText(other), before);
  // An edited preset is a custom scenario, and says so.
  assert.equal(await other.getByTestId('preset-picker').inputValue(), '');
  assert.deepEqual(page.errors, []);
  assert.deepEqual(other.errors, []);
});

test('a damaged or future link is explained and the default plan is shown', async () => {
  for (const [link, reason] of [['v1.AAAA', /damaged/], ['v9.abc', /newer version/], ['garbage', /damaged/]]) {
    const page = await openPage(browser, `/?s=${link}`);
    await page.waitForSelector('[data-testid="link-error"]');
    assert.match(await text(page, 'link-error'), reason);
    // The page is not blank: the default preset is computed.
    await page.waitForFunction(() => document.querySelector('[data-testid="peak-input"]')?.value === '1310');
    assert.match(await text(page, 'cost-now'), /^\$\d/);
    assert.deepEqual(page.errors, []);
  }
});

test('navigating keeps the scenario in the address bar, so a reload keeps every edit', async () => {
  const page = await openPage(browser, '/scenario');
  await page.locator('input[data-testid="growth.monthly_rate"]').fill('0.05');
  await page.locator('nav a[data-path="/costs"]').click();
  await page.waitForFunction(() => document.querySelector('main h1')?.innerText === 'Costs');
  await page.waitForFunction(() => /\/costs\?s=v1\./.test(location.href));
  await page.reload();
  await page.locator('nav a[data-path="/scenario"]').click();
  assert.equal(await page.locator('input[data-testid="growth.monthly_rate"]').inputValue(), '0.05');
  assert.deepEqual(page.errors, []);
});
