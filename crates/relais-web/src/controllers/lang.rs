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

/// Only a path of this site is followed, so the switch cannot send anyone
/// away. The value is parsed as a URL reference against a placeholder
/// origin, the way a browser would read it (tabs and new lines dropped,
/// backslashes read as slashes, `//host` naming another host); anything
/// that lands on another origin gives `/`. What is returned is the parsed
/// path and query, never the string as it came.
fn safe_next(next: &str) -> String {
    let Ok(base) = url::Url::parse("http://relais.invalid/") else {
        return "/".to_owned();
    };
    match base.join(next) {
        Ok(u) if u.origin() == base.origin() && u.username().is_empty() => {
            let mut out = u.path().to_owned();
            if let Some(q) = u.query() {
                out.push('?');
                out.push_str(q);
            }
            // A path that starts with two slashes would be read by the
            // browser as another host: collapse it.
            if out.starts_with("//") {
                "/".to_owned()
            } else {
                out
            }
        }
        _ => "/".to_owned(),
    }
}

/// A path of this site to come back to (`return_to`): only a local path,
/// starting with one `/`, that stays on this site once read the way a
/// browser reads it; anything else is ignored.
pub(crate) fn local_path(raw: &str) -> Option<String> {
    if !raw.starts_with('/') || raw.starts_with("//") {
        return None;
    }
    let safe = safe_next(raw);
    (safe != "/" || raw == "/").then_some(safe)
}

pub async fn switch_lang(
    State(state): State<AppState>,
    Extension(_ctx): Extension<Ctx>,
    Path(code): Path<String>,
    Query(q): Query<LangQuery>,
) -> Response {
    let lang = Lang::parse(&code).unwrap_or_default();
    let mut r = Redirect::to(&safe_next(&q.next)).into_response();
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
        use super::safe_next;
        assert_eq!(safe_next("/account"), "/account");
        assert_eq!(safe_next("/requests?status=open"), "/requests?status=open");
        assert_eq!(safe_next(""), "/");
        for evil in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "/%09/evil.example/x",
            "/\t/evil.example/x",
            "\t//evil.example",
            "/\n/evil.example",
            "http:evil.example",
            "javascript:alert(1)",
            "//user@evil.example",
            "https://relais.invalid@evil.example/",
        ] {
            let got = safe_next(evil);
            // Read again the way the browser reads a Location header, the
            // result stays on this site.
            let base = url::Url::parse("http://relais.invalid/").unwrap();
            let again = base.join(&got).unwrap();
            assert_eq!(again.origin(), base.origin(), "{evil:?} gave {got:?}");
            assert!(!got.starts_with("//"), "{evil:?} gave {got:?}");
        }
        // The decoded form of `/%09/evil.example/x` (what the query gives).
        assert_eq!(safe_next("/\t/evil.example/x"), "/");
    }

    #[test]
    fn return_to_is_a_local_path_or_nothing() {
        use super::local_path;
        assert_eq!(
            local_path("/intake?person_id=1&draft=2").as_deref(),
            Some("/intake?person_id=1&draft=2")
        );
        assert_eq!(local_path("/").as_deref(), Some("/"));
        for evil in [
            "",
            "intake",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
        ] {
            assert_eq!(local_path(evil), None, "{evil:?}");
        }
    }
}
