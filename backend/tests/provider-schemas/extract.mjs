#!/usr/bin/env node
// Regenerates the trimmed provider schemas that `backend/tests/provider_schema.rs` checks every
// bundle's Terraform against. Run from anywhere, with npm on PATH (the only step that needs the
// network; the tests read the committed JSON files):
//
//     node backend/tests/provider-schemas/extract.mjs
//
// For each provider it `npm pack`s one pinned package into a temporary directory, reads its
// types and writes `<provider>.json` beside this script:
//
// - aws, google, azurerm, digitalocean: the prebuilt CDK-for-Terraform packages. Their `.jsii`
//   manifest has every resource's `<Resource>Config` struct (`optional` when not required) and a
//   struct per nested block; each property's docs link to the Terraform argument by its exact
//   name (`…#vpc_uuid Droplet#vpc_uuid`), and a nested block's summary is `<name> block.`.
//   The package's `cdktf.provider.version` is the Terraform provider version it was built from.
//   An object-typed attribute (a struct without the `block.` summary) may be written either way
//   (`syntax: "either"`): SDKv2's attributes-as-blocks accept both, and cdktf does not tell them
//   from framework nested attributes.
// - linode, hcloud: the Pulumi packages bridged from the same Terraform providers. Their `.d.ts`
//   `XxxArgs` interfaces have the inputs in camelCase, `?` when optional. Three things are lost in
//   the bridge and recorded as such: list-typed names are pluralised (`rule` → `rules`), so a
//   list's Terraform name may be any of `aka`; a nested object may be a block or an object
//   attribute (`syntax: "either"`); and an auto-named `name` is optional in Pulumi though
//   Terraform requires it. The npm package does not say which Terraform provider version it
//   bridges: that is in the Pulumi repository's `provider/go.mod` at the package's tag, and is
//   written down in `PACKAGES` below.
//
// Only the resource and data source types the generators use (`resource "…"` / `data "…"` in
// `shared/src/bundle/terraform/*.rs`) are kept in full, with every argument (→ required or not)
// and nested block (→ its own arguments and blocks, recursively); the names of all the others
// are listed, so a test can tell a misspelt type from one that is merely not cached.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');

/// One package per Terraform provider; the version is the newest whose Terraform provider
/// version matches the bundles' `required_providers` pin (checked below and by the test).
const PACKAGES = [
  { file: 'aws', source: 'hashicorp/aws', pin: '~> 5.0', kind: 'cdktf', pkg: '@cdktf/provider-aws', version: '20.1.0' },
  { file: 'google', source: 'hashicorp/google', pin: '~> 5.0', kind: 'cdktf', pkg: '@cdktf/provider-google', version: '13.32.1' },
  { file: 'azurerm', source: 'hashicorp/azurerm', pin: '~> 4.0', kind: 'cdktf', pkg: '@cdktf/provider-azurerm', version: '14.23.1' },
  { file: 'digitalocean', source: 'digitalocean/digitalocean', pin: '~> 2.0', kind: 'cdktf', pkg: '@cdktf/provider-digitalocean', version: '13.14.1' },
  {
    file: 'linode', source: 'linode/linode', pin: '~> 2.0', kind: 'pulumi', pkg: '@pulumi/linode', version: '4.39.0', prefix: 'linode',
    bridged: '2.39.0', evidence: 'pulumi-linode v4.39.0 provider/go.mod: github.com/linode/terraform-provider-linode/v2 v2.39.0',
  },
  {
    file: 'hcloud', source: 'hetznercloud/hcloud', pin: '~> 1.45', kind: 'pulumi', pkg: '@pulumi/hcloud', version: '1.35.0', prefix: 'hcloud',
    bridged: '1.63.0', evidence: 'pulumi-hcloud v1.35.0 provider/go.mod: github.com/hetznercloud/terraform-provider-hcloud v1.63.0',
  },
];

// ---------------------------------------------------------------------------------------------
// Shared helpers

/// `~> X.Y` (and `~> X.Y.Z`) as Terraform reads it.
function satisfiesPessimistic(version, constraint) {
  const m = /^~>\s*([\d.]+)$/.exec(constraint.trim());
  if (!m) throw new Error(`unsupported constraint ${constraint}`);
  const want = m[1].split('.').map(Number);
  const have = version.split('.').map(Number);
  for (let i = 0; i < want.length - 1; i++) if (have[i] !== want[i]) return false;
  const last = want.length - 1;
  if ((have[last] ?? 0) !== want[last]) return (have[last] ?? 0) > want[last];
  for (let i = want.length; i < have.length; i++) if (have[i] !== 0) return true;
  return true;
}

const snake = (camel) =>
  camel
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();

/// The types the generators write, by Terraform block kind.
function usedTypes() {
  const dir = path.join(root, 'shared/src/bundle/terraform');
  const used = { resource: new Set(), data: new Set() };
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.rs'))) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    for (const m of text.matchAll(/\b(resource|data)\s+\\?"([a-z][a-z0-9_]*)\\?"/g)) used[m[1]].add(m[2]);
  }
  return used;
}

function npmPack(spec, into) {
  const out = execFileSync('npm', ['pack', spec, '--pack-destination', into, '--silent'], { encoding: 'utf8' });
  const file = out.trim().split('\n').pop();
  const dir = path.join(into, file.replace(/\.tgz$/, ''));
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['xzf', path.join(into, file), '-C', dir]);
  return path.join(dir, 'package');
}

/// Sorted keys, so a regeneration diffs line by line.
function sorted(value) {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sorted(value[k])]));
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// cdktf: the `.jsii` manifest

function readJsii(dir) {
  let jsii = JSON.parse(fs.readFileSync(path.join(dir, '.jsii'), 'utf8'));
  if (jsii.schema === 'jsii/file-redirect') {
    const gz = fs.readFileSync(path.join(dir, jsii.filename));
    jsii = JSON.parse(
      jsii.compression === 'gzip' ? execFileSync('gunzip', ['-c'], { input: gz, maxBuffer: 1 << 30 }) : gz,
    );
  }
  return jsii;
}

/// The Terraform name a property's docs link to (`{@link …#vpc_uuid Droplet#vpc_uuid}`), else
/// its camelCase name in snake_case (a few docs lost the link to a stray comment end).
function tfName(prop) {
  const docs = `${prop.docs?.summary ?? ''} ${prop.docs?.remarks ?? ''}`;
  const m = /#([a-z0-9_]+) [A-Za-z0-9]+#\1\}/.exec(docs);
  return m ? m[1] : snake(prop.name);
}

/// The struct a property's type names, and whether it is a list of them.
function structOf(type) {
  const inner = type.union ? type.union.types.find((t) => !(t.fqn === 'cdktf.IResolvable')) : type;
  if (!inner) return null;
  if (inner.fqn && !inner.fqn.startsWith('cdktf.')) return { fqn: inner.fqn, list: false };
  if (inner.collection?.elementtype?.fqn) return { fqn: inner.collection.elementtype.fqn, list: true };
  return null;
}

function cdktfNode(types, fqn, seen = new Set()) {
  const node = { arguments: {}, blocks: {} };
  const struct = types[fqn];
  if (!struct) throw new Error(`no type ${fqn}`);
  if (seen.has(fqn)) throw new Error(`recursive type ${fqn}`);
  const inner = new Set(seen).add(fqn);
  for (const prop of struct.properties ?? []) {
    const name = tfName(prop);
    const required = !prop.optional;
    const s = structOf(prop.type);
    const block = / block\.$/.test(prop.docs?.summary ?? '');
    if (block && s) {
      node.blocks[name] = { required, max_one: !s.list, ...cdktfNode(types, s.fqn, inner) };
    } else if (block) {
      // A block cdktf could not type (a recursive one such as wafv2's `statement`): known, but
      // its contents are not checked.
      node.blocks[name] = { required, max_one: false, unchecked: true, arguments: {}, blocks: {} };
    } else if (s) {
      // An object-typed attribute: SDKv2's "attributes as blocks" (`ingress`, `route`,
      // `security_rule`), written `x { … }` or `x = [{ … }]`, or a framework nested attribute
      // (`x = { … }` only: cdktf does not tell them apart). Its contents are checked either way.
      node.blocks[name] = { required, max_one: !s.list, syntax: 'either', ...cdktfNode(types, s.fqn, inner) };
    } else {
      node.arguments[name] = required;
    }
  }
  return node;
}

function fromCdktf(spec, dir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const providerVersion = pkg.cdktf?.provider?.version;
  if (!providerVersion) throw new Error(`${spec.pkg}@${spec.version}: no cdktf.provider.version`);
  const jsii = readJsii(dir);
  const out = { provider: null, resources: {}, data_sources: {} };
  for (const [, ty] of Object.entries(jsii.types)) {
    if (ty.kind !== 'class') continue;
    const m = /^Represents a \{@link \S+\/docs(?:\/(resources|data-sources)\/\S+)? ([a-z0-9_]+)\}/.exec(ty.docs?.summary ?? '');
    const config = ty.initializer?.parameters?.find((p) => p.name === 'config');
    if (!m || !config) continue;
    const kind = m[1] === 'resources' ? 'resources' : m[1] === 'data-sources' ? 'data_sources' : 'provider';
    const entry = { fqn: config.type.fqn };
    if (kind === 'provider') out.provider = entry;
    else out[kind][m[2]] = entry;
  }
  return { providerVersion, build: (fqn) => cdktfNode(jsii.types, fqn), ...out };
}

// ---------------------------------------------------------------------------------------------
// Pulumi: the `.d.ts` `XxxArgs` interfaces

/// `export interface Name { … }` bodies of a `.d.ts`, members by name: { optional, type }.
function interfaces(text) {
  const out = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const head = /^(\s*)export interface (\w+) \{$/.exec(lines[i]);
    if (!head) continue;
    const indent = head[1].length + 4;
    const members = {};
    let j = i + 1;
    for (; j < lines.length && !new RegExp(`^\\s{${head[1].length}}\\}`).test(lines[j]); j++) {
      const m = new RegExp(`^\\s{${indent}}(\\w+)(\\??): (.*)$`).exec(lines[j]);
      if (!m) continue;
      // A member's type may go on over several lines until its `;` at the member's depth.
      let type = m[3];
      let depth = (type.match(/[<{(]/g) ?? []).length - (type.match(/[>})]/g) ?? []).length;
      while (depth > 0 && j + 1 < lines.length) {
        j++;
        type += ` ${lines[j].trim()}`;
        depth += (lines[j].match(/[<{(]/g) ?? []).length - (lines[j].match(/[>})]/g) ?? []).length;
      }
      members[m[1]] = { optional: m[2] === '?', type };
    }
    out[head[2]] = members;
    i = j;
  }
  return out;
}

/// The names Terraform may have given a pluralised Pulumi list name.
function singulars(name) {
  const out = new Set();
  if (name.endsWith('ies')) out.add(`${name.slice(0, -3)}y`);
  if (name.endsWith('es')) out.add(name.slice(0, -2));
  if (name.endsWith('s')) out.add(name.slice(0, -1));
  out.delete(name);
  return [...out];
}

function pulumiNode(inputs, members, seen = new Set()) {
  const node = { arguments: {}, blocks: {} };
  for (const [camel, { optional, type }] of Object.entries(members)) {
    const name = snake(camel);
    const required = !optional;
    const list = /\[\]/.test(type);
    const aka = list ? singulars(name) : [];
    const obj = /inputs\.(\w+)/.exec(type);
    if (obj && inputs[obj[1]] && !seen.has(obj[1])) {
      node.blocks[name] = {
        required,
        max_one: !list,
        syntax: 'either',
        ...pulumiNode(inputs, inputs[obj[1]], new Set(seen).add(obj[1])),
      };
    } else {
      node.arguments[name] = required;
    }
    if (aka.length) (node.aka ??= {})[name] = aka;
  }
  return node;
}

function fromPulumi(spec, dir) {
  const inputs = interfaces(fs.readFileSync(path.join(dir, 'types/input.d.ts'), 'utf8'));
  const out = { provider: null, resources: {}, data_sources: {} };
  const args = {};
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.d.ts') && f !== 'index.d.ts')) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    Object.assign(args, interfaces(text));
    const cls = /export declare class (\w+) extends pulumi\.(CustomResource|ProviderResource)/.exec(text);
    if (cls && cls[2] === 'ProviderResource') out.provider = { fqn: `${cls[1]}Args` };
    else if (cls) out.resources[`${spec.prefix}_${snake(cls[1])}`] = { fqn: `${cls[1]}Args` };
    const fn = /export declare function get(\w+)\(args/.exec(text);
    if (fn) out.data_sources[`${spec.prefix}_${snake(fn[1])}`] = { fqn: `Get${fn[1]}Args` };
  }
  const build = (fqn) => {
    if (!args[fqn]) return { arguments: {}, blocks: {} }; // a function / resource without inputs
    return pulumiNode(inputs, args[fqn]);
  };
  return { providerVersion: spec.bridged, build, ...out };
}

// ---------------------------------------------------------------------------------------------

function main() {
  const used = usedTypes();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'provider-schemas-'));
  try {
    for (const spec of PACKAGES) {
      const dir = npmPack(`${spec.pkg}@${spec.version}`, tmp);
      const read = spec.kind === 'cdktf' ? fromCdktf(spec, dir) : fromPulumi(spec, dir);
      if (!satisfiesPessimistic(read.providerVersion, spec.pin)) {
        throw new Error(`${spec.pkg}@${spec.version} was built from ${spec.source} ${read.providerVersion}, outside ${spec.pin}`);
      }
      const prefix = `${spec.file}_`;
      const pick = (kind, names) => {
        const out = {};
        for (const t of [...names].filter((t) => t.startsWith(prefix)).sort()) {
          // Pulumi's names may split words Terraform's do not (`NodeBalancer`, `nodebalancer`).
          const flat = (n) => n.replaceAll('_', '');
          const found = read[kind][t] ?? Object.entries(read[kind]).find(([k]) => flat(k) === flat(t))?.[1];
          if (!found) {
            console.error(`warning: ${t} is not a ${kind === 'resources' ? 'resource' : 'data source'} of ${spec.pkg}@${spec.version}`);
            continue;
          }
          out[t] = read.build(found.fqn);
        }
        return out;
      };
      const schema = {
        terraform_provider: { source: spec.source, version: read.providerVersion },
        package: { name: spec.pkg, version: spec.version, ...(spec.evidence ? { bridged_version_from: spec.evidence } : {}) },
        names_from: spec.kind === 'cdktf' ? 'terraform' : 'pulumi',
        generated_by: 'backend/tests/provider-schemas/extract.mjs',
        provider: read.provider ? read.build(read.provider.fqn) : { arguments: {}, blocks: {} },
        resources: pick('resources', used.resource),
        data_sources: pick('data_sources', used.data),
        all_resources: Object.keys(read.resources).sort(),
        all_data_sources: Object.keys(read.data_sources).sort(),
      };
      const file = path.join(here, `${spec.file}.json`);
      fs.writeFileSync(file, `${JSON.stringify(sorted(schema), null, 1)}\n`);
      console.log(
        `${spec.file}.json: ${spec.pkg}@${spec.version} (${spec.source} ${read.providerVersion}), ` +
          `${Object.keys(schema.resources).length} resources and ${Object.keys(schema.data_sources).length} data sources of ` +
          `${schema.all_resources.length} / ${schema.all_data_sources.length}, ${fs.statSync(file).size} bytes`,
      );
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main();
