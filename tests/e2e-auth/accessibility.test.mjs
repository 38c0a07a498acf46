// Accessibility of the pages only a server with sign-in shows: the sign-in page itself and the
// admin page (accounts, tokens, the audit log), with axe-core's WCAG 2 A and AA rules in the light
// and the dark scheme, at desktop and phone widths (the other pages: tests/e2e/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, BASE } from '../e2e/harness.mjs';
import { violations } from '../e2e/axe.mjs';

const ADMIN = 'e2e-admin';
const ADMIN_PASSWORD = process.env.E2E_ADMIN_PASSWORD;

let browser;
before(async () => {
  assert.ok(ADMIN_PASSWORD, 'E2E_ADMIN_PASSWORD names the admin password of the server under test');
  browser = await launch();
});
after(async () => { await browser?.close(); });

for (const scheme of ['light', 'dark']) {
  for (const width of [1400, 390]) {
    test(`axe finds no WCAG 2 A/AA violation on the sign-in and admin pages, ${scheme}, ${width}px`, async () => {
      const context = await browser.newContext({
        viewport: { width, height: 900 }, colorScheme: scheme, bypassCSP: true,
      });
      const page = await context.newPage();
      const found = [];
      await page.goto(`${BASE}/admin`);
      await page.waitForSelector('[data-testid="signin-name"]');
      const signIn = await violations(page);
      if (signIn) found.push(`sign-in page:\n${signIn}`);
      await page.getByTestId('signin-name').fill(ADMIN);
      await page.getByTestId('signin-password').fill(ADMIN_PASSWORD);
      await page.getByTestId('signin-submit').click();
      await page.waitForSelector('[data-testid="admin-user-name"]');
      await page.waitForLoadState('networkidle');
      const admin = await violations(page);
      if (admin) found.push(`/admin:\n${admin}`);
      await context.close();
      assert.deepEqual(found, [], `\n${found.join('\n')}`);
    });
  }
}
