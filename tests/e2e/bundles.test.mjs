// The Bundles page: preview with highlighting, the Launch → Growth comparison, and downloads
// that are byte for byte what the server's API returns for the same scenario.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, text, addressWith, BASE } from './harness.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function downloadBytes(page, testId) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId(testId).click(),
  ]);
  const stream = await download.createReadStream();
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  return { name: download.suggestedFilename(), bytes: Buffer.concat(chunks) };
}

test('the default bundle previews files and downloads the server\'s bytes', async () => {
  const page = await openPage(browser, '/bundles');
  // The ride-hailing plan is in Launch now, on Linode.
  assert.equal(await page.getByTestId('bundle-phase').inputValue(), 'launch');
  assert.equal(await page.getByTestId('bundle-provider').inputValue(), 'linode');
  await page.getByTestId('bundle-phase').selectOption('growth');
  await page.getByTestId('bundle-provider').selectOption('aws');
  assert.match(await text(page, 'bundle-cost'), /^\$[\d,]+$/);
  await page.getByTestId('file-.env').click();
  const preview = page.getByTestId('file-preview');
  assert.match(await preview.innerText(), /SCALING_PHASE=growth/);
  assert.ok(await preview.locator('.tok-key').count() > 10, 'keys are highlighted');
  await page.getByTestId('file-terraform/main.tf').click();
  assert.ok(await page.locator('[data-testid="file-preview"] .tok-keyword', { hasText: 'resource' }).count() > 5);

  const zip = await downloadBytes(page, 'download-zip');
  assert.equal(zip.name, 'phaseplan-growth-aws.zip');
  const served = Buffer.from(await (await fetch(`${BASE}/api/v1/bundles/growth/aws.zip`)).arrayBuffer());
  assert.ok(zip.bytes.length > 5000);
  assert.ok(zip.bytes.equals(served), 'browser and server build the same zip');
  const tgz = await downloadBytes(page, 'download-targz');
  assert.equal(tgz.name, 'phaseplan-growth-aws.tar.gz');
  const servedTgz = Buffer.from(await (await fetch(`${BASE}/api/v1/bundles/growth/aws.tar.gz`)).arrayBuffer());
  assert.ok(tgz.bytes.equals(servedTgz), 'and the same tar.gz');
  assert.deepEqual(page.errors, []);
});

test('comparing Launch with Growth shows what changes and what it costs', async () => {
  const page = await openPage(browser, '/bundles');
  await page.getByTestId('bundle-phase').selectOption('growth');
  await page.getByTestId('bundle-compare').selectOption('launch');
  assert.match(await text(page, 'bundle-cost-change'), /^\+\$[\d,]+ \/ mo$/);
  assert.match(await text(page, 'bundle-change-summary'), /changed, [1-9]\d* new, [1-9]\d* removed/);
  assert.match(await page.getByTestId('file-postgres/pgbouncer.ini').innerText(), /new/);
  assert.match(await page.getByTestId('file-docker-compose.yml').innerText(), /removed/);
  await page.getByTestId('file-nginx/nginx.conf').click();
  const diff = page.getByTestId('file-diff');
  assert.match(await diff.locator('.added').first().innerText(), /^\+ /);
  assert.match(await diff.innerText(), /worker_processes 4;/);
  assert.deepEqual(page.errors, []);
});

test('an edited scenario changes the bundle, and the server agrees when posted the same scenario', async () => {
  const page = await openPage(browser, '/scenario');
  await page.locator('[data-testid="phase-editor-1"] summary').click();
  await page.locator('input[data-testid="phases[1].load_balancer.nginx_worker_connections"]').fill('8192');
  await page.getByRole('link', { name: 'Bundles' }).click();
  await page.getByTestId('bundle-phase').selectOption('growth');
  await page.getByTestId('bundle-provider').selectOption('hetzner');
  await page.getByTestId('file-nginx/nginx.conf').click();
  assert.match(await page.getByTestId('file-preview').innerText(), /worker_connections 8192;/);
  const zip = await downloadBytes(page, 'download-zip');
  const scenario = await page.evaluate(() => new URL(location.href).searchParams.get('s'));
  assert.ok(scenario?.startsWith('v1.'));
  // The same scenario, decoded by the server's model from the share code's JSON.
  const json = await page.evaluate(async (code) => {
    const b64 = code.slice(3).replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(b64 + '==='.slice((b64.length + 3) % 4)), (c) => c.charCodeAt(0));
    const text = await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'))).text();
    return text;
  }, scenario);
  const served = await fetch(`${BASE}/api/v1/bundles/growth/hetzner.zip`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: json,
  });
  assert.equal(served.status, 200);
  assert.ok(zip.bytes.equals(Buffer.from(await served.arrayBuffer())));
  assert.deepEqual(page.errors, []);
});

test('a saved revision\'s bundle cites it and is the server\'s bytes for that revision', async () => {
  const page = await openPage(browser, '/');
  const name = `E2E bundle ${Date.now()}`;
  await page.getByTestId('save-as').click();
  await page.getByTestId('save-name').fill(name);
  await page.getByTestId('save-as-confirm').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="save-status"]')?.innerText.endsWith('revision 1'));
  const id = (await addressWith(page, 'revision', '1')).searchParams.get('scenario');
  await page.locator('nav a[data-path="/bundles"]').click();
  await page.getByTestId('bundle-phase').selectOption('growth');
  await page.getByTestId('bundle-provider').selectOption('aws');
  await page.getByTestId('file-README.md').click();
  assert.match(await page.getByTestId('file-preview').innerText(), new RegExp(`Saved scenario "${name}" \\(id \`${id}\`\\), revision 1 of `));
  const zip = await downloadBytes(page, 'download-zip');
  const served = Buffer.from(await (await fetch(`${BASE}/api/v1/bundles/growth/aws.zip?scenario=${id}&revision=1`)).arrayBuffer());
  assert.ok(zip.bytes.equals(served), 'browser and server build the same zip for the revision');
  assert.deepEqual(page.errors, []);
});
