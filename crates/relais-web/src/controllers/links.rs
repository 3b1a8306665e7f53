//! Pages reached through one-time links: accepting an invitation, choosing
//! a new password after a reset, joining another structure with an
//! existing account.

use super::render_with;
use crate::context::Ctx;
use crate::error::WebError;
use crate::ui::{FormState, Ui};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use relais_service::ServiceError;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "invite.html")]
struct LinkPage {
    ui: Ui,
    heading: String,
    intro: String,
    action: String,
    with_name: bool,
    submit: String,
    form: FormState,
}

/// Only well-formed tokens reach the database.
fn check_token(token: &str) -> Result<&str, WebError> {
    if token.len() == 64 && token.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(token)
    } else {
        Err(ServiceError::LinkExpired.into())
    }
}

async fn link_page(
    state: &AppState,
    ctx: &Ctx,
    token: &str,
    kind: &str,
    form: FormState,
    status: StatusCode,
) -> Result<Response, WebError> {
    let info = state.services.link_info(check_token(token)?, kind).await?;
    let lang = ctx.lang;
    let (heading, intro, action, submit, with_name) = if kind == "invite" {
        (
            lang.t("invite-title"),
            lang.t_with(
                "invite-intro",
                &[
                    ("structure", info.structure_name.clone()),
                    ("email", info.email.clone()),
                ],
            ),
            format!("/invite/{token}"),
            lang.t("invite-accept"),
            true,
        )
    } else {
        (
            lang.t("reset-title"),
            lang.t_with("reset-intro", &[("email", info.email.clone())]),
            format!("/reset/{token}"),
            lang.t("reset-accept"),
            false,
        )
    };
    let form = if form.errors.is_empty() && kind == "invite" {
        FormState::with_errors(lang, &[("name", info.name.as_str())], &[], &[])
    } else {
        form
    };
    render_with(
        status,
        &LinkPage {
            ui: Ui::new(ctx),
            heading,
            intro,
            action,
            with_name,
            submit,
            form,
        },
    )
}

pub async fn show_invite(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    link_page(
        &state,
        &ctx,
        &token,
        "invite",
        FormState::empty(),
        StatusCode::OK,
    )
    .await
}

pub async fn show_reset(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    link_page(
        &state,
        &ctx,
        &token,
        "reset",
        FormState::empty(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct LinkIn {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

pub async fn accept_invite(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(token): Path<String>,
    Form(input): Form<LinkIn>,
) -> Result<Response, WebError> {
    let t = check_token(&token)?;
    match state
        .services
        .accept_invite(t, &input.name, &input.password, &input.password_confirm)
        .await
    {
        Ok(()) => Ok(Redirect::to("/login?done=account-created").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let form =
                FormState::with_errors(ctx.lang, &[("name", input.name.as_str())], &errors, &[]);
            link_page(
                &state,
                &ctx,
                t,
                "invite",
                form,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(ServiceError::Conflict(e)) => {
            let form =
                FormState::with_errors(ctx.lang, &[("name", input.name.as_str())], &[e], &[]);
            link_page(&state, &ctx, t, "invite", form, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn accept_reset(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(token): Path<String>,
    Form(input): Form<LinkIn>,
) -> Result<Response, WebError> {
    let t = check_token(&token)?;
    match state
        .services
        .accept_reset(t, &input.password, &input.password_confirm)
        .await
    {
        Ok(()) => Ok(Redirect::to("/login?done=password-reset-done").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let form = FormState::with_errors(ctx.lang, &[], &errors, &[]);
            link_page(
                &state,
                &ctx,
                t,
                "reset",
                form,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "join.html")]
struct JoinPage {
    ui: Ui,
    intro: String,
    token: String,
    signed_in: bool,
}

/// The invitation of an existing account: it is answered only by that
/// account, fully signed in (second factor included).
pub async fn show_join(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let info = state
        .services
        .link_info(check_token(&token)?, "join")
        .await?;
    let signed_in = ctx
        .session
        .as_ref()
        .is_some_and(|s| s.stage == relais_service::Stage::Full);
    let intro = ctx.lang.t_with(
        "join-intro",
        &[
            ("structure", info.structure_name.clone()),
            ("email", info.email.clone()),
        ],
    );
    render_with(
        StatusCode::OK,
        &JoinPage {
            ui: Ui::new(&ctx),
            intro,
            token,
            signed_in,
        },
    )
}

#[derive(Deserialize)]
pub struct JoinIn {
    #[serde(default)]
    answer: String,
}

pub async fn answer_join(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(token): Path<String>,
    Form(input): Form<JoinIn>,
) -> Result<Response, WebError> {
    let t = check_token(&token)?;
    let Some(session) = ctx.session.as_ref() else {
        return Ok(Redirect::to("/login").into_response());
    };
    if input.answer == "accept" {
        state.services.accept_join(session, t).await?;
        Ok(Redirect::to("/?done=join-accepted").into_response())
    } else {
        state.services.decline_join(session, t).await?;
        Ok(Redirect::to("/?done=join-declined").into_response())
    }
}
