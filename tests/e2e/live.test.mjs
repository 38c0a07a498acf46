// The Live page against a server of its own (so it can be stopped and restarted), sampling every
// half second from the host and from a real redis-server that the test stops and starts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { launch } from './harness.mjs';

const BIN = process.env.PHASEPLAN_BIN ?? 'target/release/phaseplan';

const freePort = () => new Promise((resolve, reject) => {
  const s = net.createServer();
  s.once('error', reject);
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, check, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try { if (await check()) return; } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function stop(child) {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

let dir; let browser; let server; let redis; let port; let redisPort; let base;

function startRedis() {
  redis = spawn('redis-server', [
    '--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--maxmemory', '64mb',
  ], { stdio: 'ignore' });
  // Ready when it answers PING with PONG (a Redis still loading answers -LOADING).
  return waitFor('redis to answer PING', () => new Promise((resolve) => {
    const s = net.connect(redisPort, '127.0.0.1', () => s.write('PING\r\n'));
    s.setTimeout(2_000, () => { s.destroy(); resolve(false); });
    s.on('data', (d) => { s.end(); resolve(d.toString().startsWith('+PONG')); });
    s.on('error', () => resolve(false));
  }), 60_000);
}

async function startServer() {
  // The server refuses PHASEPLAN_* variables it does not know (PHASEPLAN_URL is the test's).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PHASEPLAN_')));
  server = spawn(BIN, ['-c', join(dir, 'phaseplan.toml'), '--host', '127.0.0.1', '--port', String(port), '--data-dir', join(dir, 'data')], {
    stdio: ['ignore', 'ignore', 'inherit'], env: { ...env, RUST_LOG: 'error' },
  });
  await waitFor('the server to answer its health check', async () => (await fetch(`${base}/api/v1/health`)).ok, 60_000);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'phaseplan-live-'));
  [port, redisPort] = [await freePort(), await freePort()];
  base = `http://127.0.0.1:${port}`;
  writeFileSync(join(dir, 'phaseplan.toml'), `
[live]
interval_seconds = 0.5
history_hours = 1

[[live.sources]]
kind = "host"

[[live.sources]]
kind = "redis"
name = "cache"
url = "redis://127.0.0.1:${redisPort}"
`);
  await startRedis();
  await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await stop(server);
  await stop(redis);
  rmSync(dir, { recursive: true, force: true });
});

async function openLive(path = '/live') {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.errors = [];
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push(m.text()); });
  page.on('pageerror', (e) => page.errors.push(e.message));
  await page.goto(base + path);
  await page.waitForSelector('[data-testid="live-connection"][data-state="open"]');
  await page.waitForSelector('[data-testid="live-readings"] tbody tr[data-component]');
  return page;
}

const connectionState = (page) => page.getAttribute('[data-testid="live-connection"]', 'data-state');
const lastSample = (page) => page.getAttribute('[data-testid="live-connection"]', 'data-at');

/** The warning / critical lines an ECharts chart under `[data-component=…]` draws. */
const chartThresholds = (page, component) => page.evaluate((c) => {
  const el = document.querySelector(`.live-charts [data-component="${c}"] [data-testid="live-chart"]`);
  const chart = el && window.echarts?.getInstanceByDom(el);
  if (!chart) return null;
  return chart.getOption().series.slice(1).map((s) => s.markLine.data[0].yAxis);
}, component);

const readingRow = (page, component) => page.evaluate((c) => {
  const row = document.querySelector(`[data-testid="live-readings"] tr[data-component="${c}"]`);
  return row && [...row.querySelectorAll('td')].map((td) => td.innerText);
}, component);

test('the page streams host and Redis readings and draws them against the phase thresholds', async () => {
  const page = await openLive();
  const snapshot = await (await fetch(`${base}/api/v1/live/snapshot`)).json();
  const memory = await readingRow(page, 'app_memory');
  assert.ok(memory, 'a memory reading');
  assert.ok(Math.abs(parseFloat(memory[0]) - snapshot.values.memory_percent) < 5,
    `page ${memory[0]} vs server ${snapshot.values.memory_percent}`);
  // Redis's used memory against its maxmemory (64 MiB), as INFO reports it.
  const cache = await readingRow(page, 'cache_memory');
  assert.match(cache[3], / of 64 MiB$/);
  // One chart per component, each with the table's own warning and critical lines.
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="live-chart"] canvas').length >= 3);
  for (const component of ['app_cpu', 'app_memory', 'cache_memory']) {
    const row = await readingRow(page, component);
    await waitFor(`${component} chart`, async () => (await chartThresholds(page, component)) !== null);
    assert.deepEqual(await chartThresholds(page, component), [parseFloat(row[1]), parseFloat(row[2])], component);
  }
  const sources = await page.locator('[data-testid="live-sources"] tbody tr').evaluateAll(
    (rows) => rows.map((r) => [r.dataset.source, r.querySelector('[data-testid="source-state"]').innerText]));
  assert.deepEqual(sources, [['host', 'HEALTHY'], ['cache', 'HEALTHY']]);
  // Each source's latest values, in words: Redis's INFO as the server read it.
  const cacheRow = await page.innerText('[data-testid="live-sources"] tr[data-source="cache"]');
  assert.match(cacheRow, /maxmemory 64 MiB/);
  assert.match(cacheRow, /\d+ ops\/s/);
  assert.match(cacheRow, /clients \d+/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('updates arrive without a reload, and the phase picked re-judges them in the browser', async () => {
  const page = await openLive();
  await page.evaluate(() => { window.__marker = 1; });
  const first = await lastSample(page);
  await waitFor('a newer sample', async () => (await lastSample(page)) !== first, 5_000);
  assert.equal(await page.evaluate(() => window.__marker), 1, 'the page reloaded');

  const launchCpu = await readingRow(page, 'app_cpu');
  const options = await page.locator('[data-testid="live-phase"] option').evaluateAll((o) => o.map((x) => x.value));
  assert.ok(options.length >= 2, 'every phase of the plan is offered');
  await page.selectOption('[data-testid="live-phase"]', options.at(-1));
  await waitFor('the last phase', async () => (await page.innerText('[data-testid="live-action"]')).includes('Judged against'));
  const text = await page.innerText('[data-testid="live-action"]');
  const name = await page.locator(`[data-testid="live-phase"] option[value="${options.at(-1)}"]`).innerText();
  assert.ok(text.includes(`Judged against ${name}'s thresholds`), text);
  const topCpu = await readingRow(page, 'app_cpu');
  const thresholds = await chartThresholds(page, 'app_cpu');
  assert.deepEqual(thresholds, [parseFloat(topCpu[1]), parseFloat(topCpu[2])]);
  // The default plan's top phase holds CPU to other lines than its first.
  assert.notDeepEqual(topCpu.slice(1, 3), launchCpu.slice(1, 3));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a stopped source shows as stale with its error, and recovers', async () => {
  const page = await openLive();
  const cacheRow = '[data-testid="live-sources"] tr[data-source="cache"]';
  await stop(redis);
  await page.waitForSelector(`${cacheRow}[data-stale="true"]`, { timeout: 15_000 });
  const error = await page.innerText(`${cacheRow} [data-testid="source-error"]`);
  assert.ok(error.length > 0, 'the error is shown');
  // The host keeps streaming meanwhile, and the cache reading leaves the analysis.
  assert.equal(await page.getAttribute('[data-testid="live-sources"] tr[data-source="host"]', 'data-stale'), 'false');
  await waitFor('the cache reading to go', async () => (await readingRow(page, 'cache_memory')) === null, 5_000);
  await startRedis();
  await page.waitForSelector(`${cacheRow}[data-stale="false"]`, { timeout: 15_000 });
  await waitFor('the cache reading back', async () => (await readingRow(page, 'cache_memory')) !== null, 5_000);
  await page.context().close();
});

test('the page reconnects by itself after a server restart', async () => {
  const page = await openLive();
  // Open streams end at shutdown: the server does not wait its 10-s grace period for them.
  const stopping = Date.now();
  await stop(server);
  assert.ok(Date.now() - stopping < 5_000, `the server took ${Date.now() - stopping} ms to stop`);
  await waitFor('the page to notice', async () => (await connectionState(page)) === 'lost', 10_000);
  assert.match(await page.innerText('[data-testid="live-connection"]'), /Connection lost/);
  await startServer();
  await waitFor('the stream to reopen', async () => (await connectionState(page)) === 'open', 40_000);
  const reopened = await lastSample(page);
  await waitFor('samples from the new server', async () => (await lastSample(page)) !== reopened, 5_000);
  await page.context().close();
});

test('a rising history gives the date the next phase is needed', async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  // The server's history is what its sources measured since it started (seconds here); this
  // test serves two hours of CPU rising from 20 % by 10 points an hour instead, to see the page
  // fit and show it. The fit itself is the model's, unit-tested in shared/src/live.rs.
  const now = Date.now() / 1000;
  const points = [];
  for (let t = now - 7200; t <= now; t += 30) points.push([t, 20 + 10 * ((t - (now - 7200)) / 3600)]);
  await page.route('**/api/v1/live/history?**', (route) => {
    const metric = new URL(route.request().url()).searchParams.get('metric');
    route.fulfill({ json: { metric, points: metric === 'cpu_percent' ? points : [] } });
  });
  // The stream: the server's own update, with the host's CPU on the same line (the real CPU of
  // this machine, busy running the browser, would tilt the fit).
  const [snapshot, analysis] = await Promise.all(
    ['snapshot', 'analysis'].map(async (p) => (await fetch(`${base}/api/v1/live/${p}`)).json()));
  snapshot.values.cpu_percent = 40;
  for (const s of snapshot.sources) s.last_success = now + 1;
  const update = { snapshot: { ...snapshot, at: now + 1 }, analysis, sent_at_ms: Date.now() };
  await page.route('**/api/v1/live/stream', (route) => route.fulfill({
    status: 200,
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
    body: `retry: 60000\nevent: update\ndata: ${JSON.stringify(update)}\n\n`,
  }));
  await page.goto(`${base}/live`);
  // Six hours back, so the two served hours all stay in the window.
  await page.waitForSelector('[data-testid="live-action"]');
  await page.selectOption('[data-testid="live-window"]', String(6 * 3600));
  await page.waitForSelector('[data-testid="forecast-table"]');
  const headline = await page.innerText('[data-testid="forecast-headline"]');
  // Two hours of history: a date, marked as a hint.
  assert.match(headline, /^Indicative only, from 2 h of history: Growth around .* when CPU reaches its critical line \(80 %\)\.$/, headline);
  assert.match(await page.innerText('[data-testid="forecast-caveat"]'), /Less than a week of samples/);
  const cpu = await page.locator('[data-testid="forecast-table"] tbody tr', { hasText: 'CPU' }).innerText();
  // Straight line: +10 points an hour = +7,305 a month (730.5 hours).
  assert.match(cpu, /\+7,305 points a month/, cpu);
  // Compound growth of hours is capped in words, not printed with a hundred digits.
  assert.match(cpu, /more than \+1,000 % a month/, cpu);
  assert.match(cpu, /yes$/, cpu);
  // 40 % now and 80 % two (compound) to four (straight) hours on: the headline's date is one
  // of those days (UTC).
  const day = (hours) => new Date((now + hours * 3600) * 1000).toUTCString().slice(5, 16).replace(/^0/, '');
  assert.ok([day(2), day(4)].some((d) => headline.includes(`Growth around ${d}`)), headline);
  await context.close();
});
