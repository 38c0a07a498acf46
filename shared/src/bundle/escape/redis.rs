//! Arguments in `redis.conf` / `sentinel.conf`, which Redis splits into words with `sdssplitargs`
//! (`src/sds.c`): words are separated by spaces, and a word in double quotes may hold spaces and
//! the escapes `\\`, `\"`, `\n`, `\r`, `\t`, `\b`, `\a` and `\xHH`.

use std::fmt::Write as _;

/// `text` as one argument: as it is when it holds only ASCII letters, digits and `- _ . :`, else
/// in double quotes with `\` and `"` escaped and control characters written `\xHH` (Redis copies
/// other bytes, UTF-8 included, as they are). An empty text is `""`.
pub fn word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    if plain {
        return text.to_owned();
    }
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_ascii_control() => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn words_stay_one_argument_on_one_line() {
        assert_eq!(word("phaseplan-growth"), "phaseplan-growth");
        assert_eq!(word(""), "\"\"");
        assert_eq!(word("a b"), "\"a b\"");
        assert_eq!(word("a\"b\\c\nd\u{0}"), "\"a\\\"b\\\\c\\nd\\x00\"");
    }
}
