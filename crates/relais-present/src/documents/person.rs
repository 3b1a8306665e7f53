//! What is handed to a person about their data: the information notice
//! and the subject-access file.

use super::{action_label, date, date_time, label_value, one_part};
use crate::i18n::Lang;
use relais_documents::{Document, Section};
use relais_domain::mandate::Policy;
use relais_service::SubjectAccess;

fn rights_section(lang: Lang, structure: &str) -> Section {
    Section {
        heading: lang.t("doc-rights"),
        bullets: vec![
            lang.t_with("doc-rights-1", &[("structure", structure.to_owned())]),
            lang.t("doc-rights-2"),
            lang.t("doc-rights-3"),
        ],
        ..Section::default()
    }
}

/// A section of a heading (a key) and bullets.
fn listed(lang: Lang, key: &str, bullets: Vec<String>) -> Section {
    Section {
        heading: lang.t(key),
        bullets,
        ..Section::default()
    }
}

/// The information notice handed to a person: who keeps what, why, for
/// how long, and their rights, in plain language.
pub fn privacy_notice(
    lang: Lang,
    structure: &str,
    commune: Option<&str>,
    policy: &Policy,
) -> Document {
    let controller = match commune {
        Some(c) if !c.is_empty() => format!("{structure} ({c})"),
        _ => structure.to_owned(),
    };
    let contact = if policy.privacy_contact.trim().is_empty() {
        lang.t_with(
            "doc-notice-front-desk",
            &[("structure", structure.to_owned())],
        )
    } else {
        policy.privacy_contact.trim().to_owned()
    };
    let numbered = |key: &str| {
        (1..=3)
            .map(|i| lang.t(&format!("{key}-{i}")))
            .collect::<Vec<_>>()
    };
    let months = policy.retention_months.to_string();
    let sections = vec![
        Section {
            heading: lang.t("doc-notice-who"),
            paragraphs: vec![lang.t_with("doc-notice-who-text", &[("controller", controller)])],
            ..Section::default()
        },
        listed(lang, "doc-notice-why", numbered("doc-notice-why")),
        listed(lang, "doc-notice-what", numbered("doc-notice-what")),
        listed(
            lang,
            "doc-notice-access",
            vec![
                lang.t_with(
                    "doc-notice-access-1",
                    &[("structure", structure.to_owned())],
                ),
                lang.t_with("doc-notice-access-2", &[("months", months)]),
                lang.t("doc-notice-access-3"),
            ],
        ),
        rights_section(lang, structure),
        Section {
            heading: lang.t("doc-notice-contact"),
            paragraphs: vec![lang.t_with("doc-notice-contact-text", &[("contact", contact)])],
            ..Section::default()
        },
    ];
    one_part(
        lang,
        lang.t("doc-notice-title"),
        structure,
        structure.to_owned(),
        Some(structure.to_owned()),
        sections,
    )
}

fn or_dash(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "—".into())
}

/// The person's identity, contact details and what the file says of them.
fn identity_section(lang: Lang, sa: &SubjectAccess, name: String) -> Section {
    let p = &sa.person;
    let equipment = if p.equipment.is_empty() {
        "—".into()
    } else {
        p.equipment
            .iter()
            .map(|e| lang.t(&format!("equipment-{e}")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let reminders = match &sa.reminder_consent {
        Some((channel, since)) => lang.t_with(
            "doc-access-reminders-since",
            &[
                ("channel", lang.t(&format!("reminder-{channel}"))),
                ("since", date(*since)),
            ],
        ),
        None => lang.t("doc-access-reminders-none"),
    };
    let facts = [
        ("doc-access-name", name),
        ("doc-access-usual-name", or_dash(&p.usual_name)),
        (
            "doc-access-birth",
            p.birth_date
                .map(date)
                .or(p.birth_year.map(|y| y.to_string()))
                .unwrap_or_else(|| "—".into()),
        ),
        ("doc-phone", or_dash(&p.phone)),
        ("doc-email", or_dash(&p.email)),
        (
            "doc-access-town",
            format!("{} {}", or_dash(&p.postcode), or_dash(&p.commune)),
        ),
        ("doc-access-insee", or_dash(&p.insee_code)),
        ("doc-access-language", or_dash(&p.preferred_language)),
        ("doc-access-equipment", equipment),
        ("doc-access-notes", or_dash(&p.notes)),
        ("doc-access-created", date_time(p.created_at)),
        (
            "doc-access-kept-until",
            sa.kept_until.map(date).unwrap_or_else(|| "—".into()),
        ),
        ("doc-access-reminders", reminders),
    ];
    Section {
        heading: lang.t("doc-access-identity"),
        facts: facts
            .into_iter()
            .map(|(key, value)| (lang.t(key), value))
            .collect(),
        ..Section::default()
    }
}

/// The requests, the help received, follow-ups and referrals.
fn activity_sections(lang: Lang, sa: &SubjectAccess) -> Vec<Section> {
    let requests = sa.requests.iter().map(|r| {
        format!(
            "{} · {} · {} · {}{}",
            r.reference,
            date_time(r.created_at),
            r.procedure,
            lang.t(&format!("status-{}", r.status)),
            r.outcome
                .as_ref()
                .map(|o| format!(" · {}", lang.t(&format!("outcome-{o}"))))
                .unwrap_or_default()
        )
    });
    let help = sa.interventions.iter().map(|i| {
        let mut line = format!(
            "{} · {} · {} · {} min",
            date_time(i.occurred_at),
            i.request,
            lang.t(&format!("mode-{}", i.mode)),
            i.duration_minutes
        );
        for extra in [&i.agent, &i.summary].into_iter().flatten() {
            line.push_str(&format!(" · {extra}"));
        }
        line
    });
    let follow_ups = sa
        .follow_ups
        .iter()
        .map(|f| format!("{} · {}", date(f.due_date), f.reason));
    let referrals = sa.referrals.iter().map(|r| {
        format!(
            "{} · {} · {} · {}{}",
            date(r.made_on),
            r.request,
            r.to,
            lang.t(&format!("referral-status-{}", r.status)),
            r.reason
                .as_deref()
                .map(|x| format!(" · {x}"))
                .unwrap_or_default()
        )
    });
    vec![
        listed(lang, "doc-access-requests", requests.collect()),
        listed(lang, "doc-access-help", help.collect()),
        listed(lang, "doc-access-follow-ups", follow_ups.collect()),
        listed(lang, "doc-access-referrals", referrals.collect()),
    ]
}

/// The mandates and who opened or changed the file.
fn trust_sections(lang: Lang, sa: &SubjectAccess) -> Vec<Section> {
    let mandates = sa.mandates.iter().map(|m| {
        format!(
            "{} · {} → {} · {} · {}",
            m.verification_code,
            date(m.starts_on),
            date(m.ends_on),
            lang.t(&format!("mandate-state-{}", m.state)),
            m.categories
                .iter()
                .map(|c| lang.t(&format!("category-{c}")))
                .collect::<Vec<_>>()
                .join(", ")
        )
    });
    let history = sa.access_history.iter().map(|a| {
        format!(
            "{} · {} · {}",
            date_time(a.at),
            a.by.clone()
                .unwrap_or_else(|| lang.t("doc-access-automatic")),
            action_label(lang, &a.action)
        )
    });
    let mut sections = vec![
        listed(lang, "doc-access-mandates", mandates.collect()),
        listed(lang, "doc-access-history", history.collect()),
    ];
    if sa.private_notes > 0 {
        sections.push(Section {
            heading: lang.t("doc-access-private-notes"),
            paragraphs: vec![lang.t_with(
                "doc-access-private-notes-text",
                &[("count", sa.private_notes.to_string())],
            )],
            ..Section::default()
        });
    }
    sections
}

/// The person's subject-access file: everything relais holds about them.
pub fn subject_access(lang: Lang, sa: &SubjectAccess) -> Document {
    let p = &sa.person;
    let name = format!("{} {}", p.first_name, p.last_name.to_uppercase());
    let mut sections = vec![
        Section {
            heading: lang.t("doc-access-request"),
            paragraphs: vec![lang.t_with(
                "doc-access-request-text",
                &[
                    ("structure", sa.structure.clone()),
                    ("months", sa.retention_months.to_string()),
                ],
            )],
            ..Section::default()
        },
        identity_section(lang, sa, name.clone()),
    ];
    sections.push(Section {
        heading: lang.t("doc-access-accounts"),
        paragraphs: vec![lang.t("doc-access-accounts-text")],
        bullets: sa
            .digital_accounts
            .iter()
            .map(|a| {
                label_value(
                    lang,
                    lang.t(&format!("account-{}", a.kind)),
                    format!(
                        "{} / {}",
                        lang.t(&format!("tri-{}", a.has_account)),
                        lang.t(&format!("tri-{}", a.can_sign_in)),
                    ),
                )
            })
            .collect(),
        ..Section::default()
    });
    sections.extend(activity_sections(lang, sa));
    sections.extend(trust_sections(lang, sa));
    sections.push(rights_section(lang, &sa.structure));
    one_part(
        lang,
        lang.t("doc-access-title"),
        &sa.structure,
        format!("{} · {}", sa.structure, date_time(sa.generated_at)),
        Some(name),
        sections,
    )
}
