//! Opening hours in OpenStreetMap's `opening_hours` syntax, the common
//! part the field's files use: day lists and ranges (`Mo-Fr`, `Mo,We`),
//! time spans (`09:00-12:00,14:00-17:30`), `off`, `24/7`, rules separated
//! by `;` where a later rule replaces an earlier one for its days. Public
//! holiday rules (`PH …`) are left aside. Anything else is not read: the
//! text is shown as it is and "open now" is unknown.

const DAYS: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];
const FR: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];
const EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The week: for each day (Monday first), its spans in minutes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Week(pub [Vec<(u16, u16)>; 7]);

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

/// Reads the common subset; `None` when the text goes beyond it.
pub fn parse(text: &str) -> Option<Week> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let mut week = Week::default();
    if text == "24/7" {
        for d in &mut week.0 {
            *d = vec![(0, 24 * 60)];
        }
        return Some(week);
    }
    for rule in text.split(';').flat_map(|r| r.split("||")) {
        let rule = rule.trim();
        if rule.is_empty() || rule.starts_with("PH") {
            continue;
        }
        let (sel, rest) = match rule.split_once(' ') {
            Some((a, b)) if days(a).is_some() => (Some(a), b.trim()),
            _ => (None, rule),
        };
        let which = match sel {
            Some(s) => days(s)?,
            None if days(rest).is_some() => {
                // `Mo-Fr` alone: open all day those days.
                for d in days(rest)? {
                    week.0[d] = vec![(0, 24 * 60)];
                }
                continue;
            }
            None => (0..7).collect(),
        };
        let hours = if rest == "off" || rest == "closed" {
            Vec::new()
        } else {
            spans(rest)?
        };
        for d in which {
            week.0[d] = hours.clone();
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

fn hm(m: u16, english: bool) -> String {
    let (h, mi) = (m / 60, m % 60);
    if english {
        format!("{h:02}:{mi:02}")
    } else if mi == 0 {
        format!("{h} h")
    } else {
        format!("{h} h {mi:02}")
    }
}

/// The week in words, days with the same hours together:
/// "du lundi au vendredi : 9 h – 12 h, 14 h – 17 h ; samedi : 9 h – 12 h".
pub fn describe(text: &str, english: bool) -> Option<String> {
    let week = parse(text)?;
    let names = if english { EN } else { FR };
    let mut groups: Vec<(usize, usize)> = Vec::new();
    for d in 0..7 {
        if week.0[d].is_empty() {
            continue;
        }
        match groups.last_mut() {
            Some((_, last)) if *last + 1 == d && week.0[*last] == week.0[d] => *last = d,
            _ => groups.push((d, d)),
        }
    }
    if groups.is_empty() {
        return Some(if english { "Closed" } else { "Fermé" }.to_owned());
    }
    let parts: Vec<String> = groups
        .into_iter()
        .map(|(a, b)| {
            let days = match (a == b, english) {
                (true, _) => names[a].to_owned(),
                (false, true) => format!("{} to {}", names[a], names[b]),
                (false, false) => format!("du {} au {}", names[a], names[b]),
            };
            let hours = week.0[a]
                .iter()
                .map(|(x, y)| format!("{} – {}", hm(*x, english), hm(*y, english)))
                .collect::<Vec<_>>()
                .join(", ");
            if english {
                format!("{days}: {hours}")
            } else {
                format!("{days} : {hours}")
            }
        })
        .collect();
    Some(parts.join(if english { "; " } else { " ; " }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_hours_are_read_and_said() {
        let h = "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00";
        assert_eq!(is_open(Some(h), 0, 10 * 60), Some(true));
        assert_eq!(is_open(Some(h), 0, 13 * 60), Some(false));
        assert_eq!(is_open(Some(h), 6, 10 * 60), Some(false));
        assert_eq!(
            describe(h, false).as_deref(),
            Some("du lundi au vendredi : 9 h – 12 h, 14 h – 18 h 30 ; samedi : 8 h 30 – 12 h")
        );
        assert_eq!(
            describe(h, true).as_deref(),
            Some("Monday to Friday: 09:00 – 12:00, 14:00 – 18:30; Saturday: 08:30 – 12:00")
        );
        assert_eq!(
            describe("Mo-Fr 09:00-17:00; We off", false).as_deref(),
            Some("du lundi au mardi : 9 h – 17 h ; du jeudi au vendredi : 9 h – 17 h")
        );
        assert_eq!(is_open(Some("24/7"), 6, 3 * 60), Some(true));
        assert_eq!(is_open(Some("sur rendez-vous"), 0, 600), None);
        assert_eq!(is_open(Some("Mo 09:00-12:00; PH off"), 0, 600), Some(true));
        assert_eq!(parse("Mo 12:00-09:00"), None);
    }
}
