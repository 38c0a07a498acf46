// Bundles `entry.mjs` into one minified classic script defining `window.echarts`. Run by trunk as
// a pre-build hook (Trunk.toml), from the repository root; esbuild comes from package-lock.json.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

await build({
  entryPoints: [path.join(here, 'entry.mjs')],
  outfile: path.join(root, 'target/echarts/echarts.min.js'),
  bundle: true,
  minify: true,
  format: 'iife',
  globalName: 'echarts',
  target: 'es2019',
  legalComments: 'none',
  // Reproducible output: no timestamps or absolute paths in the bundle.
  sourcemap: false,
  logLevel: 'warning',
});
