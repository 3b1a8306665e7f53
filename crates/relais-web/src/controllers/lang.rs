use crate::context::{set_cookie, Ctx};
use crate::i18n::{Lang, LANG_COOKIE};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct LangQuery {
    #[serde(default)]
    next: String,
}

/// Only local paths are followed, so the switch cannot send anyone away.
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/"
    }
}

pub async fn switch_lang(
    State(state): State<AppState>,
    Extension(_ctx): Extension<Ctx>,
    Path(code): Path<String>,
    Query(q): Query<LangQuery>,
) -> Response {
    let lang = Lang::parse(&code).unwrap_or_default();
    let mut r = Redirect::to(safe_next(&q.next)).into_response();
    r.headers_mut().append(
        SET_COOKIE,
        set_cookie(
            LANG_COOKIE,
            lang.code(),
            Some(31_536_000),
            false,
            state.config.tls,
        ),
    );
    r
}

#[cfg(test)]
mod tests {
    #[test]
    fn next_stays_local() {
        assert_eq!(super::safe_next("/account"), "/account");
        assert_eq!(super::safe_next("//evil.example"), "/");
        assert_eq!(super::safe_next("https://evil.example"), "/");
        assert_eq!(super::safe_next("/\\evil"), "/");
    }
}
