//! Per-request context: language, session, CSRF token, client address.
//! Loaded once by a middleware and handed to handlers as an extension.

use crate::csrf;
use crate::error::{render_error_page, ErrorPage};
use crate::i18n::{Lang, LANG_COOKIE};
use crate::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cookie::{Cookie, SameSite};
use relais_service::SessionContext;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

pub const SESSION_COOKIE: &str = "relais_session";
pub const CSRF_COOKIE: &str = "relais_csrf";

/// What a handler knows about the request besides its input.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub lang: Lang,
    pub session: Option<SessionContext>,
    /// The token every form of this page must carry back.
    pub csrf: String,
    pub path: String,
    pub query: String,
    pub ip: IpAddr,
    /// How long a session lasts without activity, in seconds (for the
    /// page's warning before it ends).
    pub session_idle_seconds: i64,
    /// The signed-in agent's unread reminders, for the top bar.
    pub unread_reminders: i64,
}

/// The value of the request's cookie `name`, if set and not empty.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value with the attributes every relais cookie shares:
/// the whole site, `SameSite=Lax`, `Secure` over HTTPS.
pub fn set_cookie(
    name: &str,
    value: &str,
    max_age: Option<i64>,
    http_only: bool,
    tls: bool,
) -> HeaderValue {
    let mut c = Cookie::build((name.to_owned(), value.to_owned()))
        .path("/")
        .same_site(SameSite::Lax)
        .http_only(http_only)
        .secure(tls);
    if let Some(age) = max_age {
        c = c.max_age(cookie::time::Duration::seconds(age));
    }
    HeaderValue::from_str(&c.build().to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

pub async fn request_context(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    let path = req.uri().path().to_owned();
    if path.starts_with("/static/") || path == "/healthz" {
        return next.run(req).await;
    }
    let is_api = path.starts_with("/api/");
    // Pages are French unless the visitor chose otherwise; programs using
    // the API may ask for English with Accept-Language.
    let chosen = cookie(headers, LANG_COOKIE)
        .as_deref()
        .and_then(Lang::parse);
    let lang = if is_api {
        chosen.or_else(|| {
            headers
                .get(ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
    } else {
        chosen
    }
    .unwrap_or_default();
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));

    let mut session = None;
    if !is_api {
        if let Some(token) = cookie(headers, SESSION_COOKIE) {
            match state.services.session(&token).await {
                Ok(s) => session = s,
                Err(e) => {
                    tracing::error!(error = %e, "session lookup failed");
                    return render_error_page(&state, lang, None, ErrorPage::Internal, &path);
                }
            }
        }
    }
    let anon_cookie = cookie(headers, CSRF_COOKIE);
    let mut new_anon_cookie = None;
    let csrf_token = match (&session, &anon_cookie) {
        (Some(s), _) => s.csrf_token.clone(),
        (None, Some(c)) => c.clone(),
        (None, None) => {
            let t = csrf::new_token();
            new_anon_cookie = Some(t.clone());
            t
        }
    };
    let query = req.uri().query().unwrap_or_default().to_owned();
    // One COUNT per page for the inbox link of the top bar.
    let unread_reminders = match session.as_ref().and_then(|s| s.actor.as_ref()) {
        Some(actor) => state
            .services
            .unread_reminders(actor)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "counting unread reminders failed");
                0
            }),
        None => 0,
    };
    let ctx = Ctx {
        lang,
        session: session.clone(),
        csrf: csrf_token.clone(),
        path: path.clone(),
        query: query.clone(),
        ip,
        session_idle_seconds: state.services.config().session_idle.num_seconds(),
        unread_reminders,
    };

    let refused = Refused::of(&req, session.is_none());
    let mut req = req;
    // Forms (not the bearer-token API) must carry the page's CSRF token.
    if req.method() == axum::http::Method::POST && !is_api {
        match csrf::check_form(req, &csrf_token, state.config.tls).await {
            Ok(r) => req = r,
            Err(()) => {
                return render_error_page(
                    &state,
                    lang,
                    session.as_ref(),
                    refused.page,
                    &refused.back,
                )
            }
        }
    }
    req.extensions_mut().insert(ctx);
    let is_get = req.method() == axum::http::Method::GET;
    let mut resp = next.run(req).await;
    if is_get && !is_api {
        come_back_after_sign_in(&mut resp, &path, &query);
    }
    if let Some(page) = resp.extensions().get::<ErrorPage>().copied() {
        let status = resp.status();
        let mut r = render_error_page(&state, lang, session.as_ref(), page, &path);
        *r.status_mut() = status;
        for v in resp.headers().get_all(SET_COOKIE) {
            r.headers_mut().append(SET_COOKIE, v.clone());
        }
        resp = r;
    }
    if let Some(t) = new_anon_cookie {
        resp.headers_mut().append(
            SET_COOKIE,
            set_cookie(CSRF_COOKIE, &t, None, true, state.config.tls),
        );
    }
    resp.into_response()
}

/// The local path (and query) of a same-site page address, as a place to
/// come back to; `None` for anything else.
fn referer_path(referer: &str) -> Option<String> {
    let url = url::Url::parse(referer).ok()?;
    let mut p = url.path().to_owned();
    if let Some(q) = url.query() {
        p.push('?');
        p.push_str(q);
    }
    crate::ui::local_path(&p)
}

/// A page asked for without a session (it ended, or never began): the
/// sign-in comes back to it.
fn come_back_after_sign_in(resp: &mut Response, path: &str, query: &str) {
    if resp
        .extensions()
        .get::<crate::error::SignInRequired>()
        .is_none()
    {
        return;
    }
    let wanted = if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    };
    if let Ok(v) = HeaderValue::from_str(&crate::ui::with_next("/login", &wanted)) {
        resp.headers_mut().insert(axum::http::header::LOCATION, v);
    }
}

/// What a form refused by the CSRF check is told.
struct Refused {
    page: ErrorPage,
    /// The page the form was on, to come back to.
    back: String,
}

impl Refused {
    /// A session cookie whose session has ended: say so, and offer to sign
    /// in again and come back to the page the form was on (its draft is
    /// kept in the browser). Otherwise the form is from an earlier session.
    fn of(req: &Request, no_session: bool) -> Self {
        let had_session_cookie = cookie(req.headers(), SESSION_COOKIE).is_some();
        let referer = req
            .headers()
            .get(axum::http::header::REFERER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        Refused {
            page: if no_session && had_session_cookie {
                ErrorPage::SessionExpired
            } else {
                ErrorPage::Csrf
            },
            back: referer_path(referer).unwrap_or_else(|| "/".to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_from_every_cookie_header() {
        let mut h = HeaderMap::new();
        h.append(COOKIE, HeaderValue::from_static("a=1; relais_lang=en"));
        h.append(
            COOKIE,
            HeaderValue::from_static("relais_session=abc=def; empty="),
        );
        assert_eq!(cookie(&h, LANG_COOKIE).as_deref(), Some("en"));
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc=def"));
        assert_eq!(cookie(&h, "empty"), None);
        assert_eq!(cookie(&h, CSRF_COOKIE), None);
    }

    #[test]
    fn cookies_are_set_with_the_shared_attributes() {
        let set = |age, http_only, tls| {
            let v = set_cookie("relais_session", "tok", age, http_only, tls);
            let text = v.to_str().unwrap_or_default().to_owned();
            let mut parts: Vec<String> = text.split("; ").map(str::to_owned).collect();
            parts.sort();
            parts.join("; ")
        };
        assert_eq!(
            set(None, true, false),
            "HttpOnly; Path=/; SameSite=Lax; relais_session=tok"
        );
        assert_eq!(
            set(Some(0), true, true),
            "HttpOnly; Max-Age=0; Path=/; SameSite=Lax; Secure; relais_session=tok"
        );
        assert_eq!(
            set(Some(31_536_000), false, false),
            "Max-Age=31536000; Path=/; SameSite=Lax; relais_session=tok"
        );
    }
}
