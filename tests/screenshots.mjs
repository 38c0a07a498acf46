// Screenshots of every page at desktop (1400 px) and phone (390 px) width, in the light and the
// dark theme, for a person to look at: `node tests/screenshots.mjs [out-dir]` against a running
// server (PHASEPLAN_URL, default http://127.0.0.1:8080). Full-page PNGs; charts settle first.
// A server with sign-in (auth = "users"): PHASEPLAN_SIGNIN_NAME and PHASEPLAN_SIGNIN_PASSWORD
// sign each browser in first (and the sign-in page is shot too, as `signin-…`).
import { mkdirSync } from 'node:fs';
import { launch, BASE } from './e2e/harness.mjs';

const out = process.argv[2] ?? 'target/screenshots';
const pages = (process.env.PAGES ?? 'overview:/,scenario:/scenario,costs:/costs,capacity:/capacity,decision:/decision,bundles:/bundles,live:/live,scenarios:/scenarios')
  .split(',').map((p) => p.split(':'));
const widths = [1400, 390];
const schemes = (process.env.SCHEMES ?? 'light,dark').split(',');
const signInName = process.env.PHASEPLAN_SIGNIN_NAME;
const signInPassword = process.env.PHASEPLAN_SIGNIN_PASSWORD ?? '';

mkdirSync(out, { recursive: true });
const browser = await launch();
try {
  for (const scheme of schemes) {
    for (const width of widths) {
      const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme });
      const page = await context.newPage();
      const errors = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(e.message));
      if (signInName) {
        await page.goto(BASE + '/');
        await page.waitForSelector('[data-testid="signin-name"]');
        await page.screenshot({ path: `${out}/signin-${width}-${scheme}.png`, fullPage: true });
        await page.getByTestId('signin-name').fill(signInName);
        await page.getByTestId('signin-password').fill(signInPassword);
        await page.getByTestId('signin-submit').click();
        await page.waitForSelector('nav[aria-label="Main"] a');
        // Chromium reports the 401 of asking who this is before signing in: expected.
        errors.length = 0;
      }
      for (const [name, path] of pages) {
        await page.goto(BASE + path);
        await page.waitForSelector('nav[aria-label="Main"] a');
        // Let ECharts finish its entry animation.
        await page.waitForTimeout(1200);
        const file = `${out}/${name}-${width}-${scheme}.png`;
        await page.screenshot({ path: file, fullPage: true });
        console.log(file);
      }
      if (errors.length) console.error(`console errors at ${width}px ${scheme}:`, errors);
      await context.close();
    }
  }
} finally {
  await browser.close();
}
