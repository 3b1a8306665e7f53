//! The wording of the printed documents, in French and English. The
//! layout is relais-documents'.

#![allow(clippy::all, unused)]
use crate::i18n::Lang;
use relais_documents::{qr_svg, Document, Part, Section};
use relais_domain::mandate::Policy;
use relais_service::catalog::Coverage;
use relais_service::{MandateView, StructureContact};

fn date(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

fn category_labels(lang: Lang, cats: &[relais_domain::ProcedureCategory]) -> Vec<String> {
    cats.iter()
        .map(|c| lang.t(&format!("category-{}", c.as_str())))
        .collect()
}

/// Each category with the operators the structure's catalogue files under
/// it, as the mandate form showed them.
fn categories(
    lang: Lang,
    cats: &[relais_domain::ProcedureCategory],
    coverage: &Coverage,
) -> Vec<String> {
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
    let cats = categories(lang, &m.active_categories, coverage);
    let (from, to) = (date(m.row.starts_on), date(m.row.ends_on));
    let fr = lang == Lang::Fr;
    let mut structure_facts = vec![("Structure".to_owned(), m.structure_name.clone())];
    for (fr_label, en_label, value) in [
        ("Adresse", "Address", &contact.address),
        ("Téléphone", "Phone", &contact.phone),
        ("Courriel", "E-mail", &contact.email),
    ] {
        if let Some(v) = value {
            structure_facts.push((if fr { fr_label } else { en_label }.to_owned(), v.clone()));
        }
    }
    // Drawn up (or signed) that day, where the structure is.
    let day = date(
        m.row
            .signed_at
            .unwrap_or(m.row.created_at)
            .with_timezone(&chrono_tz::Europe::Paris)
            .date_naive(),
    );
    let place_date = Some(match (&contact.commune, fr) {
        (Some(c), true) => format!("Fait à {c} le {day}"),
        (Some(c), false) => format!("Done at {c} on {day}"),
        (None, true) => format!("Fait le {day}"),
        (None, false) => format!("Done on {day}"),
    });
    let parties = Section {
        heading: if fr { "Les parties" } else { "The parties" }.into(),
        paragraphs: vec![if fr {
            format!("{person} (« la personne ») donne mandat à la structure {} (« la structure »), représentée par ses agents habilités, pour accomplir en son nom les démarches en ligne décrites ci-dessous.", m.structure_name)
        } else {
            format!("{person} (\"the person\") gives a mandate to {} (\"the structure\"), acting through its authorised staff, to carry out on their behalf the online procedures described below.", m.structure_name)
        }],
        facts: [(
            if fr { "Personne" } else { "Person" }.to_owned(),
            person.clone(),
        )]
        .into_iter()
        .chain(structure_facts)
        .chain([
            (
                if fr { "Établi par" } else { "Drawn up by" }.into(),
                agent_name.to_owned(),
            ),
            (
                if fr { "Référence" } else { "Reference" }.into(),
                m.row.verification_code.clone(),
            ),
        ])
        .collect(),
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
                place_date: place_date.clone(),
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
                place_date,
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
        category_labels(lang, &m.categories)
    } else {
        let cats: Vec<_> = m
            .row
            .revoked_categories
            .split(',')
            .filter_map(|c| relais_domain::ProcedureCategory::parse(c).ok())
            .collect();
        category_labels(lang, &cats)
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
                ..Default::default()
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

/// The person's subject-access file: everything relais holds about them.
pub fn subject_access(lang: Lang, sa: &relais_service::SubjectAccess) -> Document {
    let fr = lang == Lang::Fr;
    let t = |f: &str, e: &str| if fr { f.to_owned() } else { e.to_owned() };
    let colon = if fr { "\u{a0}: " } else { ": " };
    let dt = |d: chrono::DateTime<chrono::Utc>| {
        d.with_timezone(&chrono_tz::Europe::Paris)
            .format("%d/%m/%Y %H:%M")
            .to_string()
    };
    let p = &sa.person;
    let name = format!("{} {}", p.first_name, p.last_name.to_uppercase());
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    let mut sections = vec![Section {
        heading: t("Votre demande", "Your request"),
        paragraphs: vec![if fr {
            format!("Vous avez demandé à {} ce qu'elle conserve sur vous. Ce document contient tout ce que le logiciel relais enregistre à votre nom, y compris qui a consulté votre dossier. Vos informations sont conservées {} mois après votre dernière démarche avec nous.", sa.structure, sa.retention_months)
        } else {
            format!("You asked {} what it keeps about you. This document holds everything the relais software records in your name, including who opened your file. Your information is kept {} months after your last procedure with us.", sa.structure, sa.retention_months)
        }],
        ..Section::default()
    }];
    sections.push(Section {
        heading: t(
            "Votre identité et vos coordonnées",
            "Your identity and contact details",
        ),
        facts: vec![
            (t("Nom", "Name"), name.clone()),
            (t("Nom d'usage", "Usual name"), opt(&p.usual_name)),
            (
                t("Naissance", "Birth"),
                p.birth_date
                    .map(date)
                    .or(p.birth_year.map(|y| y.to_string()))
                    .unwrap_or_else(|| "—".into()),
            ),
            (t("Téléphone", "Phone"), opt(&p.phone)),
            (t("Courriel", "E-mail"), opt(&p.email)),
            (
                t("Commune", "Town"),
                format!("{} {}", opt(&p.postcode), opt(&p.commune)),
            ),
            (
                t("Code INSEE de la commune", "INSEE town code"),
                opt(&p.insee_code),
            ),
            (
                t("Langue préférée", "Preferred language"),
                opt(&p.preferred_language),
            ),
            (
                t("Équipement", "Equipment"),
                if p.equipment.is_empty() {
                    "—".into()
                } else {
                    p.equipment
                        .iter()
                        .map(|e| lang.t(&format!("equipment-{e}")))
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            ),
            (t("Notes de suivi", "Social notes"), opt(&p.notes)),
            (t("Dossier créé le", "File created on"), dt(p.created_at)),
            (
                t("Conservation prolongée jusqu'au", "Kept until"),
                sa.kept_until.map(date).unwrap_or_else(|| "—".into()),
            ),
            (
                t("Rappels", "Reminders"),
                match &sa.reminder_consent {
                    Some((channel, since)) => format!(
                        "{} ({} {})",
                        lang.t(&format!("reminder-{channel}")),
                        t("depuis le", "since"),
                        date(*since)
                    ),
                    None => t("aucun", "none"),
                },
            ),
        ],
        ..Section::default()
    });
    sections.push(Section {
        heading: t("Vos comptes en ligne", "Your online accounts"),
        paragraphs: vec![t(
            "Nous notons seulement si vous avez un compte et si vous savez vous connecter ; jamais vos mots de passe.",
            "We only note whether you have an account and can sign in; never your passwords.",
        )],
        bullets: sa
            .digital_accounts
            .iter()
            .map(|a| {
                format!(
                    "{}{colon}{} / {}",
                    lang.t(&format!("account-{}", a.kind)),
                    lang.t(&format!("tri-{}", a.has_account)),
                    lang.t(&format!("tri-{}", a.can_sign_in)),
                )
            })
            .collect(),
        ..Section::default()
    });
    sections.push(Section {
        heading: t("Vos demandes", "Your requests"),
        bullets: sa
            .requests
            .iter()
            .map(|r| {
                format!(
                    "{} · {} · {} · {}{}",
                    r.reference,
                    dt(r.created_at),
                    r.procedure,
                    lang.t(&format!("status-{}", r.status)),
                    r.outcome
                        .as_ref()
                        .map(|o| format!(" · {}", lang.t(&format!("outcome-{o}"))))
                        .unwrap_or_default()
                )
            })
            .collect(),
        ..Section::default()
    });
    sections.push(Section {
        heading: t("Les aides reçues", "The help you received"),
        bullets: sa
            .interventions
            .iter()
            .map(|i| {
                let mut line = format!(
                    "{} · {} · {} · {} min",
                    dt(i.occurred_at),
                    i.request,
                    lang.t(&format!("mode-{}", i.mode)),
                    i.duration_minutes
                );
                if let Some(a) = &i.agent {
                    line.push_str(&format!(" · {a}"));
                }
                if let Some(s) = &i.summary {
                    line.push_str(&format!(" · {s}"));
                }
                line
            })
            .collect(),
        ..Section::default()
    });
    sections.push(Section {
        heading: t("Rendez-vous et rappels", "Follow-ups"),
        bullets: sa
            .follow_ups
            .iter()
            .map(|f| format!("{} · {}", date(f.due_date), f.reason))
            .collect(),
        ..Section::default()
    });
    sections.push(Section {
        heading: t("Vos orientations", "Your referrals"),
        bullets: sa
            .referrals
            .iter()
            .map(|r| {
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
            })
            .collect(),
        ..Section::default()
    });
    sections.push(Section {
        heading: t("Vos mandats", "Your mandates"),
        bullets: sa
            .mandates
            .iter()
            .map(|m| {
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
            })
            .collect(),
        ..Section::default()
    });
    sections.push(Section {
        heading: t(
            "Qui a consulté ou modifié votre dossier",
            "Who opened or changed your file",
        ),
        bullets: sa
            .access_history
            .iter()
            .map(|a| {
                format!(
                    "{} · {} · {}",
                    dt(a.at),
                    a.by.clone()
                        .unwrap_or_else(|| t("relais (automatique)", "relais (automatic)")),
                    action_label(lang, &a.action)
                )
            })
            .collect(),
        ..Section::default()
    });
    if sa.private_notes > 0 {
        sections.push(Section {
            heading: t("Notes personnelles des intervenants", "Workers' personal notes"),
            paragraphs: vec![if fr {
                format!("{} note(s) personnelle(s) d'intervenants existent. Seul leur auteur peut les lire : demandez-les à la structure, qui les fera communiquer par leur auteur.", sa.private_notes)
            } else {
                format!("{} personal note(s) by workers exist. Only their author can read them: ask the structure, which will have their author give them to you.", sa.private_notes)
            }],
            ..Section::default()
        });
    }
    sections.push(rights_section(lang, &sa.structure));
    let title = t("Vos données", "Your data");
    Document {
        title: title.clone(),
        author: sa.structure.clone(),
        lang: lang.code().into(),
        footer: format!("{} · {}", sa.structure, dt(sa.generated_at)),
        parts: vec![Part {
            title,
            subtitle: Some(name),
            sections,
            ..Part::default()
        }],
    }
}

fn rights_section(lang: Lang, structure: &str) -> Section {
    let fr = lang == Lang::Fr;
    Section {
        heading: if fr { "Vos droits" } else { "Your rights" }.into(),
        bullets: if fr {
            vec![
                format!("Vous pouvez demander à {structure} de voir, corriger ou effacer vos informations, à tout moment."),
                "Si un mandat est en cours, il faut d'abord le révoquer : nous gardons ensuite la trace du mandat, sans votre nom, pour prouver que ce que nous avons fait pour vous était autorisé.".into(),
                "Vous pouvez aussi vous adresser à la CNIL (www.cnil.fr) si vous pensez que vos droits ne sont pas respectés.".into(),
            ]
        } else {
            vec![
                format!("You may ask {structure} to see, correct or erase your information, at any time."),
                "If a mandate is in force, it must be revoked first: we then keep a record of the mandate, without your name, to prove that what we did for you was authorised.".into(),
                "You may also contact the CNIL, the French data protection authority (www.cnil.fr), if you think your rights are not respected.".into(),
            ]
        },
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
    let fr = lang == Lang::Fr;
    let title = if fr {
        "Vos informations personnelles"
    } else {
        "Your personal information"
    };
    let controller = match commune {
        Some(c) if !c.is_empty() => format!("{structure} ({c})"),
        _ => structure.to_owned(),
    };
    let contact = if policy.privacy_contact.trim().is_empty() {
        if fr {
            format!("l'accueil de {structure}")
        } else {
            format!("the front desk of {structure}")
        }
    } else {
        policy.privacy_contact.trim().to_owned()
    };
    let sections = vec![
        Section {
            heading: if fr {
                "Qui garde vos informations"
            } else {
                "Who keeps your information"
            }
            .into(),
            paragraphs: vec![if fr {
                format!("{controller} est responsable de vos informations. Elle utilise le logiciel relais pour noter l'aide qu'elle vous apporte dans vos démarches en ligne.")
            } else {
                format!("{controller} is responsible for your information. It uses the relais software to record the help it gives you with your online procedures.")
            }],
            ..Section::default()
        },
        Section {
            heading: if fr { "Pourquoi" } else { "Why" }.into(),
            bullets: if fr {
                vec![
                    "Vous aider dans vos démarches et suivre vos dossiers (délais, rendez-vous).".into(),
                    "Garder la preuve de votre accord quand nous agissons pour vous (le mandat).".into(),
                    "Compter, sans vos noms, l'aide apportée, pour obtenir les moyens de continuer.".into(),
                ]
            } else {
                vec![
                    "To help you with your procedures and follow your files (deadlines, appointments).".into(),
                    "To keep proof of your consent when we act for you (the mandate).".into(),
                    "To count, without your names, the help given, so that we get the means to go on.".into(),
                ]
            },
            ..Section::default()
        },
        Section {
            heading: if fr {
                "Ce que nous notons"
            } else {
                "What we record"
            }
            .into(),
            bullets: if fr {
                vec![
                    "Votre nom, votre année de naissance, votre commune et, si vous le souhaitez, un moyen de vous joindre.".into(),
                    "Vos demandes, l'aide reçue et, si besoin, les notes de l'intervenant.".into(),
                    "Jamais vos mots de passe : vous les tapez vous-même.".into(),
                ]
            } else {
                vec![
                    "Your name, year of birth, town and, if you wish, a way to reach you.".into(),
                    "Your requests, the help received and, when needed, the worker's notes.".into(),
                    "Never your passwords: you type them yourself.".into(),
                ]
            },
            ..Section::default()
        },
        Section {
            heading: if fr {
                "Qui les voit, combien de temps"
            } else {
                "Who sees them, for how long"
            }
            .into(),
            bullets: if fr {
                vec![
                    format!("Seule l'équipe de {structure} y a accès ; les bénévoles ne voient pas les notes de suivi. Chaque consultation de votre dossier est enregistrée."),
                    format!("Vos informations sont effacées {} mois après votre dernière démarche avec nous ; seuls des chiffres sans nom sont gardés.", policy.retention_months),
                    "Notes et documents sont chiffrés dans la base de données.".into(),
                ]
            } else {
                vec![
                    format!("Only the team of {structure} has access; volunteers do not see the social notes. Every opening of your file is recorded."),
                    format!("Your information is erased {} months after your last procedure with us; only figures without names are kept.", policy.retention_months),
                    "Notes and documents are encrypted in the database.".into(),
                ]
            },
            ..Section::default()
        },
        rights_section(lang, structure),
        Section {
            heading: if fr { "Nous contacter" } else { "Contact us" }.into(),
            paragraphs: vec![if fr {
                format!("Pour toute question sur vos informations ou pour exercer vos droits : {contact}.")
            } else {
                format!("For any question about your information or to use your rights: {contact}.")
            }],
            ..Section::default()
        },
    ];
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

/// A journal action in words ("opened the file"), or its code when it has
/// no wording.
pub fn action_label(lang: Lang, action: &str) -> String {
    let key = format!("action-{}", action.replace(['.', '_'], "-"));
    let label = lang.t(&key);
    if label == key {
        action.to_owned()
    } else {
        label
    }
}

/// The referral slip the person takes along: where to go, when it is
/// open, what to bring, and why they are sent there.
pub fn referral_slip(s: &relais_service::referrals::Slip, lang: Lang) -> Document {
    let fr = lang == Lang::Fr;
    let t = |f: &str, e: &str| if fr { f.to_owned() } else { e.to_owned() };
    let mut sections = Vec::new();
    let mut where_to = Section {
        heading: t("Où aller", "Where to go"),
        ..Section::default()
    };
    if let Some(p) = &s.place {
        let p = &p.place;
        where_to.paragraphs.push(p.name.clone());
        let mut facts = Vec::new();
        let addr = [
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
        .join(", ");
        if !addr.is_empty() {
            facts.push((t("Adresse", "Address"), addr));
        }
        if let Some(ph) = &p.phone {
            facts.push((t("Téléphone", "Phone"), ph.clone()));
        }
        if let Some(e) = &p.email {
            facts.push((t("Courriel", "E-mail"), e.clone()));
        }
        if let Some(w) = &p.website {
            facts.push((t("Site", "Website"), w.clone()));
        }
        if !p.access_modes.is_empty() {
            facts.push((
                t("Comment y accéder", "How to get in"),
                p.access_modes
                    .iter()
                    .map(|c| crate::places::label(lang, "access_modes", c))
                    .collect::<Vec<_>>()
                    .join(", "),
            ));
        }
        where_to.facts = facts;
        sections.push(where_to);
        sections.push(Section {
            heading: t("Horaires", "Opening hours"),
            paragraphs: vec![match p.opening_hours.as_deref() {
                Some(h) => crate::places::hours_text(lang, h),
                None => t(
                    "Horaires non communiqués : appelez avant de vous déplacer.",
                    "Hours not given: call before you go.",
                ),
            }],
            ..Section::default()
        });
    } else if let Some((name, website, phone)) = &s.operator {
        where_to.paragraphs.push(name.clone());
        where_to.facts.push((t("Site", "Website"), website.clone()));
        if let Some(ph) = phone {
            where_to.facts.push((t("Téléphone", "Phone"), ph.clone()));
        }
        sections.push(where_to);
    }
    sections.push(Section {
        heading: t("Pourquoi", "Why"),
        facts: vec![(t("Démarche", "Procedure"), s.procedure.clone())],
        paragraphs: s.referral.reason.clone().into_iter().collect(),
        ..Section::default()
    });
    let docs = if fr { &s.documents } else { &s.documents_en };
    sections.push(Section {
        heading: t("À apporter", "What to bring"),
        bullets: if docs.is_empty() {
            vec![t(
                "Une pièce d'identité et, si vous en avez, vos identifiants de connexion (ne les donnez à personne).",
                "An identity document and, if you have them, your sign-in details (give them to no one).",
            )]
        } else {
            docs.clone()
        },
        ..Section::default()
    });
    sections.push(Section {
        heading: t("Vous êtes orienté par", "Referred by"),
        facts: vec![
            ("Structure".into(), s.structure.clone()),
            (t("Agent", "Worker"), s.agent.clone()),
            (
                t("Date", "Date"),
                date(
                    s.referral
                        .created_at
                        .with_timezone(&chrono_tz::Europe::Paris)
                        .date_naive(),
                ),
            ),
        ],
        ..Section::default()
    });
    Document {
        title: t("Bon d'orientation", "Referral slip"),
        author: s.structure.clone(),
        lang: lang.code().to_owned(),
        footer: t(
            "Gardez ce bon et montrez-le à l'accueil.",
            "Keep this slip and show it at the desk.",
        ),
        parts: vec![Part {
            title: t("Bon d'orientation", "Referral slip"),
            subtitle: s.person.clone(),
            sections,
            ..Part::default()
        }],
    }
}
