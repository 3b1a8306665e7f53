use crate::security::STATIC_CACHE;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;

const CSS: &str = include_str!("../../assets/relais.css");

pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, STATIC_CACHE),
        ],
        CSS,
    )
}

const JS: &str = include_str!("../../assets/relais.js");

pub async fn script() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, STATIC_CACHE),
        ],
        JS,
    )
}

const SIGNATURE_JS: &str = include_str!("../../assets/signature.js");

pub async fn signature_script() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, STATIC_CACHE),
        ],
        SIGNATURE_JS,
    )
}
