//! nginx configuration files.

/// `text` for a `#` comment. nginx's tokenizer (`ngx_conf_read_token` in
/// `src/core/ngx_conf_file.c`) ends a comment at the line feed; line breaks and other control
/// characters become spaces so nothing after them is read as a directive.
///
/// Generated nginx files hold outside text only in comments; names in directives (upstream
/// hosts) come from phase keys, which validation keeps to `[a-z0-9-]`.
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
        assert_eq!(comment("x\nworker_processes 1;"), "x worker_processes 1;");
        assert_eq!(comment("a\r\nb { } ; # \" '"), "a  b { } ; # \" '");
    }
}
