//! The one place where errors become HTTP responses: HTML pages get a
//! localized error page or a redirect, the API gets
//! `{"error":{"code","message"}}` with the right status.

use crate::context::Ctx;
use crate::i18n::Lang;
use crate::ui::Ui;
use crate::AppState;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use relais_service::{ServiceError, SessionContext, Stage};
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;

/// Error pages, rendered by the request-context middleware in the
/// visitor's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorPage {
    NotFound,
    Forbidden,
    Internal,
    Csrf,
    /// A form sent after the session ended (idle or signed out).
    SessionExpired,
    LinkExpired,
    BadRequest,
    RateLimited,
    /// The structure's stored policy no longer reads.
    PolicyUnreadable,
}

/// Marks the redirect of a page that needs a session, so that the
/// sign-in can come back to it.
#[derive(Debug, Clone, Copy)]
pub struct SignInRequired;

#[derive(Debug)]
pub enum WebError {
    /// Not signed in (or not fully): go where the sign-in continues.
    SignIn(Option<Stage>),
    Page(StatusCode, ErrorPage),
}

impl WebError {
    pub fn not_found() -> Self {
        WebError::Page(StatusCode::NOT_FOUND, ErrorPage::NotFound)
    }
}

impl From<ServiceError> for WebError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Unauthenticated => WebError::SignIn(None),
            ServiceError::Forbidden => WebError::Page(StatusCode::FORBIDDEN, ErrorPage::Forbidden),
            ServiceError::NotFound => WebError::not_found(),
            ServiceError::LinkExpired => WebError::Page(StatusCode::GONE, ErrorPage::LinkExpired),
            ServiceError::Invalid(_)
            | ServiceError::SimilarPersons(_)
            | ServiceError::PolicyRefused(_)
            | ServiceError::ErasureBlocked(_)
            | ServiceError::Conflict(_)
            | ServiceError::InvalidCredentials
            | ServiceError::AccountDisabled => {
                WebError::Page(StatusCode::BAD_REQUEST, ErrorPage::BadRequest)
            }
            // Logged by the use case that read it.
            ServiceError::PolicyUnreadable(_) => WebError::Page(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorPage::PolicyUnreadable,
            ),
            ServiceError::Store(e) => {
                tracing::error!(error = %e, "storage error");
                WebError::Page(StatusCode::INTERNAL_SERVER_ERROR, ErrorPage::Internal)
            }
            ServiceError::Internal(e) => {
                tracing::error!(error = %e, "internal error");
                WebError::Page(StatusCode::INTERNAL_SERVER_ERROR, ErrorPage::Internal)
            }
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> Self {
        tracing::error!(error = %e, "template error");
        WebError::Page(StatusCode::INTERNAL_SERVER_ERROR, ErrorPage::Internal)
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::SignIn(Some(Stage::Totp)) => Redirect::to("/login/totp").into_response(),
            WebError::SignIn(Some(Stage::Enrol)) => Redirect::to("/account/totp").into_response(),
            WebError::SignIn(_) => {
                let mut r = Redirect::to("/login").into_response();
                r.extensions_mut().insert(SignInRequired);
                r
            }
            WebError::Page(status, page) => {
                let mut r = status.into_response();
                r.extensions_mut().insert(page);
                r
            }
        }
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    ui: Ui,
    heading: String,
    message: String,
    /// A way forward (address, label) besides going home.
    action: Option<(String, String)>,
}

pub fn render_error_page(
    state: &AppState,
    lang: Lang,
    session: Option<&SessionContext>,
    page: ErrorPage,
    path: &str,
) -> Response {
    let (status, heading, message) = match page {
        ErrorPage::NotFound => (StatusCode::NOT_FOUND, "error-title", "error-not-found"),
        ErrorPage::Forbidden => (StatusCode::FORBIDDEN, "error-title", "error-forbidden"),
        ErrorPage::Internal => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "error-title",
            "error-internal",
        ),
        ErrorPage::Csrf => (StatusCode::FORBIDDEN, "error-title", "error-csrf"),
        ErrorPage::SessionExpired => (
            StatusCode::UNAUTHORIZED,
            "session-expired-title",
            "session-expired",
        ),
        ErrorPage::LinkExpired => (StatusCode::GONE, "link-expired-title", "link-expired"),
        ErrorPage::BadRequest => (StatusCode::BAD_REQUEST, "error-title", "error-internal"),
        ErrorPage::RateLimited => (
            StatusCode::TOO_MANY_REQUESTS,
            "error-title",
            "login-rate-limited",
        ),
        ErrorPage::PolicyUnreadable => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "error-title",
            "error-policy-unreadable",
        ),
    };
    let ctx = Ctx {
        lang,
        session: session.cloned(),
        csrf: session.map(|s| s.csrf_token.clone()).unwrap_or_default(),
        path: path.to_owned(),
        query: String::new(),
        ip: std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
        session_idle_seconds: state.services.config().session_idle.num_seconds(),
        unread_reminders: 0,
    };
    let minutes = (state.services.config().session_idle.num_seconds() / 60).max(1);
    // For an ended session, `path` is the page to come back to.
    let action = (page == ErrorPage::SessionExpired).then(|| {
        let back = crate::ui::local_path(path).unwrap_or_else(|| "/".to_owned());
        let sep = if back.contains('?') { '&' } else { '?' };
        (
            crate::ui::with_next("/login", &format!("{back}{sep}restore=1")),
            lang.t("session-sign-in-again"),
        )
    });
    let tpl = MessagePage {
        ui: Ui::new(&ctx),
        heading: lang.t(heading),
        message: lang.t_with(message, &[("minutes", minutes.to_string())]),
        action,
    };
    match tpl.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => status.into_response(),
    }
}

/// Unknown paths: an HTML page, or JSON under `/api/`.
pub async fn not_found(uri: axum::http::Uri, headers: axum::http::HeaderMap) -> Response {
    if uri.path().starts_with("/api/") {
        let lang = headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Lang::from_accept_language)
            .unwrap_or_default();
        return api_error(&ServiceError::NotFound, lang);
    }
    WebError::not_found().into_response()
}

// ---- JSON API errors ------------------------------------------------------

/// The body of every API error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `unauthorized`, `invalid_input`.
    pub code: String,
    /// Human-readable message in the caller's language.
    pub message: String,
    /// For `invalid_input`: each invalid field with its code and message.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldProblem>,
    /// For `policy_refused`: why (`no_mandate`, `mandate_expired`,
    /// `mandate_revoked`, `mandate_not_signed`, `category_not_covered`,
    /// `role_not_allowed`, `mode_not_allowed`, `anonymous_person`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// An API failure. A handler gets one from a service error with `?`; its
/// body is written in the caller's language by `api_json_errors`, which
/// knows it.
pub struct ApiError(pub ServiceError);

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        ApiError(e)
    }
}

/// A service error on its way out, for `api_json_errors` to write in the
/// caller's language.
#[derive(Clone)]
struct Unwritten(Arc<ServiceError>);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let e @ (ServiceError::Store(_) | ServiceError::Internal(_)) = &self.0 {
            tracing::error!(error = %e, "internal error");
        }
        // Complete already (in the default language), should it leave
        // without passing `api_json_errors`.
        let mut r = api_error(&self.0, Lang::default());
        r.extensions_mut().insert(Unwritten(Arc::new(self.0)));
        r
    }
}

/// The answer to a service error, in `lang`: the one mapping of service
/// errors to the API's statuses and codes.
pub fn api_error(e: &ServiceError, lang: Lang) -> Response {
    let msg = |fr: &str, en: &str| match lang {
        Lang::Fr => fr.to_owned(),
        Lang::En => en.to_owned(),
    };
    let mut reason = None;
    let (status, code, message, fields) = match e {
        ServiceError::PolicyRefused(r) => {
            reason = Some(r.reason.as_str().to_owned());
            (
                StatusCode::CONFLICT,
                "policy_refused",
                crate::refusal::message(lang, r, None),
                vec![],
            )
        }
        ServiceError::Unauthenticated | ServiceError::InvalidCredentials => (
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            msg(
                "Jeton d'API absent, invalide ou révoqué.",
                "Missing, invalid or revoked API token.",
            ),
            vec![],
        ),
        ServiceError::AccountDisabled => (
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            msg("Compte désactivé.", "Account disabled."),
            vec![],
        ),
        ServiceError::Forbidden => (
            StatusCode::FORBIDDEN,
            "forbidden",
            msg(
                "Votre rôle ne permet pas cette action.",
                "Your role does not allow this action.",
            ),
            vec![],
        ),
        ServiceError::NotFound | ServiceError::LinkExpired => (
            StatusCode::NOT_FOUND,
            "not_found",
            msg("Introuvable.", "Not found."),
            vec![],
        ),
        ServiceError::Invalid(errs) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            msg("Données invalides.", "Invalid input."),
            errs.iter()
                .map(|f| FieldProblem {
                    field: f.field.to_owned(),
                    code: f.code.to_owned(),
                    message: lang.field_message(f),
                })
                .collect(),
        ),
        ServiceError::SimilarPersons(hits) => (
            StatusCode::CONFLICT,
            "similar_persons",
            lang.field_error("similar_persons"),
            hits.iter()
                .map(|h| FieldProblem {
                    field: "person_id".to_owned(),
                    code: h.id.to_string(),
                    message: format!("{} {}", h.first_name, h.last_name),
                })
                .collect(),
        ),
        ServiceError::ErasureBlocked(ids) => (
            StatusCode::CONFLICT,
            "erasure_blocked",
            msg(
                "Un mandat est en cours : révoquez-le d'abord, puis effacez le dossier.",
                "A mandate is in force: revoke it first, then erase the file.",
            ),
            ids.iter()
                .map(|id| FieldProblem {
                    field: "mandate_id".to_owned(),
                    code: id.to_string(),
                    message: msg("Mandat en cours", "Mandate in force"),
                })
                .collect(),
        ),
        ServiceError::Conflict(f) => (
            StatusCode::CONFLICT,
            "conflict",
            lang.field_error(f.code),
            vec![FieldProblem {
                field: f.field.to_owned(),
                code: f.code.to_owned(),
                message: lang.field_error(f.code),
            }],
        ),
        ServiceError::PolicyUnreadable(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "policy_unreadable",
            lang.t("error-policy-unreadable"),
            vec![],
        ),
        ServiceError::Store(_) | ServiceError::Internal(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            msg("Erreur interne.", "Internal error."),
            vec![],
        ),
    };
    error_response(status, code, message, fields, reason)
}

fn error_response(
    status: StatusCode,
    code: &str,
    message: String,
    fields: Vec<FieldProblem>,
    reason: Option<String>,
) -> Response {
    (
        status,
        Json(ErrorBody {
            error: ErrorDetail {
                code: code.to_owned(),
                message,
                fields,
                reason,
            },
        }),
    )
        .into_response()
}

/// `422 invalid_input` for fields named by the client (an unknown field,
/// a repeated query parameter…), with each code's message.
pub fn invalid_input(fields: &[(&str, &'static str)], lang: Lang) -> Response {
    let message = match lang {
        Lang::Fr => "Données invalides.",
        Lang::En => "Invalid input.",
    };
    error_response(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
        message.to_owned(),
        fields
            .iter()
            .map(|(field, code)| FieldProblem {
                field: (*field).to_owned(),
                code: (*code).to_owned(),
                message: lang.field_error(code),
            })
            .collect(),
        None,
    )
}

/// The documented error body for a status that no use case chose (axum's
/// own answers: an unknown method, a body too large…).
pub fn api_status_error(status: StatusCode, lang: Lang) -> Response {
    let (code, fr, en) = match status {
        StatusCode::BAD_REQUEST => ("bad_request", "Requête invalide.", "Bad request."),
        StatusCode::UNAUTHORIZED => (
            "unauthorized",
            "Jeton d'API absent, invalide ou révoqué.",
            "Missing, invalid or revoked API token.",
        ),
        StatusCode::NOT_FOUND => ("not_found", "Introuvable.", "Not found."),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "Méthode non permise sur ce chemin.",
            "Method not allowed on this path.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "payload_too_large",
            "Le corps de la requête est trop gros.",
            "The request body is too large.",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "json_content_type",
            "Envoyez le corps en JSON (Content-Type: application/json).",
            "Send the body as JSON (Content-Type: application/json).",
        ),
        StatusCode::UNPROCESSABLE_ENTITY => {
            ("invalid_input", "Données invalides.", "Invalid input.")
        }
        s if s.is_server_error() => ("internal", "Erreur interne.", "Internal error."),
        _ => ("error", "Requête refusée.", "Request refused."),
    };
    let message = match lang {
        Lang::Fr => fr,
        Lang::En => en,
    };
    error_response(status, code, message.to_owned(), Vec::new(), None)
}

/// Under `/api/`, every error answer is the documented JSON body: an
/// error that is not JSON (one of axum's own rejections, an unknown
/// method) is replaced by the body for its status.
pub async fn api_json_errors(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let lang = req
        .extensions()
        .get::<Ctx>()
        .map(|c| c.lang)
        .or_else(|| {
            req.headers()
                .get(axum::http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_default();
    let res = next.run(req).await;
    if let Some(Unwritten(e)) = res.extensions().get::<Unwritten>().cloned() {
        let (parts, _) = res.into_parts();
        return Response::from_parts(parts, api_error(&e, lang).into_body());
    }
    let status = res.status();
    let is_json = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if (status.is_client_error() || status.is_server_error()) && !is_json {
        let mut out = api_status_error(status, lang);
        if let Some(allow) = res.headers().get(axum::http::header::ALLOW) {
            out.headers_mut()
                .insert(axum::http::header::ALLOW, allow.clone());
        }
        return out;
    }
    res
}
