//! Days and periods in the structure's time (Europe/Paris): the one place
//! where an instant becomes a day, a day becomes the instant it starts,
//! and a statistics period is read from what the user typed.

use crate::validation::FieldError;
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Paris;

/// The Paris day of an instant (what a French worker calls "that day").
pub fn paris_day(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&Paris).date_naive()
}

/// The Paris month `YYYY-MM` of an instant.
pub fn paris_month(t: DateTime<Utc>) -> String {
    t.with_timezone(&Paris).format("%Y-%m").to_string()
}

/// The instant a Paris day starts (its earliest midnight).
pub fn paris_midnight(d: NaiveDate) -> DateTime<Utc> {
    let naive = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    Paris
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| naive.and_utc())
}

/// A checked period of Paris days, both included. Every statistics
/// figure (dashboard, stats API, statistics API, exports, monthly report)
/// is computed over one, read by [`Period::parse`] or [`Period::month`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The longest period figures are computed for: ten years. Longer
    /// periods are refused before any query (each month of a period may
    /// cost a database pass).
    pub const MAX_MONTHS: u32 = 120;

    /// Parses `YYYY-MM-DD` days; an inverted period, or one of ten years
    /// or more, is refused (`period_inverted` on `to`, `period_too_long`
    /// on `from`). Every problem found is reported.
    pub fn parse(from: &str, to: &str) -> Result<Period, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut day =
            |s: &str, field: &'static str| match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    let code = if s.trim().is_empty() {
                        "required"
                    } else {
                        "invalid_date"
                    };
                    errors.push(FieldError::new(field, code));
                    None
                }
            };
        let from = day(from, "from");
        let to = day(to, "to");
        let (Some(from), Some(to)) = (from, to) else {
            return Err(errors);
        };
        if to < from {
            return Err(vec![FieldError::new("to", "period_inverted")]);
        }
        let limit = from.checked_add_months(chrono::Months::new(Self::MAX_MONTHS));
        if limit.is_none_or(|limit| to >= limit) {
            return Err(vec![FieldError::new("from", "period_too_long")]);
        }
        Ok(Period { from, to })
    }

    /// The calendar month `YYYY-MM`.
    pub fn month(s: &str) -> Result<Period, FieldError> {
        let bad = || FieldError::new("month", "invalid_month");
        let from = NaiveDate::parse_from_str(&format!("{}-01", s.trim()), "%Y-%m-%d")
            .map_err(|_| bad())?;
        let next = from
            .checked_add_months(chrono::Months::new(1))
            .ok_or_else(bad)?;
        Ok(Period {
            from,
            to: next.pred_opt().ok_or_else(bad)?,
        })
    }

    /// A named period ending today: `month` (default), `last_month` (the
    /// whole previous month), `quarter` or `year` (so far).
    pub fn preset(name: &str, today: NaiveDate) -> Period {
        let first_of_month = today.with_day(1).unwrap_or(today);
        let (from, to) = match name {
            "last_month" => {
                let to = first_of_month.pred_opt().unwrap_or(today);
                (to.with_day(1).unwrap_or(to), to)
            }
            "quarter" => (
                NaiveDate::from_ymd_opt(today.year(), today.month0() / 3 * 3 + 1, 1)
                    .unwrap_or(today),
                today,
            ),
            "year" => (
                NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
                today,
            ),
            _ => (first_of_month, today),
        };
        Period { from, to }
    }

    /// The month before this period's first month.
    pub fn previous_month(&self) -> Option<Period> {
        let first = self.from.with_day(1)?;
        let from = first.checked_sub_months(chrono::Months::new(1))?;
        Some(Period {
            from,
            to: first.pred_opt()?,
        })
    }

    /// The instants the period covers: from the Paris midnight starting
    /// `from` (included) to the one ending `to` (excluded).
    pub fn bounds(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            paris_midnight(self.from),
            paris_midnight(self.to.succ_opt().unwrap_or(self.to)),
        )
    }

    /// Whether an instant falls in the period (its Paris day is in it).
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        let (start, end) = self.bounds();
        start <= t && t < end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn a_period_is_read_in_paris_days() {
        let p = Period::parse("2026-12-01", "2026-12-31").unwrap();
        // 23:30 UTC on the last day is already 1 January in Paris.
        let late = Utc.with_ymd_and_hms(2026, 12, 31, 23, 30, 0).unwrap();
        assert_eq!(paris_day(late), d(2027, 1, 1));
        assert!(!p.contains(late));
        // 23:30 UTC the day before the first is already the first.
        let early = Utc.with_ymd_and_hms(2026, 11, 30, 23, 30, 0).unwrap();
        assert!(p.contains(early));
        assert_eq!(paris_month(early), "2026-12");
    }

    #[test]
    fn bad_periods_are_refused_with_every_problem() {
        assert_eq!(
            Period::parse("2026-12-31", "2026-12-01"),
            Err(vec![FieldError::new("to", "period_inverted")])
        );
        assert_eq!(
            Period::parse("", "nope"),
            Err(vec![
                FieldError::new("from", "required"),
                FieldError::new("to", "invalid_date")
            ])
        );
        assert_eq!(
            Period::parse("2016-01-01", "2026-01-01"),
            Err(vec![FieldError::new("from", "period_too_long")])
        );
        assert!(Period::parse("2016-01-01", "2025-12-31").is_ok());
        assert_eq!(
            Period::month("2026-02"),
            Ok(Period {
                from: d(2026, 2, 1),
                to: d(2026, 2, 28)
            })
        );
        assert!(Period::month("2026-13").is_err());
    }
}
