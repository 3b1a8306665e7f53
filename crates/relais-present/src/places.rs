//! Places in words: the labels of their vocabularies and their opening
//! hours ("du lundi au vendredi : 9 h – 12 h"). The service reads the
//! codes and the hours; the wording is the Fluent files'.

use crate::i18n::{Lang, Value};
use relais_service::places::{hours, PlaceView};

/// The label of a vocabulary code (`vocab-{field}-{code}`); the code
/// itself when it has none.
pub fn label(lang: Lang, field: &str, code: &str) -> String {
    let key = format!("vocab-{field}-{code}");
    lang.lookup(&key).unwrap_or_else(|| code.to_owned())
}

/// The place's address on one line.
pub fn address_line(p: &PlaceView) -> String {
    [
        p.address.clone().unwrap_or_default(),
        format!(
            "{} {}",
            p.postcode.clone().unwrap_or_default(),
            p.commune.clone().unwrap_or_default()
        )
        .trim()
        .to_owned(),
    ]
    .into_iter()
    .filter(|x| !x.is_empty())
    .collect::<Vec<_>>()
    .join(", ")
}

/// Codes of a field as one line of labels.
pub fn labels(lang: Lang, field: &str, codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| label(lang, field, c))
        .collect::<Vec<_>>()
        .join(", ")
}

fn time(lang: Lang, m: u16) -> String {
    let (h, mi) = (m / 60, m % 60);
    lang.t_values(
        "hours-time",
        vec![
            ("h", Value::from(h.to_string())),
            ("hh", Value::from(format!("{h:02}"))),
            ("m", Value::from(i64::from(mi))),
            ("mm", Value::from(format!("{mi:02}"))),
        ],
    )
}

/// Opening hours in words, days with the same hours together; the text as
/// written when relais cannot read it.
pub fn hours_text(lang: Lang, text: &str) -> String {
    let Some(groups) = hours::groups(text) else {
        return text.to_owned();
    };
    if groups.is_empty() {
        return lang.t("hours-closed");
    }
    let day = |d: usize| lang.t(&format!("hours-day-{d}"));
    groups
        .iter()
        .map(|g| {
            let days = if g.first == g.last {
                day(g.first)
            } else {
                lang.t_with(
                    "hours-days",
                    &[("first", day(g.first)), ("last", day(g.last))],
                )
            };
            let spans = g
                .spans
                .iter()
                .map(|(a, b)| {
                    lang.t_with(
                        "hours-span",
                        &[("from", time(lang, *a)), ("to", time(lang, *b))],
                    )
                })
                .collect::<Vec<_>>()
                .join(&lang.t("hours-span-separator"));
            lang.t_with("hours-group", &[("days", days), ("spans", spans)])
        })
        .collect::<Vec<_>>()
        .join(&lang.t("hours-group-separator"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_said_in_each_language() {
        let h = "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00";
        assert_eq!(
            hours_text(Lang::Fr, h),
            "du lundi au vendredi : 9 h – 12 h, 14 h – 18 h 30 ; samedi : 8 h 30 – 12 h"
        );
        assert_eq!(
            hours_text(Lang::En, h),
            "Monday to Friday: 09:00 – 12:00, 14:00 – 18:30; Saturday: 08:30 – 12:00"
        );
        assert_eq!(
            hours_text(Lang::Fr, "Mo-Fr 09:00-17:00; We off"),
            "du lundi au mardi : 9 h – 17 h ; du jeudi au vendredi : 9 h – 17 h"
        );
        assert_eq!(hours_text(Lang::Fr, "Mo-Su off"), "Fermé");
        assert_eq!(hours_text(Lang::En, "Mo-Su off"), "Closed");
        assert_eq!(hours_text(Lang::Fr, "sur rendez-vous"), "sur rendez-vous");
    }

    #[test]
    fn vocabulary_labels() {
        assert_eq!(
            label(Lang::En, "services", "acces"),
            "Internet access and computers"
        );
        assert_eq!(
            label(Lang::Fr, "services", "acces"),
            "Accès internet et matériel informatique"
        );
        assert_eq!(label(Lang::Fr, "services", "inconnu"), "inconnu");
    }
}
