//! Accounts of the people who use relais at work.

use crate::validation::{bounded_text, FieldError};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The role an agent holds in one structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Médiateur numérique or volunteer: helps with people, sees less.
    Mediator,
    /// Travailleur social, agent d'accueil, conseiller France Services.
    Agent,
    /// Responsable: manages the team and the policy, sees statistics.
    Supervisor,
    /// Administrator of the instance.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Agent, Role::Mediator, Role::Supervisor, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Mediator => "mediator",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        match s.trim() {
            "agent" => Ok(Role::Agent),
            "mediator" => Ok(Role::Mediator),
            "supervisor" => Ok(Role::Supervisor),
            "admin" => Ok(Role::Admin),
            "" => Err(FieldError::new("role", "required")),
            _ => Err(FieldError::new("role", "invalid_choice")),
        }
    }

    /// Supervisors and admins manage the accounts of their structure.
    pub fn can_manage_team(self) -> bool {
        matches!(self, Role::Supervisor | Role::Admin)
    }

    /// Supervisors and admins handle the persons' rights (subject access,
    /// erasure), retention, the structure's catalogue and its figures.
    pub fn can_handle_rights(self) -> bool {
        matches!(self, Role::Supervisor | Role::Admin)
    }

    /// Only admins create structures.
    pub fn can_manage_structures(self) -> bool {
        matches!(self, Role::Admin)
    }

    /// Whether an actor holding `self` may give `other` to someone:
    /// supervisors cannot make admins.
    pub fn can_grant(self, other: Role) -> bool {
        match self {
            Role::Admin => true,
            Role::Supervisor => other != Role::Admin,
            _ => false,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An e-mail address, trimmed and lower-cased. The check is deliberately
/// simple: one `@`, a non-empty local part, a domain with a dot.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let s = s.trim().to_lowercase();
        if s.is_empty() {
            return Err(FieldError::new("email", "required"));
        }
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(FieldError::new("email", "invalid_email"));
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err(FieldError::new("email", "invalid_email"));
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && !domain.contains("..");
        if local.is_empty() || !domain_ok {
            return Err(FieldError::new("email", "invalid_email"));
        }
        Ok(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's display name, 1 to 100 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        bounded_text("name", s, 1, 100).map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password chosen by an agent: at least 10 characters, at most 256,
/// not only one repeated character. Its value never appears in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 10;

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let n = s.chars().count();
        if n == 0 {
            return Err(FieldError::new("password", "required"));
        }
        if n < Self::MIN_CHARS {
            return Err(FieldError::new("password", "password_too_short"));
        }
        if n > 256 {
            return Err(FieldError::new("password", "too_long"));
        }
        let mut chars = s.chars();
        if let Some(first) = chars.next() {
            if chars.all(|c| c == first) {
                return Err(FieldError::new("password", "password_too_weak"));
            }
        }
        Ok(Self(s.to_owned()))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

/// How long an account stays locked after `failures` consecutive failed
/// sign-ins: nothing below 5, then 1 minute, doubling every further 5
/// failures, at most one hour.
pub fn lockout_minutes(failures: i64) -> Option<i64> {
    if failures < 5 {
        return None;
    }
    let steps = ((failures - 5) / 5).min(6) as u32;
    Some((1_i64 << steps).min(60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" Agent@Demoville.Test ").map(|e| e.to_string()),
            Ok("agent@demoville.test".into())
        );
        for bad in ["", "a", "a@b", "@b.fr", "a b@c.fr", "a@.fr", "a@b..fr"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords() {
        assert!(NewPassword::parse("short").is_err());
        assert!(NewPassword::parse("aaaaaaaaaaaa").is_err());
        assert!(NewPassword::parse("correct horse").is_ok());
        assert_eq!(
            format!("{:?}", NewPassword::parse("correct horse")),
            "Ok(NewPassword(***))"
        );
    }

    #[test]
    fn lockout_grows() {
        assert_eq!(lockout_minutes(4), None);
        assert_eq!(lockout_minutes(5), Some(1));
        assert_eq!(lockout_minutes(10), Some(2));
        assert_eq!(lockout_minutes(15), Some(4));
        assert_eq!(lockout_minutes(20), Some(8));
        assert_eq!(lockout_minutes(500), Some(60));
    }

    #[test]
    fn roles() {
        assert!(Role::Supervisor.can_grant(Role::Agent));
        assert!(!Role::Supervisor.can_grant(Role::Admin));
        assert!(!Role::Agent.can_manage_team());
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Ok(r));
        }
    }
}
