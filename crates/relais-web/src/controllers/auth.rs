use super::{render, render_with};
use crate::context::{set_cookie, Ctx, SESSION_COOKIE};
use crate::error::WebError;
use crate::ratelimit::throttle_address;
use crate::ui::Ui;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use relais_service::{ServiceError, Stage};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ui: Ui,
    email: String,
    error: Option<String>,
    /// Where to go once signed in (a local path), e.g. back to a form
    /// whose session ended.
    next: String,
}

#[derive(Template)]
#[template(path = "login_totp.html")]
struct TotpPage {
    ui: Ui,
    error: Option<String>,
    next: String,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

/// The page to land on after signing in: `next` when it is a local path.
fn landing(next: &str) -> String {
    crate::ui::local_path(next).unwrap_or_else(|| "/".to_owned())
}

pub async fn show_login(
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    if let Some(s) = &ctx.session {
        return Ok(match s.stage {
            Stage::Full => Redirect::to(&landing(&q.next)),
            Stage::Totp => Redirect::to(&crate::ui::with_next("/login/totp", &q.next)),
            Stage::Enrol => Redirect::to("/account/totp"),
        }
        .into_response());
    }
    render(&LoginPage {
        ui: Ui::new(&ctx),
        email: String::new(),
        error: None,
        next: landing(&q.next),
    })
}

#[derive(Deserialize)]
pub struct SignInIn {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn sign_in(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Form(input): Form<SignInIn>,
) -> Result<Response, WebError> {
    let page = |status: StatusCode, key: &str| {
        render_with(
            status,
            &LoginPage {
                ui: Ui::new(&ctx),
                email: input.email.clone(),
                error: Some(ctx.lang.t(key)),
                next: landing(&input.next),
            },
        )
    };
    if !state.limiter.allow(ctx.ip) {
        return page(StatusCode::TOO_MANY_REQUESTS, "login-rate-limited");
    }
    let address = throttle_address(ctx.ip);
    match state
        .services
        .sign_in(&input.email, &input.password, &address)
        .await
    {
        Ok(signed) => {
            let target = match signed.stage {
                Stage::Full => landing(&input.next),
                Stage::Totp => crate::ui::with_next("/login/totp", &input.next),
                Stage::Enrol => "/account/totp".to_owned(),
            };
            let mut r = Redirect::to(&target).into_response();
            r.headers_mut().append(
                SET_COOKIE,
                set_cookie(SESSION_COOKIE, &signed.token, None, true, state.config.tls),
            );
            Ok(r)
        }
        Err(ServiceError::InvalidCredentials) => page(StatusCode::UNAUTHORIZED, "login-failed"),
        Err(ServiceError::AccountDisabled) => page(StatusCode::FORBIDDEN, "login-disabled"),
        Err(e) => Err(e.into()),
    }
}

pub async fn show_totp(
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    match &ctx.session {
        Some(s) if s.stage == Stage::Totp => render(&TotpPage {
            ui: Ui::new(&ctx),
            error: None,
            next: landing(&q.next),
        }),
        Some(_) => Ok(Redirect::to("/").into_response()),
        None => Ok(Redirect::to("/login").into_response()),
    }
}

#[derive(Deserialize)]
pub struct TotpIn {
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
}

pub async fn verify_totp(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Form(input): Form<TotpIn>,
) -> Result<Response, WebError> {
    let Some(session) = ctx.session.as_ref().filter(|s| s.stage == Stage::Totp) else {
        return Ok(Redirect::to("/login").into_response());
    };
    let page = |status: StatusCode, key: &str| {
        render_with(
            status,
            &TotpPage {
                ui: Ui::new(&ctx),
                error: Some(ctx.lang.t(key)),
                next: landing(&input.next),
            },
        )
    };
    if !state.limiter.allow(ctx.ip) {
        return page(StatusCode::TOO_MANY_REQUESTS, "login-rate-limited");
    }
    let address = throttle_address(ctx.ip);
    match state
        .services
        .verify_totp(session, &input.code, &address)
        .await
    {
        Ok(()) => Ok(Redirect::to(&landing(&input.next)).into_response()),
        Err(ServiceError::InvalidCredentials) => page(StatusCode::UNAUTHORIZED, "totp-failed"),
        Err(e) => Err(e.into()),
    }
}

/// Ends the session and clears its cookie.
pub fn clear_session(state: &AppState, mut r: Response) -> Response {
    r.headers_mut().append(
        SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Some(0), true, state.config.tls),
    );
    r
}

pub async fn sign_out(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, WebError> {
    if let Some(s) = &ctx.session {
        state.services.sign_out(s).await?;
    }
    Ok(clear_session(
        &state,
        Redirect::to("/login?done=signed-out").into_response(),
    ))
}
