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

pub async fn switch_lang(
    State(state): State<AppState>,
    Extension(_ctx): Extension<Ctx>,
    Path(code): Path<String>,
    Query(q): Query<LangQuery>,
) -> Response {
    let lang = Lang::parse(&code).unwrap_or_default();
    let mut r = Redirect::to(&crate::ui::safe_next(&q.next)).into_response();
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
