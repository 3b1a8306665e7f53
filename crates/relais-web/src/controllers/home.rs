use super::views::{follow_up_view, request_row_view, FollowUpView, RequestRowView};
use super::{render, SignedIn};
use crate::context::Ctx;
use crate::error::WebError;
use crate::ui::Ui;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use relais_domain::StructureId;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ui: Ui,
    title: String,
    intro: String,
    overdue: Vec<FollowUpView>,
    today: Vec<FollowUpView>,
    open: Vec<RequestRowView>,
    mandates: Vec<super::mandates::MandateRowView>,
    /// Whether more mandates end soon than the home shows.
    more_mandates: bool,
    /// (link, text) of the coming deadlines and follow-ups.
    upcoming: Vec<(String, String)>,
    /// Supervisors: how many follow-ups of the rest of the team are
    /// overdue, and the oldest of them.
    team_overdue: Option<(i64, Vec<FollowUpView>)>,
}

/// The mandates ending soon the home page shows; the list of mandates
/// has them all.
const HOME_ENDING_SOON: usize = 10;

pub async fn show_home(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, WebError> {
    let lang = ctx.lang;
    let home = state.services.home(&actor).await?;
    let ui = Ui::new(&ctx);
    let ending = state
        .services
        .mandates_ending_soon(&actor, HOME_ENDING_SOON)
        .await?;
    let more_mandates = ending.next.is_some();
    let mandates = ending
        .items
        .iter()
        .map(|m| super::mandates::mandate_row_view(&ui, m))
        .collect();
    let overdue = home
        .overdue
        .iter()
        .map(|f| follow_up_view(&ui, f, home.today_date))
        .collect();
    let today = home
        .today
        .iter()
        .map(|f| follow_up_view(&ui, f, home.today_date))
        .collect();
    let team_overdue = home.team_overdue.as_ref().map(|t| {
        (
            t.total,
            t.items
                .iter()
                .map(|f| follow_up_view(&ui, f, home.today_date))
                .collect(),
        )
    });
    let open = home
        .open_requests
        .iter()
        .map(|r| request_row_view(&ui, r))
        .collect();
    let mut upcoming: Vec<(chrono::NaiveDate, String, String)> = home
        .upcoming_follow_ups
        .iter()
        .map(|f| {
            let link = match (f.follow_up.help_request_id, f.follow_up.person_id) {
                (Some(r), _) => format!("/requests/{r}"),
                (None, Some(p)) => format!("/persons/{p}"),
                _ => "/inbox".into(),
            };
            let who = match (&f.person_first_name, &f.person_last_name) {
                (Some(a), Some(b)) => super::views::display_name(a, b, None),
                _ => String::new(),
            };
            (
                f.follow_up.due_date,
                link,
                format!(
                    "{} · {who} · {}",
                    ui.date(f.follow_up.due_date),
                    f.follow_up.reason
                ),
            )
        })
        .collect();
    upcoming.extend(home.upcoming_deadlines.iter().filter_map(|r| {
        let d = r.request.deadline?;
        let who = match (&r.person_first_name, &r.person_last_name) {
            (Some(a), Some(b)) => super::views::display_name(a, b, None),
            _ => ui.t("anonymous"),
        };
        Some((
            d,
            format!("/requests/{}", r.request.id),
            format!(
                "{} · {} · {who} · {}",
                ui.date(d),
                ui.t("deadline"),
                r.request.procedure
            ),
        ))
    }));
    upcoming.sort_by_key(|u| u.0);
    let upcoming = upcoming.into_iter().map(|(_, l, t)| (l, t)).collect();
    render(&HomePage {
        team_overdue,
        upcoming,
        mandates,
        more_mandates,
        overdue,
        today,
        open,
        title: lang.t_with("home-title", &[("name", actor.name.clone())]),
        intro: lang.t_with(
            "home-intro",
            &[
                ("structure", actor.structure_name.clone()),
                ("role", lang.t(&format!("role-{}", actor.role.as_str()))),
            ],
        ),
        ui,
    })
}

#[derive(Deserialize)]
pub struct SwitchIn {
    #[serde(default)]
    structure_id: String,
}

pub async fn switch_structure(
    State(state): State<AppState>,
    SignedIn(session, _): SignedIn,
    Form(input): Form<SwitchIn>,
) -> Result<Response, WebError> {
    let id = StructureId::parse(&input.structure_id).ok_or_else(WebError::not_found)?;
    state.services.switch_structure(&session, id).await?;
    Ok(Redirect::to("/").into_response())
}
