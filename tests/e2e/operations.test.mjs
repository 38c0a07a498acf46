// The Operations page against the shared server: the default platform on its phase, a
// transition up (the track, the history and the bundle link follow, and so does the seeds'
// scaling API), the checklist toward the next phase (a tick with who and when, an action added),
// a skip without force refused under the phase picker, and the transition back down. The server
// is shared with the other tests: the test moves the platform back to the phase it found it on
// and sets the item it ticked back to its state. The action it adds stays (nothing deletes
// one); it is added on the phase above, toward a phase the default platform does not lead to
// once it is back, so its own checklist and the seeds' status read as before.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, text, addressWith, BASE } from './harness.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const json = async (path) => {
  const res = await fetch(BASE + path);
  assert.equal(res.status, 200, path);
  return res.json();
};
const platformStatus = () => json('/api/v1/platforms/default/status');
const scalingStatus = () => json('/api/scaling/status');

/** The browser logs each refused request itself (the 422 of a skip): nothing else may be logged. */
const unexpected = (page, ...statuses) =>
  page.errors.filter((e) => !statuses.some((s) => e.includes(`status of ${s}`)));

/** Waits until the phase track marks `key` as the current phase (the page re-read the status). */
const trackOn = (page, key) => page.waitForFunction(
  (k) => document.querySelector('[data-testid="ops-track"] li[aria-current="step"]')?.dataset.phase === k, key);

/** The checklist item `id`'s row. */
const itemRow = (page, id) =>
  page.locator(`[data-testid="checklist-item"][data-id="${id.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"]`);

/** Waits until the checklist item `id` is in `state` (the page re-read the list). */
const itemIn = (page, id, state) => page.waitForFunction(([i, s]) => [...document.querySelectorAll('[data-testid="checklist-item"]')]
  .find((e) => e.dataset.id === i)?.dataset.state === s, [id, state]);

/** Picks `to` in the transition form, gives a reason, and records it (`force` ticked or not). */
async function recordTransition(page, to, reason, force = false) {
  await page.getByTestId('transition-to').selectOption(to);
  await page.getByTestId('transition-reason').fill(reason);
  await page.getByTestId('transition-force').setChecked(force);
  await page.getByTestId('transition-record').click();
}

test('the default platform: a move up, its checklist, a refused skip, and the move back', async () => {
  const before = await platformStatus();
  const { platform, phases } = before;
  const from = phases.findIndex((p) => p.key === platform.phase);
  assert.ok(from >= 0, `the ladder has the platform's phase ${platform.phase}`);
  // The step to try: the next phase up (the top of the ladder steps down instead).
  const to = platform.next_phase ? from + 1 : from - 1;
  assert.ok(phases[to], 'the ladder has a phase to move to');

  const page = await openPage(browser, '/operations');
  assert.equal(await page.locator('main h1').innerText(), 'Operations');
  await trackOn(page, platform.phase);
  assert.equal(await text(page, 'ops-platform-name'), 'default');
  assert.equal(await page.getByTestId('ops-phase').getAttribute('data-phase'), platform.phase);
  // (textContent: the badge is drawn in capitals.)
  assert.equal(await page.getByTestId('ops-phase').textContent(), platform.phase_name);
  assert.equal(await text(page, 'ops-scenario'), platform.scenario_name);
  assert.match(await text(page, 'ops-revision'), new RegExp(`^${platform.revision} of latest ${platform.latest_revision}$`));
  const steps = await page.locator('[data-testid="ops-track"] li').evaluateAll((els) => els.map((e) => e.dataset.phase));
  assert.deepEqual(steps, phases.map((p) => p.key), 'the track is the ladder, in order');
  const rowsBefore = before.transitions.length;
  assert.equal(await page.getByTestId('transition-row').count(), rowsBefore);

  // A move to the next phase: the outcome, its bundle, the track and the history follow.
  await recordTransition(page, phases[to].key, 'E2E: users passed the warning line');
  await page.getByTestId('transition-outcome').waitFor();
  assert.equal(await page.getByTestId('transition-outcome').getAttribute('data-to'), phases[to].key);
  const bundle = await page.getByTestId('transition-bundle').getAttribute('href');
  assert.match(bundle, new RegExp(`^/api/v1/bundles/${phases[to].key}/${platform.provider}\\.zip\\?`));
  assert.ok((await page.getByTestId('transition-next-steps').locator('li').count()) > 0);
  await trackOn(page, phases[to].key);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="transition-row"]').length === n, rowsBefore + 1);
  const newest = page.getByTestId('transition-row').first();
  assert.equal(await newest.getAttribute('data-from'), platform.phase);
  assert.equal(await newest.getAttribute('data-to'), phases[to].key);
  assert.match(await newest.innerText(), new RegExp(`${phases[from].name} → ${phases[to].name}`));
  assert.match(await newest.innerText(), /local/);
  assert.match(await newest.innerText(), /E2E: users passed the warning line/);
  assert.match(await newest.getByTestId('transition-row-bundle').getAttribute('href'),
    new RegExp(`^/api/v1/bundles/${phases[to].key}/`));
  const zip = await fetch(BASE + bundle);
  assert.equal(zip.status, 200, bundle);
  assert.match(zip.headers.get('content-type'), /zip/);
  await zip.arrayBuffer();
  assert.equal((await scalingStatus()).status.currentPhase, phases[to].key, 'the seeds\' API follows');
  assert.equal((await platformStatus()).platform.phase, phases[to].key);

  // The checklist toward the phase after: a tick, with who and when, and the progress moves.
  const up = await platformStatus();
  const item = up.checklist.items.find((i) => i.state !== 'completed');
  assert.ok(item, 'an action is not completed yet');
  const { completed, total } = up.checklist;
  await page.waitForFunction(([c, t]) => {
    const p = document.querySelector('[data-testid="ops-progress"]');
    return p?.dataset.completed === String(c) && p?.dataset.total === String(t);
  }, [completed, total]);
  assert.equal(await itemRow(page, item.id).getByTestId('checklist-title').innerText(), item.title);
  await itemRow(page, item.id).getByTestId('checklist-state').selectOption('completed');
  await page.waitForFunction(([c, t]) => {
    const p = document.querySelector('[data-testid="ops-progress"]');
    return p?.innerText.startsWith(`${c} of ${t} completed`);
  }, [completed + 1, total]);
  await itemIn(page, item.id, 'completed');
  const who = await itemRow(page, item.id).getByTestId('checklist-who').innerText();
  assert.match(who, /^local · \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);

  // An action added by hand is listed (and counted).
  const title = `E2E action ${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  await page.getByTestId('checklist-new-title').fill(title);
  await page.getByTestId('checklist-add').click();
  await page.locator('[data-testid="checklist-title"]', { hasText: title }).waitFor();
  await page.waitForFunction(([c, t]) => document.querySelector('[data-testid="ops-progress"]')?.dataset.total === String(t)
    && document.querySelector('[data-testid="ops-progress"]')?.dataset.completed === String(c), [completed + 1, total + 1]);
  assert.equal(await page.getByTestId('checklist-new-title').inputValue(), '', 'the form is cleared');
  // The tick set back (with the version it has now).
  await itemRow(page, item.id).getByTestId('checklist-state').selectOption(item.state);
  await itemIn(page, item.id, item.state);

  // A skip without force is refused under the phase picker, naming the phase skipped.
  const skip = phases.findIndex((_, k) => Math.abs(k - to) >= 2);
  if (skip >= 0) {
    const over = phases[skip > to ? to + 1 : to - 1].name;
    await recordTransition(page, phases[skip].key, 'E2E: a skip', false);
    await page.getByTestId('transition-to-error').waitFor();
    const error = await text(page, 'transition-to-error');
    assert.match(error, /^Phase: skips /);
    assert.ok(error.includes(over), `${error} names ${over}`);
    assert.equal(await page.getByTestId('transition-to').getAttribute('aria-invalid'), 'true');
    assert.equal((await platformStatus()).platform.phase, phases[to].key, 'nothing was recorded');
    assert.equal(await page.locator('[data-testid="ops-track"] li[aria-current="step"]').getAttribute('data-phase'), phases[to].key);
  }

  // Back down where the platform was: the server is left as it was found.
  await recordTransition(page, platform.phase, 'E2E: back to where the test found it');
  await page.waitForFunction((k) => document.querySelector('[data-testid="transition-outcome"]')?.dataset.to === k, platform.phase);
  await trackOn(page, platform.phase);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="transition-row"]').length === n, rowsBefore + 2);
  assert.equal(await page.getByTestId('transition-row').first().getAttribute('data-to'), platform.phase);
  assert.equal(await page.getByTestId('transition-to-error').count(), 0, 'the refusal is gone');
  const after = await platformStatus();
  assert.equal(after.platform.phase, platform.phase);
  assert.equal((await scalingStatus()).status.currentPhase, platform.phase);
  assert.deepEqual(
    after.checklist.items.map((i) => [i.id, i.state]),
    before.checklist.items.map((i) => [i.id, i.state]),
    'the checklist toward the next phase is as it was',
  );
  assert.deepEqual(unexpected(page, 422), []);
});

test('the pick is kept in the address bar beside the share code, and a phone shows the page without overflow', async () => {
  const page = await openPage(browser, '/operations', { width: 390, height: 844 });
  await page.getByTestId('ops-track').waitFor();
  await page.getByTestId('ops-readings').waitFor();
  await addressWith(page, 's');
  await page.getByTestId('ops-platform').selectOption('default');
  const address = await addressWith(page, 'platform', 'default');
  assert.ok(address.searchParams.get('s')?.startsWith('v1.'), 'the share code stays');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page overflows horizontally by ${overflow}px at 390px`);
  // Every scrolling table is a focusable, named region.
  const regions = await page.locator('main .table-scroll').evaluateAll((els) => els.map((e) => [e.tabIndex, e.getAttribute('aria-label')]));
  assert.ok(regions.length >= 2, `${regions.length} tables`);
  for (const [tabIndex, label] of regions) {
    assert.equal(tabIndex, 0);
    assert.ok(label, 'a scrolling region has a name');
  }

  // A reload keeps the pick; another page of the app keeps the share code, not the pick.
  const again = await openPage(browser, address.pathname + address.search, { width: 390, height: 844 });
  await again.waitForFunction(() => document.querySelector('[data-testid="ops-platform-name"]')?.innerText === 'default');
  await again.locator('nav a[data-path="/costs"]').click();
  await again.waitForFunction(() => document.querySelector('main h1')?.innerText === 'Costs');
  await again.waitForFunction(() => {
    const u = new URL(location.href);
    return u.pathname === '/costs' && u.searchParams.get('s')?.startsWith('v1.') && !u.searchParams.has('platform');
  });
  assert.deepEqual([...page.errors, ...again.errors], []);
});

test('a platform that does not exist is said so, not shown blank', async () => {
  const page = await openPage(browser, '/operations?platform=no-such-platform');
  await page.getByTestId('ops-error').waitFor();
  assert.match(await text(page, 'ops-error'), /no-such-platform/);
  assert.equal(await page.getByTestId('ops-track').count(), 0);
  assert.deepEqual(unexpected(page, 404), []);
});
