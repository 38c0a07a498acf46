// Shared set-up for the end-to-end tests: one headless Chromium (Debian's, never a downloaded
// one), a fresh page per test that records console errors and uncaught exceptions.
import { chromium } from 'playwright-core';

export const BASE = process.env.PHASEPLAN_URL ?? 'http://127.0.0.1:8080';

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless=new', '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A page that collects every console error and page error into `page.errors`. It is ready
 * when `ready` is there: by default the app's navigation (a server with sign-in shows the
 * sign-in page first: pass its selector). */
export async function openPage(
  browser, path = '/', viewport = { width: 1400, height: 900 }, ready = 'nav[aria-label="Main"] a',
) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') page.errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => page.errors.push(`pageerror: ${err.message}`));
  await page.goto(BASE + path);
  // The app is mounted once the wasm has run and the nav (or `ready`) is there, and a page whose
  // code is in a chunk of its own (frontend/src/lazy.rs) is shown once that chunk has arrived.
  await page.waitForSelector(ready);
  await pageLoaded(page);
  // ECharts arrives after the app's wasm (xtask/src/split.rs); the tests read charts through it.
  await page.waitForFunction(() => window.echarts);
  return page;
}

/** Resolves once no page is waiting for its code (the "Loading …" line of a split-off page). */
export async function pageLoaded(page) {
  await page.waitForFunction(() => !document.querySelector('.page-loading'));
}

/** The data of the first series of the ECharts chart under `testId`, via echarts' getOption. */
export async function chartData(page, testId) {
  return page.evaluate((id) => {
    const el = document.querySelector(`[data-testid="${id}"]`);
    const chart = el && window.echarts?.getInstanceByDom(el);
    if (!chart) return null;
    return chart.getOption().series[0].data.map((d) => (typeof d === 'object' ? d.value : d));
  }, testId);
}

export const text = (page, testId) => page.locator(`[data-testid="${testId}"]`).innerText();

/** Resolves after the app's pending zero-delay tasks (timers run in order), e.g. the share link's
 * re-encoding after an edit. */
export async function settle(page) {
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
}

/** The address bar once its query has `param` (equal to `value`, if given). The app rewrites the
 * address in a task after a change, and playwright's `page.url()` hears of that later still, so
 * this asks the page itself and waits (with playwright's deadline) instead of reading once. */
export async function addressWith(page, param, value) {
  await page.waitForFunction(([p, v]) => {
    const got = new URL(location.href).searchParams.get(p);
    return v === null ? got !== null : got === v;
  }, [param, value ?? null]);
  return new URL(await page.evaluate(() => location.href));
}
