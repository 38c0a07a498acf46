// Saved scenarios in the browser: Save and Save as from a page, the unsaved-changes marker, the
// saved revision in the address bar surviving a reload, a stale save's conflict and its choices,
// and the library (search, open, archive, restore, history). Each test saves under a name of its
// own: the server's database lives for the whole run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, text, settle, addressWith, BASE } from './harness.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const unique = (what) => `E2E ${what} ${Date.now()}-${Math.floor(Math.random() * 1e6)}`;

/** Saves the open plan under a new name through the Save as form. */
async function saveAs(page, name) {
  await page.getByTestId('save-as').click();
  await page.getByTestId('save-name').fill(name);
  await page.getByTestId('save-as-confirm').click();
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid="save-status"]')?.innerText.startsWith(n), name);
}

/** The saved scenario and revision the address bar names, once it names `revision`. */
const savedParams = async (page, revision) => {
  const u = await addressWith(page, 'revision', revision);
  return { id: u.searchParams.get('scenario'), revision: u.searchParams.get('revision'), url: u.href };
};

test('a plan is saved, edited, saved again and reopened from its address', async () => {
  const page = await openPage(browser, '/');
  assert.match(await text(page, 'save-status'), /Not saved/);
  const name = unique('plan');
  await saveAs(page, name);
  assert.equal(await text(page, 'save-status'), `${name} · revision 1`);
  const { id, revision } = await savedParams(page, '1');
  assert.ok(id && revision === '1');
  assert.equal(await page.getByTestId('unsaved-marker').count(), 0);
  assert.ok(await page.getByTestId('save').isDisabled(), 'nothing to save');

  await page.getByTestId('peak-input').fill('1800');
  await page.getByTestId('unsaved-marker').waitFor();
  await page.getByTestId('save-message').fill('Peak 1,800');
  await page.getByTestId('save').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="save-status"]')?.innerText.endsWith('revision 2'));
  assert.equal(await page.getByTestId('unsaved-marker').count(), 0);
  const revisions = await (await fetch(`${BASE}/api/v1/scenarios/${id}/revisions`)).json();
  assert.deepEqual(revisions.revisions.map((r) => [r.revision, r.message]), [[2, 'Peak 1,800'], [1, '']]);

  // The address bar names the revision: a reload (and the link) opens it, unchanged.
  const { url } = await savedParams(page, '2');
  const again = await openPage(browser, new URL(url).pathname + new URL(url).search);
  await again.waitForFunction(() => document.querySelector('[data-testid="save-status"]')?.innerText.endsWith('revision 2'));
  assert.equal(await again.getByTestId('peak-input').inputValue(), '1800');
  assert.equal(await again.getByTestId('unsaved-marker').count(), 0);
  // Only ?scenario= (no share code): the revision's own scenario opens.
  const bare = await openPage(browser, `/costs?scenario=${id}&revision=1`);
  await bare.waitForFunction(() => document.querySelector('[data-testid="save-status"]')?.innerText.endsWith('revision 1 of 2'));
  assert.deepEqual([...page.errors, ...again.errors, ...bare.errors], []);
});

test('a stale save is refused and the user chooses: overwrite, or keep both', async () => {
  const page = await openPage(browser, '/');
  const name = unique('conflict');
  await saveAs(page, name);
  const { id } = await savedParams(page, '1');
  // Someone else saves revision 2 behind this page's back.
  const theirs = await (await fetch(`${BASE}/api/v1/scenarios/${id}`)).json();
  theirs.scenario.growth.monthly_rate = 0.2;
  const put = await fetch(`${BASE}/api/v1/scenarios/${id}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'if-match': '"1"' },
    body: JSON.stringify({ name, scenario: theirs.scenario, message: 'theirs' }),
  });
  assert.equal(put.status, 200);

  await page.getByTestId('peak-input').fill('1700');
  await page.getByTestId('unsaved-marker').waitFor();
  await page.getByTestId('save').click();
  await page.getByTestId('save-conflict').waitFor();
  const changes = await text(page, 'conflict-changes');
  assert.match(changes, /growth\.monthly_rate: 0\.2 → 0\.08/);
  assert.match(changes, /workload\.peak_concurrent_users/);
  // Keep both: this plan as a copy, theirs untouched.
  await page.getByTestId('conflict-copy').click();
  await page.waitForFunction((n) => document.querySelector('[data-testid="save-status"]')?.innerText.startsWith(`${n} (copy) · revision 1`), name);
  const latest = await (await fetch(`${BASE}/api/v1/scenarios/${id}`)).json();
  assert.equal(latest.revision, 2);
  assert.equal(latest.scenario.growth.monthly_rate, 0.2, 'their save is intact');

  // Overwrite: from a page that opened revision 2, after a third save elsewhere.
  const second = await openPage(browser, `/?scenario=${id}&revision=2`);
  await second.waitForFunction(() => document.querySelector('[data-testid="save-status"]')?.innerText.endsWith('revision 2'));
  await fetch(`${BASE}/api/v1/scenarios/${id}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'if-match': '"2"' },
    body: JSON.stringify({ name, scenario: theirs.scenario, message: 'third' }),
  });
  await second.getByTestId('peak-input').fill('1600');
  await second.getByTestId('save').click();
  await second.getByTestId('conflict-overwrite').click();
  await second.waitForFunction(() => document.querySelector('[data-testid="save-status"]')?.innerText.endsWith('revision 4'));
  const history = await (await fetch(`${BASE}/api/v1/scenarios/${id}/revisions`)).json();
  assert.deepEqual(history.revisions.map((r) => r.message), ['', 'third', 'theirs', ''], 'nothing lost');
  // The browser logs each refused save's 409 itself; nothing else may be logged.
  const unexpected = [...page.errors, ...second.errors].filter((e) => !e.includes('status of 409'));
  assert.deepEqual(unexpected, []);
});

test('an invalid save is explained and nothing is stored', async () => {
  const page = await openPage(browser, '/');
  await page.getByTestId('save-as').click();
  await page.getByTestId('save-name').fill('   ');
  await page.getByTestId('save-as-confirm').click();
  assert.match(await text(page, 'save-error'), /name: must not be empty/);
  assert.match(await text(page, 'save-status'), /Not saved/);
  assert.deepEqual(page.errors, []);
});

test('the library searches, opens, archives and restores, and shows each history', async () => {
  const page = await openPage(browser, '/');
  const name = unique('library');
  await saveAs(page, name);
  await page.locator('nav a[data-path="/scenarios"]').click();
  await page.waitForFunction(() => document.querySelector('main h1')?.innerText === 'Library');
  await page.getByTestId('library-search').fill(name.toUpperCase());
  await page.waitForFunction((n) => {
    const rows = [...document.querySelectorAll('[data-testid="library-row"]')];
    return rows.length === 1 && rows[0].innerText.includes(n);
  }, name);
  await page.getByRole('button', { name: 'History' }).click();
  await page.getByTestId('revisions').waitFor();
  assert.match(await text(page, 'revisions'), /Revision 1/);

  await page.getByTestId('library-archive').click();
  await page.getByTestId('library-empty').waitFor();
  await page.getByTestId('library-archived').check();
  await page.getByTestId('library-restore').waitFor();
  await page.getByTestId('library-restore').click();
  await page.getByTestId('library-archived').uncheck();
  await page.getByTestId('library-open').waitFor();
  await page.getByTestId('library-open').click();
  await page.waitForFunction(() => document.querySelector('main h1')?.innerText === 'Overview');
  assert.equal(await text(page, 'save-status'), `${name} · revision 1`);
  assert.deepEqual(page.errors, []);
});

test('the compare page puts this plan, a saved revision and a share link side by side', async () => {
  // A share link of another preset.
  const other = await openPage(browser, '/');
  await other.getByTestId('preset-picker').selectOption('ecommerce');
  await settle(other);
  const shareLink = await other.getByTestId('share-link').inputValue();

  const page = await openPage(browser, '/');
  const name = unique('compare');
  await saveAs(page, name);
  await page.getByTestId('peak-input').fill('1900');
  await page.getByTestId('unsaved-marker').waitFor();
  await page.locator('nav a[data-path="/compare"]').click();
  await page.waitForFunction(() => document.querySelector('main h1')?.innerText === 'Compare');
  await page.waitForFunction((n) => [...document.querySelectorAll('[data-testid="compare-saved"] option')]
    .some((o) => o.innerText.startsWith(n)), name);
  const value = await page.locator('[data-testid="compare-saved"] option', { hasText: name }).getAttribute('value');
  await page.getByTestId('compare-saved').selectOption(value);
  await page.getByTestId('compare-add-saved').click();
  await page.getByTestId('compare-link').fill(shareLink);
  await page.getByTestId('compare-add-link').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="compare-table"] thead th').length === 4);
  const heads = (await page.locator('[data-testid="compare-table"] thead th').allTextContents()).map((h) => h.trim());
  assert.equal(heads[1], 'This plan');
  assert.match(heads[2], new RegExp(`^${name} · r1`));
  assert.match(heads[3], /^Link: E-commerce/);
  // The saved revision differs from this plan only in its peak.
  const changes = await page.getByTestId('compare-changes').first().innerText();
  assert.match(changes, /workload\.peak_concurrent_users: 1900(\.0)? → 1310(\.0)?/);
  assert.equal(changes.trim().split('\n').length, 1, changes);
  const series = await page.evaluate(() => {
    const el = document.querySelector('[data-testid="compare-cost-chart"]');
    return window.echarts?.getInstanceByDom(el).getOption().series.map((s) => s.name);
  });
  assert.deepEqual(series, ['This plan', `${name} · r1`, series[2]]);
  assert.equal((await page.getByTestId('compare-bills').locator('.bill').count()), 3);

  // Trying a change here: this plan's column and every delta follow; the loaded columns' cells
  // are not rebuilt (a mark on their elements survives the edit).
  const costs = () => page.locator('[data-testid="compare-cost-now"]').allInnerTexts();
  const before = await costs();
  await page.evaluate(() => {
    document.querySelectorAll('[data-testid="compare-bills"] .bill')[1].dataset.mark = 'kept';
    document.querySelectorAll('[data-testid="compare-recommended"]')[2].dataset.mark = 'kept';
  });
  await page.locator('input[data-testid="workload.peak_concurrent_users"]').fill('4000');
  await page.waitForFunction((b) => document.querySelector('[data-testid="compare-cost-now"]')?.innerText !== b, before[0]);
  const after = await costs();
  assert.notEqual(after[1], before[1], 'the saved column\'s delta follows this plan');
  assert.equal(after[1].split(' (')[0], before[1].split(' (')[0], 'its own cost does not move');
  assert.match(await page.getByTestId('compare-changes').first().innerText(), /peak_concurrent_users: 4000(\.0)? → 1310/);
  assert.deepEqual(await page.evaluate(() => [
    document.querySelectorAll('[data-testid="compare-bills"] .bill')[1].dataset.mark,
    document.querySelectorAll('[data-testid="compare-recommended"]')[2].dataset.mark,
  ]), ['kept', 'kept']);

  // Editing this plan elsewhere and coming back: the columns stay, and this plan's follows.
  await page.locator('nav a[data-path="/"]').click();
  await page.getByTestId('peak-input').fill('2500');
  await page.locator('nav a[data-path="/compare"]').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="compare-table"] thead th').length === 4);
  assert.match(await page.getByTestId('compare-changes').first().innerText(), /peak_concurrent_users: 2500(\.0)? → 1310/);
  assert.equal(await page.locator('input[data-testid="workload.peak_concurrent_users"]').inputValue(), '2500');
  assert.deepEqual([...page.errors, ...other.errors], []);
});
