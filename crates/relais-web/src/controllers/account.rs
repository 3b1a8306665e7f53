use super::{render_with, Id, SignedIn};
use crate::context::Ctx;
use crate::controllers::auth::clear_session;
use crate::error::WebError;
use crate::ui::{FormState, Ui};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use relais_domain::ApiTokenId;
use relais_service::{AccountOverview, Actor, ServiceError, SessionContext, Stage};
use serde::Deserialize;

pub struct TokenRow {
    pub id: String,
    pub label: String,
    pub created: String,
    pub last_used: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    ui: Ui,
    overview: AccountOverview,
    /// (opened, last activity, is this session)
    sessions: Vec<(String, String, bool)>,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
    form: FormState,
    /// When the private calendar feed was created, if there is one.
    calendar_since: Option<String>,
    /// The feed's address, shown once right after it is created.
    calendar_url: Option<String>,
}

async fn account_page(
    state: &AppState,
    ctx: &Ctx,
    session: &SessionContext,
    actor: &Actor,
    form: FormState,
    new_token: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    account_page_with(state, ctx, session, actor, form, new_token, None, status).await
}

#[allow(clippy::too_many_arguments)]
async fn account_page_with(
    state: &AppState,
    ctx: &Ctx,
    session: &SessionContext,
    actor: &Actor,
    form: FormState,
    new_token: Option<String>,
    calendar_url: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let ui = Ui::new(ctx);
    let ui_date = Ui::new(ctx);
    let overview = state.services.account_overview(session).await?;
    let sessions = overview
        .sessions
        .iter()
        .map(|s| {
            (
                ui.datetime(s.created_at),
                ui.datetime(s.last_seen_at),
                s.current,
            )
        })
        .collect();
    let tokens = state
        .services
        .list_tokens(actor)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id.to_string(),
            label: t.label,
            created: ui.datetime(t.created_at),
            last_used: t
                .last_used_at
                .map(|d| ui.datetime(d))
                .unwrap_or_else(|| ui.t("never")),
            revoked: t.revoked,
        })
        .collect();
    render_with(
        status,
        &AccountPage {
            ui,
            overview,
            sessions,
            tokens,
            new_token,
            form,
            calendar_since: state
                .services
                .calendar_feed_since(actor)
                .await?
                .map(|d| ui_date.datetime(d)),
            calendar_url,
        },
    )
}

/// Creates (or replaces) the private calendar feed and shows its address once.
pub async fn create_calendar(
    State(state): State<AppState>,
    SignedIn(session, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, WebError> {
    let token = state.services.create_calendar_feed(&actor).await?;
    let url = format!(
        "{}/calendar/{token}.ics",
        state.services.config().public_url
    );
    account_page_with(
        &state,
        &ctx,
        &session,
        &actor,
        FormState::empty(),
        None,
        Some(url),
        StatusCode::OK,
    )
    .await
}

pub async fn revoke_calendar(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
) -> Result<Response, WebError> {
    state.services.revoke_calendar_feed(&actor).await?;
    Ok(Redirect::to("/account?done=calendar-revoked#h-calendar").into_response())
}

/// The private calendar feed (no session: the secret address is the key).
pub async fn calendar_feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let token = file.strip_suffix(".ics").unwrap_or(&file);
    let body = state.services.calendar_feed(token).await?;
    Ok((
        [
            (CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}

pub async fn show_account(
    State(state): State<AppState>,
    SignedIn(session, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, WebError> {
    account_page(
        &state,
        &ctx,
        &session,
        &actor,
        FormState::empty(),
        None,
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct PasswordIn {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password_confirm: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    SignedIn(session, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Form(input): Form<PasswordIn>,
) -> Result<Response, WebError> {
    match state
        .services
        .change_password(
            &session,
            &input.current_password,
            &input.new_password,
            &input.new_password_confirm,
            &crate::ratelimit::throttle_address(ctx.ip),
        )
        .await
    {
        Ok(()) => Ok(Redirect::to("/account?done=password-changed").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let form = FormState::with_errors(ctx.lang, &[], &errors, &[]);
            account_page(
                &state,
                &ctx,
                &session,
                &actor,
                form,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    SignedIn(session, _): SignedIn,
) -> Result<Response, WebError> {
    state.services.sign_out_everywhere(session.agent_id).await?;
    Ok(clear_session(
        &state,
        Redirect::to("/login?done=signed-out-everywhere").into_response(),
    ))
}

#[derive(Deserialize)]
pub struct TokenIn {
    #[serde(default)]
    label: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    SignedIn(session, actor): SignedIn,
    Extension(ctx): Extension<Ctx>,
    Form(input): Form<TokenIn>,
) -> Result<Response, WebError> {
    match state.services.create_token(&actor, &input.label).await {
        Ok(token) => {
            account_page(
                &state,
                &ctx,
                &session,
                &actor,
                FormState::empty(),
                Some(token),
                StatusCode::OK,
            )
            .await
        }
        Err(ServiceError::Invalid(errors)) => {
            let form = FormState::with_errors(ctx.lang, &[], &errors, &[("label", "token_label")]);
            account_page(
                &state,
                &ctx,
                &session,
                &actor,
                form,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    SignedIn(_, actor): SignedIn,
    Id(id): Id<ApiTokenId>,
) -> Result<Response, WebError> {
    state.services.revoke_token(&actor, id).await?;
    Ok(Redirect::to("/account?done=token-revoked").into_response())
}

#[derive(Template)]
#[template(path = "totp_setup.html")]
struct TotpSetupPage {
    ui: Ui,
    required: bool,
    qr_svg: String,
    secret_grouped: String,
    form: FormState,
}

/// The QR code of the enrolment URL as inline SVG, with its text
/// alternative (the key is also shown as text beside it).
fn qr_svg(data: &str, label: &str) -> String {
    match qrcode::QrCode::new(data.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build();
            let svg = match svg.find("<svg") {
                Some(i) => &svg[i..],
                None => svg.as_str(),
            };
            let label: String = label
                .chars()
                .filter(|c| !matches!(c, '<' | '>' | '"' | '&'))
                .collect();
            svg.replacen(
                "<svg",
                &format!("<svg role=\"img\" aria-label=\"{label}\""),
                1,
            )
        }
        Err(_) => String::new(),
    }
}

async fn totp_page(
    state: &AppState,
    ctx: &Ctx,
    form: FormState,
    status: StatusCode,
) -> Result<Response, WebError> {
    let session = ctx.session.as_ref().ok_or(WebError::SignIn(None))?;
    if session.stage == Stage::Totp {
        return Err(WebError::SignIn(Some(Stage::Totp)));
    }
    let enrolment = match state.services.begin_totp(session).await {
        Ok(e) => e,
        Err(ServiceError::Conflict(_)) => return Ok(Redirect::to("/account").into_response()),
        Err(e) => return Err(e.into()),
    };
    let grouped = enrolment
        .secret_base32
        .chars()
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ");
    render_with(
        status,
        &TotpSetupPage {
            ui: Ui::new(ctx),
            required: session.stage == Stage::Enrol,
            qr_svg: qr_svg(&enrolment.otpauth_url, &ctx.lang.t("totp-setup-qr-alt")),
            secret_grouped: grouped,
            form,
        },
    )
}

pub async fn show_totp_setup(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, WebError> {
    totp_page(&state, &ctx, FormState::empty(), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct TotpIn {
    #[serde(default)]
    code: String,
}

pub async fn confirm_totp(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Form(input): Form<TotpIn>,
) -> Result<Response, WebError> {
    let session = ctx.session.as_ref().ok_or(WebError::SignIn(None))?;
    if session.stage == Stage::Totp {
        return Err(WebError::SignIn(Some(Stage::Totp)));
    }
    match state.services.confirm_totp(session, &input.code).await {
        Ok(()) => {
            let to = if session.stage == Stage::Enrol {
                "/?done=totp-activated"
            } else {
                "/account?done=totp-activated"
            };
            Ok(Redirect::to(to).into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let form = FormState::with_errors(ctx.lang, &[], &errors, &[]);
            totp_page(&state, &ctx, form, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}
