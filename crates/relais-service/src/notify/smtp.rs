//! E-mail through an SMTP server, with `lettre` (tokio, rustls): plain
//! SMTP to a relay on the machine or the local network, STARTTLS, or TLS
//! from the first byte; with an account when the server asks for one.
//!
//! Configured as `smtp://HOST[:PORT]?from=ADDRESS` (plain, port 25),
//! `smtp://HOST[:PORT]?from=ADDRESS&tls=starttls` (STARTTLS required, port
//! 587) or `smtps://HOST[:PORT]?from=ADDRESS` (TLS, port 465); the account
//! comes from separate settings, never from the URL.

use super::{Channel, Notification, Notifier, Sending};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::fmt;
use std::time::Duration;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain SMTP (`smtp://`): for a relay on the machine or a trusted
    /// network, as before.
    None,
    /// STARTTLS required (`smtp://…&tls=starttls`): when the server does
    /// not offer it, nothing is sent.
    StartTls,
    /// TLS from the first byte (`smtps://`).
    Tls,
}

/// The account relais signs in with on the SMTP server.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpCredentials {
    pub username: String,
    pub password: String,
}

impl fmt::Debug for SmtpCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpCredentials")
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .finish()
    }
}

/// Sends e-mails through one SMTP server.
pub struct SmtpNotifier {
    host: String,
    port: u16,
    security: SmtpSecurity,
    from: Mailbox,
    authenticated: bool,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl fmt::Debug for SmtpNotifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpNotifier")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("authenticated", &self.authenticated)
            .finish_non_exhaustive()
    }
}

/// What a notifier URL says.
struct Target {
    host: String,
    port: u16,
    security: SmtpSecurity,
    from: Mailbox,
}

fn parse_url(text: &str) -> Result<Target, String> {
    let url = url::Url::parse(text).map_err(|_| "invalid SMTP notifier URL".to_owned())?;
    let mut security = match url.scheme() {
        "smtp" => SmtpSecurity::None,
        "smtps" => SmtpSecurity::Tls,
        _ => return Err("the SMTP notifier URL must start with smtp:// or smtps://".into()),
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "give the SMTP account in smtp_username and smtp_password, not in the URL".into(),
        );
    }
    let host = match url.host() {
        Some(url::Host::Domain(d)) if !d.is_empty() => d.to_owned(),
        Some(url::Host::Ipv4(a)) => a.to_string(),
        Some(url::Host::Ipv6(a)) => a.to_string(),
        _ => return Err("the SMTP notifier URL needs a host".into()),
    };
    let mut from = "relais@localhost".to_owned();
    for (key, value) in url.query_pairs() {
        match (key.as_ref(), value.as_ref()) {
            ("from", v) => v.clone_into(&mut from),
            ("tls", "starttls") if security == SmtpSecurity::None => {
                security = SmtpSecurity::StartTls
            }
            ("tls", "none") if security == SmtpSecurity::None => {}
            ("tls", _) => {
                return Err(
                    "tls must be starttls or none, and only with smtp:// (smtps:// is TLS already)"
                        .into(),
                )
            }
            (k, _) => {
                return Err(format!(
                    "unknown SMTP notifier setting {k:?}: use from or tls"
                ))
            }
        }
    }
    let from = from
        .parse::<Address>()
        .map_err(|_| "invalid sender address (from=…)".to_owned())?;
    let port = url.port().unwrap_or(match security {
        SmtpSecurity::None => 25,
        SmtpSecurity::StartTls => 587,
        SmtpSecurity::Tls => 465,
    });
    Ok(Target {
        host,
        port,
        security,
        from: Mailbox::new(None, from),
    })
}

impl SmtpNotifier {
    /// A notifier without an account: see the module's documentation for
    /// the URL.
    pub fn from_url(url: &str) -> Result<Self, String> {
        Self::new(url, None)
    }

    /// A notifier for `url`, signing in with `credentials` when given
    /// (which needs STARTTLS or TLS: a password never goes out in clear).
    pub fn new(url: &str, credentials: Option<SmtpCredentials>) -> Result<Self, String> {
        let target = parse_url(url)?;
        let tls = match target.security {
            SmtpSecurity::None => Tls::None,
            SmtpSecurity::StartTls | SmtpSecurity::Tls => {
                let parameters = TlsParameters::new(target.host.clone())
                    .map_err(|e| format!("SMTP TLS settings: {e}"))?;
                if target.security == SmtpSecurity::Tls {
                    Tls::Wrapper(parameters)
                } else {
                    Tls::Required(parameters)
                }
            }
        };
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(target.host.clone())
                .port(target.port)
                .tls(tls)
                .timeout(Some(Duration::from_secs(20)));
        let authenticated = credentials.is_some();
        if let Some(c) = credentials {
            if c.username.is_empty() || c.password.is_empty() {
                return Err("smtp_username and smtp_password go together".into());
            }
            if target.security == SmtpSecurity::None {
                return Err(
                    "an SMTP account needs an encrypted connection: use smtps:// or add \
                     tls=starttls to the notifier URL"
                        .into(),
                );
            }
            builder = builder.credentials(Credentials::new(c.username, c.password));
        }
        Ok(Self {
            host: target.host,
            port: target.port,
            security: target.security,
            from: target.from,
            authenticated,
            transport: builder.build(),
        })
    }

    fn message(&self, n: &Notification) -> Result<Message, String> {
        let to =
            n.to.parse::<Address>()
                .map_err(|_| "invalid recipient".to_owned())?;
        Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(None, to))
            .subject(n.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(n.body.replace("\r\n", "\n"))
            .map_err(|e| format!("cannot build the e-mail: {e}"))
    }

    async fn email(&self, n: &Notification) -> Result<(), String> {
        let message = self.message(n)?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| describe(&e))
    }
}

/// Why sending failed, without the server's words (which may repeat the
/// address).
fn describe(e: &lettre::transport::smtp::Error) -> String {
    let refused = if e.is_permanent() {
        Some("refused the message")
    } else if e.is_transient() {
        Some("deferred the message")
    } else {
        None
    };
    match (refused, e.status()) {
        (Some(what), Some(code)) => format!("the SMTP server {what} ({code})"),
        (Some(what), None) => format!("the SMTP server {what}"),
        (None, _) => format!("SMTP: {e}"),
    }
}

impl Notifier for SmtpNotifier {
    fn send<'a>(&'a self, n: &'a Notification) -> Sending<'a> {
        Box::pin(async move {
            match n.channel {
                Channel::Email => self.email(n).await,
                Channel::Sms => Err("no SMS provider is configured".into()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpListener;

    /// A local SMTP sink that takes one session and hands back what the
    /// client said (commands and message). `starttls`: whether it offers
    /// STARTTLS (it cannot actually do it).
    async fn sink(starttls: bool) -> (u16, tokio::task::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read).lines();
            let mut said = String::new();
            write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
            let mut in_data = false;
            while let Ok(Some(line)) = lines.next_line().await {
                said.push_str(&line);
                said.push('\n');
                let reply: &[u8] = if in_data {
                    if line != "." {
                        continue;
                    }
                    in_data = false;
                    b"250 queued\r\n"
                } else if line.starts_with("EHLO") {
                    if starttls {
                        b"250-sink\r\n250-STARTTLS\r\n250 8BITMIME\r\n"
                    } else {
                        b"250-sink\r\n250 8BITMIME\r\n"
                    }
                } else if line.starts_with("DATA") {
                    in_data = true;
                    b"354 go on\r\n"
                } else if line.starts_with("QUIT") {
                    write.write_all(b"221 bye\r\n").await.unwrap();
                    break;
                } else if line.starts_with("STARTTLS") {
                    b"454 not today\r\n"
                } else {
                    b"250 ok\r\n"
                };
                write.write_all(reply).await.unwrap();
            }
            said
        });
        (port, task)
    }

    fn code_message() -> Notification {
        Notification {
            channel: Channel::Email,
            to: "remi@example.test".into(),
            subject: "Votre mandat, Rémi".into(),
            body: "Votre code : 123456.\n.ligne qui commence par un point".into(),
        }
    }

    #[tokio::test]
    async fn smtp_delivers_the_message_with_its_headers_to_a_relay() {
        let (port, server) = sink(false).await;
        let n = SmtpNotifier::from_url(&format!("smtp://127.0.0.1:{port}?from=relais@ccas.test"))
            .unwrap();
        assert_eq!(n.send(&code_message()).await, Ok(()));
        let said = tokio::time::timeout(Duration::from_secs(10), server)
            .await
            .unwrap()
            .unwrap();
        assert!(said.contains("MAIL FROM:<relais@ccas.test>"), "{said}");
        assert!(said.contains("RCPT TO:<remi@example.test>"), "{said}");
        assert!(said.contains("\nFrom: relais@ccas.test\n"), "{said}");
        assert!(said.contains("\nTo: remi@example.test\n"), "{said}");
        assert!(said.contains("Content-Type: text/plain; charset=utf-8"));
        assert!(said.contains("\nDate: "), "{said}");
        // A non-ASCII subject is encoded (RFC 2047), not sent raw.
        assert!(said.contains("Subject: Votre mandat, =?utf-8?b?"), "{said}");
        assert!(!said.contains("Rémi"), "{said}");
        assert!(said.contains("Votre code : 123456."), "{said}");
        assert!(
            said.contains("\n..ligne qui commence"),
            "dot-stuffed: {said}"
        );
        assert!(said.contains("QUIT"), "{said}");
    }

    #[tokio::test]
    async fn starttls_is_required_when_asked_and_nothing_goes_out_without_it() {
        for offers in [false, true] {
            let (port, server) = sink(offers).await;
            let n = SmtpNotifier::new(
                &format!("smtp://127.0.0.1:{port}?from=relais@ccas.test&tls=starttls"),
                Some(SmtpCredentials {
                    username: "relais".into(),
                    password: "s3cret-pass".into(),
                }),
            )
            .unwrap();
            let sent = n.send(&code_message()).await;
            assert!(sent.is_err(), "{sent:?}");
            drop(n);
            let said = tokio::time::timeout(Duration::from_secs(10), server)
                .await
                .unwrap()
                .unwrap();
            assert!(!said.contains("AUTH"), "{said}");
            assert!(!said.contains("MAIL FROM"), "{said}");
            assert!(!said.contains("s3cret"), "{said}");
        }
    }

    #[test]
    fn the_notifier_url_and_account_are_checked() {
        let ok = |u: &str| SmtpNotifier::from_url(u).map(|n| (n.port, n.security));
        assert_eq!(
            ok("smtp://relay?from=a@b.test"),
            Ok((25, SmtpSecurity::None))
        );
        assert_eq!(
            ok("smtp://relay?from=a@b.test&tls=starttls"),
            Ok((587, SmtpSecurity::StartTls))
        );
        assert_eq!(
            ok("smtps://relay?from=a@b.test"),
            Ok((465, SmtpSecurity::Tls))
        );
        assert_eq!(ok("smtps://relay:2465"), Ok((2465, SmtpSecurity::Tls)));
        for bad in [
            "http://x",
            "smtp://host:notaport",
            "smtp://?from=a@b.test",
            "smtp://relay?from=not-an-address",
            "smtp://relay?from=a@b.test%0d%0aBcc:c@d.test",
            "smtp://user:pass@relay?from=a@b.test",
            "smtp://relay?tls=sometimes",
            "smtps://relay?tls=starttls",
            "smtp://relay?form=a@b.test",
        ] {
            assert!(SmtpNotifier::from_url(bad).is_err(), "{bad}");
        }
        let account = || {
            Some(SmtpCredentials {
                username: "relais".into(),
                password: "s3cret-pass".into(),
            })
        };
        assert!(SmtpNotifier::new("smtp://relay?from=a@b.test", account()).is_err());
        let n = SmtpNotifier::new("smtps://relay?from=a@b.test", account()).unwrap();
        let shown = format!("{n:?} {:?}", account());
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("authenticated: true"), "{shown}");
    }

    #[tokio::test]
    async fn a_refusal_is_reported_without_the_servers_words() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read).lines();
            write.write_all(b"220 sink\r\n").await.unwrap();
            while let Ok(Some(line)) = lines.next_line().await {
                let reply: &[u8] = if line.starts_with("RCPT") {
                    b"550 5.1.1 <remi@example.test>: no such user\r\n"
                } else if line.starts_with("QUIT") {
                    break;
                } else {
                    b"250 ok\r\n"
                };
                write.write_all(reply).await.unwrap();
            }
        });
        let n = SmtpNotifier::from_url(&format!("smtp://127.0.0.1:{port}?from=relais@ccas.test"))
            .unwrap();
        let e = n.send(&code_message()).await.unwrap_err();
        assert!(e.contains("550"), "{e}");
        assert!(!e.contains("remi"), "{e}");
        drop(n);
        server.abort();
    }
}
