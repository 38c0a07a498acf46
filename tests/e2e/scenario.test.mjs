// The Scenario page: every input with inline validation from the model, undo / redo / reset, and
// edits that recompute the other pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, text } from './harness.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const input = (page, path) => page.locator(`input[data-testid="${path}"]`);

test('an edit recomputes the plan; undo, redo and reset restore it', async () => {
  const page = await openPage(browser, '/scenario');
  const growth = input(page, 'growth.monthly_rate');
  assert.equal(await growth.inputValue(), '0.08');
  await page.getByRole('link', { name: 'Overview' }).click();
  await page.waitForSelector('[data-testid="next-transition"]');
  const before = await text(page, 'next-transition');
  assert.equal(before, 'Growth in Apr 2027');
  await page.getByRole('link', { name: 'Scenario' }).click();
  await input(page, 'growth.monthly_rate').fill('0.02');
  await page.getByRole('link', { name: 'Overview' }).click();
  // 1,310 × 1.02^t reaches 1,600 at t = 11: December 2027.
  await page.waitForFunction(() => document.querySelector('[data-testid="next-transition"]')?.innerText === 'Growth in Dec 2027');
  await page.getByRole('link', { name: 'Scenario' }).click();
  await page.getByTestId('undo').click();
  assert.equal(await input(page, 'growth.monthly_rate').inputValue(), '0.08');
  await page.getByTestId('redo').click();
  assert.equal(await input(page, 'growth.monthly_rate').inputValue(), '0.02');
  await page.getByTestId('reset').click();
  assert.equal(await input(page, 'growth.monthly_rate').inputValue(), '0.08');
  assert.equal(await page.getByTestId('scenario-preset').inputValue(), 'ride-hailing');
  assert.deepEqual(page.errors, []);
});

test('invalid values are explained next to the field and on the pages that need them', async () => {
  const page = await openPage(browser, '/scenario');
  const share = input(page, 'workload.db_read_share');
  await share.fill('1.5');
  await page.waitForFunction(() => document.querySelector('[data-testid="workload.db_read_share-error"]')?.innerText !== '');
  assert.match(await text(page, 'workload.db_read_share-error'), /must be between 0 and 1/);
  assert.equal(await share.getAttribute('aria-invalid'), 'true');
  await input(page, 'growth.horizon_months').fill('121');
  // Only the first problem is reported by the model; fix it and the next shows.
  await share.fill('0.8');
  await page.waitForFunction(() => document.querySelector('[data-testid="growth.horizon_months-error"]')?.innerText !== '');
  assert.match(await text(page, 'growth.horizon_months-error'), /between 1 and 120/);
  await input(page, 'pricing.commit_1y_share').fill('');
  assert.equal(await text(page, 'pricing.commit_1y_share-error'), 'must be a number');
  // The Overview says why it cannot compute, instead of showing a blank chart.
  await page.getByRole('link', { name: 'Overview' }).click();
  await page.waitForSelector('text=The plan cannot be computed');
  assert.match(await page.locator('main').innerText(), /growth\.horizon_months: must be between 1 and 120/);
  assert.deepEqual(page.errors, []);
});
