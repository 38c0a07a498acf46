//! `.env` files, read by docker compose (`env_file` and variable interpolation), by dotenv
//! libraries and by shells that source them: one `KEY=value` per line, `#` comment lines.
//!
//! The dialects differ (compose's "Use an environment file" reference, python-dotenv's and
//! compose-go's dotenv parsers, POSIX `sh`), so the helpers keep to what all of them read the same
//! way.

/// `text` for a `#` comment line, which every dialect ends at the line break: line breaks and
/// other control characters become spaces.
pub fn comment(text: &str) -> String {
    super::one_line(text)
}

/// `text` as a value every dialect reads the same: as it is when it holds only letters, digits
/// and `_ . : / @ + , -` (no quoting, interpolation or comment character), else in single quotes,
/// which every dialect takes literally (no `$` interpolation, no escapes, `#` kept). A single quote
/// cannot be escaped inside single quotes in all of them alike, so it becomes `’` (U+2019), and
/// line breaks and control characters become spaces: the value stays on its line.
pub fn value(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.:/@+,-".contains(c));
    if plain {
        return text.to_owned();
    }
    let inner: String = super::one_line(text)
        .chars()
        .map(|c| if c == '\'' { '\u{2019}' } else { c })
        .collect();
    format!("'{inner}'")
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn values_are_plain_or_single_quoted_on_one_line() {
        assert_eq!(value("growth"), "growth");
        assert_eq!(
            value("registry.example.com/app:1.2"),
            "registry.example.com/app:1.2"
        );
        assert_eq!(value(""), "''");
        assert_eq!(value("a b"), "'a b'");
        assert_eq!(value("$HOME #x \"y\""), "'$HOME #x \"y\"'");
        assert_eq!(value("it's\nX=1"), "'it\u{2019}s X=1'");
        assert_eq!(comment("Launch\nEVIL=1"), "Launch EVIL=1");
    }
}
