//! YAML (Prometheus rules, Kubernetes manifests, docker-compose): double-quoted scalars, plain
//! scalars where they are safe, and `#` comments.
//!
//! The rules are those of YAML 1.2.2: §5.1 (the printable character set), §5.7 (escaped
//! characters), §6.6 (comments) and §7.3.1 (double-quoted style). The readers of these files
//! (Go's yaml.v2 / yaml.v3, PyYAML) follow YAML 1.1 in places, which adds NEL U+0085, U+2028 and
//! U+2029 to the line breaks and `yes` / `no` / `on` / `off` to the booleans: the helpers are
//! safe under both.

use std::fmt::Write as _;

/// Whether YAML may hold `c` unescaped (§5.1 `c-printable`, less the BOM, which some readers take
/// for the start of a document, and the line breaks of either version).
fn printable(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
        && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// `text` as a double-quoted scalar, quotes included, that reads back as exactly `text`.
///
/// In the double-quoted style `\` starts an escape and `"` ends the scalar, so both are escaped;
/// a line break inside would be folded into a space, so `\n` and `\r` are escaped, and so is
/// everything outside the printable set: `\t`, `\xNN` below U+0100 (control characters, NEL),
/// `\uNNNN` above (U+2028, U+2029, the BOM, U+FFFE / U+FFFF).
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if printable(c) => out.push(c),
            c if u32::from(c) < 0x100 => {
                let _ = write!(out, "\\x{:02X}", u32::from(c));
            }
            c => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
        }
    }
    out.push('"');
    out
}

/// Words that YAML 1.1 readers take for booleans or null when unquoted.
const NOT_STRINGS: [&str; 11] = [
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf",
];

/// `text` as a plain (unquoted) scalar when that reads back as the same string in YAML 1.1 and
/// 1.2 — an ASCII letter, then letters, digits, `-`, `_`, `.` or `/`, and not a boolean or null
/// word — else as [`quoted`]. Names and keys (`phaseplan-growth`) stay as people write them;
/// anything else (a key made only of digits would read as a number) is quoted.
pub fn scalar(text: &str) -> String {
    let plain = text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        && !NOT_STRINGS.iter().any(|w| w.eq_ignore_ascii_case(text));
    if plain { text.to_owned() } else { quoted(text) }
}

/// `text` for a `#` comment, which ends at the first line break: line breaks of either YAML
/// version and other control characters become spaces, and so do the characters YAML forbids
/// anywhere in a stream (outside the printable set), which would make the whole file unreadable.
pub fn comment(text: &str) -> String {
    text.chars()
        .map(|c| if printable(c) { c } else { ' ' })
        .collect()
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    const HOSTILE: [&str; 13] = [
        "plain",
        "",
        "say \"hi\" \\ o/",
        "- item",
        "key: value",
        "{ flow: map }",
        "[1, 2]",
        "# not a comment",
        "&anchor *alias !tag |block >folded %directive @ `",
        "Launch\n  - alert: Injected\n    expr: vector(1)",
        "cr\r lf\n tab\t nul\u{0} del\u{7f} nel\u{85} c1\u{9b} ls\u{2028} ps\u{2029} bom\u{feff} \u{fffe} é 🚀",
        "yes",
        "0123",
    ];

    #[test]
    fn double_quoted_scalars_escape_quotes_backslashes_and_line_breaks() {
        assert_eq!(quoted("Growth"), "\"Growth\"");
        assert_eq!(quoted("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(quoted("a\nb\r\tc"), r#""a\nb\r\tc""#);
        assert_eq!(
            quoted("\u{0}\u{85}\u{9b}\u{2028}\u{2029}\u{feff}"),
            r#""\x00\x85\x9B\u2028\u2029\uFEFF""#
        );
        for t in HOSTILE {
            assert!(
                !quoted(t).contains(['\n', '\r', '\u{85}', '\u{2028}']),
                "{t:?}"
            );
        }
    }

    #[test]
    fn plain_scalars_only_where_they_read_back_as_strings() {
        assert_eq!(scalar("phaseplan-growth"), "phaseplan-growth");
        assert_eq!(scalar("growth"), "growth");
        for quoted_one in [
            "2025", "yes", "No", "on", "null", "", "a b", "a:b", "-x", "~",
        ] {
            assert_eq!(scalar(quoted_one), quoted(quoted_one), "{quoted_one:?}");
        }
    }

    #[test]
    fn comments_stay_on_their_line() {
        assert_eq!(comment("a\nb\u{2028}c\u{85}d"), "a b c d");
        for t in HOSTILE {
            assert!(comment(t).chars().all(printable), "{t:?}");
        }
    }

    /// serde_yaml (libyaml) reads every escaped text back as itself, in a mapping of the
    /// expected shape.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn a_yaml_parser_reads_back_the_text() {
        for t in HOSTILE {
            let src = format!(
                "# {}\na: {}\nb: {}\nlist:\n  - {} # {}\nc: 1\n",
                comment(t),
                quoted(t),
                scalar(t),
                quoted(t),
                comment(t)
            );
            let v: serde_yaml::Value =
                serde_yaml::from_str(&src).unwrap_or_else(|e| panic!("{t:?}: {e}\n{src}"));
            let m = v.as_mapping().expect("a mapping");
            assert_eq!(m.len(), 4, "{t:?}: {src}");
            for key in ["a", "b"] {
                assert_eq!(m[key].as_str(), Some(t), "{key} {t:?}: {src}");
            }
            assert_eq!(m["list"][0].as_str(), Some(t), "{src}");
            assert_eq!(m["c"].as_u64(), Some(1), "{src}");
        }
    }
}
