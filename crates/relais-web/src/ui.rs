//! What every page template receives: the frame (language, user bar, CSRF
//! token) and the state of a form being filled.

use crate::context::Ctx;
use crate::i18n::Lang;
use chrono::{DateTime, Utc};
use chrono_tz::Europe::Paris;
use relais_domain::FieldError;
use std::collections::HashMap;

/// Notices that a redirect may ask the next page to show (`?done=key`).
const NOTICES: &[&str] = &[
    "password-changed",
    "totp-activated",
    "signed-out",
    "signed-out-everywhere",
    "account-created",
    "password-reset-done",
    "member-deactivated",
    "member-reactivated",
    "structure-created",
    "token-revoked",
    "invite-added",
];

pub struct UserBar {
    pub name: String,
    pub structure_name: String,
    /// (id, name, current) of each structure the agent works in.
    pub structures: Vec<(String, String, bool)>,
    pub can_manage_team: bool,
    pub can_manage_structures: bool,
}

pub struct Ui {
    pub lang: Lang,
    pub csrf: String,
    pub path: String,
    pub user: Option<UserBar>,
    pub notice: Option<String>,
}

impl Ui {
    pub fn new(ctx: &Ctx) -> Self {
        let user = ctx
            .session
            .as_ref()
            .and_then(|s| s.actor.as_ref().map(|a| (s, a)))
            .map(|(s, a)| UserBar {
                name: a.name.clone(),
                structure_name: a.structure_name.clone(),
                structures: s
                    .memberships
                    .iter()
                    .map(|m| {
                        (
                            m.structure_id.to_string(),
                            m.structure_name.clone(),
                            m.structure_id == a.structure_id.0,
                        )
                    })
                    .collect(),
                can_manage_team: a.role.can_manage_team(),
                can_manage_structures: a.role.can_manage_structures(),
            });
        let notice = url::form_urlencoded::parse(ctx.query.as_bytes())
            .find(|(k, _)| k == "done")
            .and_then(|(_, v)| NOTICES.iter().find(|n| **n == v).copied())
            .map(|k| ctx.lang.t(k));
        Self {
            lang: ctx.lang,
            csrf: ctx.csrf.clone(),
            path: ctx.path.clone(),
            user,
            notice,
        }
    }

    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn path_encoded(&self) -> String {
        url::form_urlencoded::byte_serialize(self.path.as_bytes()).collect()
    }

    /// `dd/mm/yyyy à HH h MM` in Paris time.
    pub fn datetime(&self, t: DateTime<Utc>) -> String {
        let local = t.with_timezone(&Paris);
        match self.lang {
            Lang::Fr => local.format("%d/%m/%Y à %H h %M").to_string(),
            Lang::En => local.format("%d/%m/%Y %H:%M").to_string(),
        }
    }
}

/// The values and errors of a submitted form, for showing it again.
#[derive(Default)]
pub struct FormState {
    values: HashMap<String, String>,
    /// (element id, message), in field order.
    pub errors: Vec<(String, String)>,
    raw: Vec<(String, String)>,
}

impl FormState {
    pub fn empty() -> Self {
        Self::default()
    }

    /// `ids` maps field names to the ids of their inputs when they differ.
    pub fn with_errors(
        lang: Lang,
        values: &[(&str, &str)],
        errors: &[FieldError],
        ids: &[(&str, &str)],
    ) -> Self {
        let id_of = |field: &str| {
            ids.iter()
                .find(|(f, _)| *f == field)
                .map(|(_, id)| (*id).to_owned())
                .unwrap_or_else(|| field.to_owned())
        };
        Self {
            values: values
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            errors: errors
                .iter()
                .map(|e| (id_of(e.field), lang.field_error(e.code)))
                .collect(),
            raw: errors
                .iter()
                .map(|e| (e.field.to_owned(), lang.field_error(e.code)))
                .collect(),
        }
    }

    pub fn err(&self, field: &str) -> Option<String> {
        self.raw
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
    }

    pub fn value(&self, field: &str) -> &str {
        self.values.get(field).map(String::as_str).unwrap_or("")
    }
}
