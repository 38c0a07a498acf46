// The Costs page: lines per provider, the stacked split, TCO, this month's bill with sourced
// prices, the migration calculator, the table and the CSV export.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, text } from './harness.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const option = (page, id) => page.evaluate((id) => {
  const c = window.echarts?.getInstanceByDom(document.querySelector(`[data-testid="${id}"]`));
  const o = c.getOption();
  return { names: o.series.map((s) => s.name), data: o.series.map((s) => s.data.map((d) => (typeof d === 'object' ? d.value : d))) };
}, id);

async function ready(page) {
  await page.waitForFunction(() => ['costs-lines', 'breakdown-chart', 'tco-chart'].every((id) => {
    const el = document.querySelector(`[data-testid="${id}"]`);
    const c = el && window.echarts?.getInstanceByDom(el);
    return c && c.getOption().series.length > 0;
  }));
}

test('charts, bill and table agree with each other', async () => {
  const page = await openPage(browser, '/costs');
  await ready(page);
  const lines = await option(page, 'costs-lines');
  assert.equal(lines.names.length, 6);
  const stacked = await option(page, 'breakdown-chart');
  // The ride-hailing preset runs on Linode: its month-0 stack sums (to the dollar) to its line.
  const linode = lines.data[lines.names.indexOf('Linode (Akamai)')][0];
  const stack0 = stacked.data.reduce((s, d) => s + d[0], 0);
  assert.ok(Math.abs(stack0 - linode) <= stacked.names.length, `${stack0} vs ${linode}`);
  const tco = (await option(page, 'tco-chart')).data[0];
  assert.deepEqual([...tco].sort((a, b) => a - b), tco);
  // The table's "now" column is the lines' month 0.
  const row = await page.$$eval('[data-testid="cost-table"] tr[data-provider="linode"] td', (tds) => tds.map((t) => t.innerText));
  assert.equal(row[1], '$' + Math.round(linode).toLocaleString('en-US'));
  // Every chart offers "save as image" (PNG) in its toolbox.
  const pngNames = await page.evaluate(() => ['costs-lines', 'breakdown-chart', 'tco-chart'].map((id) => {
    const c = window.echarts?.getInstanceByDom(document.querySelector(`[data-testid="${id}"]`));
    return c.getOption().toolbox[0].feature.saveAsImage.name;
  }));
  assert.deepEqual(pngNames, ['phaseplan-monthly-cost', 'phaseplan-cost-by-component', 'phaseplan-total-cost']);
  // Every priced line of the bill carries its source on hover.
  const titles = await page.$$eval('[data-testid="bill"] abbr.price', (as) => as.map((a) => a.title));
  assert.ok(titles.length >= 3);
  assert.ok(titles.some((t) => /source: /.test(t)), titles.join(' | '));
  assert.deepEqual(page.errors, []);
});

test('switching the provider re-stacks the split; the migration calculator reproduces its formulas', async () => {
  const page = await openPage(browser, '/costs');
  await ready(page);
  await page.getByTestId('provider-picker').selectOption('aws');
  await page.waitForFunction(() => {
    const c = window.echarts?.getInstanceByDom(document.querySelector('[data-testid="breakdown-chart"]'));
    return c.getOption().title[0].subtext.includes('AWS');
  });
  await page.getByTestId('mig-to').selectOption('hetzner');
  await page.getByTestId('mig-cost').fill('2500');
  await page.getByTestId('mig-start').fill('0');
  const savings = Number((await text(page, 'mig-savings')).replace(/[$,]/g, '').replace('−', '-'));
  const payback = await text(page, 'mig-payback');
  if (savings > 0) {
    assert.match(payback, /^\d+\.\d months$/);
    assert.ok(Math.abs(parseFloat(payback) - 2500 / savings) < 0.06, `${payback} vs ${2500 / savings}`);
    assert.match(await text(page, 'mig-recommendation'), /^Move to Hetzner Cloud$/);
  } else {
    assert.equal(payback, 'never');
  }
  assert.deepEqual(page.errors, []);
});

test('the CSV holds one row per month with every provider', async () => {
  const page = await openPage(browser, '/costs');
  await ready(page);
  const href = await page.getByTestId('csv-link').getAttribute('href');
  const csv = decodeURIComponent(href.replace(/^data:text\/csv;charset=utf-8,/, ''));
  const rows = csv.trim().split('\n');
  assert.equal(rows.length, 37);
  assert.match(rows[0], /^month,date,peak_users,phase,AWS usd,.*Hetzner Cloud usd,cumulative_usd,cost_per_user_usd$/);
  assert.match(rows[1], /^0,2027-01,1310,Launch,/);
  const lines = await option(page, 'costs-lines');
  const aws0 = Number(rows[1].split(',')[4]);
  assert.equal(Math.round(aws0), lines.data[lines.names.indexOf('AWS')][0]);
  assert.deepEqual(page.errors, []);
});
