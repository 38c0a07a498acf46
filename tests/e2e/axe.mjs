// axe-core for the accessibility checks of both browser suites: WCAG 2 A and AA rules (2.0, 2.1
// and 2.2), injected through the DevTools protocol (the context must be made with
// `bypassCSP: true`), so the page's own Content-Security-Policy, which allows only its loader, is
// left as it is for the app.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
export const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** The violations on `page` now, each as one line: rule, impact, and the first few elements
 * with their reasons; an empty string when there are none. */
export async function violations(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate((tags) => window.axe.run(document, {
    runOnly: { type: 'tag', values: tags },
    resultTypes: ['violations'],
  }), TAGS);
  return result.violations.map((v) => {
    const nodes = v.nodes.slice(0, 4).map((n) => `    ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`);
    return `  ${v.id} (${v.impact}, ${v.nodes.length} elements): ${v.help}\n${nodes.join('\n')}`;
  }).join('\n');
}
