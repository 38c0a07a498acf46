//! Go `text/template` text: Prometheus expands alert annotations and labels as Go templates
//! (Prometheus docs, "Alerting rules" → "Templating"), so text placed in them must not open an
//! action.

/// `text` as template text that renders as exactly `text`.
///
/// An action starts at `{{` (Go `text/template` docs: "Actions … are delimited by `{{` and
/// `}}`"); everything else, `}}` included, is copied to the output as it is. Each `{{` is
/// written as the action `{{ "{{" }}`, which renders a literal `{{`. A trailing `{` is written
/// `{{ "{" }}` too, so that it cannot join a `{` the template continues with into a delimiter.
/// The result goes into YAML through [`super::yaml::quoted`], which escapes its quotes.
pub fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        out.push_str("{{ \"{{\" }}");
        rest = &rest[i + 2..];
    }
    match rest.strip_suffix('{') {
        Some(head) => {
            out.push_str(head);
            out.push_str("{{ \"{\" }}");
        }
        None => out.push_str(rest),
    }
    out
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// Renders template text the way Go does for the only actions [`literal`] writes (a string
    /// constant); any other action is a failure.
    pub(crate) fn render(template: &str) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = template;
        while let Some(i) = rest.find("{{") {
            out.push_str(&rest[..i]);
            let end = rest[i..].find("}}").ok_or("unclosed action")? + i;
            let action = rest[i + 2..end].trim();
            let constant = action
                .strip_prefix('"')
                .and_then(|a| a.strip_suffix('"'))
                .filter(|a| !a.contains(['"', '\\']))
                .ok_or_else(|| format!("unexpected action {action:?}"))?;
            out.push_str(constant);
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        Ok(out)
    }

    #[test]
    fn text_renders_as_itself_and_opens_no_action() {
        assert_eq!(literal("Growth"), "Growth");
        assert_eq!(literal("{{ .Secret }}"), "{{ \"{{\" }} .Secret }}");
        assert_eq!(literal("a{"), "a{{ \"{\" }}");
        for t in [
            "",
            "Growth",
            "{{ $labels.instance }}",
            "{{{",
            "{{{{",
            "}} {{- end }}",
            "{",
            "{ {",
            "a{{b}}c{",
            "{{ \"{{\" }}",
        ] {
            assert_eq!(render(&literal(t)).as_deref(), Ok(t), "{t:?}");
            // Followed by more template text that starts with `{`, still no new action.
            let joined = format!("{}{{{{ \"x\" }}}}", literal(t));
            assert_eq!(render(&joined), Ok(format!("{t}x")), "{t:?}");
        }
    }
}
