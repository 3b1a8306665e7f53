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
}

pub async fn show_home(Extension(ctx): Extension<Ctx>) -> Result<Response, WebError> {
    let (_, actor) = signed(&ctx)?;
    let lang = ctx.lang;
    render(&HomePage {
        title: lang.t_with("home-title", &[("name", actor.name.clone())]),
        intro: lang.t_with(
            "home-intro",
            &[
                ("structure", actor.structure_name.clone()),
                ("role", lang.t(&format!("role-{}", actor.role.as_str()))),
            ],
        ),
        ui: Ui::new(&ctx),
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
