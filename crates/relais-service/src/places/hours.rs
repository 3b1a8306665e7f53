//! Opening hours in OpenStreetMap's `opening_hours` syntax, the common
//! part the field's files use: day lists and ranges (`Mo-Fr`, `Mo,We`),
//! time spans (`09:00-12:00,14:00-17:30`), `off`, `24/7`, normal rules
//! separated by `;` (a later rule replaces an earlier one for its days)
//! and fallback rules after `||` (they apply only at the times no earlier
//! rule says anything about). Public holiday rules (`PH …`) are left
//! aside. Anything else is not read: the text is shown as it is and
//! "open now" is unknown. Saying the week in words is the presentation
//! layer's (`relais-present`): this module gives the days and spans.

const DAYS: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];
const WHOLE_DAY: (u16, u16) = (0, 24 * 60);

/// The week: for each day (Monday first), its spans in minutes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Week(pub [Vec<(u16, u16)>; 7]);

/// Days in a row (Monday = 0) that have the same spans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayGroup {
    pub first: usize,
    pub last: usize,
    /// Opening and closing, in minutes from midnight.
    pub spans: Vec<(u16, u16)>,
}

fn minutes(t: &str) -> Option<u16> {
    let (h, m) = t.split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
}

fn day(s: &str) -> Option<usize> {
    DAYS.iter().position(|d| *d == s)
}

fn days(sel: &str) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    for part in sel.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day(a)?, day(b)?);
                let mut i = a;
                loop {
                    out.push(i);
                    if i == b {
                        break;
                    }
                    i = (i + 1) % 7;
                }
            }
            None => out.push(day(part)?),
        }
    }
    Some(out)
}

fn spans(s: &str) -> Option<Vec<(u16, u16)>> {
    s.split(',')
        .map(|span| {
            let (a, b) = span.trim().split_once('-')?;
            let (a, b) = (minutes(a.trim())?, minutes(b.trim())?);
            (a < b).then_some((a, b))
        })
        .collect()
}

/// What one rule says: on these days, open during `open`; it speaks for
/// the times of `covers` (the spans, or the whole day for `off` and a day
/// list alone).
struct Rule {
    days: Vec<usize>,
    open: Vec<(u16, u16)>,
    covers: Vec<(u16, u16)>,
}

fn rule(text: &str) -> Option<Rule> {
    let (sel, rest) = match text.split_once(' ') {
        Some((a, b)) if days(a).is_some() => (Some(a), b.trim()),
        _ => (None, text),
    };
    if sel.is_none() {
        if let Some(d) = days(rest) {
            // `Mo-Fr` alone: open all day those days.
            return Some(Rule {
                days: d,
                open: vec![WHOLE_DAY],
                covers: vec![WHOLE_DAY],
            });
        }
    }
    let days = match sel {
        Some(s) => days(s)?,
        None => (0..7).collect(),
    };
    if rest == "off" || rest == "closed" {
        return Some(Rule {
            days,
            open: Vec::new(),
            covers: vec![WHOLE_DAY],
        });
    }
    let open = spans(rest)?;
    Some(Rule {
        days,
        covers: open.clone(),
        open,
    })
}

/// `spans` less the times of `cut`.
fn subtract(spans: &[(u16, u16)], cut: &[(u16, u16)]) -> Vec<(u16, u16)> {
    let mut out = spans.to_vec();
    for &(c0, c1) in cut {
        out = out
            .into_iter()
            .flat_map(|(a, b)| [(a, b.min(c0)), (a.max(c1), b)])
            .filter(|(a, b)| a < b)
            .collect();
    }
    out
}

/// Spans in order, those that touch joined.
fn merged(mut spans: Vec<(u16, u16)>) -> Vec<(u16, u16)> {
    spans.sort_unstable();
    let mut out: Vec<(u16, u16)> = Vec::with_capacity(spans.len());
    for (a, b) in spans {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// Reads the common subset; `None` when the text goes beyond it.
pub fn parse(text: &str) -> Option<Week> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let mut week = Week::default();
    if text == "24/7" {
        for d in &mut week.0 {
            *d = vec![WHOLE_DAY];
        }
        return Some(week);
    }
    // The times each day that a rule already speaks for.
    let mut said: [Vec<(u16, u16)>; 7] = Default::default();
    for normal in text.split(';') {
        for (i, r) in normal.split("||").enumerate() {
            let r = r.trim();
            if r.is_empty() || r.starts_with("PH") {
                continue;
            }
            let r = rule(r)?;
            let fallback = i > 0;
            for d in r.days {
                if fallback {
                    let mut open = week.0[d].clone();
                    open.extend(subtract(&r.open, &said[d]));
                    week.0[d] = merged(open);
                    said[d].extend(r.covers.iter().copied());
                } else {
                    week.0[d] = r.open.clone();
                    said[d] = r.covers.clone();
                }
            }
        }
    }
    Some(week)
}

/// Whether the place is open on `weekday` (0 = Monday) at `minute` of the
/// day; `None` when its hours are unknown or not readable.
pub fn is_open(text: Option<&str>, weekday: usize, minute: u16) -> Option<bool> {
    let week = parse(text?)?;
    let day = week.0.get(weekday)?;
    Some(day.iter().any(|(a, b)| *a <= minute && minute < *b))
}

/// The open days, those in a row with the same hours together; empty when
/// the place is closed all week. `None` when the text is not readable.
pub fn groups(text: &str) -> Option<Vec<DayGroup>> {
    let week = parse(text)?;
    let mut groups: Vec<DayGroup> = Vec::new();
    for (d, spans) in week.0.iter().enumerate() {
        if spans.is_empty() {
            continue;
        }
        match groups.last_mut() {
            Some(g) if g.last + 1 == d && g.spans == *spans => g.last = d,
            _ => groups.push(DayGroup {
                first: d,
                last: d,
                spans: spans.clone(),
            }),
        }
    }
    Some(groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_hours_are_read() {
        let h = "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00";
        assert_eq!(is_open(Some(h), 0, 10 * 60), Some(true));
        assert_eq!(is_open(Some(h), 0, 13 * 60), Some(false));
        assert_eq!(is_open(Some(h), 6, 10 * 60), Some(false));
        assert_eq!(
            groups(h),
            Some(vec![
                DayGroup {
                    first: 0,
                    last: 4,
                    spans: vec![(540, 720), (840, 1110)]
                },
                DayGroup {
                    first: 5,
                    last: 5,
                    spans: vec![(510, 720)]
                },
            ])
        );
        assert_eq!(is_open(Some("24/7"), 6, 3 * 60), Some(true));
        assert_eq!(is_open(Some("sur rendez-vous"), 0, 600), None);
        assert_eq!(is_open(Some("Mo 09:00-12:00; PH off"), 0, 600), Some(true));
        assert_eq!(parse("Mo 12:00-09:00"), None);
        assert_eq!(groups("Mo-Su off"), Some(vec![]));
    }

    /// A normal rule replaces what earlier rules said for its days, all
    /// day long (the specification's "Mo-Fr …; We …" example).
    #[test]
    fn a_normal_rule_replaces_the_day() {
        let h = "Mo-Fr 08:30-17:00; We 13:00-19:00";
        assert_eq!(is_open(Some(h), 2, 9 * 60), Some(false));
        assert_eq!(is_open(Some(h), 2, 18 * 60), Some(true));
        assert_eq!(is_open(Some(h), 1, 9 * 60), Some(true));
        let h = "Mo-Sa 10:00-18:00; Th off";
        assert_eq!(is_open(Some(h), 3, 11 * 60), Some(false));
        assert_eq!(is_open(Some(h), 4, 11 * 60), Some(true));
    }

    /// A fallback rule (`||`) only speaks for the times the rules before
    /// it leave open to question: it never replaces what they said.
    #[test]
    fn a_fallback_rule_fills_only_the_gaps() {
        // Weekday mornings, Thursday closed; otherwise 14:00-16:00 any day.
        let h = "Mo-Fr 09:00-12:00; Th off || 14:00-16:00";
        // The first rule still holds where it speaks (an override would
        // have closed Monday morning).
        assert_eq!(is_open(Some(h), 0, 10 * 60), Some(true));
        // Its gaps take the fallback: Monday afternoon, Saturday.
        assert_eq!(is_open(Some(h), 0, 15 * 60), Some(true));
        assert_eq!(is_open(Some(h), 5, 15 * 60), Some(true));
        // Thursday was said closed all day: the fallback does not reopen it
        // (an override would have).
        assert_eq!(is_open(Some(h), 3, 15 * 60), Some(false));
        assert_eq!(is_open(Some(h), 0, 17 * 60), Some(false));
        assert_eq!(
            parse(h).map(|w| w.0[0].clone()),
            Some(vec![(540, 720), (840, 960)])
        );
    }

    /// A fallback that overlaps the rule before it opens only the part that
    /// rule did not cover; one whose days are already said adds nothing.
    #[test]
    fn a_fallback_rule_does_not_override() {
        let h = "Tu 10:00-12:00 || Tu-We 09:00-11:00";
        assert_eq!(parse(h).map(|w| w.0[1].clone()), Some(vec![(540, 720)]));
        assert_eq!(parse(h).map(|w| w.0[2].clone()), Some(vec![(540, 660)]));
        let h = "Sa off || Sa 09:00-12:00";
        assert_eq!(is_open(Some(h), 5, 10 * 60), Some(false));
        // A later normal rule still replaces the day.
        let h = "Mo 08:00-09:00 || Mo 10:00-11:00; Mo 14:00-15:00";
        assert_eq!(parse(h).map(|w| w.0[0].clone()), Some(vec![(840, 900)]));
    }
}
