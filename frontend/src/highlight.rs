//! A small syntax highlighter for the bundle preview: comments, strings, numbers, keys and block
//! keywords for the languages a bundle holds (HCL, YAML, JSON, nginx / INI / Redis / PostgreSQL
//! configs, env files, Markdown). Line-based and forgiving: it colours, it does not parse.

/// What a piece of text is, as a CSS class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    Comment,
    String,
    Number,
    Key,
    Keyword,
    Text,
}

impl Token {
    pub fn class(self) -> &'static str {
        match self {
            Token::Comment => "tok-comment",
            Token::String => "tok-string",
            Token::Number => "tok-number",
            Token::Key => "tok-key",
            Token::Keyword => "tok-keyword",
            Token::Text => "tok-text",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    Hcl,
    Yaml,
    Json,
    /// nginx, Redis, PostgreSQL, PgBouncer, env: `key = value` or `directive args;`.
    Conf,
    Markdown,
}

fn lang(path: &str) -> Lang {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.ends_with(".tf") || name.ends_with(".tfvars.example") {
        Lang::Hcl
    } else if name.ends_with(".yml") || name.ends_with(".yaml") {
        Lang::Yaml
    } else if name.ends_with(".json") {
        Lang::Json
    } else if name.ends_with(".md") {
        Lang::Markdown
    } else {
        Lang::Conf
    }
}

const HCL_BLOCKS: [&str; 8] = [
    "resource",
    "data",
    "variable",
    "output",
    "provider",
    "terraform",
    "locals",
    "module",
];

/// Tokens of `text`, one `Vec` per line.
pub fn highlight(path: &str, text: &str) -> Vec<Vec<(Token, String)>> {
    let lang = lang(path);
    text.lines().map(|l| line(lang, l)).collect()
}

fn push(out: &mut Vec<(Token, String)>, t: Token, s: &str) {
    if s.is_empty() {
        return;
    }
    match out.last_mut() {
        Some((last, text)) if *last == t => text.push_str(s),
        _ => out.push((t, s.to_owned())),
    }
}

fn line(lang: Lang, l: &str) -> Vec<(Token, String)> {
    let mut out = Vec::new();
    let trimmed = l.trim_start();
    let indent = &l[..l.len() - trimmed.len()];
    if lang == Lang::Markdown {
        let t = if trimmed.starts_with('#') {
            Token::Keyword
        } else {
            Token::Text
        };
        push(&mut out, t, l);
        return out;
    }
    let comment = match lang {
        Lang::Hcl => trimmed.starts_with('#') || trimmed.starts_with("//"),
        Lang::Yaml | Lang::Conf => trimmed.starts_with('#') || trimmed.starts_with(';'),
        _ => false,
    };
    if comment {
        push(&mut out, Token::Comment, l);
        return out;
    }
    push(&mut out, Token::Text, indent);
    let chars: Vec<char> = trimmed.chars().collect();
    let mut i = 0;
    let mut first_word = true;
    while i < chars.len() {
        let c = chars[i];
        if c == '"' || c == '\'' {
            let start = i;
            i += 1;
            while i < chars.len() && chars[i] != c {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i = (i + 1).min(chars.len());
            let s: String = chars[start..i].iter().collect();
            // A JSON key is a string followed by a colon.
            let rest: String = chars[i..].iter().collect();
            let t = if lang == Lang::Json && rest.trim_start().starts_with(':') {
                Token::Key
            } else {
                Token::String
            };
            push(&mut out, t, &s);
            first_word = false;
        } else if c == '#' && lang != Lang::Json {
            let s: String = chars[i..].iter().collect();
            push(&mut out, Token::Comment, &s);
            break;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '_' | '-' | '.'))
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let rest: String = chars[i..].iter().collect();
            let rest = rest.trim_start();
            let is_key = match lang {
                Lang::Yaml => rest.starts_with(':'),
                Lang::Hcl | Lang::Conf => rest.starts_with('=') && !rest.starts_with("=="),
                _ => false,
            };
            let t = if is_key {
                Token::Key
            } else if first_word && lang == Lang::Hcl && HCL_BLOCKS.contains(&word.as_str()) {
                Token::Keyword
            } else if first_word && lang == Lang::Conf {
                // nginx / Redis directives: the first word of a line.
                Token::Keyword
            } else if matches!(
                word.as_str(),
                "true" | "false" | "null" | "yes" | "no" | "on" | "off"
            ) {
                Token::Number
            } else {
                Token::Text
            };
            push(&mut out, t, &word);
            first_word = false;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
            let s: String = chars[start..i].iter().collect();
            push(&mut out, Token::Number, &s);
            first_word = false;
        } else {
            push(&mut out, Token::Text, &c.to_string());
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(path: &str, text: &str) -> Vec<(Token, String)> {
        highlight(path, text)
            .into_iter()
            .flatten()
            .filter(|(t, _)| *t != Token::Text)
            .collect()
    }

    #[test]
    fn terraform_blocks_keys_strings_and_comments() {
        let k = kinds(
            "terraform/main.tf",
            "resource \"aws_vpc\" \"main\" {\n  cidr_block = \"10.0.0.0/16\" # net\n}",
        );
        assert_eq!(k[0], (Token::Keyword, "resource".to_owned()));
        assert_eq!(k[1], (Token::String, "\"aws_vpc\"".to_owned()));
        assert!(k.contains(&(Token::Key, "cidr_block".to_owned())));
        assert!(k.contains(&(Token::String, "\"10.0.0.0/16\"".to_owned())));
        assert!(k.contains(&(Token::Comment, "# net".to_owned())));
    }

    #[test]
    fn yaml_json_and_configs() {
        assert!(
            kinds("k/hpa.yaml", "  minReplicas: 3")
                .contains(&(Token::Key, "minReplicas".to_owned()))
        );
        assert!(kinds("k/hpa.yaml", "  minReplicas: 3").contains(&(Token::Number, "3".to_owned())));
        assert_eq!(
            kinds("d.json", "{\"title\": \"x\"}")[0],
            (Token::Key, "\"title\"".to_owned())
        );
        assert_eq!(
            kinds("nginx/nginx.conf", "worker_processes 4;")[0],
            (Token::Keyword, "worker_processes".to_owned())
        );
        assert_eq!(
            kinds(".env", "SCALING_PHASE=growth")[0],
            (Token::Key, "SCALING_PHASE".to_owned())
        );
        assert_eq!(
            kinds("p/pgbouncer.ini", "; note")[0],
            (Token::Comment, "; note".to_owned())
        );
    }

    #[test]
    fn the_text_is_kept_whole() {
        let text = "a = \"b # c\" # d\n  - x: 'y'\n\t1.5GB";
        for path in ["x.tf", "x.yaml", "x.conf", "x.json", "x.md"] {
            let joined: Vec<String> = highlight(path, text)
                .into_iter()
                .map(|l| l.into_iter().map(|(_, s)| s).collect())
                .collect();
            assert_eq!(joined.join("\n"), text, "{path}");
        }
    }
}
