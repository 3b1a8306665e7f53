//! The referral slip.

use super::{one_part, paris_day};
use crate::i18n::Lang;
use crate::places;
use relais_documents::{Document, Section};
use relais_service::referrals::Slip;

/// Where to go and when it is open: a place, or an operator's website.
fn where_to(lang: Lang, s: &Slip) -> Vec<Section> {
    let mut where_to = Section {
        heading: lang.t("doc-slip-where"),
        ..Section::default()
    };
    if let Some(p) = &s.place {
        let p = &p.place;
        where_to.paragraphs.push(p.name.clone());
        let addr = places::address_line(p);
        let access = (!p.access_modes.is_empty())
            .then(|| places::labels(lang, "access_modes", &p.access_modes));
        where_to.facts = [
            ("doc-address", (!addr.is_empty()).then_some(addr)),
            ("doc-phone", p.phone.clone()),
            ("doc-email", p.email.clone()),
            ("doc-website", p.website.clone()),
            ("doc-slip-access", access),
        ]
        .into_iter()
        .filter_map(|(key, v)| v.map(|v| (lang.t(key), v)))
        .collect();
        let hours = match p.opening_hours.as_deref() {
            Some(h) => places::hours_text(lang, h),
            None => lang.t("doc-slip-hours-unknown"),
        };
        vec![
            where_to,
            Section {
                heading: lang.t("doc-slip-hours"),
                paragraphs: vec![hours],
                ..Section::default()
            },
        ]
    } else if let Some((name, website, phone)) = &s.operator {
        where_to.paragraphs.push(name.clone());
        where_to
            .facts
            .push((lang.t("doc-website"), website.clone()));
        if let Some(ph) = phone {
            where_to.facts.push((lang.t("doc-phone"), ph.clone()));
        }
        vec![where_to]
    } else {
        vec![]
    }
}

/// The referral slip the person takes along: where to go, when it is
/// open, what to bring, and why they are sent there.
pub fn referral_slip(s: &Slip, lang: Lang) -> Document {
    let mut sections = where_to(lang, s);
    sections.push(Section {
        heading: lang.t("doc-slip-why"),
        facts: vec![(lang.t("doc-slip-procedure"), s.procedure.clone())],
        paragraphs: s.referral.reason.clone().into_iter().collect(),
        ..Section::default()
    });
    // The catalogue is bilingual data (`documents`, `documents_en`).
    let docs = s.documents_in(lang.code());
    sections.push(Section {
        heading: lang.t("doc-slip-bring"),
        bullets: if docs.is_empty() {
            vec![lang.t("doc-slip-bring-default")]
        } else {
            docs.to_vec()
        },
        ..Section::default()
    });
    sections.push(Section {
        heading: lang.t("doc-slip-referred-by"),
        facts: vec![
            (lang.t("doc-structure"), s.structure.clone()),
            (lang.t("doc-slip-worker"), s.agent.clone()),
            (lang.t("doc-slip-date"), paris_day(s.referral.created_at)),
        ],
        ..Section::default()
    });
    one_part(
        lang,
        lang.t("doc-slip-title"),
        &s.structure,
        lang.t("doc-slip-footer"),
        s.person.clone(),
        sections,
    )
}
