//! What every page template receives: the frame (language, user bar, CSRF
//! token) and the state of a form being filled.

use crate::context::Ctx;
use crate::i18n::Lang;
use chrono::{DateTime, Utc};
use chrono_tz::Europe::Paris;
use relais_domain::FieldError;

/// Notices that a redirect may ask the next page to show (`?done=key`).
const NOTICES: &[&str] = &[
    "password-changed",
    "totp-activated",
    "signed-out",
    "signed-out-everywhere",
    "account-created",
    "password-reset-done",
    "member-deactivated",
    "member-reactivated",
    "structure-created",
    "token-revoked",
    "join-accepted",
    "join-declined",
    "request-recorded",
    "handed-over",
    "request-already-recorded",
    "person-saved",
    "accounts-saved",
    "persons-merged",
    "request-updated",
    "intervention-added",
    "follow-up-added",
    "follow-up-done-ok",
    "mandate-created",
    "mandate-signed",
    "mandate-revoked-ok",
    "mandate-code-sent",
    "verify-activated",
    "verify-revoked",
    "verify-revoked-part",
    "policy-saved",
    "mandate-warned",
    "private-note-saved",
    "private-note-deleted",
    "file-kept",
    "file-erased",
    "inbox-read",
    "calendar-revoked",
    "catalogue-saved",
    "reminders-saved",
    "referral-created",
    "referral-updated",
    "place-saved",
];

pub struct UserBar {
    pub name: String,
    pub structure_name: String,
    /// (id, name, current) of each structure the agent works in.
    pub structures: Vec<(String, String, bool)>,
    /// The role in the current structure: links show by [`UserBar::may`].
    pub role: relais_domain::Role,
    /// Unread reminders in the inbox (shown on its link).
    pub unread_reminders: i64,
}

impl UserBar {
    /// Whether the page at `path` lets this agent in: a navigation link
    /// shows exactly when the access of its route is held.
    pub fn may(&self, path: &str) -> bool {
        crate::routes::page_access(path).is_some_and(|a| a.allows(self.role))
    }
}

pub struct Ui {
    pub lang: Lang,
    pub csrf: String,
    pub path: String,
    pub user: Option<UserBar>,
    pub notice: Option<String>,
    /// How long a session lasts without activity, in seconds.
    pub session_idle_seconds: i64,
}

impl Ui {
    pub fn new(ctx: &Ctx) -> Self {
        let user = ctx
            .session
            .as_ref()
            .and_then(|s| s.actor.as_ref().map(|a| (s, a)))
            .map(|(s, a)| UserBar {
                name: a.name.clone(),
                structure_name: a.structure_name.clone(),
                structures: s
                    .memberships
                    .iter()
                    .map(|m| {
                        (
                            m.structure_id.to_string(),
                            m.structure_name.clone(),
                            m.structure_id == a.structure_id,
                        )
                    })
                    .collect(),
                role: a.role,
                unread_reminders: ctx.unread_reminders,
            });
        let notice = url::form_urlencoded::parse(ctx.query.as_bytes())
            .find(|(k, _)| k == "done")
            .and_then(|(_, v)| NOTICES.iter().find(|n| **n == v).copied())
            .map(|k| ctx.lang.t(k));
        Self {
            lang: ctx.lang,
            csrf: ctx.csrf.clone(),
            path: ctx.path.clone(),
            user,
            notice,
            session_idle_seconds: ctx.session_idle_seconds,
        }
    }

    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    /// How long before a session ends the page warns: two minutes, or a
    /// third of a shorter idle time.
    pub fn session_warn_seconds(&self) -> i64 {
        std::cmp::min(120, self.session_idle_seconds / 3)
    }

    /// The warning shown before the session ends.
    pub fn session_warning(&self) -> String {
        let minutes = (self.session_warn_seconds() + 59) / 60;
        self.lang
            .t_with("session-warning", &[("minutes", minutes.to_string())])
    }

    /// The text for `key` with a number `$n` (plural forms).
    pub fn count(&self, key: &str, n: impl std::borrow::Borrow<i64>) -> String {
        self.lang.t_count(key, *n.borrow())
    }

    /// A colon with the spacing of the language (French: a no-break space
    /// before it).
    pub fn colon(&self) -> &'static str {
        colon(self.lang)
    }

    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn path_encoded(&self) -> String {
        url::form_urlencoded::byte_serialize(self.path.as_bytes()).collect()
    }

    /// The label of a code, e.g. `("status", "open")`.
    pub fn label(&self, prefix: &str, code: &str) -> String {
        self.lang.t(&format!("{prefix}-{code}"))
    }

    /// The codes and labels of an enumeration, for selects and radios.
    pub fn choices(&self, kind: &str) -> Vec<(&'static str, String)> {
        use relais_domain::*;
        fn codes<T: Copy>(all: &[T], f: fn(T) -> &'static str) -> Vec<&'static str> {
            all.iter().map(|x| f(*x)).collect()
        }
        let (prefix, list) = match kind {
            "category" => (
                "category",
                codes(ProcedureCategory::ALL, ProcedureCategory::as_str),
            ),
            "channel" => ("channel", codes(Channel::ALL, Channel::as_str)),
            "status" => ("status", codes(RequestStatus::ALL, RequestStatus::as_str)),
            "outcome" => ("outcome", codes(Outcome::ALL, Outcome::as_str)),
            "block_reason" => ("block", codes(BlockReason::ALL, BlockReason::as_str)),
            "mode" => ("mode", codes(Mode::ALL, Mode::as_str)),
            "place" => (
                "place",
                codes(InterventionPlace::ALL, InterventionPlace::as_str),
            ),
            "autonomy" => ("autonomy", codes(Autonomy::ALL, Autonomy::as_str)),
            "equipment" => ("equipment", codes(Equipment::ALL, Equipment::as_str)),
            "tri" => ("tri", codes(TriState::ALL, TriState::as_str)),
            "recovery" => ("recovery", codes(Recovery::ALL, Recovery::as_str)),
            "age_bracket" => ("age", codes(AgeBracket::ALL, AgeBracket::as_str)),
            "duration" => (
                "duration",
                codes(
                    mandate::MandateDuration::ALL,
                    mandate::MandateDuration::as_str,
                ),
            ),
            "consent" => (
                "consent",
                codes(mandate::Consent::ALL, mandate::Consent::as_str),
            ),
            "mandate_rule" => (
                "mandate_rule",
                codes(mandate::MandateRule::ALL, mandate::MandateRule::as_str),
            ),
            "role" => ("role", codes(&Role::ALL, Role::as_str)),
            "mandate_state" => (
                "mandate-state",
                codes(mandate::MandateState::ALL, mandate::MandateState::as_str),
            ),
            _ => ("", Vec::new()),
        };
        list.into_iter()
            .map(|c| (c, self.lang.t(&format!("{prefix}-{c}"))))
            .collect()
    }

    /// `dd/mm/yyyy`.
    pub fn date(&self, d: chrono::NaiveDate) -> String {
        d.format("%d/%m/%Y").to_string()
    }

    /// `dd/mm/yyyy à HH h MM` in Paris time.
    pub fn datetime(&self, t: DateTime<Utc>) -> String {
        let local = t.with_timezone(&Paris);
        match self.lang {
            Lang::Fr => local.format("%d/%m/%Y à %H h %M").to_string(),
            Lang::En => local.format("%d/%m/%Y %H:%M").to_string(),
        }
    }
}

/// The fields of a submitted form, repeated names included.
#[derive(Debug, Clone, Default)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
    pub fn owned(&self, name: &str) -> String {
        self.get(name).to_owned()
    }
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
    /// A checkbox: present with any value but "" / "false" / "0".
    pub fn checked(&self, name: &str) -> bool {
        !matches!(self.get(name), "" | "false" | "0" | "no")
    }
}

/// A yes-or-no filter of a query string (`ending_soon`, `mine`): empty,
/// `false`, `0` or `no` is no; `true`, `1` or `yes` is yes; anything else
/// is not a choice (`None`). The pages' checkboxes send `1`.
pub fn flag(value: &str) -> Option<bool> {
    match value.trim() {
        "" | "false" | "0" | "no" => Some(false),
        "true" | "1" | "yes" => Some(true),
        _ => None,
    }
}

/// Only a path of this site is followed (a language switch's `next`, a
/// sign-in's `next`, a form's `return_to`), so that no link sends anyone
/// away. The value is parsed as a URL reference against a placeholder
/// origin, the way a browser would read it (tabs and new lines dropped,
/// backslashes read as slashes, `//host` naming another host); anything
/// that lands on another origin gives `/`. What is returned is the parsed
/// path and query, never the string as it came.
pub fn safe_next(next: &str) -> String {
    let Ok(base) = url::Url::parse("http://relais.invalid/") else {
        return "/".to_owned();
    };
    match base.join(next) {
        Ok(u) if u.origin() == base.origin() && u.username().is_empty() => {
            let mut out = u.path().to_owned();
            if let Some(q) = u.query() {
                out.push('?');
                out.push_str(q);
            }
            // A path that starts with two slashes would be read by the
            // browser as another host: collapse it.
            if out.starts_with("//") {
                "/".to_owned()
            } else {
                out
            }
        }
        _ => "/".to_owned(),
    }
}

/// A path of this site to come back to: only a local path, starting with
/// one `/`, that stays on this site once read the way a browser reads it
/// ([`safe_next`]); anything else is `None`.
pub fn local_path(raw: &str) -> Option<String> {
    if !raw.starts_with('/') || raw.starts_with("//") || raw.len() > 1024 {
        return None;
    }
    let safe = safe_next(raw);
    (safe != "/" || raw == "/").then_some(safe)
}

/// `path` with `?next=` the local page to come back to (nothing added for
/// home or for an address that is not this site's).
pub fn with_next(path: &str, next: &str) -> String {
    match local_path(next) {
        Some(n) if n != "/" => {
            let enc: String = url::form_urlencoded::byte_serialize(n.as_bytes()).collect();
            format!("{path}?next={enc}")
        }
        _ => path.to_owned(),
    }
}

/// A colon with the spacing of the language (French: a no-break space
/// before it).
pub fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "\u{a0}: ",
        Lang::En => ": ",
    }
}

/// The values and errors of a submitted form, for showing it again.
#[derive(Default)]
pub struct FormState {
    values: Vec<(String, String)>,
    /// (element id, message), in field order.
    pub errors: Vec<(String, String)>,
    raw: Vec<(String, String)>,
    /// The credential guard stopped a text: offer to confirm.
    secret_flagged: bool,
    /// The fields whose text the credential guard stopped; the browser's
    /// draft never keeps them.
    flagged: Vec<String>,
}

impl FormState {
    pub fn empty() -> Self {
        Self::default()
    }

    /// A form filled with values (first display, or defaults).
    pub fn with_values(values: Vec<(String, String)>) -> Self {
        Self {
            values,
            ..Self::default()
        }
    }

    /// `ids` maps field names to the ids of their inputs when they differ.
    pub fn with_errors(
        lang: Lang,
        values: &[(&str, &str)],
        errors: &[FieldError],
        ids: &[(&str, &str)],
    ) -> Self {
        Self::from_fields(
            lang,
            values
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            errors,
            ids,
        )
    }

    pub fn from_fields(
        lang: Lang,
        values: Vec<(String, String)>,
        errors: &[FieldError],
        ids: &[(&str, &str)],
    ) -> Self {
        let id_of = |field: &str| {
            ids.iter()
                .find(|(f, _)| *f == field)
                .map(|(_, id)| (*id).to_owned())
                .unwrap_or_else(|| field.to_owned())
        };
        // The summary names each field ("Nom : ce champ est obligatoire."),
        // the message beside the input does not need to.
        let summary = |e: &FieldError| match lang.field_label(e.field) {
            Some(label) => format!("{label}{}{}", colon(lang), lang.field_message(e)),
            None => lang.field_message(e),
        };
        Self {
            values,
            errors: errors
                .iter()
                .map(|e| (id_of(e.field), summary(e)))
                .collect(),
            raw: errors
                .iter()
                .map(|e| (e.field.to_owned(), lang.field_message(e)))
                .collect(),
            flagged: errors
                .iter()
                .filter(|e| e.code == "looks_like_secret")
                .map(|e| e.field.to_owned())
                .collect(),
            secret_flagged: errors.iter().any(|e| e.code == "looks_like_secret"),
        }
    }

    /// Whether the credential guard stopped a text of this form.
    pub fn secret_flagged(&self) -> bool {
        self.secret_flagged
    }

    /// Whether the credential guard stopped this field's text.
    pub fn flagged(&self, field: &str) -> bool {
        self.flagged.iter().any(|f| f == field)
    }

    /// Replaces the message shown for `field` (and in the error summary).
    pub fn with_message(mut self, field: &str, message: String) -> Self {
        for (f, m) in self.raw.iter_mut() {
            if f == field {
                *m = message.clone();
            }
        }
        for (_, m) in self.errors.iter_mut() {
            *m = message.clone();
        }
        self
    }

    /// All values, for building a new state from this one.
    pub fn values(&self) -> &[(String, String)] {
        &self.values
    }

    /// Keeps the errors of `other` (same form shown again).
    pub fn with_errors_of(mut self, other: FormState) -> Self {
        self.errors = other.errors;
        self.raw = other.raw;
        self.secret_flagged = other.secret_flagged;
        self.flagged = other.flagged;
        self
    }

    pub fn err(&self, field: &str) -> Option<String> {
        self.raw
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
    }

    pub fn value(&self, field: &str) -> &str {
        self.values
            .iter()
            .find(|(k, _)| k == field)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// Whether the checkbox `{prefix}{field}` = `value` is selected.
    pub fn has_in(&self, prefix: &str, field: &str, value: &str) -> bool {
        self.values
            .iter()
            .any(|(k, v)| k.strip_prefix(prefix) == Some(field) && v == value)
    }

    /// Whether a checkbox or radio `field` = `value` is selected.
    pub fn has(&self, field: &str, value: &str) -> bool {
        self.values.iter().any(|(k, v)| k == field && v == value)
    }
}

#[cfg(test)]
mod path_tests {
    #[test]
    fn next_stays_local() {
        use super::safe_next;
        assert_eq!(safe_next("/account"), "/account");
        assert_eq!(safe_next("/requests?status=open"), "/requests?status=open");
        assert_eq!(safe_next(""), "/");
        for evil in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "/%09/evil.example/x",
            "/\t/evil.example/x",
            "\t//evil.example",
            "/\n/evil.example",
            "http:evil.example",
            "javascript:alert(1)",
            "//user@evil.example",
            "https://relais.invalid@evil.example/",
        ] {
            let got = safe_next(evil);
            // Read again the way the browser reads a Location header, the
            // result stays on this site.
            let base = url::Url::parse("http://relais.invalid/").unwrap();
            let again = base.join(&got).unwrap();
            assert_eq!(again.origin(), base.origin(), "{evil:?} gave {got:?}");
            assert!(!got.starts_with("//"), "{evil:?} gave {got:?}");
        }
        // The decoded form of `/%09/evil.example/x` (what the query gives).
        assert_eq!(safe_next("/\t/evil.example/x"), "/");
    }

    #[test]
    fn return_to_is_a_local_path_or_nothing() {
        use super::local_path;
        assert_eq!(
            local_path("/intake?person_id=1&draft=2").as_deref(),
            Some("/intake?person_id=1&draft=2")
        );
        assert_eq!(local_path("/").as_deref(), Some("/"));
        for evil in [
            "",
            "intake",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
        ] {
            assert_eq!(local_path(evil), None, "{evil:?}");
        }
    }
}
