//! CSRF protection for every form: a token per session (or, before
//! sign-in, per browser cookie) that each form carries back, compared in
//! constant time; plus a same-origin check of `Origin` when sent.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::header::{CONTENT_TYPE, HOST, ORIGIN};
use rand::RngCore;

const MAX_FORM_BYTES: usize = 1024 * 1024;

pub fn new_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn origin_ok(req: &Request, tls: bool) -> bool {
    let Some(origin) = req.headers().get(ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    if origin == "null" {
        // Privacy settings may hide the origin; the token still decides.
        return true;
    }
    let Some(host) = req.headers().get(HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host_part = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .unwrap_or_default();
    let _ = tls;
    host_part == host
}

/// Reads the form body, checks its `csrf` field, and gives the request
/// back with the same body for the handler.
pub async fn check_form(req: Request, expected: &str, tls: bool) -> Result<Request, ()> {
    if !origin_ok(&req, tls) {
        return Err(());
    }
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if content_type.starts_with("multipart/form-data") {
        // File uploads carry the token in the form's action URL.
        let sent = url::form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        return if !sent.is_empty() && same(&sent, expected) {
            Ok(req)
        } else {
            Err(())
        };
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err(());
    }
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, MAX_FORM_BYTES).await.map_err(|_| ())?;
    let sent = url::form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    if sent.is_empty() || !same(&sent, expected) {
        return Err(());
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}
