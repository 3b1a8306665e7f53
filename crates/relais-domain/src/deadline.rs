//! Deadline rules of recurring procedures: pure date arithmetic, no clock.
//!
//! A rule answers one question: given today (and, for some rules, a date
//! that belongs to the person, such as the end of their rights), which is
//! the next window in which the procedure must be done? Follow-ups are
//! proposed from that window.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// When a recurring procedure must be done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum DeadlineRule {
    /// Opens on `opens_day` of each month (`opens_day_february` in
    /// February) and closes on `closes_day` of the next month (France
    /// Travail's monthly update).
    MonthlyWindow {
        opens_day: u32,
        opens_day_february: u32,
        closes_day: u32,
    },
    /// Every three months from a date that belongs to the person (CAF
    /// quarterly returns).
    Quarterly,
    /// Yearly campaign whose closing day depends on the département (income
    /// tax); the dates are published each year.
    YearlyZones { years: Vec<CampaignYear> },
    /// Before each anniversary of a date that belongs to the person
    /// (social-housing request renewal).
    Anniversary { remind_days_before: u32 },
    /// Between `earliest_months` and `latest_months` before the end of the
    /// person's rights (C2S renewal).
    BeforeEndOfRights {
        earliest_months: u32,
        latest_months: u32,
    },
}

/// One year of a campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignYear {
    pub year: i32,
    pub opens: NaiveDate,
    /// The closing day on paper, when there is one.
    #[serde(default)]
    pub paper_closes: Option<NaiveDate>,
    pub zones: Vec<Zone>,
}

/// A range of départements (inclusive, by number; 2A and 2B count as 20)
/// and its closing day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Zone {
    pub from: String,
    pub to: String,
    pub closes: NaiveDate,
}

/// A period in which the procedure can be done; both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    pub opens: NaiveDate,
    pub closes: NaiveDate,
}

impl Window {
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.opens <= day && day <= self.closes
    }
}

/// What a rule may need to know about the person.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    pub today: NaiveDate,
    /// The person-specific date: last quarterly return, date of the
    /// request to renew, end of rights.
    pub anchor: Option<NaiveDate>,
    /// The person's département code ("69", "2A", "974").
    pub departement: Option<&'a str>,
}

/// Why a rule's definition is wrong (reported with the catalogue entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError(pub &'static str);

/// Whether a rule needs a date of the person to say anything.
impl DeadlineRule {
    pub fn needs_anchor(&self) -> bool {
        matches!(
            self,
            DeadlineRule::Quarterly
                | DeadlineRule::Anniversary { .. }
                | DeadlineRule::BeforeEndOfRights { .. }
        )
    }

    /// The rule's code, as in the catalogue (`monthly_window`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            DeadlineRule::MonthlyWindow { .. } => "monthly_window",
            DeadlineRule::Quarterly => "quarterly",
            DeadlineRule::YearlyZones { .. } => "yearly_zones",
            DeadlineRule::Anniversary { .. } => "anniversary",
            DeadlineRule::BeforeEndOfRights { .. } => "before_end_of_rights",
        }
    }

    /// Checks the rule's own figures.
    pub fn validate(&self) -> Result<(), RuleError> {
        match self {
            DeadlineRule::MonthlyWindow {
                opens_day,
                opens_day_february,
                closes_day,
            } => {
                if !(1..=31).contains(opens_day)
                    || !(1..=29).contains(opens_day_february)
                    || !(1..=28).contains(closes_day)
                {
                    return Err(RuleError("days out of range"));
                }
            }
            DeadlineRule::Quarterly => {}
            DeadlineRule::YearlyZones { years } => {
                if years.is_empty() {
                    return Err(RuleError("no campaign year"));
                }
                for y in years {
                    if y.zones.is_empty() {
                        return Err(RuleError("a campaign year has no zone"));
                    }
                    for z in &y.zones {
                        if z.closes < y.opens {
                            return Err(RuleError("a zone closes before the campaign opens"));
                        }
                        match (departement_number(&z.from), departement_number(&z.to)) {
                            (Some(a), Some(b)) if a <= b => {}
                            _ => return Err(RuleError("invalid département range")),
                        }
                    }
                }
            }
            DeadlineRule::Anniversary { remind_days_before } => {
                if *remind_days_before > 180 {
                    return Err(RuleError("reminder too early"));
                }
            }
            DeadlineRule::BeforeEndOfRights {
                earliest_months,
                latest_months,
            } => {
                if earliest_months <= latest_months || *earliest_months > 24 {
                    return Err(RuleError("earliest must be before latest"));
                }
            }
        }
        Ok(())
    }

    /// The next window that is not over on `ctx.today` (the current one
    /// when it is open). `None` when the rule needs a date of the person
    /// that is missing, or when no published date covers today.
    pub fn next_window(&self, ctx: &Context<'_>) -> Option<Window> {
        let today = ctx.today;
        match self {
            DeadlineRule::MonthlyWindow {
                opens_day,
                opens_day_february,
                closes_day,
            } => {
                let opening = |first: NaiveDate| {
                    monthly_window(first, *opens_day, *opens_day_february, *closes_day)
                };
                let this_month = first_of_month(today);
                let previous = this_month.checked_sub_months(Months::new(1))?;
                [previous, this_month]
                    .into_iter()
                    .chain(this_month.checked_add_months(Months::new(1)))
                    .filter_map(opening)
                    .find(|w| w.closes >= today)
            }
            DeadlineRule::Quarterly => {
                let anchor = ctx.anchor?;
                let mut k = 0u32;
                loop {
                    let due = anchor.checked_add_months(Months::new(3 * k))?;
                    if due >= today {
                        return Some(Window {
                            opens: due,
                            closes: due,
                        });
                    }
                    k += 1;
                    if k > 4000 {
                        return None;
                    }
                }
            }
            DeadlineRule::YearlyZones { years } => {
                let mut years: Vec<&CampaignYear> = years.iter().collect();
                years.sort_by_key(|y| y.year);
                years.into_iter().find_map(|y| {
                    let closes = zone_close(y, ctx.departement)?;
                    (closes >= today).then_some(Window {
                        opens: y.opens,
                        closes,
                    })
                })
            }
            DeadlineRule::Anniversary { remind_days_before } => {
                let anchor = ctx.anchor?;
                let mut year = today.year().max(anchor.year() + 1);
                loop {
                    let day = anniversary_in(anchor, year)?;
                    if day >= today {
                        let opens = day - chrono::Duration::days(i64::from(*remind_days_before));
                        return Some(Window { opens, closes: day });
                    }
                    year += 1;
                }
            }
            DeadlineRule::BeforeEndOfRights {
                earliest_months,
                latest_months,
            } => {
                let end = ctx.anchor?;
                let w = Window {
                    opens: end.checked_sub_months(Months::new(*earliest_months))?,
                    closes: end.checked_sub_months(Months::new(*latest_months))?,
                };
                (w.closes >= today).then_some(w)
            }
        }
    }

    /// The day to propose for the next follow-up: the opening of the next
    /// window, or today when it is already open.
    pub fn proposed_follow_up(&self, ctx: &Context<'_>) -> Option<(NaiveDate, Window)> {
        let w = self.next_window(ctx)?;
        Some((w.opens.max(ctx.today), w))
    }
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn last_day_of_month(first: NaiveDate) -> u32 {
    first
        .checked_add_months(Months::new(1))
        .and_then(|n| n.pred_opt())
        .map(|d| d.day())
        .unwrap_or(28)
}

/// The window that opens in the month starting on `first`.
pub fn monthly_window(
    first: NaiveDate,
    opens_day: u32,
    opens_day_february: u32,
    closes_day: u32,
) -> Option<Window> {
    let day = if first.month() == 2 {
        opens_day_february
    } else {
        opens_day
    };
    let opens = first.with_day(day.min(last_day_of_month(first)))?;
    let next = first.checked_add_months(Months::new(1))?;
    let closes = next.with_day(closes_day.min(last_day_of_month(next)))?;
    Some(Window { opens, closes })
}

/// The anniversary of `anchor` in `year` (28 February for a 29 February
/// in a common year).
fn anniversary_in(anchor: NaiveDate, year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, anchor.month(), anchor.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, anchor.month(), anchor.day() - 1))
}

/// A département code as a number: "01" → 1, "2A"/"2B" → 20, "974" → 974.
pub fn departement_number(code: &str) -> Option<u32> {
    let c = code.trim().to_ascii_uppercase();
    if c == "2A" || c == "2B" {
        return Some(20);
    }
    if c.is_empty() || c.len() > 3 || !c.chars().all(|ch| ch.is_ascii_digit()) {
        return None;
    }
    c.parse().ok().filter(|n| *n >= 1)
}

/// The département of a French postcode ("69100" → "69", "20000" → "2A",
/// "97400" → "974").
pub fn departement_of_postcode(postcode: &str) -> Option<String> {
    let p = postcode.trim();
    if p.len() != 5 || !p.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if p.starts_with("97") || p.starts_with("98") {
        return Some(p[..3].to_owned());
    }
    if p.starts_with("20") {
        // Corse-du-Sud from 20000 to 20199, Haute-Corse from 20200.
        return Some(if p < "20200" { "2A" } else { "2B" }.to_owned());
    }
    Some(p[..2].to_owned())
}

/// The closing day for a département; without one, the earliest closing
/// day of the year (the safe choice).
fn zone_close(y: &CampaignYear, departement: Option<&str>) -> Option<NaiveDate> {
    let n = departement.and_then(departement_number);
    match n {
        Some(n) => y
            .zones
            .iter()
            .find(|z| {
                matches!(
                    (departement_number(&z.from), departement_number(&z.to)),
                    (Some(a), Some(b)) if a <= n && n <= b
                )
            })
            .map(|z| z.closes)
            .or_else(|| y.zones.iter().map(|z| z.closes).min()),
        None => y.zones.iter().map(|z| z.closes).min(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn france_travail() -> DeadlineRule {
        DeadlineRule::MonthlyWindow {
            opens_day: 28,
            opens_day_february: 26,
            closes_day: 15,
        }
    }

    fn ctx(today: NaiveDate) -> Context<'static> {
        Context {
            today,
            ..Context::default()
        }
    }

    #[test]
    fn france_travail_windows_for_every_month_of_2027() {
        let expected = [
            (d(2027, 1, 28), d(2027, 2, 15)),
            (d(2027, 2, 26), d(2027, 3, 15)),
            (d(2027, 3, 28), d(2027, 4, 15)),
            (d(2027, 4, 28), d(2027, 5, 15)),
            (d(2027, 5, 28), d(2027, 6, 15)),
            (d(2027, 6, 28), d(2027, 7, 15)),
            (d(2027, 7, 28), d(2027, 8, 15)),
            (d(2027, 8, 28), d(2027, 9, 15)),
            (d(2027, 9, 28), d(2027, 10, 15)),
            (d(2027, 10, 28), d(2027, 11, 15)),
            (d(2027, 11, 28), d(2027, 12, 15)),
            (d(2027, 12, 28), d(2028, 1, 15)),
        ];
        for (month, (opens, closes)) in (1..=12).zip(expected) {
            // Seen from the 20th of the month, between two windows.
            let w = france_travail()
                .next_window(&ctx(d(2027, month, 20)))
                .unwrap();
            assert_eq!((w.opens, w.closes), (opens, closes), "month {month}");
            // Seen from the 10th, the previous month's window is still open.
            let w = france_travail()
                .next_window(&ctx(d(2027, month, 10)))
                .unwrap();
            assert!(w.contains(d(2027, month, 10)), "month {month}: {w:?}");
            assert_eq!(w.closes, d(2027, month, 15));
        }
        // On the closing day itself the window is still open; the day after,
        // the next one is proposed on its opening day.
        let (day, w) = france_travail()
            .proposed_follow_up(&ctx(d(2027, 3, 15)))
            .unwrap();
        assert_eq!((day, w.closes), (d(2027, 3, 15), d(2027, 3, 15)));
        let (day, _) = france_travail()
            .proposed_follow_up(&ctx(d(2027, 3, 16)))
            .unwrap();
        assert_eq!(day, d(2027, 3, 28));
    }

    #[test]
    fn income_tax_closes_by_departement() {
        let rule = DeadlineRule::YearlyZones {
            years: vec![CampaignYear {
                year: 2025,
                opens: d(2025, 4, 10),
                paper_closes: Some(d(2025, 5, 20)),
                zones: vec![
                    Zone {
                        from: "01".into(),
                        to: "19".into(),
                        closes: d(2025, 5, 22),
                    },
                    Zone {
                        from: "20".into(),
                        to: "54".into(),
                        closes: d(2025, 5, 28),
                    },
                    Zone {
                        from: "55".into(),
                        to: "976".into(),
                        closes: d(2025, 6, 5),
                    },
                ],
            }],
        };
        rule.validate().unwrap();
        let at = |dep: Option<&'static str>| {
            rule.next_window(&Context {
                today: d(2025, 3, 1),
                anchor: None,
                departement: dep,
            })
            .unwrap()
            .closes
        };
        assert_eq!(at(Some("13")), d(2025, 5, 22));
        assert_eq!(at(Some("2A")), d(2025, 5, 28));
        assert_eq!(at(Some("69")), d(2025, 6, 5));
        assert_eq!(at(Some("974")), d(2025, 6, 5));
        assert_eq!(at(None), d(2025, 5, 22), "unknown département: earliest");
        assert_eq!(
            rule.next_window(&ctx(d(2025, 7, 1))),
            None,
            "no published campaign after 2025"
        );
    }

    #[test]
    fn postcodes_give_departements() {
        assert_eq!(departement_of_postcode("69100").as_deref(), Some("69"));
        assert_eq!(departement_of_postcode("20000").as_deref(), Some("2A"));
        assert_eq!(departement_of_postcode("20290").as_deref(), Some("2B"));
        assert_eq!(departement_of_postcode("97411").as_deref(), Some("974"));
        assert_eq!(departement_of_postcode("6910"), None);
    }

    #[test]
    fn c2s_renewal_window_and_missing_dates() {
        let rule = DeadlineRule::BeforeEndOfRights {
            earliest_months: 4,
            latest_months: 2,
        };
        let w = rule
            .next_window(&Context {
                today: d(2027, 1, 5),
                anchor: Some(d(2027, 9, 30)),
                departement: None,
            })
            .unwrap();
        assert_eq!((w.opens, w.closes), (d(2027, 5, 30), d(2027, 7, 30)));
        assert_eq!(rule.next_window(&ctx(d(2027, 1, 5))), None, "no end date");
        for r in [rule.clone(), DeadlineRule::Quarterly, france_travail()] {
            assert_eq!(serde_json::to_value(&r).unwrap()["kind"], r.kind());
        }
        assert!(DeadlineRule::BeforeEndOfRights {
            earliest_months: 2,
            latest_months: 4
        }
        .validate()
        .is_err());
    }

    fn day_strategy() -> impl Strategy<Value = NaiveDate> {
        (0i64..365 * 120).prop_map(|n| d(1990, 1, 1) + chrono::Duration::days(n))
    }

    proptest! {
        #[test]
        fn monthly_window_is_the_right_one(today in day_strategy()) {
            let w = france_travail().next_window(&ctx(today)).unwrap();
            prop_assert!(w.opens < w.closes);
            prop_assert!(w.closes >= today);
            prop_assert_eq!(w.opens.day(), if w.opens.month() == 2 { 26 } else { 28 });
            prop_assert_eq!(w.closes.day(), 15);
            prop_assert_eq!(first_of_month(w.closes), first_of_month(w.opens).checked_add_months(Months::new(1)).unwrap());
            // Either today is inside, or it falls in the gap after the
            // previous window closed.
            if !w.contains(today) {
                prop_assert!(today < w.opens);
                prop_assert!(today.day() > 15);
            }
        }

        #[test]
        fn quarterly_is_the_first_due_day_not_past(anchor in day_strategy(), offset in 0i64..3000) {
            let today = anchor + chrono::Duration::days(offset);
            let w = DeadlineRule::Quarterly.next_window(&Context { today, anchor: Some(anchor), departement: None }).unwrap();
            prop_assert!(w.opens >= today);
            let months = (w.opens.year() - anchor.year()) * 12 + w.opens.month() as i32 - anchor.month() as i32;
            prop_assert_eq!(months % 3, 0);
            let previous = anchor.checked_add_months(Months::new((months as u32).saturating_sub(3))).unwrap();
            prop_assert!(months == 0 || previous < today);
        }

        #[test]
        fn anniversary_window_ends_on_the_anniversary(anchor in day_strategy(), offset in 0i64..4000, before in 0u32..90) {
            let today = anchor + chrono::Duration::days(offset);
            let rule = DeadlineRule::Anniversary { remind_days_before: before };
            let w = rule.next_window(&Context { today, anchor: Some(anchor), departement: None }).unwrap();
            prop_assert!(w.closes >= today);
            prop_assert_eq!((w.closes - w.opens).num_days(), i64::from(before));
            prop_assert_eq!(w.closes.month(), anchor.month());
            prop_assert!(w.closes.day() == anchor.day() || (anchor.month() == 2 && anchor.day() == 29 && w.closes.day() == 28));
            prop_assert!(w.closes.year() > anchor.year());
            prop_assert!((w.closes - today).num_days() <= 366);
        }

        #[test]
        fn before_end_of_rights_keeps_its_order(end in day_strategy(), earliest in 2u32..13, gap in 1u32..3) {
            let latest = earliest.saturating_sub(gap).max(1);
            prop_assume!(earliest > latest);
            let rule = DeadlineRule::BeforeEndOfRights { earliest_months: earliest, latest_months: latest };
            let today = end.checked_sub_months(Months::new(earliest + 1)).unwrap();
            let w = rule.next_window(&Context { today, anchor: Some(end), departement: None }).unwrap();
            prop_assert!(w.opens < w.closes && w.closes < end);
            let (day, _) = rule.proposed_follow_up(&Context { today, anchor: Some(end), departement: None }).unwrap();
            prop_assert_eq!(day, w.opens);
        }
    }
}
