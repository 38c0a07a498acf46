// "Calibrate the plan" on the Live page, against a server of its own whose only source is a real
// Prometheus serving ninety minutes of a platform's exporter series (written as TSDB blocks by
// promtool), read through the default queries: the page shows the measured inputs beside the
// plan's, what they change, applies them as one edit that Undo reverts, and says what a window
// longer than the history lacks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
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

async function waitFor(what, check, ms = 60_000) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try { if (await check()) return; } catch (e) { last = e; }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
    await sleep(200);
  }
}

function stop(child) {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

/** Users swinging 300 – 500 over half an hour, 8 requests per user per minute of 40 ms each,
 * 3 queries of 2.5 ms per request, 0.5 MiB of cache and a WebSocket for a quarter of the users,
 * every 15 s from `first` to `last`, as OpenMetrics text. */
function platformSeries(first, last) {
  const users = (t) => 400 + 100 * Math.sin(((t - first) / 1800) * 2 * Math.PI);
  const steps = [];
  for (let t = first; t <= last; t += 15) steps.push(t);
  let out = '';
  const family = (name, kind, line) => {
    out += `# TYPE ${name} ${kind}\n`;
    let n = 0;
    for (const t of steps) {
      n += (users(t) * 8 / 60) * 15;
      out += line(t, n);
    }
  };
  family('app_concurrent_users', 'gauge', (t) => `app_concurrent_users ${users(t).toFixed(3)} ${t}\n`);
  family('app_websocket_connections', 'gauge', (t) => `app_websocket_connections ${(users(t) * 0.25).toFixed(3)} ${t}\n`);
  family('redis_memory_used_bytes', 'gauge', (t) => `redis_memory_used_bytes ${Math.round(users(t) * 0.5 * 1048576)} ${t}\n`);
  family('http_requests', 'counter', (t, n) => `http_requests_total ${n.toFixed(3)} ${t}\n`);
  family('http_request_duration_seconds', 'histogram', (t, n) =>
    `http_request_duration_seconds_bucket{le="+Inf"} ${n.toFixed(3)} ${t}\n`
    + `http_request_duration_seconds_sum ${(n * 0.04).toFixed(4)} ${t}\n`
    + `http_request_duration_seconds_count ${n.toFixed(3)} ${t}\n`);
  family('pg_stat_statements_calls', 'counter', (t, n) => `pg_stat_statements_calls_total ${(n * 3).toFixed(3)} ${t}\n`);
  family('pg_stat_statements_seconds', 'counter', (t, n) => `pg_stat_statements_seconds_total ${(n * 3 * 0.0025).toFixed(5)} ${t}\n`);
  return `${out}# EOF\n`;
}

let dir; let browser; let prometheus; let server; let base;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'phaseplan-calibration-'));
  const now = Math.floor(Date.now() / 1000);
  writeFileSync(join(dir, 'series.om'), platformSeries(now - 90 * 60, now + 1800));
  mkdirSync(join(dir, 'prom'));
  execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'series.om'), join(dir, 'prom', 'data')], { stdio: 'ignore' });
  writeFileSync(join(dir, 'prom', 'prometheus.yml'), 'global:\n  scrape_interval: 15s\n');
  const [promPort, port] = [await freePort(), await freePort()];
  prometheus = spawn('prometheus', [
    `--config.file=${join(dir, 'prom', 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'prom', 'data')}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
  ], { stdio: 'ignore' });
  await waitFor('Prometheus to be ready', async () => (await fetch(`http://127.0.0.1:${promPort}/-/ready`)).ok);
  writeFileSync(join(dir, 'phaseplan.toml'), `
[live]
interval_seconds = 5
history_hours = 2

[[live.sources]]
kind = "prometheus"
name = "prometheus"
url = "http://127.0.0.1:${promPort}"
`);
  // The server refuses PHASEPLAN_* variables it does not know (PHASEPLAN_URL is the test's).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PHASEPLAN_')));
  base = `http://127.0.0.1:${port}`;
  server = spawn(BIN, ['-c', join(dir, 'phaseplan.toml'), '--host', '127.0.0.1', '--port', String(port), '--data-dir', join(dir, 'data'), '--rate-limit-per-minute', '0'], {
    stdio: ['ignore', 'ignore', 'inherit'], env: { ...env, RUST_LOG: 'error' },
  });
  await waitFor('the server to answer its health check', async () => (await fetch(`${base}/api/v1/health`)).ok);
  // The server backfills its history from Prometheus on start: wait for the API to calibrate.
  await waitFor('a calibration from the backfilled history', async () => (await fetch(`${base}/api/v1/live/calibration?window=1h`)).ok);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await stop(server);
  await stop(prometheus);
  rmSync(dir, { recursive: true, force: true });
});

const measured = (page, field) => page.locator(`[data-testid="calibration-inputs"] tr[data-input="${field}"] [data-testid="calibration-value"]`).innerText();

test('the Live page calibrates the plan from Prometheus and applies it as one undoable edit', async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/live`);
  await page.getByTestId('calibrate').click();
  await page.waitForSelector('[data-testid="calibration-inputs"] tbody tr');
  // The platform's own rates, beside the plan's.
  assert.ok(Math.abs(parseFloat(await measured(page, 'workload.requests_per_user_per_minute')) - 8) < 0.25);
  assert.ok(Math.abs(parseFloat(await measured(page, 'workload.service_time_ms')) - 32.5) < 0.5);
  assert.ok(Math.abs(parseFloat(await measured(page, 'workload.db_queries_per_request')) - 3) < 0.05);
  assert.equal(await measured(page, 'workload.websocket_share'), '25.0 %');
  const planned = await page.locator('[data-testid="calibration-inputs"] tr[data-input="workload.requests_per_user_per_minute"] td').first().innerText();
  // An hour says nothing of a day's peak, and says so.
  assert.match(await page.getByTestId('calibration-missing').innerText(), /Peak to average: .*a day or more/);
  // What it changes: the phases' limits and the cost, before and after.
  const impact = await page.getByTestId('calibration-impact').innerText();
  assert.match(impact, /Launch: leave by/);
  assert.match(impact, /Cost over the horizon/);
  await page.getByTestId('calibration-apply').click();
  await page.getByTestId('calibration-applied').waitFor();
  // On the Scenario page the field holds the measured value; one Undo restores the plan's.
  await page.locator('nav[aria-label="Main"] a[href="/scenario"], nav[aria-label="Main"] a[href^="/scenario?"]').first().click();
  const field = page.getByTestId('workload.requests_per_user_per_minute');
  assert.ok(Math.abs(parseFloat(await field.inputValue()) - 8) < 0.25, await field.inputValue());
  assert.ok(Math.abs(parseFloat(await page.getByTestId('workload.db_queries_per_request').inputValue()) - 3) < 0.05);
  await page.getByTestId('undo').click();
  assert.equal(await field.inputValue(), planned);
  // A day from two hours of history: what is missing, in words, not a guess.
  await page.locator('nav[aria-label="Main"] a[href^="/live"]').first().click();
  await page.getByTestId('calibration-window').selectOption('24h');
  await page.getByTestId('calibrate').click();
  assert.match(await page.getByTestId('calibration-error').innerText(), /of the 24h window/);
  // The browser logs the 422 it was asked for; nothing else may go wrong.
  assert.deepEqual(errors.filter((e) => !/status of 422/.test(e)), []);
  assert.equal(errors.length, 1, errors.join('\n'));
  await context.close();
});
