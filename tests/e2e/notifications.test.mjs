// Notifications on the Operations page against the shared server (auth none: the local admin;
// a secret_key set): a webhook channel pointing at a receiver this test runs, listed without its
// secret; its test message, signed as documented (HMAC-SHA256 of "timestamp.body"); a plain-http
// URL off this machine refused under the URL field; a rule on transitions, the transition that
// fires it, the signed event at the receiver and the delivery log's "sent"; a rename; and the
// removals (the channel refused while the rule names it). The server is shared with the other
// tests: the rule and the channel are removed and the platform moved back to the phase it was
// found on (through the API as well, if a step failed half-way).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';
import { launch, openPage, text, BASE } from './harness.mjs';

const SECRET = 'e2e-secret';

let browser;
let receiver;
let port;
/** Every request the receiver got: method, path, headers, raw body. */
const received = [];
/** Called on each request (the waits of `requestTo`). */
const listeners = new Set();

before(async () => {
  browser = await launch();
  receiver = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      for (const l of listeners) l();
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  port = receiver.address().port;
});
after(async () => {
  await browser?.close();
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve()));
});

/** The first request the receiver got that `match`es: at once if it is there, else as soon as it
 * arrives; a failure after `ms`. */
async function requestTo(match, what, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const hit = received.find(match);
    if (hit) return hit;
    const left = deadline - Date.now();
    assert.ok(left > 0, `the receiver got ${what} within ${ms / 1000} s (it got ${received.length} requests)`);
    await new Promise((resolve) => {
      const done = () => { clearTimeout(timer); listeners.delete(done); resolve(); };
      const timer = setTimeout(done, left);
      listeners.add(done);
    });
  }
}

/** The request is signed with SECRET as documented: `sha256=` + hex HMAC-SHA256 of
 * "timestamp.body", with a timestamp of now. */
function assertSigned(r) {
  const ts = r.headers['x-phaseplan-timestamp'];
  assert.match(ts ?? '', /^\d+$/, 'X-Phaseplan-Timestamp is unix seconds');
  assert.ok(Math.abs(Date.now() / 1000 - Number(ts)) < 300, `the timestamp ${ts} is now`);
  const mac = crypto.createHmac('sha256', SECRET).update(`${ts}.`).update(r.body).digest('hex');
  assert.equal(r.headers['x-phaseplan-signature'], `sha256=${mac}`);
}

const json = async (path) => {
  const res = await fetch(BASE + path);
  assert.equal(res.status, 200, path);
  return res.json();
};
const platformStatus = () => json('/api/v1/platforms/default/status');

/** The browser logs each refused request itself (the 409 of a channel still in use): nothing
 * else may be logged. */
const unexpected = (page, ...statuses) =>
  page.errors.filter((e) => !statuses.some((s) => e.includes(`status of ${s}`)));

/** Waits until the phase track marks `key` as the current phase (the page re-read the status). */
const trackOn = (page, key) => page.waitForFunction(
  (k) => document.querySelector('[data-testid="ops-track"] li[aria-current="step"]')?.dataset.phase === k, key);

/** Picks `to` in the transition form, gives a reason, and records it. */
async function recordTransition(page, to, reason) {
  await page.getByTestId('transition-to').selectOption(to);
  await page.getByTestId('transition-reason').fill(reason);
  await page.getByTestId('transition-force').setChecked(false);
  await page.getByTestId('transition-record').click();
  await page.waitForFunction((k) => document.querySelector('[data-testid="transition-outcome"]')?.dataset.to === k, to);
}

test('a webhook channel: signed tests and transitions, the delivery log, and the refusals', async () => {
  const before = await platformStatus();
  const { platform, phases } = before;
  const from = phases.findIndex((p) => p.key === platform.phase);
  assert.ok(from >= 0, `the ladder has the platform's phase ${platform.phase}`);
  const to = platform.next_phase ? from + 1 : from - 1;
  assert.ok(phases[to], 'the ladder has a phase to move to');

  const name = `e2e-hook-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const url = `http://127.0.0.1:${port}/hook`;
  let channelId = null;
  let ruleId = null;
  const page = await openPage(browser, '/operations');
  try {
    await trackOn(page, platform.phase);
    await page.getByTestId('channel-form').waitFor();

    // Added: listed with where it delivers and how its secret was given, never the secret.
    await page.getByTestId('channel-kind').selectOption('webhook');
    await page.getByTestId('channel-name').fill(name);
    await page.getByTestId('channel-url').fill(url);
    await page.getByTestId('channel-secret').fill(SECRET);
    assert.equal(await text(page, 'channel-secret-help'),
      "inline, or env:NAME, or file:PATH under the server's secrets_dir; stored encrypted, never shown again.");
    await page.getByTestId('channel-add').click();
    await page.getByTestId('channel-added').waitFor();
    const row = page.locator(`[data-testid="channel-row"][data-name="${name}"]`);
    await row.waitFor();
    channelId = await row.getAttribute('data-id');
    assert.ok(channelId, 'the row names its channel');
    const byId = page.locator(`[data-testid="channel-row"][data-id="${channelId}"]`);
    assert.equal(await byId.getByTestId('channel-target').innerText(), url);
    assert.equal(await byId.getByTestId('channel-secret-source').innerText(), 'inline');
    assert.equal(await byId.getAttribute('data-failing'), 'false');
    assert.equal(await page.getByTestId('channel-secret').inputValue(), '', 'the secret input is emptied');
    const shown = await page.evaluate(() => [
      document.body.innerText,
      ...[...document.querySelectorAll('input, textarea')].map((i) => i.value),
    ].join('\n'));
    assert.ok(!shown.includes(SECRET), 'the secret is nowhere in the page');
    const listed = await (await fetch(`${BASE}/api/v1/notifications/channels`)).text();
    assert.ok(listed.includes(channelId) && !listed.includes(SECRET), 'the API lists it without its secret');

    // Test: "sent" in its row, and the receiver got the signed test message.
    await byId.getByTestId('channel-test').click();
    const result = byId.getByTestId('channel-test-result');
    await result.waitFor();
    assert.equal(await result.getAttribute('data-sent'), 'true', await result.innerText());
    assert.equal(await result.innerText(), 'sent');
    const probe = await requestTo((r) => r.headers['x-phaseplan-event'] === 'test', 'the test message');
    assert.equal(probe.method, 'POST');
    assert.equal(probe.url, '/hook');
    assertSigned(probe);
    assert.equal(JSON.parse(probe.body).event.kind, 'test');

    // Plain http off this machine: refused under the URL field, nothing added.
    await page.getByTestId('channel-name').fill(`${name}-plain`);
    await page.getByTestId('channel-url').fill('http://example.com/x');
    await page.getByTestId('channel-secret').fill('x');
    await page.getByTestId('channel-add').click();
    await page.getByTestId('channel-url-error').waitFor();
    assert.match(await text(page, 'channel-url-error'), /^Url: .*https/);
    assert.equal(await page.getByTestId('channel-url').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator(`[data-testid="channel-row"][data-name="${name}-plain"]`).count(), 0);
    const all = await json('/api/v1/notifications/channels');
    assert.ok(!all.channels.some((c) => c.name === `${name}-plain`), 'the server has no such channel');

    // A rule on transitions to the channel.
    const offered = await page.getByTestId('rule-trigger').locator('option').evaluateAll((os) => os.map((o) => o.value));
    assert.deepEqual(offered, ['status_change', 'next_phase_soon', 'milestone_due', 'milestone_late', 'transition', 'channel_failing', 'alert_firing']);
    await page.getByTestId('rule-trigger').selectOption('transition');
    await page.locator(`[data-testid="rule-channel"][data-id="${channelId}"]`).check();
    assert.equal(await page.getByTestId('rule-cooldown').inputValue(), '30');
    await page.getByTestId('rule-add').click();
    await page.getByTestId('rule-added').waitFor();
    const ruleRow = page.locator('[data-testid="rule-row"][data-trigger="transition"]', { hasText: name });
    await ruleRow.waitFor();
    ruleId = await ruleRow.getAttribute('data-id');
    assert.equal(await ruleRow.getByTestId('rule-trigger-words').innerText(), 'A transition is recorded');
    assert.equal(await ruleRow.getByTestId('rule-channels').innerText(), name);
    assert.equal(await ruleRow.getByTestId('rule-cooldown-words').innerText(), '30 min');
    const rules = await json('/api/v1/platforms/default/notification-rules');
    assert.deepEqual(rules.rules.find((r) => r.id === ruleId)?.channels, [channelId]);

    // On a phone the panels fit: the tables scroll inside focusable, named regions.
    const phone = await openPage(browser, '/operations', { width: 390, height: 844 });
    await phone.locator(`[data-testid="channel-row"][data-id="${channelId}"]`).waitFor();
    await phone.locator(`[data-testid="rule-row"][data-id="${ruleId}"]`).waitFor();
    await phone.getByTestId('deliveries').waitFor();
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page overflows horizontally by ${overflow}px at 390px`);
    for (const id of ['channels', 'rules', 'deliveries']) {
      const region = phone.getByTestId(id).locator('xpath=..');
      assert.equal(await region.getAttribute('class'), 'table-scroll');
      assert.equal(await region.getAttribute('tabindex'), '0');
      assert.ok(await region.getAttribute('aria-label'), `${id} scrolls in a named region`);
    }
    assert.deepEqual(phone.errors, []);
    await phone.context().close();

    // The channel cannot go while the rule names it: the server's reason, in its row.
    await byId.getByTestId('channel-remove').click();
    await byId.getByTestId('channel-remove-confirm').click();
    await byId.getByTestId('channel-remove-error').waitFor();
    assert.ok((await byId.getByTestId('channel-remove-error').innerText()).includes(ruleId), 'the refusal names the rule');
    assert.equal(await byId.count(), 1, 'the channel stays');

    // A transition: the receiver gets the signed event, the log shows it sent.
    await recordTransition(page, phases[to].key, 'E2E: a transition to notify');
    await trackOn(page, phases[to].key);
    const hit = await requestTo((r) => r.headers['x-phaseplan-event'] === 'transition', 'a transition event');
    assert.equal(hit.url, '/hook');
    assertSigned(hit);
    const body = JSON.parse(hit.body);
    assert.equal(body.type, 'phaseplan.event');
    assert.equal(body.event.kind, 'transition');
    assert.equal(body.event.platform, 'default');
    assert.equal(body.event.title, `default moved from ${phases[from].name} to ${phases[to].name}`);
    // The log follows the worker on its own: the delivery, queued before the transition's answer,
    // turns "sent" on the page without a Refresh.
    const sent = page.locator(
      `[data-testid="delivery-row"][data-kind="transition"][data-channel="${channelId}"][data-state="sent"]`);
    await sent.first().waitFor({ timeout: 20_000 }).catch(() => {
      assert.fail('the delivery log shows the transition sent within 20 s, without a Refresh');
    });
    const delivered = sent.first();
    assert.equal(await delivered.getByTestId('delivery-title').innerText(), body.event.title);
    assert.equal(await delivered.getByTestId('delivery-channel').innerText(), name);
    // (textContent: the badge is drawn in capitals.)
    assert.equal(await delivered.getByTestId('delivery-state').textContent(), 'sent');
    assert.equal(await delivered.getByTestId('delivery-attempts').innerText(), '1');
    assert.match(await delivered.getByTestId('delivery-when').innerText(), /^sent \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    // Refresh reads the log again: the same row, still sent.
    await page.getByTestId('deliveries-refresh').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="deliveries"]')?.hasAttribute('aria-busy'));
    assert.equal(await sent.count(), 1, 'one row for the one delivery after a Refresh');

    // A rename: the row follows, the secret stays stored.
    await byId.getByTestId('channel-edit').click();
    await page.getByTestId('channel-edit-form').waitFor();
    await page.getByTestId('channel-edit-name').fill(`${name}-renamed`);
    await page.getByTestId('channel-edit-save').click();
    await page.getByTestId('channel-edited').waitFor();
    await page.waitForFunction(([id, n]) => [...document.querySelectorAll('[data-testid="channel-row"]')]
      .find((e) => e.dataset.id === id)?.dataset.name === n, [channelId, `${name}-renamed`]);
    assert.equal(await byId.getByTestId('channel-secret-source').innerText(), 'inline');
    assert.equal(await page.getByTestId('channel-edit-form').count(), 0, 'the edit form closes');

    // The rule, then the channel, removed.
    await ruleRow.getByTestId('rule-remove').click();
    await page.locator(`[data-testid="rule-row"][data-id="${ruleId}"]`).waitFor({ state: 'detached' });
    const left = await json('/api/v1/platforms/default/notification-rules');
    assert.ok(!left.rules.some((r) => r.id === ruleId), 'the rule is gone');
    ruleId = null;
    await byId.getByTestId('channel-remove').click();
    await byId.getByTestId('channel-remove-confirm').click();
    await byId.waitFor({ state: 'detached' });
    const remaining = await json('/api/v1/notifications/channels');
    assert.ok(!remaining.channels.some((c) => c.id === channelId), 'the channel is gone');
    channelId = null;

    // Back where the platform was.
    await recordTransition(page, platform.phase, 'E2E: back to where the test found it');
    await trackOn(page, platform.phase);
    assert.equal((await platformStatus()).platform.phase, platform.phase);
    assert.deepEqual(unexpected(page, 409), []);
  } finally {
    // Whatever failed above, the server is left as it was found.
    if (ruleId) await fetch(`${BASE}/api/v1/platforms/default/notification-rules/${ruleId}`, { method: 'DELETE' });
    if (channelId) await fetch(`${BASE}/api/v1/notifications/channels/${channelId}`, { method: 'DELETE' });
    const now = await platformStatus();
    if (now.platform.phase !== platform.phase) {
      await fetch(`${BASE}/api/v1/platforms/default/transitions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ to: platform.phase, reason: 'E2E: back to where the test found it', force: true }),
      });
    }
    await page.context().close();
  }
});

test("an alert Alertmanager posts shows on the platform's live panel until it is resolved", async () => {
  const alert = (status) => ({
    version: '4', status, receiver: 'phaseplan', groupKey: '{}:{alertname="PhaseplanCacheMemoryWarning"}',
    alerts: [{
      status,
      labels: { alertname: 'PhaseplanCacheMemoryWarning', severity: 'warning', platform: 'default', component: 'cache_memory' },
      annotations: { summary: 'Redis memory above 70 % (warning) in phase <b>Launch</b>' },
      startsAt: '2026-12-01T10:00:00Z',
      fingerprint: 'e2e0000000000001',
    }],
  });
  const post = (status) => fetch(`${BASE}/api/v1/alertmanager?platform=default`, {
    method: 'POST', headers: { 'content-type': 'application/json', origin: BASE }, body: JSON.stringify(alert(status)),
  });
  assert.equal((await post('firing')).status, 200);
  const page = await openPage(browser, '/operations');
  const row = page.getByTestId('ops-alert');
  await row.first().waitFor();
  const shown = await row.first().innerText();
  assert.match(shown, /PhaseplanCacheMemoryWarning/);
  assert.match(shown, /Cache memory/);
  // The summary is text: its markup is shown, not run.
  assert.match(shown, /<b>Launch<\/b>/);
  assert.equal((await post('resolved')).status, 200);
  await page.reload();
  await page.getByTestId('ops-alerts-none').waitFor();
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
