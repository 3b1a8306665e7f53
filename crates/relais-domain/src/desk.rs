//! The help desk: persons, digital help requests, interventions, follow-ups.

use crate::codes::code_enum;
use crate::validation::{bounded_text, FieldError};
use chrono::{Datelike, NaiveDate};

code_enum!(
    /// The ten categories of online procedures (service-public.fr's themes).
    ProcedureCategory, "category", {
        Papiers => "papiers",
        Famille => "famille",
        Social => "social",
        Travail => "travail",
        Logement => "logement",
        Transports => "transports",
        Argent => "argent",
        Justice => "justice",
        Etranger => "etranger",
        Loisirs => "loisirs",
    }
);

code_enum!(
    /// How the person reached the structure.
    Channel, "channel", {
        WalkIn => "walk_in",
        Appointment => "appointment",
        Phone => "phone",
        Email => "email",
        HomeVisit => "home_visit",
        Remote => "remote",
        PartnerReferral => "partner_referral",
    }
);

code_enum!(
    RequestStatus, "status", {
        Open => "open",
        WaitingForPerson => "waiting_for_person",
        WaitingForOperator => "waiting_for_operator",
        Done => "done",
        Abandoned => "abandoned",
        Referred => "referred",
    }
);

impl RequestStatus {
    /// The codes of the closed statuses, for a query's filter.
    pub fn closed_codes() -> impl Iterator<Item = &'static str> {
        RequestStatus::ALL
            .iter()
            .filter(|s| s.is_closed())
            .map(|s| s.as_str())
    }

    /// Whether the request is finished (an outcome may be recorded).
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            RequestStatus::Done | RequestStatus::Abandoned | RequestStatus::Referred
        )
    }
}

code_enum!(
    /// Where a referral to a place or an operator stands.
    ReferralStatus, "status", {
        Proposed => "proposed",
        Contacted => "contacted",
        Accepted => "accepted",
        Done => "done",
        Failed => "failed",
    }
);

impl ReferralStatus {
    /// Whether the referral is over (it gets its closing day).
    pub fn is_closed(self) -> bool {
        matches!(self, ReferralStatus::Done | ReferralStatus::Failed)
    }

    /// Whether it ended well (shown as such) or badly (shown as late).
    pub fn succeeded(self) -> bool {
        self == ReferralStatus::Done
    }

    pub fn failed(self) -> bool {
        self == ReferralStatus::Failed
    }
}

code_enum!(
    /// What came of a closed request.
    Outcome, "outcome", {
        Done => "done",
        RightsOpened => "rights_opened",
        Blocked => "blocked",
        Referred => "referred",
    }
);

code_enum!(
    /// Why a request is blocked.
    BlockReason, "block_reason", {
        NoIdentity => "no_identity",
        DocumentsMissing => "documents_missing",
        OperatorUnreachable => "operator_unreachable",
        TechnicalFailure => "technical_failure",
        PersonAbsent => "person_absent",
        Other => "other",
    }
);

code_enum!(
    /// How the help was given: faire pour, faire avec, faire faire,
    /// orienter, informer.
    Mode, "mode", {
        DoneFor => "done_for",
        DoneWith => "done_with",
        Taught => "taught",
        Referred => "referred",
        Informed => "informed",
    }
);

code_enum!(
    InterventionPlace, "place", {
        OnSite => "on_site",
        Home => "home",
        Remote => "remote",
        Other => "other",
    }
);

code_enum!(
    /// Digital autonomy, dated at each assessment.
    Autonomy, "autonomy", {
        NotAssessed => "not_assessed",
        NeedsFullGuidance => "needs_full_guidance",
        AutonomousWithHelp => "autonomous_with_help",
        Autonomous => "autonomous",
    }
);

code_enum!(
    Equipment, "equipment", {
        Smartphone => "smartphone",
        Computer => "computer",
        Tablet => "tablet",
        InternetAtHome => "internet_at_home",
        NoEquipment => "none",
    }
);

code_enum!(
    /// The online accounts of the checklist (never their secrets).
    AccountKind, "account", {
        Email => "email",
        FranceConnect => "franceconnect",
        Ameli => "ameli",
        Caf => "caf",
        Impots => "impots",
        FranceTravail => "france_travail",
        Ants => "ants",
        Msa => "msa",
        Other => "other",
    }
);

code_enum!(
    TriState, "answer", {
        Unknown => "unknown",
        Yes => "yes",
        No => "no",
    }
);

code_enum!(
    /// Where an account's recovery messages go.
    Recovery, "recovery", {
        Unknown => "unknown",
        OwnEmail => "own_email",
        OwnPhone => "own_phone",
        SomeoneElse => "someone_else",
    }
);

code_enum!(
    /// Age brackets used by statistics (and by anonymous walk-ins).
    AgeBracket, "age_bracket", {
        Under18 => "under_18",
        From18To24 => "18_24",
        From25To39 => "25_39",
        From40To59 => "40_59",
        From60To69 => "60_69",
        From70 => "70_plus",
        Unknown => "unknown",
    }
);

impl AgeBracket {
    /// The bracket of a request's person, the one rule of every figure
    /// (dashboard, statistics API, interventions export) and of what
    /// anonymisation keeps: the bracket kept on the request (anonymous
    /// walk-ins, anonymised files) if any, else the age reached, in the
    /// year of the Paris day the request was made, by someone born in
    /// `birth_year`. Every intervention of a request shares its bracket.
    pub fn of_request(
        kept: Option<&str>,
        birth_year: Option<i64>,
        created_at: chrono::DateTime<chrono::Utc>,
    ) -> AgeBracket {
        match kept {
            Some(code) => AgeBracket::parse(code).unwrap_or(AgeBracket::Unknown),
            None => AgeBracket::of(
                birth_year.and_then(|y| i32::try_from(y).ok()),
                crate::period::paris_day(created_at).year(),
            ),
        }
    }

    /// The bracket of someone born in `birth_year`, in `year`.
    pub fn of(birth_year: Option<i32>, year: i32) -> AgeBracket {
        let Some(b) = birth_year else {
            return AgeBracket::Unknown;
        };
        match year - b {
            a if a < 0 => AgeBracket::Unknown,
            0..=17 => AgeBracket::Under18,
            18..=24 => AgeBracket::From18To24,
            25..=39 => AgeBracket::From25To39,
            40..=59 => AgeBracket::From40To59,
            60..=69 => AgeBracket::From60To69,
            _ => AgeBracket::From70,
        }
    }
}

/// A person's age as the file shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Age {
    /// From the birth date.
    Exact(i32),
    /// From the birth year alone: the age reached this year (the birthday
    /// may be still to come).
    About(i32),
}

impl Age {
    /// The age on `today` from the birth date if known, else from the
    /// birth year; none for an unknown or future birth.
    pub fn on(
        birth_date: Option<chrono::NaiveDate>,
        birth_year: Option<i32>,
        today: chrono::NaiveDate,
    ) -> Option<Age> {
        use chrono::Datelike;
        match (birth_date, birth_year) {
            (Some(b), _) => Some(Age::Exact(i32::try_from(today.years_since(b)?).ok()?)),
            (None, Some(y)) if y <= today.year() => Some(Age::About(today.year() - y)),
            _ => None,
        }
    }
}

/// Durations offered as chips at the desk, in minutes.
pub const DURATION_CHOICES: [i64; 8] = [10, 15, 20, 30, 45, 60, 90, 120];

/// An intervention's duration: 1 minute to 8 hours.
pub fn parse_duration(s: &str) -> Result<i64, FieldError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(FieldError::new("duration_minutes", "required"));
    }
    match s.parse::<i64>() {
        Ok(n) if (1..=480).contains(&n) => Ok(n),
        _ => Err(FieldError::new("duration_minutes", "invalid_duration")),
    }
}

/// A name part of a person: 1 to 80 characters.
pub fn parse_name(field: &'static str, s: &str) -> Result<String, FieldError> {
    bounded_text(field, s, 1, 80)
}

/// Optional free text: `None` when blank.
pub fn optional_text(
    field: &'static str,
    s: &str,
    max: usize,
) -> Result<Option<String>, FieldError> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        bounded_text(field, s, 1, max).map(Some)
    }
}

/// Free text allowing line breaks (notes, summaries).
pub fn optional_long_text(
    field: &'static str,
    s: &str,
    max: usize,
) -> Result<Option<String>, FieldError> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.chars().count() > max {
        return Err(FieldError::new(field, "too_long").with_limit(max));
    }
    if t.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(FieldError::new(field, "invalid_characters"));
    }
    Ok(Some(t.replace("\r\n", "\n")))
}

/// A birth year between 1900 and this year.
pub fn parse_birth_year(s: &str, this_year: i32) -> Result<Option<i32>, FieldError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<i32>() {
        Ok(y) if (1900..=this_year).contains(&y) => Ok(Some(y)),
        _ => Err(FieldError::new("birth_year", "invalid_birth_year")),
    }
}

/// A date written `yyyy-mm-dd` (HTML date inputs) or `dd/mm/yyyy`.
pub fn parse_date(field: &'static str, s: &str) -> Result<Option<NaiveDate>, FieldError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .map(Some)
        .map_err(|_| FieldError::new(field, "invalid_date"))
}

/// What came of a request, as statistics group it: its outcome once
/// recorded, else its status (an open request, an abandoned one). The
/// one home of that rule for the dashboard, the statistics API, the
/// territory export; the grouped stats query spells it
/// `COALESCE(h.outcome, h.status)` in SQL, a test proves they agree.
pub fn outcome_or_status<'a>(outcome: Option<&'a str>, status: &'a str) -> &'a str {
    outcome.unwrap_or(status)
}

/// A follow-up is overdue when it is not done and its day has passed
/// (due today is not late). The one home of that rule: pages, the home
/// overview, the reminders and the statistics ask it; SQL receives
/// `today` as a bound.
pub fn follow_up_overdue(due: NaiveDate, done: bool, today: NaiveDate) -> bool {
    !done && due < today
}

/// The names a person search carries into the new-person form when it
/// found nobody: one word is a last name; with more, the first word is
/// the first name and the rest the last name. Phone numbers and years
/// carry nothing.
pub fn names_from_search(q: &str) -> (String, String) {
    let words: Vec<&str> = q
        .split_whitespace()
        .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
        .collect();
    match words.as_slice() {
        [] => (String::new(), String::new()),
        [one] => (String::new(), (*one).to_owned()),
        [first, rest @ ..] => ((*first).to_owned(), rest.join(" ")),
    }
}

/// The usual follow-up delays offered at the desk, from `today`: in a
/// week, in two weeks, in a month (the same day next month, or its last
/// day).
pub fn follow_up_shortcuts(today: NaiveDate) -> [(&'static str, NaiveDate); 3] {
    [
        ("week", today + chrono::Duration::days(7)),
        ("two-weeks", today + chrono::Duration::days(14)),
        (
            "month",
            today
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(today + chrono::Duration::days(30)),
        ),
    ]
}

/// A follow-up's day: today or later (a reminder in the past would be
/// overdue the moment it is written), and within three years.
pub fn check_follow_up_day(
    field: &'static str,
    day: NaiveDate,
    today: NaiveDate,
) -> Result<NaiveDate, FieldError> {
    if day < today {
        Err(FieldError::new(field, "follow_up_in_past"))
    } else if day > today + chrono::Duration::days(3 * 366) {
        Err(FieldError::new(field, "too_far"))
    } else {
        Ok(day)
    }
}

/// A birth date: not in the future, not before 1900.
pub fn parse_birth_date(s: &str, today: NaiveDate) -> Result<Option<NaiveDate>, FieldError> {
    match parse_date("birth_date", s)? {
        Some(d) if d > today || d.year() < 1900 => {
            Err(FieldError::new("birth_date", "invalid_birth_date"))
        }
        other => Ok(other),
    }
}

/// Human reference of a request, quoted on the phone: `D-2026-000123`.
pub fn request_reference(year: i32, number: i64) -> String {
    format!("D-{year}-{number:06}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_age_comes_from_the_birth_date_or_else_the_year() {
        use super::Age;
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
        let today = day(2026, 6, 15).unwrap_or_default();
        assert_eq!(
            Age::on(day(1950, 6, 16), Some(1950), today),
            Some(Age::Exact(75))
        );
        assert_eq!(Age::on(day(1950, 6, 15), None, today), Some(Age::Exact(76)));
        assert_eq!(Age::on(None, Some(1950), today), Some(Age::About(76)));
        assert_eq!(Age::on(None, Some(2027), today), None);
        assert_eq!(Age::on(day(2027, 1, 1), None, today), None);
        assert_eq!(Age::on(None, None, today), None);
    }

    use super::*;

    #[test]
    fn codes_round_trip() {
        for c in ProcedureCategory::ALL {
            assert_eq!(ProcedureCategory::parse(c.as_str()), Ok(*c));
        }
        assert_eq!(ProcedureCategory::ALL.len(), 10);
        assert_eq!(Mode::parse("done_for"), Ok(Mode::DoneFor));
        assert_eq!(
            serde_json::to_string(&RequestStatus::WaitingForOperator).ok(),
            Some("\"waiting_for_operator\"".into())
        );
        assert_eq!(
            Channel::parse("fax"),
            Err(FieldError::new("channel", "invalid_choice"))
        );
    }

    #[test]
    fn a_request_near_new_year_takes_the_paris_year() {
        use chrono::TimeZone;
        // 31 December 23:30 UTC is already 1 January in Paris.
        let at = chrono::Utc
            .with_ymd_and_hms(2026, 12, 31, 23, 30, 0)
            .single()
            .unwrap_or_default();
        // Born in 2009: 17 in 2026, 18 in 2027.
        assert_eq!(
            AgeBracket::of_request(None, Some(2009), at),
            AgeBracket::From18To24
        );
        assert_eq!(
            AgeBracket::of_request(Some("70_plus"), Some(2009), at),
            AgeBracket::From70
        );
        assert_eq!(outcome_or_status(None, "open"), "open");
        assert_eq!(outcome_or_status(Some("blocked"), "done"), "blocked");
    }

    #[test]
    fn age_brackets() {
        assert_eq!(AgeBracket::of(Some(2010), 2026), AgeBracket::Under18);
        assert_eq!(AgeBracket::of(Some(2008), 2026), AgeBracket::From18To24);
        assert_eq!(AgeBracket::of(Some(1950), 2026), AgeBracket::From70);
        assert_eq!(AgeBracket::of(None, 2026), AgeBracket::Unknown);
    }

    #[test]
    fn dates_and_durations() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default();
        assert!(parse_birth_date("2030-01-01", today).is_err());
        assert_eq!(
            parse_date("due_date", "05/12/2026"),
            Ok(NaiveDate::from_ymd_opt(2026, 12, 5))
        );
        assert!(parse_date("due_date", "32/12/2026").is_err());
        assert_eq!(parse_duration("45"), Ok(45));
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("abc").is_err());
        assert_eq!(parse_birth_year("1975", 2026), Ok(Some(1975)));
        assert!(parse_birth_year("1850", 2026).is_err());
        assert_eq!(request_reference(2026, 123), "D-2026-000123");
    }
}

/// The outcome a request gets from its status: required details are
/// checked, defaults filled in (a finished request's outcome is "done"
/// unless told otherwise), and open requests carry no outcome.
pub fn closure(
    status: RequestStatus,
    outcome: Option<Outcome>,
    block_reason: Option<BlockReason>,
) -> Result<(Option<Outcome>, Option<BlockReason>), FieldError> {
    if !status.is_closed() {
        return match outcome {
            None | Some(Outcome::Blocked) => {
                Ok((outcome, block_reason.filter(|_| outcome.is_some())))
            }
            Some(_) => Err(FieldError::new("outcome", "outcome_needs_closed_status")),
        };
    }
    let outcome = outcome.or(match status {
        RequestStatus::Done => Some(Outcome::Done),
        RequestStatus::Referred => Some(Outcome::Referred),
        _ => None,
    });
    match (outcome, block_reason) {
        (Some(Outcome::Blocked), None) => Err(FieldError::new("block_reason", "required")),
        (Some(Outcome::Blocked), r) => Ok((outcome, r)),
        (o, _) => Ok((o, None)),
    }
}

#[cfg(test)]
mod closure_tests {
    use super::*;

    #[test]
    fn closed_statuses_have_one_list() {
        let closed: Vec<&str> = RequestStatus::closed_codes().collect();
        assert_eq!(closed, ["done", "abandoned", "referred"]);
    }

    #[test]
    fn a_follow_up_is_overdue_the_day_after_its_day_unless_done() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let next = d.succ_opt().unwrap();
        assert!(!follow_up_overdue(d, false, d));
        assert!(follow_up_overdue(d, false, next));
        assert!(!follow_up_overdue(d, true, next));
    }

    #[test]
    fn closure_rules() {
        assert_eq!(
            closure(RequestStatus::Done, None, None),
            Ok((Some(Outcome::Done), None))
        );
        assert_eq!(closure(RequestStatus::Open, None, None), Ok((None, None)));
        assert!(closure(RequestStatus::Open, Some(Outcome::RightsOpened), None).is_err());
        assert_eq!(
            closure(
                RequestStatus::WaitingForOperator,
                Some(Outcome::Blocked),
                Some(BlockReason::OperatorUnreachable)
            ),
            Ok((
                Some(Outcome::Blocked),
                Some(BlockReason::OperatorUnreachable)
            ))
        );
        assert_eq!(
            closure(RequestStatus::Abandoned, Some(Outcome::Blocked), None),
            Err(FieldError::new("block_reason", "required"))
        );
        assert_eq!(
            closure(
                RequestStatus::Done,
                Some(Outcome::RightsOpened),
                Some(BlockReason::Other)
            ),
            Ok((Some(Outcome::RightsOpened), None))
        );
    }
}
