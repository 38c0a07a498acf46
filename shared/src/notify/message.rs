//! An event in each channel's words: the webhook's JSON, Slack's `text` and blocks, and an
//! e-mail's subject, plain text and HTML. Every text from outside (platform and component names,
//! reasons) goes through the format's escaper: HTML entities for the mail, Slack's three
//! control characters for `mrkdwn`; the JSON is serde's.

use crate::format::percent;

use super::Event;

/// An e-mail's parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A percentage as the pages write it: whole when it is whole, else to one decimal.
fn pct(v: f64) -> String {
    percent(v, usize::from((v * 10.0).round() % 10.0 != 0.0))
}

/// The numbers behind an event, as lines: "Utilisation 72.5 % (warning at 60 %, critical at
/// 80 %)", "Date 2027-03-01".
fn numbers(e: &Event) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(u) = e.utilisation_percent {
        let mut line = format!("Utilisation {}", pct(u));
        match (e.warning_percent, e.critical_percent) {
            (Some(w), Some(c)) => {
                line.push_str(&format!(" (warning at {}, critical at {})", pct(w), pct(c)))
            }
            (Some(w), None) => line.push_str(&format!(" (warning at {})", pct(w))),
            _ => {}
        }
        out.push(line);
    }
    if let Some(d) = &e.date {
        out.push(format!("Date {d}"));
    }
    out
}

/// One line for a subject or a chat: no line breaks, whatever the texts held.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// HTML text content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Slack's `mrkdwn` reads `&`, `<` and `>` as markup (links, mentions): they are escaped, so a
/// name cannot mention `@channel` or make a link.
pub fn escape_slack(text: &str) -> String {
    one_line(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The e-mail.
pub fn mail(e: &Event) -> Mail {
    let subject = format!("[Phaseplan] {}", one_line(&e.title));
    let mut text = format!("{}\n\n{}\n", one_line(&e.title), e.summary);
    for n in numbers(e) {
        text.push_str(&format!("{n}\n"));
    }
    text.push_str(&format!(
        "\nPlatform: {}\nOpen: {}\n",
        one_line(&e.platform),
        e.link
    ));
    let mut html = format!(
        "<!doctype html><html><body><h2>{}</h2><p>{}</p>",
        escape_html(&e.title),
        escape_html(&e.summary)
    );
    let lines = numbers(e);
    if !lines.is_empty() {
        html.push_str("<ul>");
        for n in lines {
            html.push_str(&format!("<li>{}</li>", escape_html(&n)));
        }
        html.push_str("</ul>");
    }
    html.push_str(&format!(
        "<p>Platform: {}</p><p><a href=\"{}\">Open in Phaseplan</a></p></body></html>",
        escape_html(&e.platform),
        escape_html(&e.link)
    ));
    Mail {
        subject,
        text,
        html,
    }
}

/// The Slack incoming-webhook body: `text` (what notifications and old clients show) and blocks.
pub fn slack(e: &Event) -> serde_json::Value {
    let title = escape_slack(&e.title);
    let mut body = format!("*{title}*\n{}", escape_slack(&e.summary));
    for n in numbers(e) {
        body.push_str(&format!("\n• {}", escape_slack(&n)));
    }
    serde_json::json!({
        "text": title,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": body}},
            {"type": "context", "elements": [{
                "type": "mrkdwn",
                "text": format!("Platform {} · <{}|Open in Phaseplan>", escape_slack(&e.platform), e.link.replace(['<', '>', '|'], "")),
            }]},
        ],
    })
}

/// The generic webhook's body: the event itself, under a type tag.
pub fn webhook(e: &Event) -> String {
    serde_json::json!({"type": "phaseplan.event", "event": e}).to_string()
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::live::LiveComponent;

    fn event(platform: &str) -> Event {
        Event {
            id: "e1".into(),
            kind: "status_change".into(),
            platform: platform.into(),
            title: format!("Database connections on {platform}: optimal → warning"),
            summary: "Prepare the next phase.".into(),
            component: Some(LiveComponent::DbConnections),
            utilisation_percent: Some(72.5),
            warning_percent: Some(60.0),
            critical_percent: Some(80.0),
            date: None,
            link: "http://127.0.0.1:8080/operations?platform=x".into(),
            at: "2026-12-01T10:00:00.000Z".into(),
        }
    }

    #[test]
    fn each_channel_says_the_numbers_and_escapes_the_names() {
        let e = event("<b>prod</b> & @channel");
        let m = mail(&e);
        assert!(
            m.text
                .contains("Utilisation 72.5 % (warning at 60 %, critical at 80 %)"),
            "{}",
            m.text
        );
        assert!(
            m.html.contains("&lt;b&gt;prod&lt;/b&gt; &amp; @channel"),
            "{}",
            m.html
        );
        assert!(!m.html.contains("<b>prod"));
        assert!(!m.subject.contains('\n'));
        let s = slack(&e);
        let text = s["blocks"][0]["text"]["text"].as_str().unwrap();
        assert!(
            text.contains("&lt;b&gt;prod&lt;/b&gt; &amp; @channel"),
            "{text}"
        );
        assert!(text.contains("72.5 %"));
        let w: serde_json::Value = serde_json::from_str(&webhook(&e)).unwrap();
        assert_eq!(w["event"]["platform"], "<b>prod</b> & @channel");
        assert_eq!(w["type"], "phaseplan.event");
    }
}
