//! The web interface of relais: server-rendered HTML pages for people, a
//! JSON API for programs. Handlers parse input, call one use case of
//! `relais-service`, and render; no business rule lives here.
#![forbid(unsafe_code)]

mod context;
mod controllers;
mod csrf;
mod error;
pub mod openapi;
mod ratelimit;
mod refusal;
mod routes;
mod security;
mod stats_view;
mod tabular;
mod ui;

pub use relais_present::Lang;
pub(crate) use relais_present::{documents, i18n};
pub use routes::{routes, Access, RouteSpec};

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

/// Method (lower case) and path of every operation of the JSON API, as
/// the router serves them.
pub fn api_operations() -> Vec<(String, String)> {
    routes()
        .iter()
        .filter(|r| r.path.starts_with("/api/"))
        .map(|r| (r.method.as_str().to_ascii_lowercase(), r.path.to_string()))
        .collect()
}

/// All routes of the application.
pub fn router(state: AppState) -> Router {
    let router = routes::router(&state)
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn(error::api_json_errors))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            context::request_context,
        ));
    security::layers(router, &state.config).with_state(state)
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
