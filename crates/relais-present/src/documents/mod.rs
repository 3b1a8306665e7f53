//! The wording of the printed documents, from the Fluent files
//! (`locales/{lang}/documents.ftl`). The layout is relais-documents'.

mod mandate;
mod person;
mod referral;

pub use mandate::{charter, mandate, revocation};
pub use person::{privacy_notice, subject_access};
pub use referral::referral_slip;

use crate::i18n::Lang;
use relais_documents::{Document, Part, Section};
use relais_domain::ProcedureCategory;

pub(crate) fn date(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// A day and time, Paris time.
pub(crate) fn date_time(d: chrono::DateTime<chrono::Utc>) -> String {
    d.with_timezone(&chrono_tz::Europe::Paris)
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

/// The day of an instant, Paris time.
pub(crate) fn paris_day(d: chrono::DateTime<chrono::Utc>) -> String {
    date(d.with_timezone(&chrono_tz::Europe::Paris).date_naive())
}

/// A document of one part, titled like it.
fn one_part(
    lang: Lang,
    title: String,
    author: &str,
    footer: String,
    subtitle: Option<String>,
    sections: Vec<Section>,
) -> Document {
    Document {
        title: title.clone(),
        author: author.to_owned(),
        lang: lang.code().to_owned(),
        footer,
        parts: vec![Part {
            title,
            subtitle,
            sections,
            ..Part::default()
        }],
    }
}

/// "label : value" in the language's typography.
pub(crate) fn label_value(lang: Lang, label: String, value: String) -> String {
    lang.t_with("label-value", &[("label", label), ("value", value)])
}

fn category_labels(lang: Lang, cats: &[ProcedureCategory]) -> Vec<String> {
    cats.iter()
        .map(|c| lang.t(&format!("category-{}", c.as_str())))
        .collect()
}

/// The language a document about a mandate is written in: the mandate's.
fn mandate_lang(code: &str) -> Lang {
    Lang::parse(code).unwrap_or_default()
}

/// A journal action in words ("opened the file"), or its code when it has
/// no wording.
pub fn action_label(lang: Lang, action: &str) -> String {
    let key = format!("action-{}", action.replace(['.', '_'], "-"));
    lang.lookup(&key).unwrap_or_else(|| action.to_owned())
}
