//! The mandate, its revocation certificate and the structure's charter.

use super::{category_labels, date, label_value, mandate_lang, one_part, paris_day};
use crate::i18n::Lang;
use relais_documents::{qr_svg, Document, Part, Section};
use relais_domain::mandate::Policy;
use relais_domain::ProcedureCategory;
use relais_service::catalog::Coverage;
use relais_service::{MandateView, StructureContact};

/// Each category with the operators the structure's catalogue files under
/// it, as the mandate form showed them.
fn categories(lang: Lang, cats: &[ProcedureCategory], coverage: &Coverage) -> Vec<String> {
    cats.iter()
        .zip(category_labels(lang, cats))
        .map(|(c, label)| {
            let ops = coverage.operator_names(*c, lang == Lang::En).join(", ");
            if ops.is_empty() {
                label
            } else {
                format!("{label} ({ops})")
            }
        })
        .collect()
}

/// The person's full name as printed: first name, then the last name in
/// capitals.
fn person_name(m: &MandateView) -> String {
    format!(
        "{} {}",
        m.person_first_name,
        m.person_last_name.to_uppercase()
    )
}

/// The sections both copies of the mandate carry.
fn mandate_sections(
    lang: Lang,
    m: &MandateView,
    verify_url: &str,
    agent_name: &str,
    coverage: &Coverage,
    contact: &StructureContact,
) -> Vec<Section> {
    let person = person_name(m);
    let mut structure_facts = vec![(lang.t("doc-structure"), m.structure_name.clone())];
    for (key, value) in [
        ("doc-address", &contact.address),
        ("doc-phone", &contact.phone),
        ("doc-email", &contact.email),
    ] {
        if let Some(v) = value {
            structure_facts.push((lang.t(key), v.clone()));
        }
    }
    let parties = Section {
        heading: lang.t("doc-mandate-parties"),
        paragraphs: vec![lang.t_with(
            "doc-mandate-parties-text",
            &[
                ("person", person.clone()),
                ("structure", m.structure_name.clone()),
            ],
        )],
        facts: [(lang.t("doc-person"), person)]
            .into_iter()
            .chain(structure_facts)
            .chain([
                (lang.t("doc-drawn-up-by"), agent_name.to_owned()),
                (lang.t("doc-reference"), m.verification_code.clone()),
            ])
            .collect(),
        ..Section::default()
    };
    let scope = Section {
        heading: lang.t("doc-mandate-scope"),
        paragraphs: vec![lang.t("doc-mandate-scope-text")],
        bullets: categories(lang, &m.active_categories, coverage),
        ..Section::default()
    };
    let period = Section {
        heading: lang.t("doc-mandate-duration"),
        facts: vec![
            (lang.t("doc-start"), date(m.starts_on)),
            (lang.t("doc-end"), date(m.ends_on)),
            (
                lang.t("doc-consent"),
                lang.t(&format!("consent-{}", m.consent.as_str())),
            ),
        ],
        ..Section::default()
    };
    let rules = Section {
        heading: lang.t("doc-mandate-rules"),
        bullets: (1..=5)
            .map(|i| lang.t(&format!("doc-mandate-rule-{i}")))
            .collect(),
        ..Section::default()
    };
    let rights = Section {
        heading: lang.t("doc-mandate-rights"),
        paragraphs: vec![lang.t_with("doc-mandate-rights-text", &[("url", verify_url.to_owned())])],
        ..Section::default()
    };
    vec![parties, scope, period, rules, rights]
}

/// The mandate: the person's copy (with the revocation secret) and the
/// structure's copy (without it). The categories name the operators of
/// the structure's catalogue; the structure's contact details and the
/// place and day it was drawn up (signed) go with the signatures.
pub fn mandate(
    m: &MandateView,
    verify_url: &str,
    agent_name: &str,
    coverage: &Coverage,
    contact: &StructureContact,
) -> Document {
    let lang = mandate_lang(&m.lang);
    // Drawn up (or signed) that day, where the structure is.
    let day = paris_day(m.signed_at.unwrap_or(m.created_at));
    let place_date = Some(match &contact.commune {
        Some(c) => lang.t_with("doc-done-at", &[("commune", c.clone()), ("day", day)]),
        None => lang.t_with("doc-done-on", &[("day", day)]),
    });
    let sections = mandate_sections(lang, m, verify_url, agent_name, coverage, contact);
    let mut person_sections = sections.clone();
    person_sections.push(Section {
        heading: lang.t("doc-mandate-code"),
        paragraphs: vec![lang.t_with(
            "doc-mandate-code-text",
            &[("code", m.revocation_secret.clone())],
        )],
        ..Section::default()
    });
    let title = lang.t("doc-mandate-title");
    let part = |banner: &str, sections: Vec<Section>| Part {
        banner: Some(lang.t(banner)),
        title: title.clone(),
        subtitle: None,
        sections,
        qr: qr_svg(verify_url),
        qr_alt: lang.t("doc-mandate-qr-alt"),
        qr_text: lang.t_with("doc-mandate-qr-text", &[("url", verify_url.to_owned())]),
        place_date: place_date.clone(),
        signatures: vec![
            lang.t("doc-mandate-signature-person"),
            lang.t("doc-mandate-signature-structure"),
        ],
    };
    let period = lang.t_with(
        "doc-mandate-period",
        &[("from", date(m.starts_on)), ("to", date(m.ends_on))],
    );
    Document {
        title: title.clone(),
        author: m.structure_name.clone(),
        lang: lang.code().into(),
        footer: format!("{} · {} · {period}", m.structure_name, m.verification_code),
        parts: vec![
            part("doc-mandate-copy-person", person_sections),
            part("doc-mandate-copy-structure", sections),
        ],
    }
}

/// The certificate that a mandate was revoked.
pub fn revocation(m: &MandateView, verify_url: &str) -> Document {
    let lang = mandate_lang(&m.lang);
    let when = paris_day(m.revoked_at.unwrap_or(m.updated_at));
    let revoked: Vec<String> = if m.revoked_at.is_some() {
        category_labels(lang, &m.categories)
    } else {
        category_labels(lang, &m.revoked_categories)
    };
    let title = lang.t("doc-revocation-title");
    let text = lang.t_with(
        "doc-revocation-text",
        &[
            ("code", m.verification_code.clone()),
            ("person", person_name(m)),
            ("structure", m.structure_name.clone()),
            ("when", when),
        ],
    );
    Document {
        title: title.clone(),
        author: m.structure_name.clone(),
        lang: lang.code().into(),
        footer: format!("{} · {}", m.structure_name, m.verification_code),
        parts: vec![Part {
            title,
            sections: vec![Section {
                heading: lang.t("doc-revocation"),
                paragraphs: vec![text],
                bullets: revoked,
                facts: m
                    .revoke_reason
                    .as_ref()
                    .map(|r| vec![(lang.t("doc-reason"), r.clone())])
                    .unwrap_or_default(),
                ..Default::default()
            }],
            qr: qr_svg(verify_url),
            qr_alt: lang.t("doc-revocation-qr-alt"),
            qr_text: verify_url.into(),
            ..Part::default()
        }],
    }
}

/// The structure's charter, for the waiting room.
pub fn charter(lang: Lang, structure: &str, policy: &Policy) -> Document {
    let rule = lang.t(&format!("mandate_rule-{}", policy.mandate_rule.as_str()));
    let mut sections = vec![];
    if !policy.charter.trim().is_empty() {
        sections.push(Section {
            heading: structure.to_owned(),
            paragraphs: policy
                .charter
                .split("\n\n")
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .collect(),
            ..Section::default()
        });
    }
    let duration = lang.t(&format!(
        "duration-{}",
        policy.max_mandate_duration.as_str()
    ));
    sections.push(Section {
        heading: lang.t("doc-charter-rules"),
        bullets: vec![
            label_value(lang, lang.t("policy-mandate-rule"), rule),
            label_value(lang, lang.t("policy-max-duration"), duration),
            lang.t("doc-charter-passwords"),
            lang.t_with(
                "doc-charter-retention",
                &[("months", policy.retention_months.to_string())],
            ),
        ],
        ..Section::default()
    });
    one_part(
        lang,
        lang.t("doc-charter-title"),
        structure,
        structure.to_owned(),
        Some(structure.to_owned()),
        sections,
    )
}
