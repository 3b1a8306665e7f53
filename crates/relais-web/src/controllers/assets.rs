use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

const CSS: &str = include_str!("../../assets/relais.css");

pub async fn stylesheet() -> impl IntoResponse {
    ([(CONTENT_TYPE, "text/css; charset=utf-8")], CSS)
}
