//! Line-oriented `key = value` configuration: PgBouncer's `pgbouncer.ini` (INI, `;` and `#`
//! comments), `postgresql.conf` and `redis.conf` / `sentinel.conf` (`#` comments).

/// `text` for a comment line. All three readers end a comment at the line break (PgBouncer's
/// `cf_parse_file` in libusual, PostgreSQL's `guc-file.l` lexer, Redis's `loadServerConfigFromString`,
/// which splits the file at `\n`); line breaks and other control characters become spaces so
/// nothing after them is read as a setting or a section.
///
/// The generated files hold outside text only in comments; Redis arguments built from names go
/// through [`super::redis::word`].
pub fn comment(text: &str) -> String {
    super::one_line(text)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn comments_stay_on_their_line() {
        assert_eq!(
            comment("x\n[databases]\r\nevil = host=x"),
            "x [databases]  evil = host=x"
        );
    }
}
