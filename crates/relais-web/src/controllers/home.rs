use super::views::{follow_up_view, request_row_view, FollowUpView, RequestRowView};
use super::{render, signed};
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
}

pub async fn show_home(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, WebError> {
    let (_, actor) = signed(&ctx)?;
    let lang = ctx.lang;
    let home = state.services.home(actor).await?;
    let ui = Ui::new(&ctx);
    let mandates = state
        .services
        .mandates_ending_soon(actor)
        .await?
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
    let open = home
        .open_requests
        .iter()
        .map(|r| request_row_view(&ui, r))
        .collect();
    render(&HomePage {
        mandates,
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
    Extension(ctx): Extension<Ctx>,
    Form(input): Form<SwitchIn>,
) -> Result<Response, WebError> {
    let (session, _) = signed(&ctx)?;
    let id = StructureId::parse(&input.structure_id).ok_or_else(WebError::not_found)?;
    state.services.switch_structure(session, id).await?;
    Ok(Redirect::to("/").into_response())
}
