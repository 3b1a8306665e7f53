//! Notifiers carry one-time codes to the person helped. `log` is for
//! development, `file` for tests, SMTP for e-mail; an SMS provider plugs in
//! through the same trait.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

/// Where a message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

/// One message to send.
#[derive(Clone, PartialEq, Eq)]
pub struct Notification {
    pub channel: Channel,
    pub to: String,
    pub subject: String,
    pub body: String,
}

impl std::fmt::Debug for Notification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notification")
            .field("channel", &self.channel)
            .finish_non_exhaustive()
    }
}

/// Sends notifications. Implementations must not log addresses.
pub trait Notifier: Send + Sync {
    fn send(&self, n: &Notification) -> Result<(), String>;
}

/// Development: writes that a message was sent, and its text (which holds
/// a code, never personal data), to the log.
#[derive(Debug, Default)]
pub struct LogNotifier;

impl Notifier for LogNotifier {
    fn send(&self, n: &Notification) -> Result<(), String> {
        tracing::info!(channel = ?n.channel, subject = %n.subject, body = %n.body, "notification (log notifier)");
        Ok(())
    }
}

/// Tests: appends each message as one JSON line to a file.
#[derive(Debug)]
pub struct FileNotifier {
    path: PathBuf,
    lock: Mutex<()>,
}

impl FileNotifier {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            lock: Mutex::new(()),
        }
    }
}

impl Notifier for FileNotifier {
    fn send(&self, n: &Notification) -> Result<(), String> {
        let _guard = self
            .lock
            .lock()
            .map_err(|_| "notifier lock poisoned".to_owned())?;
        let line = serde_json::json!({
            "channel": match n.channel { Channel::Email => "email", Channel::Sms => "sms" },
            "to": n.to,
            "subject": n.subject,
            "body": n.body,
        });
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(|e| format!("cannot open the notifier file: {e}"))?;
        writeln!(f, "{line}").map_err(|e| format!("cannot write the notifier file: {e}"))
    }
}

/// An SMS provider: implement this trait for a provider's API and wrap it
/// with [`SmsNotifier`].
pub trait SmsProvider: Send + Sync {
    fn send_sms(&self, to: &str, text: &str) -> Result<(), String>;
}

/// Routes e-mails to one notifier and SMS to a provider.
pub struct SmsNotifier<E: Notifier, S: SmsProvider> {
    pub email: E,
    pub sms: S,
}

impl<E: Notifier, S: SmsProvider> Notifier for SmsNotifier<E, S> {
    fn send(&self, n: &Notification) -> Result<(), String> {
        match n.channel {
            Channel::Email => self.email.send(n),
            Channel::Sms => self.sms.send_sms(&n.to, &n.body),
        }
    }
}

/// E-mail through an SMTP relay (plain SMTP, as offered by a local relay
/// such as the machine's mail server on port 25). Configured as
/// `smtp://HOST:PORT?from=ADDRESS`.
#[derive(Debug, Clone)]
pub struct SmtpNotifier {
    host: String,
    port: u16,
    from: String,
}

impl SmtpNotifier {
    /// Parses `smtp://host:port?from=address`.
    pub fn from_url(url: &str) -> Result<Self, String> {
        let rest = url
            .strip_prefix("smtp://")
            .ok_or("the SMTP notifier URL must start with smtp://")?;
        let (addr, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (host, port) = match addr.rsplit_once(':') {
            Some((h, p)) => (
                h,
                p.parse::<u16>()
                    .map_err(|_| "invalid SMTP port".to_owned())?,
            ),
            None => (addr, 25),
        };
        let from = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("from="))
            .unwrap_or("relais@localhost")
            .to_owned();
        if host.is_empty() || from.contains(['\r', '\n', '<', '>']) || !from.contains('@') {
            return Err("invalid SMTP notifier URL".into());
        }
        Ok(Self {
            host: host.to_owned(),
            port,
            from,
        })
    }

    fn dialogue(&self, n: &Notification) -> Result<(), String> {
        use base64::Engine;
        use std::io::{BufRead, BufReader};
        use std::net::{TcpStream, ToSocketAddrs};
        use std::time::Duration;
        if n.to.contains(['\r', '\n', '<', '>']) || !n.to.contains('@') {
            return Err("invalid recipient".into());
        }
        let addr = (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|e| format!("SMTP host: {e}"))?
            .next()
            .ok_or("SMTP host not found")?;
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10))
            .map_err(|e| format!("SMTP connection: {e}"))?;
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .map_err(|e| e.to_string())?;
        let mut reader = BufReader::new(stream.try_clone().map_err(|e| e.to_string())?);
        let mut writer = stream;
        let expect = |reader: &mut BufReader<TcpStream>, ok: &[&str]| -> Result<(), String> {
            loop {
                let mut line = String::new();
                reader
                    .read_line(&mut line)
                    .map_err(|e| format!("SMTP read: {e}"))?;
                if line.len() < 4 {
                    return Err(format!("SMTP: unexpected answer {line:?}"));
                }
                if line.as_bytes()[3] == b'-' {
                    continue;
                }
                return if ok.iter().any(|c| line.starts_with(c)) {
                    Ok(())
                } else {
                    Err(format!("SMTP refused: {}", line.trim()))
                };
            }
        };
        let send = |w: &mut TcpStream, s: &str| -> Result<(), String> {
            w.write_all(s.as_bytes())
                .map_err(|e| format!("SMTP write: {e}"))
        };
        expect(&mut reader, &["220"])?;
        send(&mut writer, "EHLO relais\r\n")?;
        expect(&mut reader, &["250"])?;
        send(&mut writer, &format!("MAIL FROM:<{}>\r\n", self.from))?;
        expect(&mut reader, &["250"])?;
        send(&mut writer, &format!("RCPT TO:<{}>\r\n", n.to))?;
        expect(&mut reader, &["250", "251"])?;
        send(&mut writer, "DATA\r\n")?;
        expect(&mut reader, &["354"])?;
        let subject = base64::engine::general_purpose::STANDARD.encode(n.subject.as_bytes());
        let body: String = n
            .body
            .replace("\r\n", "\n")
            .split('\n')
            .map(|l| {
                if l.starts_with('.') {
                    format!(".{l}\r\n")
                } else {
                    format!("{l}\r\n")
                }
            })
            .collect();
        let message = format!(
            "From: <{}>\r\nTo: <{}>\r\nSubject: =?UTF-8?B?{subject}?=\r\nDate: {}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}.\r\n",
            self.from,
            n.to,
            chrono::Utc::now().to_rfc2822(),
        );
        send(&mut writer, &message)?;
        expect(&mut reader, &["250"])?;
        let _ = send(&mut writer, "QUIT\r\n");
        Ok(())
    }
}

impl Notifier for SmtpNotifier {
    fn send(&self, n: &Notification) -> Result<(), String> {
        match n.channel {
            Channel::Email => self.dialogue(n),
            Channel::Sms => Err("no SMS provider is configured".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use std::io::{BufRead, BufReader};

    /// A local SMTP peer that accepts one message and hands it back.
    fn one_message_server() -> (u16, std::thread::JoinHandle<String>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
        let h = std::thread::spawn(move || {
            let Ok((stream, _)) = listener.accept() else {
                return String::new();
            };
            let mut r = BufReader::new(stream.try_clone().unwrap_or_else(|e| panic!("{e}")));
            let mut w = stream;
            let _ = w.write_all(b"220 test ESMTP\r\n");
            let mut data = String::new();
            let mut in_data = false;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if in_data {
                    if line == ".\r\n" {
                        in_data = false;
                        let _ = w.write_all(b"250 queued\r\n");
                    } else {
                        data.push_str(&line);
                    }
                    continue;
                }
                let reply: &[u8] = if line.starts_with("EHLO") {
                    b"250-test\r\n250 8BITMIME\r\n"
                } else if line.starts_with("DATA") {
                    in_data = true;
                    b"354 go\r\n"
                } else if line.starts_with("QUIT") {
                    let _ = w.write_all(b"221 bye\r\n");
                    break;
                } else {
                    b"250 ok\r\n"
                };
                let _ = w.write_all(reply);
            }
            data
        });
        (port, h)
    }

    #[test]
    fn smtp_delivers_to_a_relay() {
        let (port, server) = one_message_server();
        let n = SmtpNotifier::from_url(&format!("smtp://127.0.0.1:{port}?from=relais@ccas.test"));
        let n = n.unwrap_or_else(|e| panic!("{e}"));
        let sent = n.send(&Notification {
            channel: Channel::Email,
            to: "remi@example.test".into(),
            subject: "Votre mandat".into(),
            body: "Votre code : 123456.\n.ligne qui commence par un point".into(),
        });
        assert_eq!(sent, Ok(()));
        let data = server.join().unwrap_or_default();
        assert!(data.contains("To: <remi@example.test>"), "{data}");
        assert!(data.contains("Votre code : 123456."));
        assert!(data.contains("..ligne"), "dot-stuffed: {data}");
        assert!(SmtpNotifier::from_url("http://x").is_err());
        assert!(SmtpNotifier::from_url("smtp://host:notaport").is_err());
    }
}
