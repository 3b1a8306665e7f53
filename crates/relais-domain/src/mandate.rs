//! Mandates (the person's written authorisation to act for them) and the
//! structure's intervention policy (charte d'intervention), with the rule
//! that decides whether an intervention may be done *for* someone.

use crate::codes::code_enum;
use crate::desk::{Mode, ProcedureCategory};
use crate::validation::FieldError;
use crate::Role;
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

code_enum!(
    /// How long a mandate lasts.
    MandateDuration, "duration", {
        OneDay => "one_day",
        OneMonth => "one_month",
        SixMonths => "six_months",
        TwelveMonths => "twelve_months",
    }
);

impl MandateDuration {
    /// Length in days (a one-day mandate ends the day it starts).
    pub fn days(self) -> i64 {
        match self {
            MandateDuration::OneDay => 1,
            MandateDuration::OneMonth => 31,
            MandateDuration::SixMonths => 182,
            MandateDuration::TwelveMonths => 365,
        }
    }

    /// The last day the mandate covers.
    pub fn end_date(self, start: NaiveDate) -> NaiveDate {
        start + Duration::days(self.days() - 1)
    }
}

code_enum!(
    /// How the person consents.
    Consent, "consent", {
        Paper => "paper",
        OnScreen => "on_screen",
        Remote => "remote",
    }
);

code_enum!(
    /// Where a mandate stands.
    MandateState, "status", {
        /// Drawn up, waiting for the person's signature or code.
        Pending => "pending",
        Active => "active",
        Expired => "expired",
        Revoked => "revoked",
    }
);

impl MandateState {
    /// Whether the mandate may still be revoked (wholly or category by
    /// category): while it waits for the signature or is in force.
    pub fn revocable(self) -> bool {
        matches!(self, MandateState::Pending | MandateState::Active)
    }

    /// The rule of [`MandateFacts::state_on`] as conditions on what is
    /// stored, for a list filtered by the database: the mandates in this
    /// state on `day` are those [`StateSelection::admits`].
    pub fn selection(self, day: NaiveDate) -> StateSelection {
        let any = StateSelection {
            revoked: false,
            signed: None,
            ends_from: None,
            ends_before: None,
        };
        match self {
            MandateState::Revoked => StateSelection {
                revoked: true,
                ..any
            },
            MandateState::Pending => StateSelection {
                signed: Some(false),
                ..any
            },
            MandateState::Expired => StateSelection {
                signed: Some(true),
                ends_before: Some(day),
                ..any
            },
            MandateState::Active => StateSelection {
                signed: Some(true),
                ends_from: Some(day),
                ..any
            },
        }
    }
}

/// The stored conditions of one state on one day (see
/// [`MandateState::selection`]). A mandate whose every category was
/// revoked one by one is stored as revoked whole, so that whether it is
/// revoked is one stored fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateSelection {
    /// Revoked (whole), or not.
    pub revoked: bool,
    /// Signed, not signed, or either (`None`).
    pub signed: Option<bool>,
    /// Ends on this day or later.
    pub ends_from: Option<NaiveDate>,
    /// Ends before this day.
    pub ends_before: Option<NaiveDate>,
}

impl StateSelection {
    /// Whether a mandate stored so meets the conditions.
    pub fn admits(&self, revoked: bool, signed: bool, ends_on: NaiveDate) -> bool {
        revoked == self.revoked
            && self.signed.is_none_or(|s| s == signed)
            && self.ends_from.is_none_or(|d| ends_on >= d)
            && self.ends_before.is_none_or(|d| ends_on < d)
    }
}

/// What is stored of a mandate that the rules need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MandateFacts {
    pub categories: Vec<ProcedureCategory>,
    pub revoked_categories: Vec<ProcedureCategory>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// The day the person signed (Paris time), if they did.
    pub signed_on: Option<NaiveDate>,
    pub revoked: bool,
}

impl MandateFacts {
    /// The state on a given day.
    pub fn state_on(&self, day: NaiveDate) -> MandateState {
        if self.revoked || self.active_categories().is_empty() {
            MandateState::Revoked
        } else if self.signed_on.is_none() {
            MandateState::Pending
        } else if day > self.ends_on {
            MandateState::Expired
        } else {
            MandateState::Active
        }
    }

    /// The categories still covered (not revoked one by one).
    pub fn active_categories(&self) -> Vec<ProcedureCategory> {
        self.categories
            .iter()
            .copied()
            .filter(|c| !self.revoked_categories.contains(c))
            .collect()
    }

    /// Why this mandate cannot cover `category` on `day`, if it cannot.
    pub fn refusal(&self, category: ProcedureCategory, day: NaiveDate) -> Option<Refusal> {
        match self.state_on(day) {
            MandateState::Revoked => Some(Refusal::MandateRevoked),
            MandateState::Pending => Some(Refusal::MandateNotSigned),
            MandateState::Expired => Some(Refusal::MandateExpired),
            MandateState::Active if day < self.starts_on => Some(Refusal::MandateNotStarted),
            // A day before the signature: the person had not agreed yet.
            MandateState::Active if self.signed_on.is_some_and(|s| day < s) => {
                Some(Refusal::MandateSignedLater)
            }
            MandateState::Active => {
                if self.active_categories().contains(&category) {
                    None
                } else if self.categories.contains(&category) {
                    Some(Refusal::MandateRevoked)
                } else {
                    Some(Refusal::CategoryNotCovered)
                }
            }
        }
    }
}

impl MandateFacts {
    /// Why this mandate did not cover `category` on `day`, for an
    /// intervention already recorded under it: a whole revocation since
    /// then does not undo what was done while it was in force, but a
    /// category revoked one by one no longer counts as covered.
    pub fn covered_then(&self, category: ProcedureCategory, day: NaiveDate) -> Option<Refusal> {
        let then = MandateFacts {
            revoked: false,
            ..self.clone()
        };
        if then.active_categories().is_empty() {
            return Some(Refusal::MandateRevoked);
        }
        then.refusal(category, day)
    }
}

/// Whether an intervention done *for* the person counts as done under a
/// mandate (the dashboard's share): the mandate it relied on still
/// covers the request's category on the intervention's (Paris) day, as
/// [`MandateFacts::covered_then`] judges it when a request is judged
/// again: a whole revocation since then does not undo it, a category
/// revoked one by one does.
pub fn done_under_mandate(
    relied_on: Option<&MandateFacts>,
    category: ProcedureCategory,
    day: NaiveDate,
) -> bool {
    relied_on.is_some_and(|m| m.covered_then(category, day).is_none())
}

/// What a person's file and search results show of their mandates: the
/// categories covered today and until when, or a mandate still waiting for
/// the signature. `None` from [`MandateBadge::of`] means "no mandate".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MandateBadge {
    /// `Active` (in force today) or `Pending` (drawn up, not yet signed).
    pub state: MandateState,
    /// The categories covered (of every mandate in that state), in the
    /// order of [`ProcedureCategory::ALL`].
    pub categories: Vec<ProcedureCategory>,
    /// The earliest end among those mandates: everything listed is
    /// covered at least until then.
    pub ends_on: NaiveDate,
}

impl MandateBadge {
    /// The badge of a person with these mandates, on `day`: the mandates in
    /// force if any; otherwise those waiting for a signature whose period
    /// has not ended; otherwise none.
    pub fn of(mandates: &[MandateFacts], day: NaiveDate) -> Option<MandateBadge> {
        let in_force: Vec<&MandateFacts> = mandates
            .iter()
            .filter(|m| m.state_on(day) == MandateState::Active && m.starts_on <= day)
            .collect();
        let (state, chosen) = if in_force.is_empty() {
            let waiting: Vec<&MandateFacts> = mandates
                .iter()
                .filter(|m| m.state_on(day) == MandateState::Pending && day <= m.ends_on)
                .collect();
            (MandateState::Pending, waiting)
        } else {
            (MandateState::Active, in_force)
        };
        let ends_on = chosen.iter().map(|m| m.ends_on).min()?;
        let categories = ProcedureCategory::ALL
            .iter()
            .copied()
            .filter(|c| chosen.iter().any(|m| m.active_categories().contains(c)))
            .collect();
        Some(MandateBadge {
            state,
            categories,
            ends_on,
        })
    }
}

/// Parses a list of category codes (at least one, no repeats kept).
pub fn parse_categories(codes: &[String]) -> Result<Vec<ProcedureCategory>, FieldError> {
    let mut out = Vec::new();
    for c in codes.iter().filter(|c| !c.trim().is_empty()) {
        let cat = ProcedureCategory::parse(c)
            .map_err(|_| FieldError::new("categories", "invalid_choice"))?;
        if !out.contains(&cat) {
            out.push(cat);
        }
    }
    if out.is_empty() {
        return Err(FieldError::new("categories", "required"));
    }
    Ok(out)
}

code_enum!(
    /// What the policy asks for before doing something *for* a person.
    MandateRule, "mandate_rule", {
        Required => "required",
        Recommended => "recommended",
        NotRequired => "not_required",
    }
);

/// Why an intervention is refused (or warned about), as a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// The policy does not allow this mode for this category.
    ModeNotAllowed,
    /// The actor's role may not act for someone.
    RoleNotAllowed,
    /// No mandate of the person covers the request.
    NoMandate,
    MandateExpired,
    MandateRevoked,
    MandateNotSigned,
    MandateNotStarted,
    CategoryNotCovered,
    /// The intervention happened before the person signed the mandate.
    MandateSignedLater,
    /// An anonymous walk-in cannot give a mandate.
    AnonymousPerson,
}

impl Refusal {
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::ModeNotAllowed => "mode_not_allowed",
            Refusal::RoleNotAllowed => "role_not_allowed",
            Refusal::NoMandate => "no_mandate",
            Refusal::MandateExpired => "mandate_expired",
            Refusal::MandateRevoked => "mandate_revoked",
            Refusal::MandateNotSigned => "mandate_not_signed",
            Refusal::MandateNotStarted => "mandate_not_started",
            Refusal::CategoryNotCovered => "category_not_covered",
            Refusal::MandateSignedLater => "mandate_signed_later",
            Refusal::AnonymousPerson => "anonymous_person",
        }
    }
}

/// A refusal with the facts it rests on, so that the worker is told
/// what is missing and what to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub reason: Refusal,
    /// The request's category.
    pub category: ProcedureCategory,
    /// The mandate the decision looked at (the one closest to covering),
    /// when the person has one.
    pub mandate: Option<MandateBrief>,
}

/// What a worker needs to know of a mandate that did not cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MandateBrief {
    pub id: crate::MandateId,
    /// The code printed on the mandate (its public reference).
    pub code: String,
    pub consent: Consent,
    /// The categories still covered.
    pub covered: Vec<ProcedureCategory>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub signed_on: Option<NaiveDate>,
}

impl Refused {
    /// A refusal that no mandate could lift.
    pub fn bare(reason: Refusal, category: ProcedureCategory) -> Self {
        Self {
            reason,
            category,
            mandate: None,
        }
    }

    /// Whether drawing up a new mandate (for the person and the category)
    /// is the way forward: none covers, or the one there ended, was
    /// revoked or leaves the category out.
    pub fn new_mandate_helps(&self) -> bool {
        matches!(
            self.reason,
            Refusal::NoMandate
                | Refusal::MandateExpired
                | Refusal::MandateRevoked
                | Refusal::CategoryNotCovered
        )
    }

    /// The unsigned mandate the worker can have signed now, if that is
    /// what is missing.
    pub fn to_sign(&self) -> Option<&MandateBrief> {
        self.mandate
            .as_ref()
            .filter(|_| self.reason == Refusal::MandateNotSigned)
    }

    /// Whether the refusal is about who acts (the role), so that handing
    /// the request to someone allowed is the way forward.
    pub fn hand_over_helps(&self) -> bool {
        self.reason == Refusal::RoleNotAllowed
    }

    /// Whether "done with" the person instead is allowed by the policy
    /// for this category.
    pub fn done_with_allowed(&self, policy: &Policy) -> bool {
        policy.mode_allowed(self.category, Mode::DoneWith)
    }
}

/// The structure's intervention policy. Fields missing from a stored
/// policy take their default, so that new settings can be added later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Policy {
    /// Modes allowed, per category (a category missing here allows all).
    pub allowed_modes: Vec<(ProcedureCategory, Vec<Mode>)>,
    pub mandate_rule: MandateRule,
    pub max_mandate_duration: MandateDuration,
    /// Roles that may act `done_for`.
    pub done_for_roles: Vec<Role>,
    pub require_privacy_notice: bool,
    pub retention_months: u32,
    /// The structure's own charter text.
    pub charter: String,
    /// Who the persons contact about their data (the data protection
    /// officer or the structure's privacy contact), for the privacy notice.
    pub privacy_contact: String,
    /// How many days back an intervention may be dated (`occurred_at`).
    pub max_backdating_days: u32,
    /// A paper mandate is activated only with a scan of the signed paper.
    /// Stored policies written before this setting existed read `true`.
    pub paper_scan_required: bool,
}

/// The longest backdating a policy may allow, in days.
pub const MAX_BACKDATING_LIMIT: u32 = 366;

impl Default for Policy {
    fn default() -> Self {
        Self {
            allowed_modes: Vec::new(),
            mandate_rule: MandateRule::Required,
            max_mandate_duration: MandateDuration::TwelveMonths,
            done_for_roles: vec![Role::Agent, Role::Supervisor, Role::Admin],
            require_privacy_notice: true,
            retention_months: 24,
            charter: String::new(),
            privacy_contact: String::new(),
            max_backdating_days: 30,
            paper_scan_required: true,
        }
    }
}

/// A policy as written by a supervisor, in the page's form or the API's
/// JSON: codes as typed. [`PolicyInput::parse`] is the one reader of
/// both; unknown codes are reported, never dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyInput {
    pub mandate_rule: String,
    pub max_mandate_duration: String,
    pub done_for_roles: Vec<String>,
    /// Modes allowed per category code; a category absent allows all.
    pub allowed_modes: Vec<(String, Vec<String>)>,
    pub require_privacy_notice: bool,
    /// `None`: not a number.
    pub retention_months: Option<u32>,
    /// `None`: not a number.
    pub max_backdating_days: Option<u32>,
    pub charter: String,
    pub privacy_contact: String,
    pub paper_scan_required: bool,
}

impl PolicyInput {
    /// The policy, or every problem found (`invalid_choice` on
    /// `mandate_rule`, `max_mandate_duration`, `done_for_roles` or
    /// `allowed_modes` for an unknown code; `invalid_retention`,
    /// `invalid_backdating` for a number that is not one). Ranges and
    /// lengths are checked by the use case that saves it.
    pub fn parse(self) -> Result<Policy, Vec<FieldError>> {
        let mut errors = Vec::new();
        let invalid = |field: &'static str| FieldError::new(field, "invalid_choice");
        let mandate_rule = MandateRule::parse(&self.mandate_rule)
            .map_err(|e| errors.push(e))
            .ok();
        let max = MandateDuration::parse(&self.max_mandate_duration)
            .map_err(|_| errors.push(invalid("max_mandate_duration")))
            .ok();
        let retention = self.retention_months;
        if retention.is_none() {
            errors.push(FieldError::new("retention_months", "invalid_retention"));
        }
        let backdating = self.max_backdating_days;
        if backdating.is_none() {
            errors.push(FieldError::new("max_backdating_days", "invalid_backdating"));
        }
        let mut roles = Vec::new();
        for r in &self.done_for_roles {
            match Role::parse(r) {
                Ok(r) if !roles.contains(&r) => roles.push(r),
                Ok(_) => {}
                Err(_) => errors.push(invalid("done_for_roles")),
            }
        }
        let mut allowed_modes = Vec::new();
        for (c, modes) in &self.allowed_modes {
            let Ok(c) = ProcedureCategory::parse(c) else {
                errors.push(invalid("allowed_modes"));
                continue;
            };
            let mut ms = Vec::new();
            for m in modes {
                match Mode::parse(m) {
                    Ok(m) if !ms.contains(&m) => ms.push(m),
                    Ok(_) => {}
                    Err(_) => errors.push(invalid("allowed_modes")),
                }
            }
            allowed_modes.push((c, ms));
        }
        match (mandate_rule, max, retention, backdating) {
            (Some(mandate_rule), Some(max_mandate_duration), Some(r), Some(b))
                if errors.is_empty() =>
            {
                Ok(Policy {
                    allowed_modes,
                    mandate_rule,
                    max_mandate_duration,
                    done_for_roles: roles,
                    require_privacy_notice: self.require_privacy_notice,
                    retention_months: r,
                    charter: self.charter.replace("\r\n", "\n").trim().to_owned(),
                    privacy_contact: self.privacy_contact.trim().to_owned(),
                    max_backdating_days: b,
                    paper_scan_required: self.paper_scan_required,
                })
            }
            _ => Err(errors),
        }
    }
}

/// A stored policy that no longer reads: never replaced by the default
/// one in silence (the charter would change without anyone deciding it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the stored policy cannot be read: {0}")]
pub struct UnreadablePolicy(pub String);

impl Policy {
    /// Reads a stored policy. Settings missing from it take their default
    /// (new settings are added over time); anything else that does not
    /// read is an error.
    pub fn from_stored(body: &str) -> Result<Policy, UnreadablePolicy> {
        // The position and kind only: the message could quote the text.
        serde_json::from_str(body).map_err(|e| {
            UnreadablePolicy(format!(
                "{:?} at line {} column {}",
                e.classify(),
                e.line(),
                e.column()
            ))
        })
    }
}

/// The policy's verdict on an intervention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Allowed, but the worker is told why it is not recommended.
    Warn(Refusal),
    Refused(Refusal),
}

impl Policy {
    pub fn mode_allowed(&self, category: ProcedureCategory, mode: Mode) -> bool {
        match self.allowed_modes.iter().find(|(c, _)| *c == category) {
            Some((_, modes)) => modes.contains(&mode),
            None => true,
        }
    }

    /// Decides on an intervention. `mandate` is the best mandate the person
    /// has for the category (`None` when there is none), with the reason it
    /// does not cover the day if it does not.
    pub fn judge(
        &self,
        role: Role,
        category: ProcedureCategory,
        mode: Mode,
        anonymous: bool,
        mandate: Option<Option<Refusal>>,
    ) -> Verdict {
        if !self.mode_allowed(category, mode) {
            return Verdict::Refused(Refusal::ModeNotAllowed);
        }
        if mode != Mode::DoneFor {
            return Verdict::Allowed;
        }
        if !self.done_for_roles.contains(&role) {
            return Verdict::Refused(Refusal::RoleNotAllowed);
        }
        self.judge_mandate(anonymous, mandate)
    }

    /// Judges again an intervention already recorded when its request
    /// moves to `category` (the role was judged when it was recorded).
    /// `mandate` is what the mandate it relied on says of the new
    /// category on the intervention's day ([`MandateFacts::covered_then`]).
    pub fn rejudge(
        &self,
        category: ProcedureCategory,
        mode: Mode,
        anonymous: bool,
        mandate: Option<Option<Refusal>>,
    ) -> Verdict {
        if !self.mode_allowed(category, mode) {
            return Verdict::Refused(Refusal::ModeNotAllowed);
        }
        if mode != Mode::DoneFor {
            return Verdict::Allowed;
        }
        self.judge_mandate(anonymous, mandate)
    }

    fn judge_mandate(&self, anonymous: bool, mandate: Option<Option<Refusal>>) -> Verdict {
        let problem = if anonymous {
            Some(Refusal::AnonymousPerson)
        } else {
            match mandate {
                None => Some(Refusal::NoMandate),
                Some(r) => r,
            }
        };
        match (problem, self.mandate_rule) {
            (None, _) | (_, MandateRule::NotRequired) => Verdict::Allowed,
            (Some(r), MandateRule::Recommended) => Verdict::Warn(r),
            (Some(r), MandateRule::Required) => Verdict::Refused(r),
        }
    }

    /// An intervention may be dated back `max_backdating_days` at most.
    pub fn check_occurred_on(&self, day: NaiveDate, today: NaiveDate) -> Result<(), FieldError> {
        let earliest = today
            .checked_sub_signed(Duration::days(i64::from(self.max_backdating_days)))
            .unwrap_or(NaiveDate::MIN);
        if day < earliest {
            Err(FieldError::new("occurred_at", "date_too_old"))
        } else {
            Ok(())
        }
    }

    /// The bound on backdating is a number of days up to a year.
    pub fn check_backdating_setting(&self) -> Result<(), FieldError> {
        if self.max_backdating_days > MAX_BACKDATING_LIMIT {
            Err(FieldError::new("max_backdating_days", "invalid_backdating"))
        } else {
            Ok(())
        }
    }

    pub fn check_duration(&self, d: MandateDuration) -> Result<(), FieldError> {
        if d.days() > self.max_mandate_duration.days() {
            Err(FieldError::new("duration", "duration_above_policy"))
        } else {
            Ok(())
        }
    }
}

/// The initials shown on the public verification page: "H. L.".
pub fn initials(first: &str, last: &str) -> String {
    let i = |s: &str| {
        s.trim()
            .chars()
            .next()
            .map(|c| format!("{}.", c.to_uppercase()))
            .unwrap_or_default()
    };
    format!("{} {}", i(first), i(last)).trim().to_owned()
}

/// Whether the revocation secret a person typed is the one printed on
/// their copy: case, spaces and dashes do not matter, the comparison takes
/// the same time whatever matches, and an emptied secret (an anonymised
/// mandate) matches nothing.
pub fn revocation_secret_matches(expected: &str, given: &str) -> bool {
    let given: String = given
        .trim()
        .to_uppercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let expected: String = expected
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    !expected.is_empty()
        && given.len() == expected.len()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |a, (x, y)| a | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_state_selects_the_mandates_in_that_state() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let mut seen = 0;
        for revoked in [false, true] {
            for signed in [false, true] {
                for ends_on in [
                    day - chrono::Duration::days(1),
                    day,
                    day + chrono::Duration::days(1),
                ] {
                    let f = MandateFacts {
                        categories: vec![ProcedureCategory::Social],
                        revoked_categories: Vec::new(),
                        starts_on: day - chrono::Duration::days(30),
                        ends_on,
                        signed_on: signed.then_some(day - chrono::Duration::days(30)),
                        revoked,
                    };
                    let state = f.state_on(day);
                    for s in MandateState::ALL {
                        assert_eq!(
                            s.selection(day).admits(revoked, signed, ends_on),
                            *s == state,
                            "{s:?} for revoked {revoked}, signed {signed}, ends {ends_on}"
                        );
                    }
                    seen += 1;
                }
            }
        }
        assert_eq!(seen, 12);
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn the_badge_shows_mandates_in_force_before_those_waiting() {
        let today = d(2026, 1, 10);
        assert_eq!(MandateBadge::of(&[], today), None);
        let active = facts();
        let badge = MandateBadge::of(std::slice::from_ref(&active), today);
        assert_eq!(
            badge,
            Some(MandateBadge {
                state: MandateState::Active,
                categories: vec![ProcedureCategory::Social, ProcedureCategory::Travail],
                ends_on: d(2026, 1, 31),
            })
        );
        // Expired or wholly revoked: no mandate.
        assert_eq!(
            MandateBadge::of(std::slice::from_ref(&active), d(2026, 2, 1)),
            None
        );
        let revoked = MandateFacts {
            revoked: true,
            ..facts()
        };
        assert_eq!(MandateBadge::of(&[revoked], today), None);
        // Waiting for the signature.
        let pending = MandateFacts {
            categories: vec![ProcedureCategory::Logement],
            signed_on: None,
            ends_on: d(2026, 6, 30),
            ..facts()
        };
        let b = MandateBadge::of(std::slice::from_ref(&pending), today);
        assert_eq!(b.as_ref().map(|b| b.state), Some(MandateState::Pending));
        // One in force wins; two in force: categories together, the
        // earliest end, categories in their usual order, one revoked
        // category left out.
        let other = MandateFacts {
            categories: vec![ProcedureCategory::Papiers, ProcedureCategory::Famille],
            revoked_categories: vec![ProcedureCategory::Famille],
            ends_on: d(2026, 12, 31),
            ..facts()
        };
        let b = MandateBadge::of(&[pending, other, active], today);
        assert_eq!(
            b,
            Some(MandateBadge {
                state: MandateState::Active,
                categories: vec![
                    ProcedureCategory::Papiers,
                    ProcedureCategory::Social,
                    ProcedureCategory::Travail
                ],
                ends_on: d(2026, 1, 31),
            })
        );
        // Not started yet: not in force.
        let later = MandateFacts {
            starts_on: d(2026, 2, 1),
            ends_on: d(2026, 3, 1),
            ..facts()
        };
        assert_eq!(MandateBadge::of(&[later], today), None);
    }

    fn facts() -> MandateFacts {
        MandateFacts {
            categories: vec![ProcedureCategory::Social, ProcedureCategory::Travail],
            revoked_categories: vec![],
            starts_on: d(2026, 1, 1),
            ends_on: MandateDuration::OneMonth.end_date(d(2026, 1, 1)),
            signed_on: Some(d(2026, 1, 1)),
            revoked: false,
        }
    }

    #[test]
    fn durations() {
        assert_eq!(
            MandateDuration::OneDay.end_date(d(2026, 3, 1)),
            d(2026, 3, 1)
        );
        assert_eq!(
            MandateDuration::TwelveMonths.end_date(d(2026, 1, 1)),
            d(2026, 12, 31)
        );
    }

    #[test]
    fn coverage() {
        let f = facts();
        assert_eq!(f.refusal(ProcedureCategory::Social, d(2026, 1, 15)), None);
        assert_eq!(
            f.refusal(ProcedureCategory::Papiers, d(2026, 1, 15)),
            Some(Refusal::CategoryNotCovered)
        );
        assert_eq!(
            f.refusal(ProcedureCategory::Social, d(2026, 2, 15)),
            Some(Refusal::MandateExpired)
        );
        let mut r = f.clone();
        r.revoked_categories = vec![ProcedureCategory::Social];
        assert_eq!(
            r.refusal(ProcedureCategory::Social, d(2026, 1, 15)),
            Some(Refusal::MandateRevoked)
        );
        assert_eq!(r.refusal(ProcedureCategory::Travail, d(2026, 1, 15)), None);
        r.revoked_categories.push(ProcedureCategory::Travail);
        assert_eq!(r.state_on(d(2026, 1, 15)), MandateState::Revoked);
        let mut p = f.clone();
        p.signed_on = None;
        assert_eq!(p.state_on(d(2026, 1, 15)), MandateState::Pending);
    }

    #[test]
    fn judged_on_the_day_against_the_signature() {
        let mut f = facts();
        f.signed_on = Some(d(2026, 1, 10));
        assert_eq!(
            f.refusal(ProcedureCategory::Social, d(2026, 1, 9)),
            Some(Refusal::MandateSignedLater)
        );
        assert_eq!(f.refusal(ProcedureCategory::Social, d(2026, 1, 10)), None);
        // Recorded under it, then the mandate was revoked: still covered
        // then, but not for a category it never covered.
        f.revoked = true;
        assert_eq!(
            f.refusal(ProcedureCategory::Social, d(2026, 1, 12)),
            Some(Refusal::MandateRevoked)
        );
        assert_eq!(
            f.covered_then(ProcedureCategory::Social, d(2026, 1, 12)),
            None
        );
        assert_eq!(
            f.covered_then(ProcedureCategory::Justice, d(2026, 1, 12)),
            Some(Refusal::CategoryNotCovered)
        );
        f.revoked_categories = vec![ProcedureCategory::Travail];
        assert_eq!(
            f.covered_then(ProcedureCategory::Travail, d(2026, 1, 12)),
            Some(Refusal::MandateRevoked)
        );
    }

    #[test]
    fn backdating_is_bounded() {
        let mut p = Policy::default();
        let today = d(2026, 3, 31);
        assert!(p.check_occurred_on(d(2026, 3, 1), today).is_ok());
        assert!(p.check_occurred_on(d(2026, 2, 28), today).is_err());
        assert!(p.check_occurred_on(d(1, 1, 1), today).is_err());
        p.max_backdating_days = 0;
        assert!(p.check_occurred_on(today, today).is_ok());
        assert!(p.check_occurred_on(d(2026, 3, 30), today).is_err());
        assert!(p.check_backdating_setting().is_ok());
        p.max_backdating_days = 400;
        assert!(p.check_backdating_setting().is_err());
        // A stored policy without the new settings reads the defaults.
        let old: Policy = serde_json::from_str(r#"{"retention_months": 12}"#).unwrap_or_default();
        assert_eq!(old.retention_months, 12);
        assert_eq!(old.max_backdating_days, 30);
        assert!(old.paper_scan_required);
    }

    #[test]
    fn policy_verdicts() {
        let mut p = Policy::default();
        let cat = ProcedureCategory::Social;
        assert_eq!(
            p.judge(Role::Agent, cat, Mode::DoneWith, false, None),
            Verdict::Allowed
        );
        assert_eq!(
            p.judge(Role::Agent, cat, Mode::DoneFor, false, None),
            Verdict::Refused(Refusal::NoMandate)
        );
        assert_eq!(
            p.judge(Role::Agent, cat, Mode::DoneFor, false, Some(None)),
            Verdict::Allowed
        );
        assert_eq!(
            p.judge(Role::Mediator, cat, Mode::DoneFor, false, Some(None)),
            Verdict::Refused(Refusal::RoleNotAllowed)
        );
        assert_eq!(
            p.judge(Role::Agent, cat, Mode::DoneFor, true, None),
            Verdict::Refused(Refusal::AnonymousPerson)
        );
        p.mandate_rule = MandateRule::Recommended;
        assert_eq!(
            p.judge(
                Role::Agent,
                cat,
                Mode::DoneFor,
                false,
                Some(Some(Refusal::MandateExpired))
            ),
            Verdict::Warn(Refusal::MandateExpired)
        );
        p.allowed_modes = vec![(cat, vec![Mode::DoneWith, Mode::Taught])];
        assert_eq!(
            p.judge(Role::Agent, cat, Mode::Informed, false, None),
            Verdict::Refused(Refusal::ModeNotAllowed)
        );
        assert!(p.check_duration(MandateDuration::TwelveMonths).is_ok());
        p.max_mandate_duration = MandateDuration::SixMonths;
        assert!(p.check_duration(MandateDuration::TwelveMonths).is_err());
    }

    #[test]
    fn one_reader_for_written_policies() {
        let input = PolicyInput {
            mandate_rule: "recommended".into(),
            max_mandate_duration: "six_months".into(),
            done_for_roles: vec!["agent".into(), "agent".into()],
            allowed_modes: vec![("social".into(), vec!["done_with".into()])],
            retention_months: Some(12),
            max_backdating_days: Some(10),
            charter: " Notre charte\r\n".into(),
            ..PolicyInput::default()
        };
        let p = input.clone().parse().unwrap_or_default();
        assert_eq!(p.mandate_rule, MandateRule::Recommended);
        assert_eq!(p.done_for_roles, vec![Role::Agent]);
        assert_eq!(p.charter, "Notre charte");
        assert!(!p.mode_allowed(ProcedureCategory::Social, Mode::DoneFor));
        // Unknown codes are reported, all of them.
        let bad = PolicyInput {
            done_for_roles: vec!["superhero".into()],
            allowed_modes: vec![("social".into(), vec!["telepathy".into()])],
            retention_months: None,
            ..input
        };
        assert_eq!(
            bad.parse(),
            Err(vec![
                FieldError::new("retention_months", "invalid_retention"),
                FieldError::new("done_for_roles", "invalid_choice"),
                FieldError::new("allowed_modes", "invalid_choice"),
            ])
        );
        // A stored policy: missing settings default, broken ones do not.
        assert!(Policy::from_stored(r#"{"retention_months": 12}"#).is_ok());
        assert!(Policy::from_stored(r#"{"done_for_roles": ["superhero"]}"#).is_err());
        assert!(Policy::from_stored("not json").is_err());
    }

    #[test]
    fn a_category_revoked_one_by_one_is_no_longer_done_under_the_mandate() {
        let mut f = facts();
        let day = d(2026, 1, 12);
        assert!(done_under_mandate(Some(&f), ProcedureCategory::Social, day));
        assert!(!done_under_mandate(None, ProcedureCategory::Social, day));
        f.revoked_categories = vec![ProcedureCategory::Social];
        assert!(!done_under_mandate(
            Some(&f),
            ProcedureCategory::Social,
            day
        ));
        assert!(done_under_mandate(
            Some(&f),
            ProcedureCategory::Travail,
            day
        ));
        // Wholly revoked later: what was done then stays done under it.
        f.revoked_categories.clear();
        f.revoked = true;
        assert!(done_under_mandate(Some(&f), ProcedureCategory::Social, day));
        assert!(MandateState::Pending.revocable() && !MandateState::Revoked.revocable());
    }

    #[test]
    fn initials_only() {
        assert_eq!(initials("hélène", "Lefèvre"), "H. L.");
        assert_eq!(
            parse_categories(&["social".into(), "social".into()]),
            Ok(vec![ProcedureCategory::Social])
        );
        assert!(parse_categories(&[]).is_err());
        assert!(parse_categories(&["voyage".into()]).is_err());
    }

    #[test]
    fn revocation_secrets_match_whatever_the_typing() {
        assert!(revocation_secret_matches(
            "ABCD-EFGH-JKLM",
            "abcd efgh jklm"
        ));
        assert!(revocation_secret_matches(
            "ABCD-EFGH-JKLM",
            " ABCDEFGHJKLM "
        ));
        assert!(!revocation_secret_matches(
            "ABCD-EFGH-JKLM",
            "ABCD-EFGH-JKLN"
        ));
        assert!(!revocation_secret_matches("ABCD-EFGH-JKLM", "ABCD-EFGH"));
        assert!(!revocation_secret_matches("", ""));
    }
}
