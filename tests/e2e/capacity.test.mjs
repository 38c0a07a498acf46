// The Capacity page: capacity per component and phase, utilisation now, the phase table with
// planned and simulated transition dates, and the P10–P90 fans.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage } from './harness.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const series = (page, id) => page.evaluate((id) => {
  const c = window.echarts?.getInstanceByDom(document.querySelector(`[data-testid="${id}"]`));
  return c.getOption().series.map((s) => ({ name: s.name, data: s.data.map((d) => (typeof d === 'object' ? d.value : d)) }));
}, id);

async function ready(page) {
  await page.waitForFunction(() => ['capacity-chart', 'utilisation-chart', 'users-fan', 'cost-fan'].every((id) => {
    const el = document.querySelector(`[data-testid="${id}"]`);
    const c = el && window.echarts?.getInstanceByDom(el);
    return c && c.getOption().series.length > 0;
  }));
}

test('capacity per component, the phase table and ordered fans', async () => {
  const page = await openPage(browser, '/capacity');
  await ready(page);
  const cap = await series(page, 'capacity-chart');
  assert.deepEqual(cap.at(-1), { name: 'Design target', data: [2000, 5000, 15000, 50000] });
  // The seed ladder is sized so no component caps a phase below its design target.
  for (const s of cap.slice(0, -1)) {
    s.data.forEach((v, i) => assert.ok(v >= cap.at(-1).data[i], `${s.name} phase ${i}: ${v}`));
  }
  const rows = await page.$$eval('[data-testid="phase-table"] tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.innerText)));
  assert.equal(rows.length, 4);
  assert.equal(rows[1][5], 'Apr 2027 (prepare by Feb 2027)');
  for (const id of ['users-fan', 'cost-fan']) {
    const [p10, band, p50] = await series(page, id);
    assert.equal(p50.data.length, 36);
    p50.data.forEach((m, t) => {
      assert.ok(p10.data[t] <= m + 1 && m <= p10.data[t] + band.data[t] + 1, `${id} month ${t}`);
    });
  }
  assert.deepEqual(page.errors, []);
});

test('the page opens from a shared link with the edited peak', async () => {
  const page = await openPage(browser, '/');
  const initial = await page.getByTestId('share-link').inputValue();
  await page.getByTestId('peak-input').fill('1550');
  await page.waitForFunction((before) => location.href !== before && location.href.includes('?s='), initial);
  await page.goto((await page.evaluate(() => location.href)).replace(/\/\?s=/, '/capacity?s='));
  await ready(page);
  const subtext = await page.evaluate(() => window.echarts
    .getInstanceByDom(document.querySelector('[data-testid="utilisation-chart"]')).getOption().title[0].subtext);
  assert.match(subtext, /^Launch at 1,550 users/);
  const util = await series(page, 'utilisation-chart');
  assert.equal(util[0].data.length, 5);
  // 1,550 of the WebSocket limit: 500 sockets at a 25 % share hold 2,000 users → 77.5 %.
  assert.ok(util[0].data.includes(77.5), util[0].data.join());
  assert.deepEqual(page.errors, []);
});

test('a latency objective set on the Scenario page limits a phase and draws its line, after navigating', async () => {
  const page = await openPage(browser, '/scenario');
  await page.getByTestId('workload.latency_objective').check();
  await page.getByTestId('workload.latency_objective.ms').fill('62');
  // Reached by the navigation, not a reload: every chart is drawn all the same.
  await page.locator('nav[aria-label="Main"] a[href^="/capacity"]').first().click();
  await ready(page);
  await page.getByTestId('response-time').scrollIntoViewIfNeeded();
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid="response-chart"]');
    const c = el && window.echarts?.getInstanceByDom(el);
    return c && c.getOption().series.length === 4;
  });
  const lines = await page.evaluate(() => window.echarts
    .getInstanceByDom(document.querySelector('[data-testid="response-chart"]'))
    .getOption().series.map((s) => ({ name: s.name, data: s.data })));
  for (const l of lines) {
    assert.ok(l.data.length > 5, l.name);
    // Rising with users (autoscaling holds it flat a while), never above the chart's top.
    assert.ok(l.data.at(-1)[1] >= l.data[0][1], `${l.name}: ${JSON.stringify(l.data)}`);
  }
  assert.match(await page.getByTestId('response-objective').innerText(), /p95 ≤ 62 ms/);
  // 62 ms is barely above the idle p95 of a 20 ms request (60 ms): the objective binds first.
  const bound = await page.$$eval('[data-testid="response-objective-users"]', (tds) => tds.map((td) => td.innerText));
  assert.ok(bound.some((t) => t.endsWith('the bottleneck')), bound.join(' | '));
  const bottlenecks = await page.$$eval('[data-testid="phase-table"] tbody tr td:nth-child(4)', (tds) => tds.map((td) => td.innerText));
  assert.ok(bottlenecks.includes('Response time'), bottlenecks.join(' | '));
  assert.deepEqual(page.errors, []);
});
