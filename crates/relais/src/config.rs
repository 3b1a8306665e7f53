//! Layered configuration: defaults, then a TOML file, then `RELAIS_*`
//! environment variables, then command-line flags; validated at start.

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use relais_service::{DataKey, Vault};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::SocketAddr;
use std::path::Path;

#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address and port to listen on.
    pub listen: String,
    /// `sqlite://FILE` (default `sqlite://relais.db`) or `postgres://…`.
    pub database_url: String,
    /// Require a TOTP second factor on every account (forced off in demo).
    pub require_totp: bool,
    /// Minutes of inactivity after which a session ends.
    pub session_idle_minutes: i64,
    /// Seconds of inactivity after which a session ends; when set (not 0)
    /// it replaces `session_idle_minutes` (for tests and kiosks).
    pub session_idle_seconds: i64,
    /// Hours after sign-in after which a session ends anyway.
    pub session_absolute_hours: i64,
    /// Set when relais is reached over HTTPS: Secure cookies and HSTS.
    pub tls: bool,
    /// Sign-in attempts allowed per client address in 5 minutes.
    pub login_attempts_per_ip: u32,
    /// The address people reach relais at, for verification links and QR
    /// codes (e.g. `https://relais.ccas-demoville.fr`).
    pub public_url: String,
    /// Where codes sent to persons go: `log` (development),
    /// `file:/path/to/notifications.jsonl` (tests) or e-mail:
    /// `smtp://HOST:PORT?from=ADDRESS` (plain, to a relay),
    /// `smtp://HOST:PORT?from=ADDRESS&tls=starttls` or
    /// `smtps://HOST:PORT?from=ADDRESS` (encrypted).
    pub notifier: String,
    /// The account on the SMTP server, if it asks for one (needs
    /// `tls=starttls` or `smtps://`).
    pub smtp_username: String,
    /// Its password (never shown in messages).
    pub smtp_password: String,
    /// The data key that encrypts notes, intervention texts, signatures and
    /// scans: 64 hexadecimal characters (`relais keys generate`).
    #[serde(deserialize_with = "text_or_number")]
    pub data_key: String,
    /// A file holding the data key instead (first line, 64 hex characters).
    pub data_key_file: String,
    /// Keys used before the current one, comma-separated, kept until
    /// `relais keys rotate` has re-encrypted everything.
    #[serde(deserialize_with = "text_or_number")]
    pub previous_data_keys: String,
    /// A folder where `relais serve` writes the journal's anchor once a
    /// day (`journal-anchor-YYYY-MM-DD.json`); empty: no daily anchor.
    pub journal_anchor_dir: String,
}

/// Environment values that look like numbers (a key of digits only) are
/// still read as text.
fn text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Unsigned(u128),
        Signed(i128),
        Float(f64),
    }
    Ok(match Raw::deserialize(d)? {
        Raw::Text(s) => s,
        Raw::Unsigned(n) => n.to_string(),
        Raw::Signed(n) => n.to_string(),
        Raw::Float(f) => f.to_string(),
    })
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            database_url: "sqlite://relais.db".into(),
            require_totp: true,
            session_idle_minutes: 30,
            session_idle_seconds: 0,
            session_absolute_hours: 12,
            tls: false,
            login_attempts_per_ip: 30,
            public_url: String::new(),
            notifier: "log".into(),
            smtp_username: String::new(),
            smtp_password: String::new(),
            data_key: String::new(),
            data_key_file: String::new(),
            previous_data_keys: String::new(),
            journal_anchor_dir: String::new(),
        }
    }
}

/// The database URL without its password, for messages.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("listen", &self.listen)
            .field("database_url", &redact_url(&self.database_url))
            .field("require_totp", &self.require_totp)
            .field("session_idle_minutes", &self.session_idle_minutes)
            .field("session_idle_seconds", &self.session_idle_seconds)
            .field("session_absolute_hours", &self.session_absolute_hours)
            .field("tls", &self.tls)
            .field("login_attempts_per_ip", &self.login_attempts_per_ip)
            .field("public_url", &self.public_url)
            .field("notifier", &redact_url(&self.notifier))
            .field("smtp_username", &self.smtp_username)
            .field(
                "smtp_password",
                &if self.smtp_password.is_empty() {
                    ""
                } else {
                    "[redacted]"
                },
            )
            .field(
                "data_key",
                &if self.data_key.is_empty() {
                    ""
                } else {
                    "[redacted]"
                },
            )
            .field("data_key_file", &self.data_key_file)
            .field(
                "previous_data_keys",
                &if self.previous_data_keys.is_empty() {
                    ""
                } else {
                    "[redacted]"
                },
            )
            .field("journal_anchor_dir", &self.journal_anchor_dir)
            .finish()
    }
}

/// The settings that `RELAIS_*` variables may set; other `RELAIS_*`
/// variables (used by scripts) are left alone.
const ENV_KEYS: [&str; 16] = [
    "listen",
    "database_url",
    "require_totp",
    "session_idle_minutes",
    "session_idle_seconds",
    "session_absolute_hours",
    "tls",
    "login_attempts_per_ip",
    "public_url",
    "notifier",
    "smtp_username",
    "smtp_password",
    "data_key",
    "data_key_file",
    "previous_data_keys",
    "journal_anchor_dir",
];

/// Values given on the command line override everything else.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
}

impl Settings {
    /// How long a session lasts without activity.
    pub fn session_idle(&self) -> chrono::Duration {
        if self.session_idle_seconds > 0 {
            chrono::Duration::seconds(self.session_idle_seconds)
        } else {
            chrono::Duration::minutes(self.session_idle_minutes)
        }
    }

    pub fn load(config_file: Option<&Path>, overrides: &Overrides) -> Result<Settings, String> {
        let mut fig = Figment::from(Serialized::defaults(Settings::default()));
        match config_file {
            Some(p) => {
                if !p.exists() {
                    return Err(format!("configuration file {} not found", p.display()));
                }
                fig = fig.merge(Toml::file(p));
            }
            None => {
                if Path::new("relais.toml").exists() {
                    fig = fig.merge(Toml::file("relais.toml"));
                }
            }
        }
        let fig = fig
            .merge(Env::prefixed("RELAIS_").only(&ENV_KEYS))
            .merge(Serialized::defaults(overrides));
        let s: Settings = fig
            .extract()
            .map_err(|e| format!("invalid configuration: {e}"))?;
        s.validate()?;
        Ok(s)
    }

    fn validate(&self) -> Result<(), String> {
        self.listen
            .parse::<SocketAddr>()
            .map_err(|_| format!("invalid listen address {:?}: expected IP:PORT", self.listen))?;
        let scheme = self.database_url.split(':').next().unwrap_or_default();
        if !matches!(scheme, "sqlite" | "postgres" | "postgresql") {
            return Err(format!(
                "unsupported database URL {:?}: it must start with sqlite:// or postgres://",
                redact_url(&self.database_url)
            ));
        }
        if self.session_idle_minutes < 1 || self.session_absolute_hours < 1 {
            return Err("session timeouts must be positive".into());
        }
        if self.session_idle_seconds != 0 && !(10..=86_400).contains(&self.session_idle_seconds) {
            return Err("session_idle_seconds must be 0 (unset) or 10 to 86400".into());
        }
        if self.is_smtp() {
            self.smtp_notifier()?;
        } else if !self.smtp_username.is_empty() || !self.smtp_password.is_empty() {
            return Err(
                "smtp_username and smtp_password need an smtp:// or smtps:// notifier".into(),
            );
        } else if self.notifier == "file:" {
            return Err(
                "notifier file: needs a path, e.g. file:/var/lib/relais/notifications.jsonl".into(),
            );
        } else if self.notifier != "log" && !self.notifier.starts_with("file:") {
            return Err(format!(
                "unsupported notifier {:?}: use log, file:PATH, smtp://HOST:PORT?from=ADDRESS \
                 or smtps://HOST:PORT?from=ADDRESS",
                self.notifier
            ));
        }
        if !(self.public_url.is_empty()
            || self.public_url.starts_with("http://")
            || self.public_url.starts_with("https://"))
        {
            return Err("public_url must start with http:// or https://".into());
        }
        if self.login_attempts_per_ip < 1 {
            return Err("login_attempts_per_ip must be at least 1".into());
        }
        if !self.data_key.is_empty() && !self.data_key_file.is_empty() {
            return Err(
                "give the data key either in data_key (RELAIS_DATA_KEY) or in \
                 data_key_file (RELAIS_DATA_KEY_FILE), not both"
                    .into(),
            );
        }
        self.keys()?;
        Ok(())
    }

    fn is_smtp(&self) -> bool {
        self.notifier.starts_with("smtp://") || self.notifier.starts_with("smtps://")
    }

    /// The e-mail notifier, when the `notifier` setting is an SMTP URL.
    pub fn smtp_notifier(&self) -> Result<relais_service::notify::SmtpNotifier, String> {
        use relais_service::notify::{SmtpCredentials, SmtpNotifier};
        let credentials = match (self.smtp_username.is_empty(), self.smtp_password.is_empty()) {
            (true, true) => None,
            (false, false) => Some(SmtpCredentials {
                username: self.smtp_username.clone(),
                password: self.smtp_password.clone(),
            }),
            _ => return Err("give both smtp_username and smtp_password, or neither".into()),
        };
        SmtpNotifier::new(&self.notifier, credentials).map_err(|e| format!("notifier: {e}"))
    }

    /// The configured keys: the current one (if any) and the previous ones.
    fn keys(&self) -> Result<(Option<DataKey>, Vec<DataKey>), String> {
        let current = if !self.data_key_file.is_empty() {
            let text = std::fs::read_to_string(&self.data_key_file).map_err(|e| {
                format!("cannot read the data key file {}: {e}", self.data_key_file)
            })?;
            let line = text.lines().next().unwrap_or_default();
            Some(
                DataKey::parse_hex(line)
                    .map_err(|e| format!("data key file {}: {e}", self.data_key_file))?,
            )
        } else if !self.data_key.is_empty() {
            Some(DataKey::parse_hex(&self.data_key).map_err(|e| format!("RELAIS_DATA_KEY: {e}"))?)
        } else {
            None
        };
        let previous = self
            .previous_data_keys
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .enumerate()
            .map(|(i, k)| {
                DataKey::parse_hex(k)
                    .map_err(|e| format!("RELAIS_PREVIOUS_DATA_KEYS, key {}: {e}", i + 1))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if current.is_none() && !previous.is_empty() {
            return Err("previous data keys are given but no current data key".into());
        }
        Ok((current, previous))
    }

    /// The keys to run with. Without a configured key only demonstration
    /// mode may run (on the well-known demonstration key), unless `strict`
    /// is false (commands that never read encrypted data).
    pub fn vault(&self, demo_allowed: bool) -> Result<Vault, String> {
        match self.keys()? {
            (Some(current), previous) => {
                Vault::new(current, previous).map_err(|e| format!("data keys: {e}"))
            }
            (None, _) if demo_allowed => Ok(Vault::demo()),
            (None, _) => Err(
                "no data key configured: relais encrypts notes and documents \
                 at rest and needs a key. Generate one with `relais keys generate` and give \
                 it in RELAIS_DATA_KEY (or data_key_file in the configuration). Only \
                 `relais serve --demo` runs without one."
                    .into(),
            ),
        }
    }

    pub fn listen_addr(&self) -> SocketAddr {
        self.listen
            .parse()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 8080)))
    }
}

impl Settings {
    /// The public address: configured, or the listen address.
    pub fn public_url(&self) -> String {
        if self.public_url.is_empty() {
            let scheme = if self.tls { "https" } else { "http" };
            format!("{scheme}://{}", self.listen)
        } else {
            self.public_url.trim_end_matches('/').to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_database_password() {
        let s = Settings {
            database_url: "postgres://relais:s3cret@db/relais".into(),
            ..Settings::default()
        };
        let shown = format!("{s:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("***"));
    }

    #[test]
    fn the_smtp_account_is_checked_and_its_password_hidden() {
        let s = Settings {
            notifier: "smtps://mail.example.test?from=relais@ccas.test".into(),
            smtp_username: "relais".into(),
            smtp_password: "s3cret-pass".into(),
            ..Settings::default()
        };
        assert_eq!(s.validate(), Ok(()));
        let shown = format!("{s:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        let plain = Settings {
            notifier: "smtp://relay?from=relais@ccas.test".into(),
            ..s.clone()
        };
        assert!(plain.validate().is_err(), "no password in clear");
        let half = Settings {
            smtp_password: String::new(),
            ..s.clone()
        };
        assert!(half.validate().is_err());
        let no_smtp = Settings {
            notifier: "log".into(),
            ..s
        };
        assert!(no_smtp.validate().is_err());
    }

    #[test]
    fn flags_override_defaults_and_bad_values_are_refused() {
        let s = Settings::load(
            None,
            &Overrides {
                listen: Some("127.0.0.1:9999".into()),
                database_url: None,
            },
        )
        .map_err(|e| e.to_string());
        assert_eq!(s.map(|s| s.listen), Ok("127.0.0.1:9999".to_owned()));
        let bad = Settings::load(
            None,
            &Overrides {
                listen: None,
                database_url: Some("mysql://x".into()),
            },
        );
        assert!(bad.is_err());
    }
}
