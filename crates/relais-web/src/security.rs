//! What wraps every response, as `tower-http` layers: security headers,
//! a request id (taken from `X-Request-Id` or made, sent back, and put on
//! the request's log span with its method and route pattern — never its
//! path, which may hold a one-time token), gzip compression and a timeout.

use crate::{AppState, WebConfig};
use axum::extract::{MatchedPath, Request};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::Router;
use std::time::Duration;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
                   base-uri 'none'";

/// How long a request may take before its answer starts (408 after);
/// downloads then stream without limit. Long enough for a large import
/// on a slow line.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(180);

/// The `Cache-Control` of the static files (set by their handlers; every
/// other response that does not say otherwise gets `no-store`: pages may
/// show personal data).
pub const STATIC_CACHE: &str = "public, max-age=3600";

fn always(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}

/// The request's log span: method, route pattern and request id.
fn span(req: &Request) -> tracing::Span {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str)
        .unwrap_or("-");
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("request", method = %req.method(), route, request_id = id)
}

/// Wraps every route (and the fallback) of `router` in the layers above.
pub fn layers(router: Router<AppState>, config: &WebConfig) -> Router<AppState> {
    // Files that are compressed already are sent as they are.
    let compressible = DefaultPredicate::new()
        .and(NotForContentType::const_new("application/pdf"))
        .and(NotForContentType::const_new(
            "application/vnd.openxmlformats",
        ))
        .and(NotForContentType::const_new("application/vnd.oasis"))
        .and(NotForContentType::const_new("application/zip"));
    let hsts = config
        .tls
        .then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    router
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(
            CompressionLayer::new()
                .gzip(true)
                .compress_when(compressible),
        )
        .layer(always(CONTENT_SECURITY_POLICY, CSP))
        .layer(always(X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(always(X_FRAME_OPTIONS, "DENY"))
        // One-time links carry their token in the path: never send it to
        // another site.
        .layer(always(REFERRER_POLICY, "same-origin"))
        .layer(always(
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=()",
        ))
        .layer(always(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            STRICT_TRANSPORT_SECURITY,
            hsts,
        ))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(span))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}
