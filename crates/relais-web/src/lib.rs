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
mod security;
mod stats_view;
mod tabular;
mod ui;

pub use controllers::exports::monthly_report_pdf;
pub use i18n::Lang;

use axum::routing::{get, post};
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

/// All routes of the application.
pub fn router(state: AppState) -> Router {
    use controllers::*;
    Router::new()
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
        .route(
            "/api/v1/persons/{id}/reminder-consent",
            axum::routing::put(api_catalog::put_reminder_consent),
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
            "/structure/procedures/{id}/settings",
            post(catalogue::save_setting),
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
        .route("/api/v1/openapi.json", get(api::openapi_json))
        .route("/api/v1/me", get(api::me))
        .route(
            "/api/v1/persons",
            get(api_desk::list_persons).post(api_desk::create_person),
        )
        .route(
            "/api/v1/persons/{id}",
            get(api_desk::get_person).patch(api_desk::patch_person),
        )
        .route(
            "/api/v1/help-requests",
            get(api_desk::list_help_requests).post(api_desk::create_help_request),
        )
        .route(
            "/api/v1/help-requests/{id}",
            get(api_desk::get_help_request).patch(api_desk::patch_help_request),
        )
        .route(
            "/api/v1/help-requests/{id}/interventions",
            post(api_desk::create_intervention),
        )
        .route("/api/v1/follow-ups", post(api_desk::create_follow_up))
        .route(
            "/api/v1/mandates",
            get(api_mandates::list_mandates).post(api_mandates::create_mandate),
        )
        .route("/api/v1/mandates/{id}", get(api_mandates::get_mandate))
        .route(
            "/api/v1/mandates/{id}/document.pdf",
            get(api_mandates::mandate_document),
        )
        .route(
            "/api/v1/mandates/{id}/sign",
            post(api_mandates::sign_mandate),
        )
        .route(
            "/api/v1/mandates/{id}/revoke",
            post(api_mandates::revoke_mandate),
        )
        .route(
            "/api/v1/mandates/{id}/renew",
            post(api_mandates::renew_mandate),
        )
        .route(
            "/api/v1/policy",
            get(api_mandates::get_policy).put(api_mandates::put_policy),
        )
        .route(
            "/api/v1/persons/{id}/private-notes",
            get(api_privacy::list_private_notes).post(api_privacy::create_private_note),
        )
        .route(
            "/api/v1/persons/{id}/private-notes/{note}",
            axum::routing::delete(api_privacy::delete_private_note),
        )
        .route(
            "/api/v1/persons/{id}/subject-access",
            get(api_privacy::subject_access),
        )
        .route("/api/v1/persons/{id}/erase", post(api_privacy::erase))
        .route("/api/v1/persons/{id}/keep", post(api_privacy::keep))
        .route("/api/v1/retention", get(api_privacy::retention))
        .route(
            "/api/v1/procedures",
            get(api_catalog::list_procedures).post(api_catalog::create_local_procedure),
        )
        .route(
            "/api/v1/procedures/{id}",
            get(api_catalog::get_procedure).delete(api_catalog::delete_local_procedure),
        )
        .route(
            "/api/v1/procedures/{id}/settings",
            axum::routing::put(api_catalog::put_procedure_settings),
        )
        .route("/api/v1/operators", get(api_catalog::list_operators))
        .route("/api/v1/communes", get(api_catalog::list_communes))
        .route(
            "/api/v1/places",
            get(api_places::list_places).post(api_places::create_place),
        )
        .route(
            "/api/v1/places/import",
            post(api_places::import_places)
                .layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024)),
        )
        .route(
            "/api/v1/places/{id}",
            get(api_places::get_place).put(api_places::put_place),
        )
        .route("/api/v1/exports/places", get(api_places::export_places))
        .route(
            "/api/v1/referrals",
            get(api_places::list_referrals).post(api_places::create_referral),
        )
        .route(
            "/api/v1/referrals/{id}",
            get(api_places::get_referral).patch(api_places::patch_referral),
        )
        .route(
            "/api/v1/referrals/{id}/slip.pdf",
            get(api_places::referral_slip),
        )
        .route("/api/v1/channels", get(api_catalog::list_channels))
        .route(
            "/api/v1/operators/{id}/channels",
            axum::routing::put(api_catalog::put_channel).delete(api_catalog::delete_channel),
        )
        .route(
            "/api/v1/notifications",
            get(api_catalog::list_notifications),
        )
        .route(
            "/api/v1/notifications/read",
            post(api_catalog::read_notifications),
        )
        .route("/api/v1/statistics", get(api_privacy::statistics))
        .route("/api/v1/stats", get(api_privacy::stats))
        .route("/api/v1/dashboard", get(api_stats::dashboard))
        .route("/api/v1/exports/stats", get(api_stats::export_stats))
        .route(
            "/api/v1/exports/interventions",
            get(api_stats::export_interventions).post(api_stats::export_interventions_with_names),
        )
        .route(
            "/api/v1/exports/territory",
            get(api_stats::export_territory),
        )
        .route("/api/v1/reports/monthly", get(api_stats::monthly_report))
        .route("/stats", get(stats::show_stats))
        .route("/stats/export", get(stats::export_tables))
        .route(
            "/stats/interventions",
            get(stats::export_interventions).post(stats::export_interventions_with_names),
        )
        .route("/stats/territory", get(stats::export_territory))
        .route("/stats/report.pdf", get(stats::report_pdf))
        .route(
            "/api/v1/follow-ups/{id}",
            axum::routing::patch(api_desk::patch_follow_up),
        )
        .fallback(error::not_found)
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
