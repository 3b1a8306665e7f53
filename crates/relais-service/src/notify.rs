//! Notifiers carry one-time codes to the person helped. `log` is for
//! development, `file` for tests, SMTP for e-mail (`smtp.rs`, through
//! `lettre`); an SMS provider plugs in through the same trait.

mod smtp;

pub use smtp::{SmtpCredentials, SmtpNotifier, SmtpSecurity};

use std::future::Future;
use std::io::Write;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

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

/// What sending gives back: done, or why not (never an address).
pub type Sending<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// Sends notifications. Implementations must not log addresses.
pub trait Notifier: Send + Sync {
    fn send<'a>(&'a self, n: &'a Notification) -> Sending<'a>;
}

/// Development: writes that a message was sent, and its text (which holds
/// a code, never personal data), to the log.
#[derive(Debug, Default)]
pub struct LogNotifier;

impl Notifier for LogNotifier {
    fn send<'a>(&'a self, n: &'a Notification) -> Sending<'a> {
        tracing::info!(channel = ?n.channel, subject = %n.subject, body = %n.body, "notification (log notifier)");
        Box::pin(std::future::ready(Ok(())))
    }
}

/// Tests: appends each message as one JSON line to a file.
#[derive(Debug)]
pub struct FileNotifier {
    path: PathBuf,
    lock: Arc<Mutex<()>>,
}

impl FileNotifier {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            lock: Arc::new(Mutex::new(())),
        }
    }

    fn append(path: &std::path::Path, lock: &Mutex<()>, line: &str) -> Result<(), String> {
        let _guard = lock
            .lock()
            .map_err(|_| "notifier lock poisoned".to_owned())?;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("cannot open the notifier file: {e}"))?;
        writeln!(f, "{line}").map_err(|e| format!("cannot write the notifier file: {e}"))
    }
}

impl Notifier for FileNotifier {
    fn send<'a>(&'a self, n: &'a Notification) -> Sending<'a> {
        let line = serde_json::json!({
            "channel": match n.channel { Channel::Email => "email", Channel::Sms => "sms" },
            "to": n.to,
            "subject": n.subject,
            "body": n.body,
        })
        .to_string();
        let path = self.path.clone();
        let lock = Arc::clone(&self.lock);
        Box::pin(async move {
            tokio::task::spawn_blocking(move || Self::append(&path, &lock, &line))
                .await
                .map_err(|e| format!("notifier task: {e}"))?
        })
    }
}

/// An SMS provider: implement this trait for a provider's API and wrap it
/// with [`SmsNotifier`].
pub trait SmsProvider: Send + Sync {
    fn send_sms<'a>(&'a self, to: &'a str, text: &'a str) -> Sending<'a>;
}

/// Routes e-mails to one notifier and SMS to a provider.
pub struct SmsNotifier<E: Notifier, S: SmsProvider> {
    pub email: E,
    pub sms: S,
}

impl<E: Notifier, S: SmsProvider> Notifier for SmsNotifier<E, S> {
    fn send<'a>(&'a self, n: &'a Notification) -> Sending<'a> {
        match n.channel {
            Channel::Email => self.email.send(n),
            Channel::Sms => self.sms.send_sms(&n.to, &n.body),
        }
    }
}
