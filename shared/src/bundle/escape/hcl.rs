//! HCL, Terraform's language: quoted strings, heredocs and `#` comments.
//!
//! The rules are those of the HCL native syntax specification (`hclsyntax/spec.md` in
//! hashicorp/hcl, sections "Template Expressions" and "Comments and Whitespace"), which Terraform's
//! "Strings and Templates" documentation restates.

use std::fmt::Write as _;

/// `text` as a quoted HCL string literal, quotes included, that evaluates to exactly `text`.
///
/// A quoted string is a template: besides the backslash escapes (`\\`, `\"`, `\n`, `\r`, `\t`,
/// `\uNNNN`) it reads `${` as the start of an interpolation and `%{` as the start of a directive,
/// whose literal forms are `$${` and `%%{`. Every other control character (and U+2028 / U+2029,
/// which some editors break lines at) is written as `\uNNNN`: a quoted string may not span lines.
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if super::breaks_lines(c) => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An indented heredoc (`<<-MARKER … MARKER`) whose value is `text` (which should end with a
/// newline, as a heredoc's value always does): each line indented by `indent` spaces (HCL strips
/// the common indentation of an indented heredoc), the closing marker by `marker_indent`.
///
/// A heredoc knows no backslash escapes, but it is a template like a quoted string: `${` and
/// `%{` are written `$${` and `%%{`. It ends at the first line that holds only its marker, and
/// no escape can change that, so the marker is `EOT` unless the text contains `EOT`, then `EOT1`,
/// `EOT2`… — the first that does not occur in the text anywhere.
pub fn heredoc(text: &str, indent: usize, marker_indent: usize) -> String {
    let marker = (0..)
        .map(|i| {
            if i == 0 {
                "EOT".to_owned()
            } else {
                format!("EOT{i}")
            }
        })
        .find(|m| !text.contains(m.as_str()))
        .unwrap_or_else(|| "EOT".to_owned());
    let mut out = format!("<<-{marker}\n");
    let pad = " ".repeat(indent);
    for line in text.lines() {
        out.push_str(&pad);
        out.push_str(&template_text(line));
        out.push('\n');
    }
    out.push_str(&" ".repeat(marker_indent));
    out.push_str(&marker);
    out
}

/// Literal text of a template: `${` → `$${`, `%{` → `%%{`.
fn template_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if matches!(c, '$' | '%') && chars.peek() == Some(&'{') {
            out.push(c);
        }
    }
    out
}

/// `text` for a `#` comment: the comment ends at the end of its line, so every line break (and
/// any other control character) becomes a space.
pub fn comment(text: &str) -> String {
    super::one_line(text)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// Texts that break a naively formatted HCL file.
    pub(crate) const HOSTILE: [&str; 12] = [
        "plain",
        "",
        "say \"hi\"",
        "back\\slash\\",
        "${var.db_password}",
        "%{ if true }x%{ endif }",
        "$${already} %%{escaped}",
        "$",
        "trailing $",
        "Launch\nresource \"null_resource\" \"x\" {}",
        "cr\r lf\n tab\t nul\u{0} del\u{7f} nel\u{85} ls\u{2028} ps\u{2029} é 🚀",
        "EOT\n  EOT\nEOT1",
    ];

    #[test]
    fn quoted_strings_escape_what_hcl_reads_specially() {
        assert_eq!(quoted("m5.large"), "\"m5.large\"");
        assert_eq!(quoted("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(quoted("${x} %{y} $z %"), r#""$${x} %%{y} $z %""#);
        assert_eq!(quoted("a\nb\r\tc"), r#""a\nb\r\tc""#);
        assert_eq!(
            quoted("\u{0}\u{1b}\u{85}\u{2028}"),
            r#""\u0000\u001B\u0085\u2028""#
        );
        for t in HOSTILE {
            assert!(!quoted(t).contains('\n'), "{t:?}");
        }
    }

    #[test]
    fn heredocs_pick_a_marker_the_text_does_not_hold() {
        assert_eq!(heredoc("a\n\nb\n", 2, 0), "<<-EOT\n  a\n  \n  b\nEOT");
        assert_eq!(heredoc("run ${x}\n", 0, 2), "<<-EOT\nrun $${x}\n  EOT");
        assert!(heredoc("EOT\nEOT1\n", 0, 0).starts_with("<<-EOT2\n"));
    }

    #[test]
    fn comments_stay_on_their_line() {
        assert_eq!(comment("Launch\nresource {}"), "Launch resource {}");
        for t in HOSTILE {
            assert!(!comment(t).contains(['\n', '\r']), "{t:?}");
        }
    }

    /// hcl-rs, the parser the bundle tests use, evaluates each escaped text back to itself.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn an_hcl_parser_reads_back_the_text() {
        use hcl::eval::Context;
        for t in HOSTILE {
            let src = format!(
                "a = {}\nb = {}\n# {}\nc = 1\n",
                quoted(t),
                heredoc(&format!("{t}\n"), 4, 2),
                comment(t)
            );
            let v: hcl::Value = hcl::eval::from_str(&src, &Context::new())
                .unwrap_or_else(|e| panic!("{t:?}: {e}\n{src}"));
            let obj = v.as_object().expect("an object");
            assert_eq!(obj.len(), 3, "{t:?}: {src}");
            assert_eq!(obj["a"], hcl::Value::from(t), "{src}");
            // hcl-rs 0.20 reads `%%%{` in a heredoc as `%{` (in a quoted string it reads it as
            // HCL's specification says, `%` then the escaped `%{`), so that text is left out.
            if t.contains("%%{") {
                continue;
            }
            // The heredoc's common indentation is stripped; its lines are the text's lines.
            let b = obj["b"].as_str().expect("a string");
            let want: String = t.lines().map(|l| format!("{l}\n")).collect();
            assert_eq!(b, if t.is_empty() { "\n" } else { want.as_str() }, "{src}");
        }
    }
}
