#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]
//! Issue 12: no text can change the shape of a generated file. A scenario travels in share links,
//! so its name and phase names are anyone's; the catalog's provider and SKU names are trusted but
//! escaped the same way. For hostile texts — quotes, backslashes, `${`, `%{`, `{{`, `#`, `|`,
//! `<!--`, line breaks of every kind — each file of a bundle, read by its real parser, has the
//! same structure as with plain names: the same Terraform blocks, labels and attribute keys, the
//! same YAML and JSON key paths, the same `.env` keys and INI sections and keys, the same Markdown
//! headings and table rows, and not one line more. Texts with line breaks are refused by
//! validation, so they reach the generators through `bundle::render` (a spec built by hand);
//! texts that pass validation go the whole way through `generate`.
//!
//! `nginx -t`, `promtool check rules` and `docker-compose config` check a few hostile bundles
//! when they are installed (`REQUIRE_TEST_TOOLS=require` makes a missing one a failure).

use std::process::Command;

use phaseplan_model::Reason;
use phaseplan_model::bundle::{Bundle, BundleSpec, generate, render};
use phaseplan_model::cost::catalog::{Catalog, PlanId, ProviderId};
use phaseplan_model::presets::preset;
use phaseplan_model::scenario::Scenario;
use proptest::prelude::*;
use proptest::test_runner::Config;

mod common;
use common::*;

/// The three phases whose bundles hold every kind of file between them (compose, PgBouncer and
/// Sentinel, Kubernetes).
const PHASES: [&str; 3] = ["launch", "growth", "scale"];

fn scenario() -> Scenario {
    preset("ride-hailing").unwrap().scenario
}

fn spec(phase: &str, provider: ProviderId) -> BundleSpec {
    let s = scenario().validate().unwrap();
    BundleSpec::new(&s, &Catalog::built_in().unwrap(), phase, provider).unwrap()
}

/// What a reader sees as a line break or control character (the rule validation applies).
fn breaks_lines(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

// ---------------------------------------------------------------------------------------------
// Hostile texts

/// Pieces of text that mean something in one of the formats.
const MARKUP: &[&str] = &[
    "\"",
    "'",
    "\\",
    "${",
    "%{",
    "$${",
    "%%{",
    "{{",
    "}}",
    "{",
    "}",
    "#",
    ";",
    "|",
    "<!--",
    "-->",
    "<b>",
    "&amp;",
    "*",
    "_",
    "`",
    "[x](y)",
    "![",
    "$",
    "~",
    "=",
    ":",
    ": ",
    "- ",
    "> ",
    "EOT",
    "var.db_password",
    "{{ .Value }}",
    "%{ if true }",
    "\t",
];

/// Line breaks of every kind, and the lines an attacker would follow them with.
const BREAKS: &[&str] = &[
    "\n",
    "\r",
    "\r\n",
    "\u{85}",
    "\u{2028}",
    "\u{2029}",
    "\u{0}",
    "\u{1b}[31m",
    "\u{7f}",
    "\u{b}",
    "\nresource \"null_resource\" \"x\" {}\n",
    "\n  - alert: Injected\n    expr: vector(1)\n",
    "\nEVIL=1\n",
    "\n[databases]\nevil = host=attacker\n",
    "\n# Owned\n| a | b |\n",
    "\nEOT\n",
];

/// A text made of plain words, markup, any character and (when `breaks`) line breaks.
fn hostile(breaks: bool) -> BoxedStrategy<String> {
    let markup = proptest::sample::select(MARKUP).prop_map(str::to_owned);
    let piece = if breaks {
        prop_oneof![
            3 => "[A-Za-z0-9 ]{1,6}",
            3 => markup,
            1 => any::<char>().prop_map(String::from),
            2 => proptest::sample::select(BREAKS).prop_map(str::to_owned),
        ]
        .boxed()
    } else {
        prop_oneof![
            3 => "[A-Za-z0-9 ]{1,6}",
            3 => markup,
            1 => any::<char>().prop_map(String::from),
        ]
        .boxed()
    };
    proptest::collection::vec(piece, 1..8)
        .prop_map(move |pieces| {
            let text = pieces.concat();
            if breaks {
                text
            } else {
                // What validation accepts: no line breaks (the markup's tab included).
                text.chars()
                    .map(|c| if breaks_lines(c) { '?' } else { c })
                    .collect()
            }
        })
        .boxed()
}

/// Every outside text a spec holds, replaced: the scenario's name, the phase's name, the
/// catalog's provider and SKU names, version, bill items and price sources.
#[derive(Debug, Clone)]
struct Texts {
    scenario: String,
    phase: String,
    provider: String,
    sku: String,
    catalog: String,
}

fn texts(breaks: bool) -> impl Strategy<Value = Texts> {
    (
        hostile(breaks),
        hostile(breaks),
        hostile(breaks),
        hostile(breaks),
        hostile(breaks),
    )
        .prop_map(|(scenario, phase, provider, sku, catalog)| Texts {
            scenario,
            phase,
            provider,
            sku,
            catalog,
        })
}

fn with_texts(spec: &BundleSpec, t: &Texts) -> BundleSpec {
    let mut s = spec.clone();
    s.scenario_name.clone_from(&t.scenario);
    s.phase.name.clone_from(&t.phase);
    s.provider_name.clone_from(&t.provider);
    s.catalog_version.clone_from(&t.catalog);
    s.platform = Some(t.scenario.clone());
    for (i, b) in [&mut s.app, &mut s.database, &mut s.cache]
        .into_iter()
        .chain(s.control_plane.as_mut())
        .enumerate()
    {
        b.sku = format!("{}{i}", t.sku);
        // Plans are validated catalog data, but the generators escape them all the same.
        if let PlanId::Id(id) = &mut b.plan {
            *id = format!("{}{i}", t.sku);
        }
    }
    for l in &mut s.bill.lines {
        l.item.clone_from(&t.sku);
        if let Some(p) = &mut l.unit_price {
            p.source.clone_from(&t.catalog);
            p.as_of = Some(t.phase.clone());
        }
    }
    for u in &mut s.bill.unpriced {
        u.clone_from(&t.scenario);
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Structure of each kind of file, by its parser

/// A file's structure as its format's parser reads it, without the texts: comparing two of
/// them says whether a text added, removed or moved anything.
fn structure(path: &str, contents: &str) -> Vec<String> {
    let mut out = vec![format!("{} lines", contents.lines().count())];
    let ext = path.rsplit('.').next().unwrap_or("");
    match ext {
        "tf" | "example" => {
            let body: hcl::Body = hcl::from_str(contents)
                .unwrap_or_else(|e| panic!("{path} is not HCL: {e}\n{contents}"));
            hcl_structure(&body, "", &mut out);
        }
        "yml" | "yaml" => {
            let v: serde_yaml::Value = serde_yaml::from_str(contents)
                .unwrap_or_else(|e| panic!("{path} is not YAML: {e}\n{contents}"));
            yaml_structure(&v, "", &mut out);
        }
        "json" => {
            let v: serde_json::Value = serde_json::from_str(contents)
                .unwrap_or_else(|e| panic!("{path} is not JSON: {e}\n{contents}"));
            json_structure(&v, "", &mut out);
        }
        "md" => markdown_structure(contents, &mut out),
        "env" => {
            for line in contents.lines() {
                out.push(line_kind(line, '='));
            }
        }
        // nginx, PostgreSQL, PgBouncer, Redis, Sentinel and the PgBouncer user list: line by line.
        _ => {
            for line in contents.lines() {
                out.push(line_kind(line, ' '));
            }
        }
    }
    out
}

/// A line of a line-oriented config as a simple INI / conf reader sees it: blank, comment,
/// `[section]`, or the key (up to `=` or, for nginx / Redis, the first space).
fn line_kind(line: &str, key_end: char) -> String {
    let t = line.trim();
    if t.is_empty() {
        "blank".to_owned()
    } else if t.starts_with(['#', ';']) {
        "comment".to_owned()
    } else if t.starts_with('[') && t.ends_with(']') {
        format!("section {t}")
    } else {
        let key = t.split(['=', key_end]).next().unwrap_or("").trim();
        format!("key {key}")
    }
}

fn hcl_structure(body: &hcl::Body, at: &str, out: &mut Vec<String>) {
    for attr in body.attributes() {
        let mut shape = String::new();
        expr_structure(attr.expr(), &mut shape);
        out.push(format!("{at}{} = {shape}", attr.key()));
    }
    for block in body.blocks() {
        let labels: Vec<&str> = block.labels().iter().map(|l| l.as_str()).collect();
        let at = format!("{at}{} {labels:?} > ", block.identifier());
        out.push(at.clone());
        hcl_structure(block.body(), &at, out);
    }
}

/// An expression's shape: which kind of expression, with the traversals and function calls it
/// holds, and for a template the number of interpolations and directives (a text that opened one
/// would show here).
fn expr_structure(e: &hcl::Expression, out: &mut String) {
    use hcl::Expression as E;
    match e {
        E::String(_) => out.push_str("string"),
        // Sizes read from SKU names (`Cache Basic C4`) may change with them: only the kind.
        E::Number(_) => out.push_str("number"),
        E::TemplateExpr(t) => {
            let template = hcl::Template::from_expr(t).unwrap();
            let (mut interpolations, mut directives) = (0, 0);
            for el in template.elements() {
                match el {
                    hcl::template::Element::Literal(_) => {}
                    hcl::template::Element::Interpolation(i) => {
                        interpolations += 1;
                        expr_structure(&i.expr, out);
                    }
                    hcl::template::Element::Directive(_) => directives += 1,
                }
            }
            if interpolations + directives == 0 {
                out.push_str("string");
            } else {
                out.push_str(&format!("template({interpolations}, {directives})"));
            }
        }
        E::Array(items) => {
            out.push('[');
            for i in items {
                expr_structure(i, out);
                out.push(',');
            }
            out.push(']');
        }
        E::Object(o) => {
            out.push('{');
            for (k, v) in o {
                out.push_str(&format!("{k:?}="));
                expr_structure(v, out);
                out.push(',');
            }
            out.push('}');
        }
        E::FuncCall(f) => {
            out.push_str(&format!("{}(", f.name));
            for a in &f.args {
                expr_structure(a, out);
                out.push(',');
            }
            out.push(')');
        }
        E::Traversal(t) => {
            let mut s = String::new();
            expr_structure(&t.expr, &mut s);
            out.push_str(&format!("{s}.{:?}", t.operators));
        }
        other => out.push_str(&format!("{other:?}")),
    }
}

fn yaml_structure(v: &serde_yaml::Value, at: &str, out: &mut Vec<String>) {
    use serde_yaml::Value as V;
    match v {
        V::Mapping(m) => {
            for (k, v) in m {
                let key = k.as_str().map_or_else(|| format!("{k:?}"), str::to_owned);
                yaml_structure(v, &format!("{at}.{key}"), out);
            }
        }
        V::Sequence(items) => {
            for (i, v) in items.iter().enumerate() {
                yaml_structure(v, &format!("{at}[{i}]"), out);
            }
        }
        V::String(_) => out.push(format!("{at}: string")),
        V::Number(n) => out.push(format!("{at}: {n}")),
        V::Bool(b) => out.push(format!("{at}: {b}")),
        V::Null => out.push(format!("{at}: null")),
        V::Tagged(t) => out.push(format!("{at}: tagged {}", t.tag)),
    }
}

fn json_structure(v: &serde_json::Value, at: &str, out: &mut Vec<String>) {
    use serde_json::Value as V;
    match v {
        V::Object(m) => {
            for (k, v) in m {
                json_structure(v, &format!("{at}.{k}"), out);
            }
        }
        V::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                json_structure(v, &format!("{at}[{i}]"), out);
            }
        }
        V::String(_) => out.push(format!("{at}: string")),
        other => out.push(format!("{at}: {other}")),
    }
}

fn markdown_options() -> pulldown_cmark::Options {
    use pulldown_cmark::Options as O;
    O::ENABLE_TABLES
        | O::ENABLE_STRIKETHROUGH
        | O::ENABLE_TASKLISTS
        | O::ENABLE_FOOTNOTES
        | O::ENABLE_MATH
        | O::ENABLE_GFM
}

/// The Markdown events without their text: headings, paragraphs, lists, table rows and cells,
/// and any emphasis, link, image, HTML, code or math a text would have started.
fn markdown_structure(contents: &str, out: &mut Vec<String>) {
    use pulldown_cmark::Event as E;
    for event in pulldown_cmark::Parser::new_ext(contents, markdown_options()) {
        match event {
            E::Text(_) | E::SoftBreak => {}
            E::Start(tag) => out.push(format!("start {tag:?}")),
            E::End(tag) => out.push(format!("end {tag:?}")),
            E::Code(_) => out.push("code".to_owned()),
            other => out.push(format!("{other:?}")),
        }
    }
}

/// The README's first heading as a reader sees it.
fn readme_title(contents: &str) -> String {
    use pulldown_cmark::{Event as E, Tag, TagEnd};
    let mut title = String::new();
    let mut inside = false;
    for event in pulldown_cmark::Parser::new_ext(contents, markdown_options()) {
        match event {
            E::Start(Tag::Heading { .. }) => inside = true,
            E::End(TagEnd::Heading(_)) => break,
            E::Text(t) if inside => title.push_str(&t),
            _ => {}
        }
    }
    title
}

/// Prometheus's rendering of an annotation for the only actions the bundle writes: its own
/// `{{ $value | printf "%.1f" }}` and string constants (the escaped `{{`). Any other action is a
/// text that got out.
fn render_go_template(template: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find("}}").ok_or("unclosed action")? + i;
        let action = rest[i + 2..end].trim();
        if action == "$value | printf \"%.1f\"" {
            out.push_str("42.0");
        } else {
            let constant = action
                .strip_prefix('"')
                .and_then(|a| a.strip_suffix('"'))
                .filter(|a| !a.contains(['"', '\\']))
                .ok_or_else(|| format!("unexpected action {action:?} in {template:?}"))?;
            out.push_str(constant);
        }
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Whitespace runs as one space, ends trimmed (how Markdown shows a heading).
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Holds `hostile` to `plain`: the same files, each with the same structure; and the texts that
/// can be read back (README title, dashboard title, alert summaries) read back as written.
fn check_same_shape(plain: &Bundle, hostile: &Bundle, t: &Texts) -> Result<(), TestCaseError> {
    let paths = |b: &Bundle| b.files.iter().map(|f| f.path.clone()).collect::<Vec<_>>();
    prop_assert_eq!(paths(plain), paths(hostile));
    for (p, h) in plain.files.iter().zip(&hostile.files) {
        let (want, got) = (
            structure(&p.path, &p.contents),
            structure(&h.path, &h.contents),
        );
        prop_assert!(
            want == got,
            "{} {}: the structure changed with {:?}\n{}",
            hostile.name(),
            h.path,
            t,
            h.contents
        );
    }
    let file = |path: &str| &hostile.file(path).unwrap().contents;
    let one_line = |s: &str| -> String {
        s.chars()
            .map(|c| if breaks_lines(c) { ' ' } else { c })
            .collect()
    };
    // The README's title shows the names as they are (line breaks as spaces).
    prop_assert_eq!(
        squeeze(&readme_title(file("README.md"))),
        squeeze(&format!(
            "phaseplan-{}: the {} phase on {}",
            hostile.phase,
            one_line(&t.phase),
            one_line(&t.provider)
        ))
    );
    // JSON holds any text exactly.
    let d: serde_json::Value = serde_json::from_str(file("monitoring/grafana-dashboard.json"))
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let title = format!("Phaseplan — {} ({})", t.phase, t.provider);
    prop_assert_eq!(d["title"].as_str(), Some(title.as_str()));
    // Every annotation renders, as Prometheus would, to text with the phase name exactly as it
    // is, and opens no action of its own.
    let rules: serde_yaml::Value = serde_yaml::from_str(file("monitoring/alerts.yml")).unwrap();
    let rules = rules["groups"][0]["rules"].as_sequence().unwrap();
    prop_assert_eq!(rules.len(), 12);
    for r in rules {
        for key in ["summary", "description"] {
            let text = r["annotations"][key].as_str().unwrap();
            let rendered = render_go_template(text).map_err(TestCaseError::fail)?;
            prop_assert!(
                rendered.contains(&format!(" {} ", t.phase))
                    || rendered.ends_with(&format!(" {}", t.phase)),
                "{key}: {rendered:?} lost the name {:?}",
                t.phase
            );
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The properties

proptest! {
    #![proptest_config(Config { cases: 32, ..Config::default() })]

    /// Texts validation would refuse (line breaks, control characters) handed to the generators
    /// directly: every file keeps its shape on every provider.
    #[test]
    fn no_text_changes_the_shape_of_a_generated_file(
        t in texts(true),
        phase in proptest::sample::select(PHASES.to_vec()),
        provider in proptest::sample::select(ProviderId::ALL.to_vec()),
    ) {
        let spec = spec(phase, provider);
        check_same_shape(
            &render(&spec).expect("bundle"),
            &render(&with_texts(&spec, &t)).expect("bundle"),
            &t,
        )?;
    }

    /// Hostile names that pass validation (no line breaks), through the whole pipeline.
    #[test]
    fn hostile_names_that_pass_validation_change_no_file_either(
        scenario_name in hostile(false),
        phase_name in hostile(false),
        phase in proptest::sample::select(PHASES.to_vec()),
        provider in proptest::sample::select(ProviderId::ALL.to_vec()),
    ) {
        let catalog = Catalog::built_in().unwrap();
        let plain = generate(&scenario().validate().unwrap(), &catalog, phase, provider).unwrap();
        let mut s = scenario();
        s.name = scenario_name.chars().take(200).collect();
        // Phase names are 1–60 characters and not blank.
        let phase_name: String = format!("P{phase_name}").chars().take(60).collect();
        for p in &mut s.phases {
            p.name.clone_from(&phase_name);
        }
        let valid = s.validate().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let got = generate(&valid, &catalog, phase, provider).unwrap();
        let t = Texts {
            scenario: valid.scenario().name.clone(),
            phase: phase_name,
            provider: catalog.provider(provider).unwrap().name.clone(),
            sku: String::new(),
            catalog: String::new(),
        };
        check_same_shape(&plain, &got, &t)?;
    }

    /// Validation refuses a line break or control character in any name or label, naming the
    /// field and where the character is.
    #[test]
    fn validation_refuses_line_breaks_in_every_name_and_label(
        before in "[A-Za-z][A-Za-z ]{0,19}",
        c in proptest::sample::select(vec!['\n', '\r', '\t', '\u{0}', '\u{7}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9b}', '\u{2028}', '\u{2029}']),
        after in "[A-Za-z ]{0,20}",
        which in 0usize..6,
    ) {
        let text = format!("{before}{c}{after}");
        let mut s = scenario();
        let field = match which {
            0 => {
                s.name = text;
                "name".to_owned()
            }
            1..=4 => {
                s.phases[which - 1].name = text;
                format!("phases[{}].name", which - 1)
            }
            _ => {
                s.growth.events = vec![phaseplan_model::scenario::GrowthEvent {
                    label: text,
                    month: 2,
                    duration_months: 1,
                    multiplier: 1.2,
                }];
                "growth.events[0].label".to_owned()
            }
        };
        let e = s.validate().unwrap_err();
        prop_assert_eq!(e.field, field);
        prop_assert_eq!(
            e.reason,
            Reason::ControlCharacter { found: c, position: before.chars().count() + 1 }
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Issue 12's example

const INJECTION: &str = "Launch\nresource \"null_resource\" \"x\" {}";

#[test]
fn the_example_of_issue_12_is_refused_and_inert_in_the_generators() {
    let mut s = scenario();
    s.phases[0].name = INJECTION.to_owned();
    let e = s.validate().unwrap_err();
    assert_eq!(e.field, "phases[0].name");
    assert_eq!(
        e.reason,
        Reason::ControlCharacter {
            found: '\n',
            position: 7
        }
    );

    // Handed to the generators anyway, it stays inside a comment.
    for provider in ProviderId::ALL {
        let mut spec = spec("launch", provider);
        spec.phase.name = INJECTION.to_owned();
        let b = render(&spec).expect("bundle");
        let main = &b.file("terraform/main.tf").unwrap().contents;
        let body: hcl::Body = hcl::from_str(main).unwrap();
        for block in body.blocks() {
            let labels: Vec<&str> = block.labels().iter().map(|l| l.as_str()).collect();
            assert!(
                !labels.contains(&"null_resource"),
                "{provider:?}: main.tf declares {labels:?}\n{main}"
            );
        }
        assert!(main.contains("# phaseplan-launch: the Launch resource \"null_resource\""));
        for f in &b.files {
            assert!(
                !f.contents
                    .lines()
                    .any(|l| l.trim_start().starts_with("resource \"null_resource\"")),
                "{provider:?} {}: the injected line is a line of its own",
                f.path
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The real tools, on a few hostile bundles

/// Hostile texts the tools see: markup of every format and line breaks.
fn few_hostile_texts() -> Vec<Texts> {
    let names = [
        INJECTION,
        "a\"b\\c ${x} %{y} {{ .z }} {{{",
        "# x;\n}\nevents { }\r\nhttp {\u{2028}\u{85}",
        "<!-- | * _ ` [x](y) & $ ' \"",
    ];
    names
        .iter()
        .map(|n| Texts {
            scenario: (*n).to_owned(),
            phase: (*n).to_owned(),
            provider: (*n).to_owned(),
            sku: (*n).to_owned(),
            catalog: (*n).to_owned(),
        })
        .collect()
}

#[test]
fn nginx_accepts_configs_written_with_hostile_names() {
    let Some(nginx) = tool("/usr/sbin/nginx") else {
        return;
    };
    for (i, t) in few_hostile_texts().iter().enumerate() {
        let phase = PHASES[i % PHASES.len()];
        let b = render(&with_texts(&spec(phase, ProviderId::Hetzner), t)).expect("bundle");
        let conf = &b.file("nginx/nginx.conf").unwrap().contents;
        let dir = scratch(&format!("inject-nginx-{i}"));
        // Upstream names resolve only where the phase runs: loopback here (as in bundles.rs).
        let local: String = conf
            .lines()
            .map(|line| {
                let l = line.trim_start();
                if l.starts_with("server ") && l.contains(':') && l.ends_with(';') {
                    let port = l
                        .split(':')
                        .nth(1)
                        .unwrap()
                        .split_whitespace()
                        .next()
                        .unwrap();
                    format!("        server 127.0.0.1:{port};\n")
                } else {
                    format!("{line}\n")
                }
            })
            .collect();
        std::fs::write(dir.join("nginx.conf"), local).unwrap();
        let (ok, out) = run(Command::new(&nginx)
            .args(["-t", "-c"])
            .arg(dir.join("nginx.conf"))
            .arg("-p")
            .arg(&dir));
        assert!(
            ok && out.contains("test is successful"),
            "{t:?}: nginx -t failed:\n{out}\n{conf}"
        );
    }
}

#[test]
fn promtool_accepts_alert_rules_written_with_hostile_names() {
    let Some(promtool) = tool("promtool") else {
        return;
    };
    for (i, t) in few_hostile_texts().iter().enumerate() {
        let b = render(&with_texts(&spec("growth", ProviderId::Aws), t)).expect("bundle");
        let rules = &b.file("monitoring/alerts.yml").unwrap().contents;
        let dir = scratch(&format!("inject-prom-{i}"));
        let file = dir.join("alerts.yml");
        std::fs::write(&file, rules).unwrap();
        let (ok, out) = run(Command::new(&promtool).args(["check", "rules"]).arg(&file));
        assert!(
            ok && out.contains("12 rules found"),
            "{t:?}: promtool failed:\n{out}\n{rules}"
        );
    }
}

#[test]
fn docker_compose_reads_hostile_bundles_as_it_reads_plain_ones() {
    let Some(compose) = tool("docker-compose") else {
        return;
    };
    // The resolved configuration (with `.env` interpolated) is the same whatever the names.
    // One directory for all, so that the mounted paths agree.
    let config = |b: &Bundle, name: &str| {
        let dir = scratch("inject-compose");
        for f in &b.files {
            let p = dir.join(&f.path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, &f.contents).unwrap();
        }
        let (ok, out) = run(Command::new(&compose)
            .args(["-f", "docker-compose.yml", "config"])
            .current_dir(&dir)
            .env_remove("POSTGRES_PASSWORD")
            .env_remove("REDIS_PASSWORD")
            .env_remove("APP_IMAGE"));
        assert!(ok, "{name}: docker-compose config failed:\n{out}");
        out
    };
    let plain_spec = spec("launch", ProviderId::Hetzner);
    let plain = config(
        &render(&plain_spec).expect("bundle"),
        "inject-compose-plain",
    );
    for (i, t) in few_hostile_texts().iter().enumerate() {
        let b = render(&with_texts(&plain_spec, t)).expect("bundle");
        assert_eq!(
            config(&b, &format!("inject-compose-{i}")),
            plain,
            "{t:?}\n{}",
            b.file(".env").unwrap().contents
        );
    }
}
