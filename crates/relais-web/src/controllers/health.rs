use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;

/// Liveness and database check.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "health",
    responses(
        (status = 200, description = "The server and its database answer", body = String, content_type = "text/plain"),
        (status = 503, description = "The database does not answer", body = String, content_type = "text/plain")
    )
)]
pub async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.services.health().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
