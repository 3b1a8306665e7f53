//! Layered configuration: defaults, then a TOML file, then `RELAIS_*`
//! environment variables, then command-line flags; validated at start.

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
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
    /// `file:/path/to/notifications.jsonl` (tests) or
    /// `smtp://HOST:PORT?from=ADDRESS` (e-mail through a relay).
    pub notifier: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            database_url: "sqlite://relais.db".into(),
            require_totp: true,
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            tls: false,
            login_attempts_per_ip: 30,
            public_url: String::new(),
            notifier: "log".into(),
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
            .field("session_absolute_hours", &self.session_absolute_hours)
            .field("tls", &self.tls)
            .field("login_attempts_per_ip", &self.login_attempts_per_ip)
            .field("public_url", &self.public_url)
            .field("notifier", &self.notifier)
            .finish()
    }
}

/// The settings that `RELAIS_*` variables may set; other `RELAIS_*`
/// variables (used by scripts) are left alone.
const ENV_KEYS: [&str; 9] = [
    "listen",
    "database_url",
    "require_totp",
    "session_idle_minutes",
    "session_absolute_hours",
    "tls",
    "login_attempts_per_ip",
    "public_url",
    "notifier",
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
        if self.notifier.starts_with("smtp://") {
            relais_service::notify::SmtpNotifier::from_url(&self.notifier)
                .map_err(|e| format!("notifier: {e}"))?;
        } else if self.notifier == "file:" {
            return Err(
                "notifier file: needs a path, e.g. file:/var/lib/relais/notifications.jsonl".into(),
            );
        } else if self.notifier != "log" && !self.notifier.starts_with("file:") {
            return Err(format!(
                "unsupported notifier {:?}: use log, file:PATH or smtp://HOST:PORT?from=ADDRESS",
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
        Ok(())
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
