//! E-mail over SMTP: STARTTLS always (the message says how full the platform is, and the login
//! crosses the wire), the server's certificate verified against the web PKI roots and, where the
//! settings name one, a private CA (`smtp_ca_file`); plain text and HTML alternatives.

use std::path::Path;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use phaseplan_model::notify::{Event, message};

use crate::store::ChannelRow;

/// What sends mail: the extra CA certificates to trust, read once at start.
#[derive(Debug, Clone, Default)]
pub struct Mailer {
    roots: Vec<Vec<u8>>,
}

impl Mailer {
    /// `ca_file` (PEM) is read now, so a bad one is a start-up error naming the setting.
    pub fn new(ca_file: Option<&Path>) -> Result<Mailer, String> {
        let roots = match ca_file {
            Some(p) => {
                let pem = std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?;
                Certificate::from_pem(&pem).map_err(|e| format!("{}: {e}", p.display()))?;
                vec![pem]
            }
            None => Vec::new(),
        };
        Ok(Mailer { roots })
    }

    pub async fn send(
        &self,
        channel: &ChannelRow,
        password: &str,
        event: &Event,
    ) -> Result<(), String> {
        let s = &channel.settings;
        let text = |k: &str| s[k].as_str().unwrap_or_default().to_owned();
        let host = text("host");
        let port = s["port"]
            .as_u64()
            .and_then(|p| u16::try_from(p).ok())
            .unwrap_or(587);
        let mut tls = TlsParameters::builder(host.clone());
        for pem in &self.roots {
            let cert = Certificate::from_pem(pem).map_err(|e| format!("the CA file: {e}"))?;
            tls = tls.add_root_certificate(cert);
        }
        let tls = tls.build_rustls().map_err(|e| format!("TLS: {e}"))?;
        let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&host)
            .port(port)
            .tls(Tls::Required(tls))
            .timeout(Some(super::send::SEND_TIMEOUT));
        let user = text("username");
        if !user.is_empty() {
            transport = transport.credentials(Credentials::new(user, password.to_owned()));
        }
        let mail = message::mail(event);
        let from: Mailbox = text("from").parse().map_err(|e| format!("from: {e}"))?;
        let mut builder = Message::builder().from(from).subject(mail.subject);
        for to in s["to"].as_array().into_iter().flatten() {
            let to: Mailbox = to
                .as_str()
                .unwrap_or_default()
                .parse()
                .map_err(|e| format!("to: {e}"))?;
            builder = builder.to(to);
        }
        let email = builder
            .multipart(MultiPart::alternative_plain_html(mail.text, mail.html))
            .map_err(|e| format!("the message: {e}"))?;
        transport
            .build()
            .send(email)
            .await
            .map(drop)
            .map_err(|e| format!("SMTP: {e}"))
    }
}
