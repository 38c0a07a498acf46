// Accessibility: axe-core's WCAG 2 A and AA rules (2.0, 2.1 and 2.2) on every page, in the light
// and the dark scheme, at desktop and phone widths. axe-core comes from package-lock.json; it is
// injected through the DevTools protocol, so the page's own Content-Security-Policy (which allows
// only its loader) is bypassed for the test's script alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { launch, BASE } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

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

/** Every violation as one line: rule, impact, and the first few elements with their reasons. */
function describe(violations) {
  return violations.map((v) => {
    const nodes = v.nodes.slice(0, 4).map((n) => `    ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`);
    return `  ${v.id} (${v.impact}, ${v.nodes.length} elements): ${v.help}\n${nodes.join('\n')}`;
  }).join('\n');
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
        await page.evaluate(AXE);
        const result = await page.evaluate((tags) => window.axe.run(document, {
          runOnly: { type: 'tag', values: tags },
          resultTypes: ['violations'],
        }), TAGS);
        if (result.violations.length > 0) found.push(`${path}:\n${describe(result.violations)}`);
      }
      await context.close();
      assert.deepEqual(found, [], `\n${found.join('\n')}`);
    });
  }
}
