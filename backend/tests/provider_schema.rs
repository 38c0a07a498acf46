#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]
//! Every generated Terraform resource checked against its provider's published schema: the
//! resource (and data source, and provider block) type exists, every argument is one the
//! provider knows or a Terraform meta-argument, every required argument is set, and every
//! nested block is one of the resource's block types, its contents checked the same way.
//!
//! The schemas are trimmed copies committed under `tests/provider-schemas/<provider>.json`, so
//! this test needs no network. They are written by
//! `node backend/tests/provider-schemas/extract.mjs` (needs npm, at regeneration time only),
//! which `npm pack`s the pinned CDK-for-Terraform packages (aws, google, azurerm, digitalocean:
//! exact Terraform names and required-ness) and the Pulumi packages bridged from the Linode and
//! Hetzner providers (camelCase names turned back into Terraform's, so weaker: see the script's
//! header). Rerun it when a generator starts using a type the cached file lacks, or when a
//! `required_providers` pin moves; this test says which.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::Deserialize;

mod common;
use common::all_bundles;

// ---------------------------------------------------------------------------------------------
// The cached schemas

#[derive(Debug, Deserialize)]
struct ProviderSchema {
    terraform_provider: TerraformProvider,
    package: Package,
    /// `terraform` (cdktf: names as Terraform spells them) or `pulumi` (recovered from Pulumi's).
    names_from: String,
    provider: Node,
    resources: BTreeMap<String, Node>,
    data_sources: BTreeMap<String, Node>,
    all_resources: Vec<String>,
    all_data_sources: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct TerraformProvider {
    source: String,
    version: String,
}

#[derive(Debug, Deserialize)]
struct Package {
    name: String,
    version: String,
}

/// A resource's (or a nested block's) body: its arguments, each required or not, and its
/// nested block types.
#[derive(Debug, Default, Deserialize)]
struct Node {
    #[serde(default)]
    arguments: BTreeMap<String, bool>,
    #[serde(default)]
    blocks: BTreeMap<String, BlockSchema>,
    /// Other names Terraform may give a member (Pulumi pluralises list names: `rules` may be
    /// Terraform's `rule`).
    #[serde(default)]
    aka: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Deserialize)]
struct BlockSchema {
    required: bool,
    /// A single block (`MaxItems: 1`), not a list of them.
    max_one: bool,
    /// `either`: may also be written as an object attribute (the Pulumi packages cannot tell).
    #[serde(default)]
    syntax: Option<String>,
    /// Known, but its contents are not in the schema (a recursive block cdktf does not type).
    #[serde(default)]
    unchecked: bool,
    #[serde(flatten)]
    node: Node,
}

impl Node {
    /// The schema's name for `name`, if it is one of this node's arguments.
    fn argument(&self, name: &str) -> Option<&str> {
        self.member(self.arguments.keys(), name)
    }
    fn block(&self, name: &str) -> Option<(&str, &BlockSchema)> {
        let key = self.member(self.blocks.keys(), name)?;
        Some((key, &self.blocks[key]))
    }
    fn member<'a>(
        &'a self,
        mut keys: impl Iterator<Item = &'a String>,
        name: &str,
    ) -> Option<&'a str> {
        keys.find(|k| {
            *k == name
                || self
                    .aka
                    .get(*k)
                    .is_some_and(|a| a.iter().any(|n| n == name))
        })
        .map(String::as_str)
    }
    /// Every name this node accepts, for suggestions.
    fn names(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .arguments
            .keys()
            .chain(self.blocks.keys())
            .map(String::as_str)
            .collect();
        out.extend(self.aka.values().flatten().map(String::as_str));
        out
    }
}

fn schema_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/provider-schemas")
}

/// The cached schema of a Terraform provider (`aws`, `google`, `azurerm`…).
fn load(provider: &str) -> ProviderSchema {
    let path = schema_dir().join(format!("{provider}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}: run `node {}`", path.display(), EXTRACTOR));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const EXTRACTOR: &str = "backend/tests/provider-schemas/extract.mjs";

/// A bundle's provider (`ProviderId::key`) → its Terraform provider's local name.
fn terraform_provider(bundle_provider: &str) -> &'static str {
    match bundle_provider {
        "aws" => "aws",
        "gcp" => "google",
        "azure" => "azurerm",
        "linode" => "linode",
        "digitalocean" => "digitalocean",
        "hetzner" => "hcloud",
        other => panic!("no Terraform provider for {other}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The checker

/// What one walk checked.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    providers: usize,
    resources: usize,
    data_sources: usize,
    /// Arguments set, nested blocks written (and `dynamic` blocks), meta-arguments used.
    arguments: usize,
    blocks: usize,
    meta: usize,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, o: Counts) {
        self.providers += o.providers;
        self.resources += o.resources;
        self.data_sources += o.data_sources;
        self.arguments += o.arguments;
        self.blocks += o.blocks;
        self.meta += o.meta;
    }
}

/// Which meta-arguments a body may hold besides the schema's.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Resource,
    Data,
    Provider,
    Nested,
}

impl Kind {
    fn meta_arguments(self) -> &'static [&'static str] {
        match self {
            Kind::Resource | Kind::Data => &["count", "for_each", "depends_on", "provider"],
            Kind::Provider => &["alias", "version"],
            Kind::Nested => &[],
        }
    }
    fn meta_blocks(self) -> &'static [&'static str] {
        match self {
            Kind::Resource => &["lifecycle", "provisioner", "connection"],
            Kind::Data => &["lifecycle"],
            Kind::Provider | Kind::Nested => &[],
        }
    }
}

struct Checker<'a> {
    schema: &'a ProviderSchema,
    /// `aws`, `google`…: the provider block's label and the types' prefix.
    local: &'a str,
    problems: Vec<String>,
    counts: Counts,
}

/// The closest of `names` to `name`, if it is close enough to be a likely misspelling.
fn suggestion<'n>(name: &str, names: impl IntoIterator<Item = &'n str>) -> String {
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut prev = row[0];
            row[0] = i + 1;
            for (j, cb) in b.iter().enumerate() {
                let cur = row[j + 1];
                row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
                prev = cur;
            }
        }
        row[b.len()]
    }
    names
        .into_iter()
        .map(|n| (distance(name, n), n))
        .filter(|(d, n)| *d <= (name.len().max(n.len()) / 3).max(2))
        .min()
        .map(|(_, n)| format!(" (did you mean `{n}`?)"))
        .unwrap_or_default()
}

impl<'a> Checker<'a> {
    fn new(schema: &'a ProviderSchema) -> Self {
        let local = schema
            .terraform_provider
            .source
            .rsplit('/')
            .next()
            .unwrap_or_default();
        Checker {
            schema,
            local,
            problems: Vec::new(),
            counts: Counts::default(),
        }
    }

    fn problem(&mut self, at: &str, what: String) {
        self.problems.push(format!("{at}: {what}"));
    }

    /// `name` is among `all` (Pulumi's names may split words Terraform's do not).
    fn listed(&self, all: &[String], name: &str) -> bool {
        let flat = |s: &str| s.replace('_', "");
        all.iter()
            .any(|t| t == name || (self.schema.names_from == "pulumi" && flat(t) == flat(name)))
    }

    /// Every `provider`, `resource` and `data` block of a file.
    fn file(&mut self, at: &str, body: &hcl::Body) {
        for block in body.blocks() {
            let labels: Vec<&str> = block.labels().iter().map(|l| l.as_str()).collect();
            match (block.identifier(), labels.as_slice()) {
                ("provider", [name]) => {
                    let at = format!("{at}: provider \"{name}\"");
                    if *name != self.local {
                        self.problem(&at, format!("not the `{}` provider", self.local));
                        continue;
                    }
                    self.counts.providers += 1;
                    let what = format!("the {} provider", self.local);
                    let schema = self.schema;
                    self.body(&schema.provider, block.body(), &what, &at, Kind::Provider);
                }
                ("resource", [ty, name]) => self.typed(at, ty, name, block.body(), Kind::Resource),
                ("data", [ty, name]) => self.typed(at, ty, name, block.body(), Kind::Data),
                _ => {}
            }
        }
    }

    fn typed(&mut self, at: &str, ty: &str, name: &str, body: &hcl::Body, kind: Kind) {
        let schema = self.schema;
        let (cached, all, address, noun) = if kind == Kind::Data {
            (
                &schema.data_sources,
                &schema.all_data_sources,
                format!("data.{ty}.{name}"),
                "data source",
            )
        } else {
            (
                &schema.resources,
                &schema.all_resources,
                format!("{ty}.{name}"),
                "resource type",
            )
        };
        let at = format!("{at}: {address}");
        let Some(node) = cached.get(ty) else {
            let pkg = format!("{}@{}", schema.package.name, schema.package.version);
            if self.listed(all, ty) {
                self.problem(
                    &at,
                    format!(
                        "{ty} is a {noun} of {pkg} but not in the cached schema \
                         tests/provider-schemas/{}.json: rerun `node {EXTRACTOR}` and commit it",
                        self.local
                    ),
                );
            } else {
                let hint = suggestion(ty, all.iter().map(String::as_str));
                self.problem(&at, format!("unknown {noun} `{ty}` in {pkg}{hint}"));
            }
            return;
        };
        if kind == Kind::Data {
            self.counts.data_sources += 1;
        } else {
            self.counts.resources += 1;
        }
        self.body(node, body, ty, &at, kind);
    }

    /// One body against its schema node; `what` names it in messages (`aws_instance`,
    /// `aws_instance.root_block_device`).
    fn body(&mut self, node: &Node, body: &hcl::Body, what: &str, at: &str, kind: Kind) {
        let mut present: BTreeSet<&str> = BTreeSet::new();
        let mut singles: BTreeSet<&str> = BTreeSet::new();
        for attr in body.attributes() {
            let key = attr.key();
            if kind.meta_arguments().contains(&key) {
                self.counts.meta += 1;
            } else if let Some(name) = node.argument(key) {
                present.insert(name);
                self.counts.arguments += 1;
            } else if let Some((name, b)) = node.block(key) {
                if b.syntax.as_deref() == Some("either") {
                    present.insert(name);
                    self.counts.arguments += 1;
                } else {
                    self.problem(
                        at,
                        format!(
                            "`{key}` of {what} is a block: write `{key} {{ … }}`, not `{key} = …`"
                        ),
                    );
                }
            } else {
                let hint = suggestion(key, node.names());
                self.problem(at, format!("unknown argument `{key}` of {what}{hint}"));
            }
        }
        for block in body.blocks() {
            let id = block.identifier();
            if kind.meta_blocks().contains(&id) {
                self.counts.meta += 1;
                if id == "lifecycle" {
                    self.lifecycle(block.body(), at, kind);
                }
                continue;
            }
            let (id, content) = if id == "dynamic" {
                let Some(label) = block.labels().first().map(|l| l.as_str()) else {
                    self.problem(at, "a `dynamic` block without a label".to_owned());
                    continue;
                };
                if !block.body().attributes().any(|a| a.key() == "for_each") {
                    self.problem(at, format!("`dynamic \"{label}\"` has no for_each"));
                }
                let Some(content) = block.body().blocks().find(|b| b.identifier() == "content")
                else {
                    self.problem(at, format!("`dynamic \"{label}\"` has no content block"));
                    continue;
                };
                (label, content.body())
            } else {
                (id, block.body())
            };
            let Some((name, b)) = node.block(id) else {
                if node.argument(id).is_some() {
                    self.problem(
                        at,
                        format!("`{id}` of {what} is an argument: write `{id} = …`, not a block"),
                    );
                } else {
                    let hint = suggestion(id, node.names());
                    self.problem(at, format!("unknown block type `{id}` of {what}{hint}"));
                }
                continue;
            };
            self.counts.blocks += 1;
            if b.max_one && block.identifier() != "dynamic" && !singles.insert(name) {
                self.problem(at, format!("`{id}` of {what} may appear at most once"));
            }
            present.insert(name);
            if !b.unchecked {
                self.body(
                    &b.node,
                    content,
                    &format!("{what}.{name}"),
                    &format!("{at} {name}"),
                    Kind::Nested,
                );
            }
        }
        for (name, required) in &node.arguments {
            if *required && !present.contains(name.as_str()) {
                self.problem(at, format!("missing required argument `{name}` of {what}"));
            }
        }
        for (name, b) in &node.blocks {
            if b.required && !present.contains(name.as_str()) {
                self.problem(at, format!("missing required block `{name}` of {what}"));
            }
        }
    }

    /// Terraform's own `lifecycle` block.
    fn lifecycle(&mut self, body: &hcl::Body, at: &str, kind: Kind) {
        let arguments: &[&str] = if kind == Kind::Data {
            &[]
        } else {
            &[
                "create_before_destroy",
                "prevent_destroy",
                "ignore_changes",
                "replace_triggered_by",
            ]
        };
        for attr in body.attributes() {
            if !arguments.contains(&attr.key()) {
                let hint = suggestion(attr.key(), arguments.iter().copied());
                self.problem(
                    at,
                    format!("unknown lifecycle argument `{}`{hint}", attr.key()),
                );
            }
        }
        for block in body.blocks() {
            if !["precondition", "postcondition"].contains(&block.identifier()) {
                self.problem(
                    at,
                    format!("unknown lifecycle block `{}`", block.identifier()),
                );
            }
        }
    }
}

/// `version` satisfies `constraint`, for the `~> X.Y` constraints the bundles pin.
fn satisfies(version: &str, constraint: &str) -> bool {
    let want: Vec<u64> = constraint
        .trim()
        .strip_prefix("~>")
        .unwrap_or_else(|| panic!("unsupported constraint {constraint}"))
        .trim()
        .split('.')
        .map(|p| p.parse().unwrap())
        .collect();
    let have: Vec<u64> = version.split('.').map(|p| p.parse().unwrap()).collect();
    let last = want.len() - 1;
    have.len() >= want.len() && have[..last] == want[..last] && have[last] >= want[last]
}

/// The checker's findings for one HCL text (for the tests of the checker itself).
fn check_text(schema: &ProviderSchema, text: &str) -> (Vec<String>, Counts) {
    let mut c = Checker::new(schema);
    c.file("test.tf", &hcl::from_str(text).unwrap());
    (c.problems, c.counts)
}

// ---------------------------------------------------------------------------------------------
// The tests

#[test]
fn every_terraform_resource_matches_its_provider_schema() {
    let mut schemas: BTreeMap<&str, ProviderSchema> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut total = Counts::default();
    let mut per_provider: BTreeMap<&str, Counts> = BTreeMap::new();
    let mut distinct = BTreeSet::new();
    let bundles = all_bundles();
    for b in &bundles {
        let local = terraform_provider(b.provider.key());
        let schema = schemas.entry(local).or_insert_with(|| load(local));
        // The cached schema is of a version the bundle's pin accepts.
        let versions: serde_json::Value =
            hcl::from_str(&b.file("terraform/versions.tf").unwrap().contents).unwrap();
        let pin = &versions["terraform"]["required_providers"][local];
        assert_eq!(
            pin["source"].as_str(),
            Some(schema.terraform_provider.source.as_str()),
            "{}: required_providers.{local}",
            b.name()
        );
        let constraint = pin["version"].as_str().unwrap();
        assert!(
            satisfies(&schema.terraform_provider.version, constraint),
            "{}: the cached {local} schema is of {} {}, outside the pin {constraint}: choose a \
             matching package in {EXTRACTOR}, rerun it and commit",
            b.name(),
            schema.terraform_provider.source,
            schema.terraform_provider.version,
        );
        let mut checker = Checker::new(schema);
        for f in b.files.iter().filter(|f| f.path.ends_with(".tf")) {
            let body: hcl::Body = hcl::from_str(&f.contents).unwrap();
            checker.file(&format!("{} {}", b.name(), f.path), &body);
            if f.path == "terraform/main.tf" {
                distinct.insert(f.contents.clone());
            }
        }
        problems.extend(checker.problems);
        total += checker.counts;
        *per_provider.entry(local).or_default() += checker.counts;
    }
    assert_eq!(schemas.len(), 6, "every provider's schema is used");
    eprintln!(
        "checked {} bundles ({} distinct main.tf): {} provider blocks, {} resources, {} data \
         sources, {} arguments, {} nested blocks, {} meta-arguments",
        bundles.len(),
        distinct.len(),
        total.providers,
        total.resources,
        total.data_sources,
        total.arguments,
        total.blocks,
        total.meta
    );
    for (p, c) in &per_provider {
        eprintln!("  {p}: {c:?}");
    }
    let mut unique: Vec<&String> = problems.iter().collect();
    unique.sort();
    unique.dedup();
    assert!(
        problems.is_empty(),
        "{} problems against the provider schemas:\n{}",
        problems.len(),
        unique
            .iter()
            .take(60)
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        total.resources > 500 && total.arguments > 3000 && total.blocks > 500,
        "{total:?}"
    );
}

#[test]
fn every_type_the_generators_name_is_in_a_cached_schema() {
    // `resource "…"` / `data "…"` in the generators' sources, the same list the extractor keeps:
    // a type used only in a rare bundle still has to be cached.
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/src/bundle/terraform");
    let mut missing = Vec::new();
    let schemas: Vec<ProviderSchema> = [
        "aws",
        "google",
        "azurerm",
        "linode",
        "digitalocean",
        "hcloud",
    ]
    .into_iter()
    .map(load)
    .collect();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for kind in ["resource", "data"] {
            // In raw strings (`resource "aws_vpc"`) and escaped ones (`resource \"aws_vpc\"`).
            for quote in ["\"", "\\\""] {
                let needle = format!("{kind} {quote}");
                for (i, _) in text.match_indices(&needle) {
                    let rest = &text[i + needle.len()..];
                    let ty: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if ty.is_empty() || !rest[ty.len()..].starts_with(quote) {
                        continue;
                    }
                    let known = schemas.iter().any(|s| {
                        let cached = if kind == "data" {
                            &s.data_sources
                        } else {
                            &s.resources
                        };
                        cached.contains_key(&ty)
                    });
                    if !known {
                        missing.push(format!("{}: {kind} \"{ty}\"", path.display()));
                    }
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "not in the cached schemas (rerun `node {EXTRACTOR}` and commit):\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_checker_reports_what_the_providers_would_refuse() {
    let d = load("digitalocean");
    let ok = r#"
provider "digitalocean" {
  token = "x"
}
resource "digitalocean_droplet" "app" {
  count    = 2
  name     = "app"
  region   = "nyc3"
  size     = "s-1vcpu-1gb"
  image    = "ubuntu-22-04-x64"
  vpc_uuid = "v"
  lifecycle {
    create_before_destroy = true
  }
}
resource "digitalocean_loadbalancer" "app" {
  name   = "lb"
  region = "nyc3"
  forwarding_rule {
    entry_port      = 80
    entry_protocol  = "http"
    target_port     = 80
    target_protocol = "http"
  }
  dynamic "forwarding_rule" {
    for_each = [443]
    content {
      entry_port      = forwarding_rule.value
      entry_protocol  = "tcp"
      target_port     = forwarding_rule.value
      target_protocol = "tcp"
    }
  }
}
"#;
    let (problems, counts) = check_text(&d, ok);
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(
        (counts.providers, counts.resources, counts.blocks),
        (1, 2, 2),
        "{counts:?}"
    );

    let bad = |from: &str, to: &str| {
        assert!(ok.contains(from), "{from}");
        check_text(&d, &ok.replacen(from, to, 1)).0
    };
    // A misspelt argument, with the likely one.
    let p = bad("vpc_uuid = \"v\"", "vpc_uid = \"v\"");
    assert!(
        p.len() == 1
            && p[0].contains("digitalocean_droplet.app")
            && p[0].contains(
                "unknown argument `vpc_uid` of digitalocean_droplet (did you mean `vpc_uuid`?)"
            ),
        "{p:#?}"
    );
    // A required argument left out.
    let p = bad("  size     = \"s-1vcpu-1gb\"\n", "");
    assert!(
        p.len() == 1 && p[0].contains("missing required argument `size` of digitalocean_droplet"),
        "{p:#?}"
    );
    // An unknown nested block, and a required one missing (the only forwarding_rule renamed).
    let p = check_text(&d, &ok.replace("forwarding_rule {", "forwarding_rules {"));
    assert!(
        p.0.iter().any(|m| m.contains("unknown block type `forwarding_rules` of digitalocean_loadbalancer (did you mean `forwarding_rule`?)")),
        "{p:#?}"
    );
    // A misspelt argument inside a nested block, and inside a dynamic block's content.
    let p = bad(
        "    target_protocol = \"http\"",
        "    target_protocl = \"http\"",
    );
    assert!(
        p.len() == 2
            && p.iter().any(|m| m.contains(
                "unknown argument `target_protocl` of digitalocean_loadbalancer.forwarding_rule"
            ))
            && p.iter()
                .any(|m| m.contains("missing required argument `target_protocol`")),
        "{p:#?}"
    );
    let p = bad(
        "      target_protocol = \"tcp\"",
        "      target_protocl = \"tcp\"",
    );
    assert!(p.iter().any(|m| m.contains("`target_protocl`")), "{p:#?}");
    // A block written as an attribute, and an argument written as a block.
    let p = bad("    target_port     = 80\n", "    target_port {}\n");
    assert!(
        p.iter().any(|m| m
            .contains("`target_port` of digitalocean_loadbalancer.forwarding_rule is an argument")),
        "{p:#?}"
    );
    // An unknown resource type, a known one not cached, an unknown provider argument, a
    // misspelt lifecycle argument.
    let p = bad(
        "\"digitalocean_droplet\" \"app\"",
        "\"digitalocean_dropplet\" \"app\"",
    );
    assert!(
        p.len() == 1
            && p[0].contains("unknown resource type `digitalocean_dropplet`")
            && p[0].contains("did you mean `digitalocean_droplet`"),
        "{p:#?}"
    );
    let p = bad(
        "\"digitalocean_droplet\" \"app\"",
        "\"digitalocean_app\" \"app\"",
    );
    assert!(
        p.len() == 1 && p[0].contains("not in the cached schema") && p[0].contains("extract.mjs"),
        "{p:#?}"
    );
    let p = bad("token = \"x\"", "tokn = \"x\"");
    assert!(
        p.iter().any(|m| m.contains(
            "unknown argument `tokn` of the digitalocean provider (did you mean `token`?)"
        )),
        "{p:#?}"
    );
    let p = bad("create_before_destroy", "create_before_destory");
    assert!(
        p.iter().any(|m| m.contains("unknown lifecycle argument")),
        "{p:#?}"
    );

    // A Pulumi-derived schema: Terraform's singular `network` for Pulumi's `networks`.
    let h = load("hcloud");
    let server = "resource \"hcloud_server\" \"a\" {\n  name = \"a\"\n  server_type = \"cx22\"\n  network {\n    network_id = 1\n  }\n}\n";
    assert!(
        check_text(&h, server).0.is_empty(),
        "{:#?}",
        check_text(&h, server).0
    );
    let p = check_text(&h, &server.replace("network {", "netwrk {")).0;
    assert!(
        p.iter()
            .any(|m| m.contains("unknown block type `netwrk` of hcloud_server")),
        "{p:#?}"
    );
    let p = check_text(&h, &server.replace("  server_type = \"cx22\"\n", "")).0;
    assert!(
        p.iter()
            .any(|m| m.contains("missing required argument `server_type`")),
        "{p:#?}"
    );

    assert!(satisfies("5.100.0", "~> 5.0") && satisfies("1.63.0", "~> 1.45"));
    assert!(!satisfies("6.0.0", "~> 5.0") && !satisfies("1.44.0", "~> 1.45"));
}
