//! The reminders inbox.

use super::{render, Id, SignedIn};
use crate::context::Ctx;
use crate::error::WebError;
use crate::ui::Ui;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use relais_domain::{NotificationId, ReminderKind};

struct ReminderView {
    id: String,
    text: String,
    link: String,
    late: bool,
    unread: bool,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    ui: Ui,
    items: Vec<ReminderView>,
    unread: usize,
    /// For administrators: (waiting, failed, last error) of the e-mails.
    backlog: Option<(i64, i64, String)>,
}

pub async fn show_inbox(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, WebError> {
    let ui = Ui::new(&ctx);
    let items: Vec<ReminderView> = state
        .services
        .inbox(&actor)
        .await?
        .into_iter()
        .map(|n| {
            let late = n.notification.kind == ReminderKind::Overdue;
            let reference = n.reference.clone().unwrap_or_default();
            let procedure = n.procedure.clone().unwrap_or_default();
            ReminderView {
                id: n.notification.id.to_string(),
                text: ctx.lang.t_with(
                    if late { "inbox-overdue" } else { "inbox-due" },
                    &[
                        ("date", ui.date(n.notification.due_date)),
                        ("reference", reference),
                        ("procedure", procedure),
                    ],
                ),
                link: match (n.help_request_id, n.person_id) {
                    (Some(r), _) => format!("/requests/{r}"),
                    (None, Some(p)) => format!("/persons/{p}"),
                    _ => "/".into(),
                },
                late,
                unread: n.notification.read_at.is_none(),
            }
        })
        .collect();
    let backlog = if actor.can(relais_domain::Permission::SeeEmailBacklog) {
        state
            .services
            .email_backlog(&actor)
            .await
            .ok()
            .map(|b| (b.waiting, b.failed, b.last_error.unwrap_or_default()))
    } else {
        None
    };
    render(&InboxPage {
        unread: items.iter().filter(|i| i.unread).count(),
        ui,
        items,
        backlog,
    })
}

pub async fn mark_all_read(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
) -> Result<Response, WebError> {
    state.services.mark_reminders_read(&actor, None).await?;
    Ok(Redirect::to("/inbox?done=inbox-read").into_response())
}

pub async fn mark_read(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Id(id): Id<NotificationId>,
) -> Result<Response, WebError> {
    state.services.mark_reminders_read(&actor, Some(id)).await?;
    Ok(Redirect::to("/inbox?done=inbox-read").into_response())
}
