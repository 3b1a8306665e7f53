//! A policy refusal told with its facts (which mandate, what it covers,
//! what is missing) and the ways forward a worker can take from there.
//! The decision and its facts come from the service; this only words them.

use crate::i18n::Lang;
use relais_domain::mandate::{Policy, Refused};
use relais_domain::Role;

/// The refusal as a page shows it.
pub struct RefusalView {
    pub message: String,
    /// "Enregistrer en « faire avec »": one click, same data.
    pub done_with: bool,
    /// Where to draw up a mandate for the person and the missing category.
    pub new_mandate: Option<(String, String)>,
    /// Where to record the signature of the mandate that waits for it.
    pub sign: Option<String>,
    /// Agents who may act for the person, to hand the request to.
    pub hand_over: Vec<(String, String)>,
    /// Where the "done with" action posts, and the refused values it
    /// carries (the page sets them).
    pub action: String,
    pub values: Vec<(String, String)>,
    /// Where the hand-over posts, the values it carries and the name of
    /// its agent field (the page sets them).
    pub hand_over_action: String,
    pub hand_over_values: Vec<(String, String)>,
    pub hand_over_field: String,
}

impl RefusalView {
    /// The refused form's values, without its token and its mode.
    pub fn carry(values: &[(String, String)]) -> Vec<(String, String)> {
        values
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "csrf" | "mode" | "hand_over" | "hand_over_to"))
            .cloned()
            .collect()
    }
}

fn date(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

fn category(lang: Lang, c: relais_domain::ProcedureCategory) -> String {
    lang.t(&format!("category-{}", c.as_str()))
}

/// The reason of the reminder that hands a request over.
pub fn hand_over_reason(lang: Lang, procedure: &str) -> String {
    let procedure: String = procedure.trim().chars().take(200).collect();
    lang.t_with("refusal-hand-over-reason", &[("procedure", procedure)])
}

/// The message naming the facts of a refusal.
pub fn message(lang: Lang, r: &Refused, role: Option<Role>) -> String {
    let cat = category(lang, r.category);
    let mut args: Vec<(&'static str, String)> = vec![("category", cat)];
    if let Some(m) = &r.mandate {
        let covered = m
            .covered
            .iter()
            .map(|c| category(lang, *c))
            .collect::<Vec<_>>()
            .join(", ");
        args.extend([
            ("code", m.code.clone()),
            ("covered", covered),
            ("starts", date(m.starts_on)),
            ("ends", date(m.ends_on)),
            (
                "signed",
                m.signed_on.map(date).unwrap_or_else(|| "—".to_owned()),
            ),
            (
                "consent",
                lang.t(&format!("consent-{}", m.consent.as_str())),
            ),
        ]);
    }
    if let Some(role) = role {
        args.push(("role", lang.t(&format!("role-{}", role.as_str()))));
    }
    let reason = r.reason.as_str();
    // Facts about a mandate or a role only make sense when they are known.
    let about_mandate = reason.starts_with("mandate_") || reason == "category_not_covered";
    let key = if (about_mandate && r.mandate.is_none())
        || (reason == "role_not_allowed" && role.is_none())
    {
        format!("refusal-{reason}")
    } else {
        format!("refusal-facts-{reason}")
    };
    lang.t_with(&key, &args)
}

/// Builds the view: the message and the actions that fit the reason.
/// `person_id` is the known person (none for a new or anonymous one);
/// `back` is where the worker returns once the mandate is in order.
pub fn view(
    lang: Lang,
    r: &Refused,
    policy: &Policy,
    role: Option<Role>,
    person_id: Option<&str>,
    back: &str,
    hand_over: Vec<(String, String)>,
) -> RefusalView {
    let back_q: String = url::form_urlencoded::byte_serialize(back.as_bytes()).collect();
    let new_mandate = match person_id {
        Some(pid) if r.new_mandate_helps() => Some((
            format!(
                "/persons/{pid}/mandates/new?category={}&return_to={back_q}",
                r.category.as_str()
            ),
            lang.t_with(
                "refusal-draw-up-for",
                &[("category", category(lang, r.category))],
            ),
        )),
        _ => None,
    };
    RefusalView {
        message: message(lang, r, role),
        done_with: r.done_with_allowed(policy),
        new_mandate,
        sign: r
            .to_sign()
            .map(|m| format!("/mandates/{}?return_to={back_q}#h-sign", m.id)),
        hand_over: if r.hand_over_helps() {
            hand_over
        } else {
            Vec::new()
        },
        action: String::new(),
        values: Vec::new(),
        hand_over_action: String::new(),
        hand_over_values: Vec::new(),
        hand_over_field: String::new(),
    }
}
