//! Markdown (the bundle's README), as CommonMark 0.31 and GitHub Flavored Markdown read it.

/// ASCII punctuation that starts inline markup anywhere in a line: code spans (`` ` ``),
/// emphasis (`*`, `_`), strikethrough (`~`), links and images (`[`, `]`, `!`), autolinks and raw
/// HTML (`<`, `>`), entities (`&`), headings (`#`), table cells (`|`), math (`$`), and the escape
/// character itself.
const INLINE: &[char] = &[
    '\\', '`', '*', '_', '~', '[', ']', '!', '<', '>', '&', '#', '|', '$',
];

/// `text` as literal Markdown text, for a heading, a paragraph or a table cell.
///
/// CommonMark §2.4: any ASCII punctuation may be backslash-escaped, and an escaped character is
/// always literal. The characters of [`INLINE`] are escaped wherever they are (GFM §4.10: `\|`
/// is a literal pipe inside a table cell too); line breaks and control characters become spaces,
/// so the text cannot end its line and start a heading, list, quote or table row. Characters that
/// only mean something at the start of a line (`-`, `+`, `=`, `1.`, `1)`) are escaped there.
pub fn text(text: &str) -> String {
    let line = super::one_line(text);
    let mut out = String::with_capacity(line.len() + 8);
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    for (i, c) in line.char_indices() {
        let leading = (i == 0 && matches!(c, '-' | '+' | '='))
            || (i == digits && digits > 0 && matches!(c, '.' | ')'));
        if leading || INLINE.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `text` as an inline code span, for identifiers a reader copies (`tqqGZag_LfdFmVK_`): literal
/// inside, no escapes to strip. CommonMark §6.1: the fence is one backtick more than the longest
/// run of backticks in the text, padded with a space when the text starts or ends with one; line
/// breaks and control characters become spaces, so the span cannot end its line.
pub fn code(text: &str) -> String {
    let line = super::one_line(text);
    let mut longest = 0;
    let mut run = 0;
    for c in line.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if line.starts_with('`') || line.ends_with('`') || line.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{line}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn markup_characters_are_escaped_and_plain_text_is_not() {
        assert_eq!(text("Ride-hailing platform"), "Ride-hailing platform");
        assert_eq!(text("m5.xlarge"), "m5.xlarge");
        assert_eq!(text("B_Standard_B1ms"), "B\\_Standard\\_B1ms");
        assert_eq!(text("a|b"), "a\\|b");
        assert_eq!(text("<!-- x -->"), "\\<\\!-- x --\\>");
        assert_eq!(text("[x](http://e)"), "\\[x\\](http://e)");
        assert_eq!(text("Launch\n# Owned"), "Launch \\# Owned");
        assert_eq!(text("- item"), "\\- item");
        assert_eq!(text("2024. year"), "2024\\. year");
        assert_eq!(text("2024 a.b"), "2024 a.b");
        assert_eq!(
            text("&amp; `x` *y* $z$ ~w~"),
            "\\&amp; \\`x\\` \\*y\\* \\$z\\$ \\~w\\~"
        );
    }

    #[test]
    fn code_spans_hold_any_text_literally() {
        assert_eq!(code("tqqGZag_LfdFmVK_"), "`tqqGZag_LfdFmVK_`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("x\n# y"), "`x # y`");
        assert_eq!(code("x``y`"), "``` x``y` ```");
    }
}
