//! The web interface of relais: server-rendered HTML pages for people, a
//! JSON API for programs. Handlers parse input, call one use case of
//! `relais-service`, and render; no business rule lives here.
#![forbid(unsafe_code)]

mod context;
mod controllers;
mod csrf;
mod documents;
mod error;
mod i18n;
pub mod openapi;
mod ratelimit;
mod refusal;
mod security;
mod stats_view;
mod tabular;
mod ui;

pub use controllers::exports::monthly_report_pdf;
pub use i18n::Lang;

use axum::http::Method;
use axum::routing::{self, get, post, MethodRouter};
use axum::Router;
use relais_service::Services;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` and send HSTS: set when relais is reached
    /// over HTTPS (directly or through a TLS-terminating proxy).
    pub tls: bool,
    /// Sign-in attempts allowed per client address within `login_window`.
    pub login_attempts_per_ip: u32,
    pub login_window: Duration,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            tls: false,
            login_attempts_per_ip: 30,
            login_window: Duration::from_secs(300),
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub config: Arc<WebConfig>,
    pub(crate) limiter: Arc<ratelimit::RateLimiter>,
    /// Requests to the public mandate pages per client address.
    pub(crate) public_limiter: Arc<ratelimit::RateLimiter>,
}

impl AppState {
    pub fn new(services: Services, config: WebConfig) -> Self {
        let limiter =
            ratelimit::RateLimiter::new(config.login_attempts_per_ip, config.login_window);
        Self {
            services,
            config: Arc::new(config),
            limiter: Arc::new(limiter),
            public_limiter: Arc::new(ratelimit::RateLimiter::new(120, Duration::from_secs(300))),
        }
    }
}

/// One operation of the JSON API: method, path, handler.
type ApiRoute = (Method, &'static str, MethodRouter<AppState>);

/// Every operation of the JSON API. The router serves exactly these, and
/// [`api_operations`] lists them for the check against the OpenAPI
/// document.
fn api_routes() -> Vec<ApiRoute> {
    use controllers::*;
    vec![
        (
            Method::PUT,
            "/api/v1/persons/{id}/reminder-consent",
            routing::put(api_catalog::put_reminder_consent),
        ),
        (
            Method::GET,
            "/api/v1/openapi.json",
            routing::get(api::openapi_json),
        ),
        (Method::GET, "/api/v1/me", routing::get(api::me)),
        (
            Method::GET,
            "/api/v1/persons",
            routing::get(api_desk::list_persons),
        ),
        (
            Method::POST,
            "/api/v1/persons",
            routing::post(api_desk::create_person),
        ),
        (
            Method::GET,
            "/api/v1/persons/{id}",
            routing::get(api_desk::get_person),
        ),
        (
            Method::PATCH,
            "/api/v1/persons/{id}",
            routing::patch(api_desk::patch_person),
        ),
        (
            Method::GET,
            "/api/v1/help-requests",
            routing::get(api_desk::list_help_requests),
        ),
        (
            Method::POST,
            "/api/v1/help-requests",
            routing::post(api_desk::create_help_request),
        ),
        (
            Method::GET,
            "/api/v1/help-requests/{id}",
            routing::get(api_desk::get_help_request),
        ),
        (
            Method::PATCH,
            "/api/v1/help-requests/{id}",
            routing::patch(api_desk::patch_help_request),
        ),
        (
            Method::POST,
            "/api/v1/help-requests/{id}/interventions",
            routing::post(api_desk::create_intervention),
        ),
        (
            Method::POST,
            "/api/v1/follow-ups",
            routing::post(api_desk::create_follow_up),
        ),
        (
            Method::GET,
            "/api/v1/mandates",
            routing::get(api_mandates::list_mandates),
        ),
        (
            Method::POST,
            "/api/v1/mandates",
            routing::post(api_mandates::create_mandate),
        ),
        (
            Method::GET,
            "/api/v1/mandates/{id}",
            routing::get(api_mandates::get_mandate),
        ),
        (
            Method::GET,
            "/api/v1/mandates/{id}/document.pdf",
            routing::get(api_mandates::mandate_document),
        ),
        (
            Method::POST,
            "/api/v1/mandates/{id}/sign",
            // A scan of up to 10 MB, base64, in its JSON body.
            routing::post(api_mandates::sign_mandate)
                .layer(axum::extract::DefaultBodyLimit::max(15 * 1024 * 1024)),
        ),
        (
            Method::POST,
            "/api/v1/mandates/{id}/revoke",
            routing::post(api_mandates::revoke_mandate),
        ),
        (
            Method::POST,
            "/api/v1/mandates/{id}/renew",
            routing::post(api_mandates::renew_mandate),
        ),
        (
            Method::GET,
            "/api/v1/policy",
            routing::get(api_mandates::get_policy),
        ),
        (
            Method::PUT,
            "/api/v1/policy",
            routing::put(api_mandates::put_policy),
        ),
        (
            Method::GET,
            "/api/v1/persons/{id}/private-notes",
            routing::get(api_privacy::list_private_notes),
        ),
        (
            Method::POST,
            "/api/v1/persons/{id}/private-notes",
            routing::post(api_privacy::create_private_note),
        ),
        (
            Method::DELETE,
            "/api/v1/persons/{id}/private-notes/{note}",
            routing::delete(api_privacy::delete_private_note),
        ),
        (
            Method::GET,
            "/api/v1/persons/{id}/subject-access",
            routing::get(api_privacy::subject_access),
        ),
        (
            Method::POST,
            "/api/v1/persons/{id}/erase",
            routing::post(api_privacy::erase),
        ),
        (
            Method::POST,
            "/api/v1/persons/{id}/keep",
            routing::post(api_privacy::keep),
        ),
        (
            Method::GET,
            "/api/v1/retention",
            routing::get(api_privacy::retention),
        ),
        (
            Method::GET,
            "/api/v1/procedures",
            routing::get(api_catalog::list_procedures),
        ),
        (
            Method::POST,
            "/api/v1/procedures",
            routing::post(api_catalog::create_local_procedure),
        ),
        (
            Method::GET,
            "/api/v1/procedures/{id}",
            routing::get(api_catalog::get_procedure),
        ),
        (
            Method::DELETE,
            "/api/v1/procedures/{id}",
            routing::delete(api_catalog::delete_local_procedure),
        ),
        (
            Method::PUT,
            "/api/v1/procedures/{id}/settings",
            routing::put(api_catalog::put_procedure_settings),
        ),
        (
            Method::GET,
            "/api/v1/operators",
            routing::get(api_catalog::list_operators),
        ),
        (
            Method::GET,
            "/api/v1/communes",
            routing::get(api_catalog::list_communes),
        ),
        (
            Method::GET,
            "/api/v1/places",
            routing::get(api_places::list_places),
        ),
        (
            Method::POST,
            "/api/v1/places",
            routing::post(api_places::create_place),
        ),
        (
            Method::POST,
            "/api/v1/places/import",
            routing::post(api_places::import_places)
                .layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024)),
        ),
        (
            Method::GET,
            "/api/v1/places/{id}",
            routing::get(api_places::get_place),
        ),
        (
            Method::PUT,
            "/api/v1/places/{id}",
            routing::put(api_places::put_place),
        ),
        (
            Method::GET,
            "/api/v1/exports/places",
            routing::get(api_places::export_places),
        ),
        (
            Method::GET,
            "/api/v1/referrals",
            routing::get(api_places::list_referrals),
        ),
        (
            Method::POST,
            "/api/v1/referrals",
            routing::post(api_places::create_referral),
        ),
        (
            Method::GET,
            "/api/v1/referrals/{id}",
            routing::get(api_places::get_referral),
        ),
        (
            Method::PATCH,
            "/api/v1/referrals/{id}",
            routing::patch(api_places::patch_referral),
        ),
        (
            Method::GET,
            "/api/v1/referrals/{id}/slip.pdf",
            routing::get(api_places::referral_slip),
        ),
        (
            Method::GET,
            "/api/v1/channels",
            routing::get(api_catalog::list_channels),
        ),
        (
            Method::PUT,
            "/api/v1/operators/{id}/channels",
            routing::put(api_catalog::put_channel),
        ),
        (
            Method::DELETE,
            "/api/v1/operators/{id}/channels",
            routing::delete(api_catalog::delete_channel),
        ),
        (
            Method::GET,
            "/api/v1/notifications",
            routing::get(api_catalog::list_notifications),
        ),
        (
            Method::POST,
            "/api/v1/notifications/read",
            routing::post(api_catalog::read_notifications),
        ),
        (
            Method::GET,
            "/api/v1/statistics",
            routing::get(api_privacy::statistics),
        ),
        (
            Method::GET,
            "/api/v1/stats",
            routing::get(api_privacy::stats),
        ),
        (
            Method::GET,
            "/api/v1/dashboard",
            routing::get(api_stats::dashboard),
        ),
        (
            Method::GET,
            "/api/v1/exports/stats",
            routing::get(api_stats::export_stats),
        ),
        (
            Method::GET,
            "/api/v1/exports/interventions",
            routing::get(api_stats::export_interventions),
        ),
        (
            Method::POST,
            "/api/v1/exports/interventions",
            routing::post(api_stats::export_interventions_with_names),
        ),
        (
            Method::GET,
            "/api/v1/exports/territory",
            routing::get(api_stats::export_territory),
        ),
        (
            Method::GET,
            "/api/v1/reports/monthly",
            routing::get(api_stats::monthly_report),
        ),
        (
            Method::PATCH,
            "/api/v1/follow-ups/{id}",
            routing::patch(api_desk::patch_follow_up),
        ),
    ]
}

/// Method (lower case) and path of every operation of the JSON API, as
/// the router serves them.
pub fn api_operations() -> Vec<(String, String)> {
    api_routes()
        .into_iter()
        .map(|(m, p, _)| (m.as_str().to_ascii_lowercase(), p.to_owned()))
        .collect()
}

/// All routes of the application.
pub fn router(state: AppState) -> Router {
    use controllers::*;
    let router = api_routes()
        .into_iter()
        .fold(Router::new(), |r, (_, path, handler)| {
            r.route(path, handler)
        });
    router
        .route("/", get(home::show_home))
        .route("/login", get(auth::show_login).post(auth::sign_in))
        .route("/login/totp", get(auth::show_totp).post(auth::verify_totp))
        .route("/logout", post(auth::sign_out))
        .route("/structure", post(home::switch_structure))
        .route("/account", get(account::show_account))
        .route("/account/password", post(account::change_password))
        .route(
            "/account/sessions/revoke-all",
            post(account::sign_out_everywhere),
        )
        .route("/account/tokens", post(account::create_token))
        .route("/account/calendar", post(account::create_calendar))
        .route("/account/calendar/revoke", post(account::revoke_calendar))
        .route("/calendar/{file}", get(account::calendar_feed))
        .route("/inbox", get(inbox::show_inbox))
        .route("/inbox/read", post(inbox::mark_all_read))
        .route("/inbox/{id}/read", post(inbox::mark_read))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route(
            "/account/totp",
            get(account::show_totp_setup).post(account::confirm_totp),
        )
        .route("/team", get(team::show_team))
        .route("/team/invite", post(team::invite_member))
        .route("/team/{id}/deactivate", post(team::deactivate_member))
        .route("/team/{id}/reactivate", post(team::reactivate_member))
        .route("/team/{id}/reset", post(team::create_reset_link))
        .route(
            "/invite/{token}",
            get(links::show_invite).post(links::accept_invite),
        )
        .route(
            "/reset/{token}",
            get(links::show_reset).post(links::accept_reset),
        )
        .route(
            "/join/{token}",
            get(links::show_join).post(links::answer_join),
        )
        .route(
            "/admin/structures",
            get(structures::list_structures).post(structures::create_structure),
        )
        .route(
            "/intake",
            get(intake::show_intake).post(intake::record_intake),
        )
        .route("/persons", get(persons::list_persons))
        .route("/persons/search", get(intake::search_fragment))
        .route("/procedures/pick", get(intake::procedure_fragment))
        .route("/procedures/search", get(intake::procedure_search))
        .route("/session/ping", get(intake::session_ping))
        .route("/communes/lookup", get(intake::commune_lookup))
        .route(
            "/persons/new",
            get(persons::new_person).post(persons::create_person),
        )
        .route("/persons/{id}", get(persons::show_person))
        .route(
            "/persons/{id}/edit",
            get(persons::edit_person).post(persons::update_person),
        )
        .route("/persons/{id}/accounts", post(persons::save_accounts))
        .route("/persons/{id}/merge", post(persons::merge_person))
        .route(
            "/persons/{id}/private-notes",
            post(privacy::add_private_note),
        )
        .route(
            "/persons/{id}/private-notes/{note}/delete",
            post(privacy::delete_private_note),
        )
        .route(
            "/persons/{id}/subject-access.pdf",
            get(privacy::subject_access_pdf),
        )
        .route(
            "/persons/{id}/subject-access.json",
            get(privacy::subject_access_json),
        )
        .route(
            "/persons/{id}/erase",
            get(privacy::show_erase).post(privacy::erase),
        )
        .route("/persons/{id}/keep", post(privacy::keep_file))
        .route(
            "/persons/{id}/reminders",
            post(persons::save_reminder_consent),
        )
        .route("/privacy/retention", get(privacy::show_retention))
        .route(
            "/structure/privacy-notice.pdf",
            get(privacy::privacy_notice_pdf),
        )
        .route("/requests", get(requests::list_requests))
        .route("/requests/{id}", get(requests::show_request))
        .route(
            "/requests/{id}/interventions",
            post(requests::add_intervention),
        )
        .route("/requests/{id}/follow-ups", post(requests::add_follow_up))
        .route("/requests/{id}/status", post(requests::update_status))
        .route("/follow-ups/{id}/done", post(requests::follow_up_done))
        .route("/requests/{id}/refer", get(places::show_refer))
        .route("/requests/{id}/referrals", post(places::create_referral))
        .route("/referrals/{id}/status", post(places::update_referral))
        .route("/referrals/{id}/slip.pdf", get(places::referral_slip))
        .route("/places", get(places::show_places))
        .route(
            "/places/own",
            get(places::show_own_places).post(places::create_own_place),
        )
        .route("/places/own/export", get(places::export_own_places))
        .route(
            "/places/own/{id}",
            get(places::edit_own_place).post(places::update_own_place),
        )
        .route(
            "/places/import",
            get(places::show_import)
                .post(places::run_import)
                .layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024)),
        )
        .route("/places/{id}", get(places::show_place))
        .route("/persons/{id}/mandates/new", get(mandates::new_mandate))
        .route("/persons/{id}/mandates", post(mandates::create_mandate))
        .route("/mandates", get(mandates::list_mandates))
        .route("/mandates/{id}", get(mandates::show_mandate))
        .route(
            "/mandates/{id}/sign",
            // Scans of up to 10 MB, with the form around them.
            post(mandates::sign_mandate)
                .layer(axum::extract::DefaultBodyLimit::max(11 * 1024 * 1024)),
        )
        .route("/mandates/{id}/send-code", post(mandates::send_code))
        .route("/mandates/{id}/revoke", post(mandates::revoke_mandate))
        .route("/mandates/{id}/renew", post(mandates::renew_mandate))
        .route(
            "/mandates/{id}/document.pdf",
            get(mandates::mandate_document),
        )
        .route(
            "/mandates/{id}/revocation.pdf",
            get(mandates::revocation_document),
        )
        .route("/v/{code}", get(mandates::verify))
        .route("/v/{code}/details", post(mandates::verify_details))
        .route("/v/{code}/consent", post(mandates::verify_consent))
        .route("/v/{code}/revoke", post(mandates::verify_revoke))
        .route(
            "/structure/policy",
            get(mandates::show_policy).post(mandates::save_policy),
        )
        .route("/structure/charter.pdf", get(mandates::charter_pdf))
        .route("/structure/catalogue", get(catalogue::show_catalogue))
        .route(
            "/structure/operators/{id}/channels",
            post(catalogue::save_channel),
        )
        .route(
            "/structure/procedures/settings",
            post(catalogue::save_settings),
        )
        .route("/structure/procedures", post(catalogue::add_local))
        .route(
            "/structure/procedures/{id}/delete",
            post(catalogue::delete_local),
        )
        .route("/lang/{code}", get(lang::switch_lang))
        .route("/static/relais.css", get(assets::stylesheet))
        .route("/static/relais.js", get(assets::script))
        .route("/static/signature.js", get(assets::signature_script))
        .route("/healthz", get(health::healthz))
        .route("/stats", get(stats::show_stats))
        .route("/stats/export", get(stats::export_tables))
        .route(
            "/stats/interventions",
            get(stats::export_interventions).post(stats::export_interventions_with_names),
        )
        .route("/stats/territory", get(stats::export_territory))
        .route("/stats/report.pdf", get(stats::report_pdf))
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn(error::api_json_errors))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            context::request_context,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::security_headers,
        ))
        .with_state(state)
}

/// Serves the application on an already bound listener (so that tests can
/// bind port 0), until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
