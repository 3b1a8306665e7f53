//! View models shared by the desk pages.

use crate::ui::Ui;
use relais_domain::mandate::{MandateBadge, MandateState};
use relais_domain::ProcedureCategory;
use relais_service::views::{FollowUpItem, HelpRequestItem, OperatorChannel};
use relais_service::PersonHit;

pub struct HitView {
    pub id: String,
    pub name: String,
    pub details: String,
    /// The person's mandates in force or waiting, when there are some.
    pub mandate: Option<MandateBadgeView>,
}

/// A mandate badge as the service decided it (see `MandateBadge::of`).
pub struct MandateBadgeView {
    pending: bool,
    categories: Vec<ProcedureCategory>,
    ends_on: chrono::NaiveDate,
}

impl MandateBadgeView {
    pub fn of(b: &MandateBadge) -> Self {
        Self {
            pending: b.state == MandateState::Pending,
            categories: b.categories.clone(),
            ends_on: b.ends_on,
        }
    }

    /// "Mandat : Famille, Logement · jusqu'au 31/03/2027".
    pub fn text(&self, ui: &Ui) -> String {
        let categories = self
            .categories
            .iter()
            .map(|c| ui.label("category", c.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        ui.lang.t_with(
            if self.pending {
                "badge-mandate-pending"
            } else {
                "badge-mandate-active"
            },
            &[("categories", categories), ("end", ui.date(self.ends_on))],
        )
    }

    /// The class that tells the two states apart (with the text).
    pub fn class(&self) -> &'static str {
        if self.pending {
            "mandate-pending"
        } else {
            "mandate-active"
        }
    }
}

pub fn display_name(first: &str, last: &str, usual: Option<&str>) -> String {
    match usual {
        Some(u) if !u.is_empty() => format!("{first} {} ({u})", last.to_uppercase()),
        _ => format!("{first} {}", last.to_uppercase()),
    }
}

pub fn hit_view(h: &PersonHit) -> HitView {
    let mut details = Vec::new();
    if let Some(y) = h.birth_year {
        details.push(y.to_string());
    }
    if let Some(c) = &h.commune {
        details.push(c.clone());
    }
    HitView {
        id: h.id.to_string(),
        name: display_name(&h.first_name, &h.last_name, h.usual_name.as_deref()),
        details: details.join(" · "),
        mandate: h.mandate.as_ref().map(MandateBadgeView::of),
    }
}

pub struct FollowUpView {
    pub id: String,
    pub due: String,
    pub reason: String,
    pub about: String,
    pub href: Option<String>,
    pub done: bool,
    pub late: bool,
    /// Who the follow-up is assigned to, if anyone.
    pub assignee: Option<String>,
}

pub fn follow_up_view(ui: &Ui, f: &FollowUpItem, today: chrono::NaiveDate) -> FollowUpView {
    let person = match (&f.person_first_name, &f.person_last_name) {
        (Some(a), Some(b)) => display_name(a, b, None),
        _ => String::new(),
    };
    let about = match (&f.reference, &f.procedure) {
        (Some(r), Some(p)) if person.is_empty() => format!("{r} · {p}"),
        (Some(r), Some(p)) => format!("{person} · {r} · {p}"),
        _ => person,
    };
    let href = match (f.follow_up.help_request_id, f.follow_up.person_id) {
        (Some(r), _) => Some(format!("/requests/{r}")),
        (None, Some(p)) => Some(format!("/persons/{p}")),
        _ => None,
    };
    FollowUpView {
        id: f.follow_up.id.to_string(),
        due: ui.date(f.follow_up.due_date),
        reason: f.follow_up.reason.clone(),
        about,
        href,
        done: f.follow_up.done,
        late: relais_domain::desk::follow_up_overdue(f.follow_up.due_date, f.follow_up.done, today),
        assignee: f.assignee_name.clone(),
    }
}

pub struct RequestRowView {
    pub id: String,
    pub reference: String,
    pub person: String,
    pub procedure: String,
    pub category: String,
    pub status: String,
    pub created: String,
    pub urgent: bool,
}

pub fn request_row_view(ui: &Ui, r: &HelpRequestItem) -> RequestRowView {
    let q = &r.request;
    RequestRowView {
        id: q.id.to_string(),
        reference: q.reference.clone(),
        person: match (&r.person_first_name, &r.person_last_name) {
            (Some(a), Some(b)) => display_name(a, b, None),
            _ => ui.t("anonymous"),
        },
        procedure: q.procedure.clone(),
        category: ui.label("category", q.category.as_str()),
        status: ui.label("status", q.status.as_str()),
        created: ui.datetime(q.created_at),
        urgent: q.rights_at_risk && !q.status.is_closed(),
    }
}

/// A structure's partner channels for an operator, as (label, value) lines.
pub fn channel_lines(ui: &crate::ui::Ui, c: &OperatorChannel) -> Vec<(String, String)> {
    [
        ("partner-partner_portal", &c.partner_portal),
        ("partner-pro_phone", &c.pro_phone),
        ("partner-email", &c.email),
        ("partner-local_contact", &c.local_contact),
        ("partner-answer_delay", &c.answer_delay),
        ("partner-notes", &c.notes),
    ]
    .into_iter()
    .filter(|(_, v)| !v.trim().is_empty())
    .map(|(k, v)| (ui.t(k), v.clone()))
    .collect()
}
