// The Scenario page: every input with inline validation from the model, undo / redo / reset, and
// edits that recompute the other pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, text, settle } from './harness.mjs';

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

test('the phase ladder is editable: thresholds, sizes, adding and removing phases', async () => {
  const page = await openPage(browser, '/scenario');
  // Launch pages at 90 % instead of 80 % of its 2,000 users: 1,310 × 1.08^t reaches 1,800 at
  // t = 5 (Jun 2027) instead of 1,600 at t = 3 (Apr 2027). No component caps Launch lower.
  await input(page, 'phases[0].thresholds.capacity.critical').fill('90');
  await page.getByRole('link', { name: 'Overview' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid="next-transition"]')?.innerText === 'Growth in Jun 2027');
  await page.getByRole('link', { name: 'Scenario' }).click();
  // A warning level at or above the critical one cannot exist: explained, not applied.
  const warning = input(page, 'phases[0].thresholds.capacity.warning');
  await warning.fill('95');
  assert.equal(await text(page, 'phases[0].thresholds.capacity.warning-error'), 'warning threshold must be below the critical threshold');
  assert.equal(await warning.getAttribute('aria-invalid'), 'true');
  // Capacities must grow phase by phase: the model's reason lands under the second phase.
  await page.locator('[data-testid="phase-editor-1"] summary').click();
  await input(page, 'phases[1].max_users').fill('1500');
  await page.waitForFunction(() => document.querySelector('[data-testid="phases[1].max_users-error"]')?.innerText !== '');
  assert.equal(await text(page, 'phases[1].max_users-error'), 'must be greater than the previous value (2000)');
  await input(page, 'phases[1].max_users').fill('5000');
  await page.waitForFunction(() => document.querySelector('[data-testid="phases[1].max_users-error"]')?.innerText === '');
  // A fifth phase appears on the Capacity page, and goes again with its remove button.
  await page.getByTestId('add-phase').click();
  assert.equal(await page.locator('.phase-editor').count(), 5);
  await page.getByRole('link', { name: 'Capacity' }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="phase-table"] tbody tr').length === 5);
  await page.getByRole('link', { name: 'Scenario' }).click();
  await page.locator('[data-testid="phase-editor-4"] summary').click();
  await page.getByTestId('remove-phase-4').click();
  assert.equal(await page.locator('.phase-editor').count(), 4);
  assert.deepEqual(page.errors, []);
});

test('seasonality, events and uncertainty spreads are inputs too, and travel in the link', async () => {
  const page = await openPage(browser, '/scenario');
  await page.getByTestId('growth.seasonality').check();
  await input(page, 'growth.seasonality[10]').fill('0');
  await page.waitForFunction(() => document.querySelector('[data-testid="growth.seasonality[10]-error"]')?.innerText !== '');
  assert.match(await text(page, 'growth.seasonality[10]-error'), /between 0.01 and 100/);
  await input(page, 'growth.seasonality[10]').fill('1.4');
  await page.getByTestId('add-event').click();
  await input(page, 'growth.events[0].multiplier').fill('2');
  await input(page, 'uncertainty.paths').fill('2000');
  await input(page, 'phases[0].app.max_instances').fill('4');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('s')?.startsWith('v1.'));
  await settle(page);
  const link = await page.evaluate(() => location.href);
  const again = await openPage(browser, new URL(link).pathname + new URL(link).search);
  assert.equal(await input(again, 'growth.seasonality[10]').inputValue(), '1.4');
  assert.equal(await input(again, 'growth.events[0].multiplier').inputValue(), '2');
  assert.equal(await input(again, 'uncertainty.paths').inputValue(), '2000');
  assert.equal(await input(again, 'phases[0].app.max_instances').inputValue(), '4');
  // Back to the stated spreads in one click.
  await again.getByTestId('uncertainty-defaults').click();
  assert.equal(await input(again, 'uncertainty.paths').inputValue(), '10000');
  assert.deepEqual(page.errors, []);
  assert.deepEqual(again.errors, []);
});

test('where the ladder departs from the seeds, the Scenario page says so, until the value is changed', async () => {
  const page = await openPage(browser, '/scenario');
  const notes = page.locator('[data-testid="phase-editor-0"] [data-testid="seed-departure"]');
  await notes.first().waitFor();
  const redis = page.locator('[data-testid="phase-editor-0"] [data-field="phases[0].cache.memory_mib"]');
  assert.match(await redis.innerText(), /^Redis memory: seed 256 MB; 512 MiB here because .+2,176\.$/);
  assert.equal(await notes.count(), 2);
  // The user's own value is theirs: the note goes.
  await input(page, 'phases[0].cache.memory_mib').fill('1024');
  await page.waitForFunction(() => !document.querySelector('[data-field="phases[0].cache.memory_mib"]'));
  assert.equal(await notes.count(), 1);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
