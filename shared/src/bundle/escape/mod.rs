//! Text from outside the generators inside the files they write: the scenario's name and phase
//! names (which travel in share links, so anyone can write them) and the catalog's provider and
//! SKU names. Each goes through the helper for its format and place — a quoted string, a comment,
//! a Markdown line — so that whatever the text holds, it stays text and cannot become a line,
//! block, key or template action of the file around it.
//!
//! Validation already refuses control characters in names and labels
//! ([`crate::scenario::Scenario::validate`]); these helpers do not rely on it, so a later change
//! to validation, or a new field, cannot reopen the hole. Every generator takes its text through
//! them, catalog text included: it costs nothing and keeps one rule.
//!
//! One module per format, each function documenting its format's rule and where the rule is
//! specified. Grafana's JSON needs none: it is built as a `serde_json::Value`, and serde_json
//! escapes every string it writes (RFC 8259).

pub mod dotenv;
pub mod gotemplate;
pub mod hcl;
pub mod ini;
pub mod markdown;
pub mod nginx;
pub mod redis;
pub mod yaml;

pub(crate) use crate::error::breaks_lines;

/// `text` on one line: every character for which [`breaks_lines`] holds becomes a space. The
/// common rule of line comments (`#`, `;`), which end at the first line break whatever the
/// format: the rest of the text would otherwise be read as configuration.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if breaks_lines(c) { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn one_line_leaves_no_line_break_of_any_kind() {
        assert_eq!(one_line("plain text # ; é 🚀"), "plain text # ; é 🚀");
        assert_eq!(
            one_line("a\nb\rc\r\nd\u{85}e\u{2028}f\u{2029}g\u{0}h\u{7f}i\u{1b}j\tk"),
            "a b c  d e f g h i j k"
        );
        for c in [
            '\n', '\r', '\u{b}', '\u{c}', '\u{85}', '\u{2028}', '\u{2029}',
        ] {
            assert!(breaks_lines(c), "{c:?}");
        }
        assert!(!breaks_lines(' ') && !breaks_lines('é') && !breaks_lines('\u{a0}'));
    }
}
