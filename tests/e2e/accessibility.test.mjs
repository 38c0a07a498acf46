// Accessibility: axe-core's WCAG 2 A and AA rules (2.0, 2.1 and 2.2, see axe.mjs) on every page,
// in the light and the dark scheme, at desktop and phone widths. The sign-in page and the admin
// pages are checked by the sign-in suite (tests/e2e-auth/accessibility.test.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, BASE } from './harness.mjs';
import { violations } from './axe.mjs';

const PAGES = [
  '/', '/scenario', '/costs', '/capacity', '/decision', '/bundles', '/live', '/operations',
  '/scenarios', '/compare',
];

/** What the page needs before it is judged: its data drawn, not a loading placeholder. */
async function ready(page, path) {
  await page.waitForSelector('nav[aria-label="Main"] a');
  await page.waitForSelector('main h1');
  if (path === '/live') {
    await page.waitForSelector('[data-testid="live-connection"][data-state="open"]');
  }
  if (path === '/operations') await page.waitForSelector('[data-testid="ops-readings"]');
  // Charts on screen are drawn (an undrawn chart is an empty box, which hides nothing from axe,
  // but its canvas is what a user sees), and pending fetches have answered.
  await page.waitForLoadState('networkidle');
}

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const scheme of ['light', 'dark']) {
  for (const width of [1400, 390]) {
    test(`axe finds no WCAG 2 A/AA violation on any page, ${scheme}, ${width}px`, async () => {
      const context = await browser.newContext({
        viewport: { width, height: 900 }, colorScheme: scheme, bypassCSP: true,
      });
      const page = await context.newPage();
      const found = [];
      for (const path of PAGES) {
        await page.goto(BASE + path);
        await ready(page, path);
        const here = await violations(page);
        if (here) found.push(`${path}:\n${here}`);
      }
      await context.close();
      assert.deepEqual(found, [], `\n${found.join('\n')}`);
    });
  }
}
