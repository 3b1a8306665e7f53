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

/// A password chosen by an agent: 10 to 256 characters, not a common
/// password, and strong enough for the `zxcvbn` estimator (score 3 or
/// more, that is about 10^8 guesses). Its value never appears in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

/// Common passwords and words, refused as they are and weighing on the
/// estimate of passwords built on them.
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

fn common_words() -> impl Iterator<Item = &'static str> {
    COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

impl NewPassword {
    pub const MIN_CHARS: usize = 10;
    /// The lowest `zxcvbn` score accepted.
    pub const MIN_SCORE: u8 = 3;

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        Self::parse_for(s, &[])
    }

    /// Like [`NewPassword::parse`], with words of the account itself (its
    /// address, its name) that the password must not lean on.
    pub fn parse_for(s: &str, personal: &[&str]) -> Result<Self, FieldError> {
        let n = s.chars().count();
        if n == 0 {
            return Err(FieldError::new("password", "required"));
        }
        if n < Self::MIN_CHARS {
            return Err(FieldError::new("password", "password_too_short"));
        }
        if n > 256 {
            return Err(FieldError::new("password", "too_long").with_limit(256));
        }
        if let Some(code) = weakness(s, personal) {
            return Err(FieldError::new("password", code));
        }
        Ok(Self(s.to_owned()))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Why a password is too easy to guess, as a message code, or `None`.
fn weakness(password: &str, personal: &[&str]) -> Option<&'static str> {
    use zxcvbn::feedback::Warning;
    let folded = password.trim().to_lowercase();
    if common_words().any(|w| w == folded) {
        return Some("password_common");
    }
    let mut mine: Vec<String> = Vec::new();
    for p in personal {
        let p = p.trim().to_lowercase();
        mine.extend(
            p.split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.chars().count() >= 3)
                .map(str::to_owned),
        );
    }
    if mine.iter().any(|w| folded.contains(w.as_str()))
        && mine
            .iter()
            .fold(folded.clone(), |acc, w| acc.replace(w.as_str(), ""))
            .chars()
            .count()
            < NewPassword::MIN_CHARS
    {
        return Some("password_personal");
    }
    let mut inputs: Vec<&str> = mine.iter().map(String::as_str).collect();
    for word in common_words() {
        inputs.push(word);
    }
    let estimate = zxcvbn::zxcvbn(password, &inputs);
    if u8::from(estimate.score()) >= NewPassword::MIN_SCORE {
        return None;
    }
    let code = match estimate.feedback().and_then(|f| f.warning()) {
        Some(
            Warning::ThisIsATop10Password
            | Warning::ThisIsATop100Password
            | Warning::ThisIsACommonPassword
            | Warning::ThisIsSimilarToACommonlyUsedPassword,
        ) => "password_common",
        Some(
            Warning::StraightRowsOfKeysAreEasyToGuess
            | Warning::ShortKeyboardPatternsAreEasyToGuess,
        ) => "password_keyboard",
        Some(
            Warning::RepeatsLikeAaaAreEasyToGuess
            | Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess
            | Warning::SequencesLikeAbcAreEasyToGuess,
        ) => "password_sequence",
        Some(Warning::RecentYearsAreEasyToGuess | Warning::DatesAreOftenEasyToGuess) => {
            "password_dates"
        }
        Some(
            Warning::AWordByItselfIsEasyToGuess
            | Warning::NamesAndSurnamesByThemselvesAreEasyToGuess
            | Warning::CommonNamesAndSurnamesAreEasyToGuess,
        ) => "password_word",
        _ => "password_too_weak",
    };
    Some(code)
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

/// Failed sign-in attempts from one address on one account that are free
/// of any delay.
pub const FREE_ATTEMPTS: i64 = 4;
/// The longest delay between two attempts from one address on one account.
pub const MAX_THROTTLE_SECONDS: i64 = 15 * 60;

/// How long one address must wait before its next sign-in attempt on an
/// account after `failures` consecutive failures from it: nothing for the
/// first four, then 1 second, doubling with each further failure, at most
/// 15 minutes. Other addresses are not held back.
pub fn throttle_seconds(failures: i64) -> i64 {
    if failures <= FREE_ATTEMPTS {
        return 0;
    }
    let doublings = u32::try_from((failures - FREE_ATTEMPTS - 1).min(20)).unwrap_or(20);
    (1_i64 << doublings).min(MAX_THROTTLE_SECONDS)
}

/// One membership, as the reset rule sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seat {
    pub structure: uuid::Uuid,
    pub role: Role,
    pub active: bool,
}

/// Whether someone holding `actor` memberships may hand out a credential
/// reset for an account holding `target`: the account's password is shared
/// by all its structures, so the actor must manage, with a role allowed to
/// act on the account's role there, every structure the account belongs
/// to (a deactivated membership counts: it can be reactivated). An account
/// with no membership at all cannot be reset this way.
pub fn may_reset_credentials(actor: &[Seat], target: &[Seat]) -> bool {
    !target.is_empty()
        && target.iter().all(|t| {
            actor
                .iter()
                .any(|a| a.active && a.structure == t.structure && a.role.can_grant(t.role))
        })
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
        assert!(NewPassword::parse("correct horse battery").is_ok());
        assert_eq!(
            format!("{:?}", NewPassword::parse("correct horse battery")),
            "Ok(NewPassword(***))"
        );
    }

    #[test]
    fn weak_passwords_say_why() {
        let code = |p: &str| NewPassword::parse(p).err().map(|e| e.code);
        assert_eq!(code("password12"), Some("password_common"));
        assert_eq!(code("azertyuiop"), Some("password_common"));
        assert_eq!(code("1234567890"), Some("password_common"));
        assert!(code("abcdefghijkl").is_some());
        assert!(code("Marseille2026").is_some());
        assert_eq!(
            NewPassword::parse_for("dupont-dupont", &["jean.dupont@ccas.fr"])
                .err()
                .map(|e| e.code),
            Some("password_personal")
        );
        // The browser tests' invitation: the password carries the same
        // random suffix as the address and the name.
        assert!(NewPassword::parse_for(
            "Nouveau-mot-de-passe-mifk2x3a1z!",
            &[
                "invite-mifk2x3a1z@demoville.test",
                "Dominique Invitée mifk2x3a1z"
            ]
        )
        .is_ok());
        for ok in [
            "a long passphrase",
            "une phrase de passe",
            "un autre secret long",
            "a brand new passphrase",
            "une longue phrase",
            "demo-relais-2026",
        ] {
            assert_eq!(code(ok), None, "{ok}");
        }
    }

    #[test]
    fn throttle_grows_and_stops() {
        assert_eq!(throttle_seconds(0), 0);
        assert_eq!(throttle_seconds(4), 0);
        assert_eq!(throttle_seconds(5), 1);
        assert_eq!(throttle_seconds(6), 2);
        assert_eq!(throttle_seconds(7), 4);
        assert_eq!(throttle_seconds(100), MAX_THROTTLE_SECONDS);
    }

    #[test]
    fn resets_need_every_structure() {
        let (a, b) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let seat = |structure, role, active| Seat {
            structure,
            role,
            active,
        };
        let sup_b = [seat(b, Role::Supervisor, true)];
        assert!(may_reset_credentials(&sup_b, &[seat(b, Role::Agent, true)]));
        assert!(!may_reset_credentials(
            &sup_b,
            &[seat(b, Role::Admin, true)]
        ));
        assert!(!may_reset_credentials(
            &sup_b,
            &[seat(a, Role::Admin, true), seat(b, Role::Agent, true)]
        ));
        assert!(!may_reset_credentials(
            &sup_b,
            &[seat(a, Role::Agent, false), seat(b, Role::Agent, true)]
        ));
        assert!(!may_reset_credentials(
            &[seat(b, Role::Agent, true)],
            &[seat(b, Role::Agent, true)]
        ));
        assert!(!may_reset_credentials(&sup_b, &[]));
    }

    #[test]
    fn roles() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Ok(r));
        }
    }
}
