//! The wording of the printed documents, in French and English. The
//! layout is relais-documents'.

use crate::i18n::Lang;
use relais_documents::{qr_svg, Document, Part, Section};
use relais_domain::mandate::Policy;
use relais_service::MandateView;

fn date(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

fn categories(lang: Lang, cats: &[relais_domain::ProcedureCategory]) -> Vec<String> {
    cats.iter()
        .map(|c| {
            format!(
                "{} ({})",
                lang.t(&format!("category-{}", c.as_str())),
                lang.t(&format!("cat-ex-{}", c.as_str()))
            )
        })
        .collect()
}

/// The mandate: the person's copy (with the revocation secret) and the
/// structure's copy (without it).
pub fn mandate(m: &MandateView, verify_url: &str, agent_name: &str) -> Document {
    let lang = if m.row.lang == "en" {
        Lang::En
    } else {
        Lang::Fr
    };
    let person = format!(
        "{} {}",
        m.person_first_name,
        m.person_last_name.to_uppercase()
    );
    let cats = categories(lang, &m.active_categories);
    let (from, to) = (date(m.row.starts_on), date(m.row.ends_on));
    let fr = lang == Lang::Fr;
    let parties = Section {
        heading: if fr { "Les parties" } else { "The parties" }.into(),
        paragraphs: vec![if fr {
            format!("{person} (« la personne ») donne mandat à la structure {} (« la structure »), représentée par ses agents habilités, pour accomplir en son nom les démarches en ligne décrites ci-dessous.", m.structure_name)
        } else {
            format!("{person} (\"the person\") gives a mandate to {} (\"the structure\"), acting through its authorised staff, to carry out on their behalf the online procedures described below.", m.structure_name)
        }],
        facts: vec![
            (
                if fr { "Personne" } else { "Person" }.into(),
                person.clone(),
            ),
            ("Structure".into(), m.structure_name.clone()),
            (
                if fr { "Établi par" } else { "Drawn up by" }.into(),
                agent_name.to_owned(),
            ),
            (
                if fr { "Référence" } else { "Reference" }.into(),
                m.row.verification_code.clone(),
            ),
        ],
        ..Section::default()
    };
    let scope = Section {
        heading: if fr {
            "Ce que couvre le mandat"
        } else {
            "What the mandate covers"
        }
        .into(),
        paragraphs: vec![if fr {
            "Les démarches de ces catégories :".into()
        } else {
            "Procedures in these categories:".into()
        }],
        bullets: cats,
        ..Section::default()
    };
    let period = Section {
        heading: if fr { "Durée" } else { "Duration" }.into(),
        facts: vec![
            (if fr { "Début" } else { "Start" }.into(), from.clone()),
            (if fr { "Fin" } else { "End" }.into(), to.clone()),
            (
                if fr { "Accord" } else { "Consent" }.into(),
                lang.t(&format!("consent-{}", m.row.consent)),
            ),
        ],
        ..Section::default()
    };
    let rules = Section {
        heading: if fr {
            "Ce que le mandat permet, et ce qu'il ne permet pas"
        } else {
            "What the mandate allows, and what it does not"
        }
        .into(),
        bullets: if fr {
            vec![
                "La structure peut faire ces démarches à la place de la personne, avec les informations et documents qu'elle lui confie.".into(),
                "La structure n'utilise jamais les mots de passe de la personne et ne les conserve pas.".into(),
                "La personne reste libre de faire ses démarches elle-même, à tout moment.".into(),
                "Chaque utilisation du mandat est inscrite au journal de la structure.".into(),
                "Ce mandat relève du contrat de mandat du Code civil (articles 1984 et suivants).".into(),
            ]
        } else {
            vec![
                "The structure may carry out these procedures on the person's behalf, with the information and documents the person entrusts to it.".into(),
                "The structure never uses the person's passwords and does not keep them.".into(),
                "The person remains free to carry out their procedures themselves, at any time.".into(),
                "Every use of the mandate is recorded in the structure's journal.".into(),
                "This mandate is a contract of mandate under the French Civil Code (articles 1984 and following).".into(),
            ]
        },
        ..Section::default()
    };
    let rights = Section {
        heading: if fr {
            "Révoquer le mandat, demander ses données"
        } else {
            "Revoking the mandate, asking for one's data"
        }
        .into(),
        paragraphs: vec![if fr {
            format!("La personne peut révoquer le mandat à tout moment, en tout ou pour une catégorie : auprès de la structure, ou seule sur la page {verify_url} avec le code de révocation imprimé sur son exemplaire. Elle peut demander à la structure la copie des informations qui la concernent, leur correction ou leur effacement.")
        } else {
            format!("The person may revoke the mandate at any time, whole or for one category: with the structure, or alone on the page {verify_url} with the revocation code printed on their copy. They may ask the structure for a copy of the information about them, its correction or its deletion.")
        }],
        ..Section::default()
    };
    let qr = qr_svg(verify_url);
    let qr_alt = if fr {
        "Code QR menant à la page de vérification du mandat"
    } else {
        "QR code leading to the mandate's verification page"
    };
    let qr_text = if fr {
        format!("Vérifier ce mandat : {verify_url}")
    } else {
        format!("Check this mandate: {verify_url}")
    };
    let title = if fr {
        "Mandat d'aide aux démarches en ligne"
    } else {
        "Mandate for help with online procedures"
    };
    let signatures = vec![
        if fr {
            "Signature de la personne"
        } else {
            "Signature of the person"
        }
        .to_owned(),
        if fr {
            "Pour la structure"
        } else {
            "For the structure"
        }
        .to_owned(),
    ];
    let mut person_sections = vec![
        parties.clone(),
        scope.clone(),
        period.clone(),
        rules.clone(),
        rights.clone(),
    ];
    person_sections.push(Section {
        heading: if fr {
            "Votre code de révocation"
        } else {
            "Your revocation code"
        }
        .into(),
        paragraphs: vec![if fr {
            format!("Gardez ce code pour vous : {}", m.row.revocation_secret)
        } else {
            format!("Keep this code to yourself: {}", m.row.revocation_secret)
        }],
        ..Section::default()
    });
    Document {
        title: title.into(),
        author: m.structure_name.clone(),
        lang: lang.code().into(),
        footer: format!(
            "{} · {} · {}",
            m.structure_name,
            m.row.verification_code,
            if fr {
                format!("du {from} au {to}")
            } else {
                format!("{from} to {to}")
            }
        ),
        parts: vec![
            Part {
                banner: Some(
                    if fr {
                        "Exemplaire de la personne"
                    } else {
                        "The person's copy"
                    }
                    .into(),
                ),
                title: title.into(),
                subtitle: None,
                sections: person_sections,
                qr: qr.clone(),
                qr_alt: qr_alt.into(),
                qr_text: qr_text.clone(),
                signatures: signatures.clone(),
            },
            Part {
                banner: Some(
                    if fr {
                        "Exemplaire de la structure"
                    } else {
                        "The structure's copy"
                    }
                    .into(),
                ),
                title: title.into(),
                subtitle: None,
                sections: vec![parties, scope, period, rules, rights],
                qr,
                qr_alt: qr_alt.into(),
                qr_text,
                signatures,
            },
        ],
    }
}

/// The certificate that a mandate was revoked.
pub fn revocation(m: &MandateView, verify_url: &str) -> Document {
    let lang = if m.row.lang == "en" {
        Lang::En
    } else {
        Lang::Fr
    };
    let fr = lang == Lang::Fr;
    let person = format!(
        "{} {}",
        m.person_first_name,
        m.person_last_name.to_uppercase()
    );
    let when = m
        .row
        .revoked_at
        .unwrap_or(m.row.updated_at)
        .with_timezone(&chrono_tz::Europe::Paris)
        .format("%d/%m/%Y")
        .to_string();
    let revoked: Vec<String> = if m.row.revoked_at.is_some() {
        categories(lang, &m.categories)
    } else {
        m.row
            .revoked_categories
            .split(',')
            .filter_map(|c| relais_domain::ProcedureCategory::parse(c).ok())
            .map(|c| lang.t(&format!("category-{}", c.as_str())))
            .collect()
    };
    let title = if fr {
        "Attestation de révocation de mandat"
    } else {
        "Certificate of revocation of a mandate"
    };
    Document {
        title: title.into(),
        author: m.structure_name.clone(),
        lang: lang.code().into(),
        footer: format!("{} · {}", m.structure_name, m.row.verification_code),
        parts: vec![Part {
            title: title.into(),
            sections: vec![Section {
                heading: if fr { "Révocation" } else { "Revocation" }.into(),
                paragraphs: vec![if fr {
                    format!("Le mandat {} donné par {person} à {} est révoqué depuis le {when} pour les catégories suivantes. La structure ne peut plus agir au nom de la personne pour ces démarches.", m.row.verification_code, m.structure_name)
                } else {
                    format!("The mandate {} given by {person} to {} is revoked since {when} for the following categories. The structure may no longer act on the person's behalf for these procedures.", m.row.verification_code, m.structure_name)
                }],
                bullets: revoked,
                facts: m
                    .row
                    .revoke_reason
                    .as_ref()
                    .map(|r| vec![(if fr { "Motif" } else { "Reason" }.to_owned(), r.clone())])
                    .unwrap_or_default(),
            }],
            qr: qr_svg(verify_url),
            qr_alt: if fr {
                "Code QR menant à la page de vérification"
            } else {
                "QR code leading to the verification page"
            }
            .into(),
            qr_text: verify_url.into(),
            ..Part::default()
        }],
    }
}

/// The structure's charter, for the waiting room.
pub fn charter(lang: Lang, structure: &str, policy: &Policy) -> Document {
    let fr = lang == Lang::Fr;
    let title = if fr {
        "Charte d'intervention"
    } else {
        "Intervention policy"
    };
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
    sections.push(Section {
        heading: if fr { "Nos règles" } else { "Our rules" }.into(),
        bullets: vec![
            format!(
                "{}{}{rule}",
                lang.t("policy-mandate-rule"),
                if fr { "\u{a0}: " } else { ": " }
            ),
            format!(
                "{}{}{}",
                lang.t("policy-max-duration"),
                if fr { "\u{a0}: " } else { ": " },
                lang.t(&format!(
                    "duration-{}",
                    policy.max_mandate_duration.as_str()
                ))
            ),
            if fr {
                "Nous ne conservons jamais vos mots de passe.".into()
            } else {
                "We never keep your passwords.".into()
            },
            if fr {
                format!(
                    "Vos informations sont conservées {} mois après votre dernière venue.",
                    policy.retention_months
                )
            } else {
                format!(
                    "Your information is kept {} months after your last visit.",
                    policy.retention_months
                )
            },
        ],
        ..Section::default()
    });
    Document {
        title: title.into(),
        author: structure.into(),
        lang: lang.code().into(),
        footer: structure.into(),
        parts: vec![Part {
            title: title.into(),
            subtitle: Some(structure.into()),
            sections,
            ..Part::default()
        }],
    }
}

/// Renders off the async runtime.
pub async fn pdf(doc: Document) -> Result<Vec<u8>, crate::error::WebError> {
    tokio::task::spawn_blocking(move || relais_documents::render_pdf(&doc))
        .await
        .map_err(|e| relais_service::ServiceError::Internal(e.to_string()))?
        .map_err(|e| relais_service::ServiceError::Internal(e.to_string()).into())
}
