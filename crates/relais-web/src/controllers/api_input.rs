//! Strict input of the JSON API: the one body extractor (`ApiJson`), the
//! one query-string extractor (`ApiQuery`) and the field types they read.
//! Every refusal answers the documented error body (`422 invalid_input`
//! naming the field), never axum's plain-text rejections:
//!
//! - a body that is not JSON (`invalid_json`), not sent as JSON
//!   (`json_content_type`) or not an object (`not_an_object`), all on the
//!   field `body`;
//! - a field of the wrong type (`invalid_type`) or value (`invalid_value`),
//!   a missing required field (`required`), an unknown field
//!   (`unknown_field`), each naming the field (`intervention.mode`,
//!   `equipment[1]`);
//! - in query strings, a repeated parameter (`repeated_parameter`), an
//!   unknown one (`unknown_parameter`) or a value of the wrong type
//!   (`invalid_value`), naming the parameter.

use super::api::api_lang;
use crate::error::{api_status_error, invalid_input, ApiError};
use crate::i18n::Lang;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::{DeserializeOwned, Visitor};
use serde::{Deserialize, Deserializer};
use std::collections::HashSet;
use std::fmt;

/// One refused input: the field (as the client spelled it, cut to 100
/// characters) and the code.
#[derive(Debug)]
pub struct InputError {
    pub field: String,
    pub code: &'static str,
    pub lang: Lang,
}

fn invalid(field: impl Into<String>, code: &'static str, lang: Lang) -> InputError {
    InputError {
        field: field.into().chars().take(100).collect(),
        code,
        lang,
    }
}

impl IntoResponse for InputError {
    fn into_response(self) -> Response {
        invalid_input(&[(self.field.as_str(), self.code)], self.lang)
    }
}

/// A JSON object body, read strictly (see the module's documentation).
pub struct ApiJson<T>(pub T);

fn is_json(headers: &HeaderMap) -> bool {
    let Some(ct) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let (parts, body) = req.into_parts();
        let lang = api_lang(&parts);
        if !is_json(&parts.headers) {
            return Err(invalid("body", "json_content_type", lang).into_response());
        }
        let req = Request::from_parts(parts, body);
        let bytes = match Bytes::from_request(req, state).await {
            Ok(b) => b,
            Err(BytesRejection::FailedToBufferBody(e))
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                return Err(api_status_error(StatusCode::PAYLOAD_TOO_LARGE, lang));
            }
            Err(_) => return Err(invalid("body", "invalid_json", lang).into_response()),
        };
        parse_body(&bytes, lang)
            .map(ApiJson)
            .map_err(IntoResponse::into_response)
    }
}

/// Parses a body: JSON, an object, then the type `T`.
pub(crate) fn parse_body<T: DeserializeOwned>(bytes: &[u8], lang: Lang) -> Result<T, InputError> {
    // A key given twice would be read as its last value, where a proxy or
    // a log may read the first: refused.
    if let Err(e) = serde_json::from_slice::<NoDuplicateKeys>(bytes) {
        let message = e.to_string();
        if let Some(key) = message
            .strip_prefix("duplicate key `")
            .and_then(|rest| rest.split('`').next())
        {
            return Err(invalid(key, "duplicate_key", lang));
        }
        return Err(invalid("body", "invalid_json", lang));
    }
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|_| invalid("body", "invalid_json", lang))?;
    if !value.is_object() {
        return Err(invalid("body", "not_an_object", lang));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let (field, code) = problem(&path, &e.inner().to_string(), "unknown_field");
        invalid(field, code, lang)
    })
}

/// Walks a JSON document and fails on the first object that names a key
/// twice (serde_json keeps the last one silently).
struct NoDuplicateKeys;

impl<'de> Deserialize<'de> for NoDuplicateKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoDuplicateKeysVisitor)
    }
}

struct NoDuplicateKeysVisitor;

impl<'de> Visitor<'de> for NoDuplicateKeysVisitor {
    type Value = NoDuplicateKeys;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        while a.next_element::<NoDuplicateKeys>()?.is_some() {}
        Ok(NoDuplicateKeys)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = a.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                let key: String = key.chars().take(100).collect();
                return Err(serde::de::Error::custom(format!("duplicate key `{key}`")));
            }
            a.next_value::<NoDuplicateKeys>()?;
        }
        Ok(NoDuplicateKeys)
    }
}

/// The field and code of a deserialisation error, from serde's path and
/// message (`unknown field `x``, `missing field `x``, `invalid type: …`).
fn problem(path: &str, message: &str, unknown: &'static str) -> (String, &'static str) {
    let named = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_owned)
    };
    let join = |name: String| {
        let parent = if path == "." { "" } else { path };
        if parent == name || parent.ends_with(&format!(".{name}")) {
            parent.to_owned()
        } else if parent.is_empty() {
            name
        } else {
            format!("{parent}.{name}")
        }
    };
    let path = if path == "." || path.is_empty() {
        "body".to_owned()
    } else {
        path.to_owned()
    };
    if let Some(name) = named("unknown field `") {
        return (join(name), unknown);
    }
    if let Some(name) = named("missing field `") {
        return (join(name), "required");
    }
    if message.starts_with("invalid type") {
        return (path, "invalid_type");
    }
    (path, "invalid_value")
}

/// A query string, read strictly (see the module's documentation).
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = InputError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, InputError> {
        let lang = api_lang(parts);
        parse_query(parts.uri.query().unwrap_or(""), lang).map(ApiQuery)
    }
}

pub(crate) fn parse_query<T: DeserializeOwned>(raw: &str, lang: Lang) -> Result<T, InputError> {
    let mut seen = HashSet::new();
    for (key, _) in form_urlencoded::parse(raw.as_bytes()) {
        if !seen.insert(key.clone()) {
            return Err(invalid(key.into_owned(), "repeated_parameter", lang));
        }
    }
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(raw.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let (field, code) = problem(&path, &e.inner().to_string(), "unknown_parameter");
        let code = if code == "invalid_type" {
            "invalid_value"
        } else {
            code
        };
        let field = if field == "body" {
            "query".to_owned()
        } else {
            field
        };
        invalid(field, code, lang)
    })
}

/// A page size: absent gives `default`; otherwise `1..=max`, or `422`
/// `invalid_value` on `limit`.
pub(crate) fn limit(v: Option<i64>, default: usize, max: usize) -> Result<usize, ApiError> {
    match v {
        None => Ok(default),
        Some(n) => usize::try_from(n)
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                ApiError(relais_domain::FieldError::new("limit", "invalid_value").into())
            }),
    }
}

// ---- field types -------------------------------------------------------------

/// A text field: a JSON string, or a number read as its text (`1961`);
/// `null` is no value (empty). A boolean, an array or an object is refused
/// (`invalid_type`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text(pub String);

impl Text {
    pub fn of(v: &Option<Text>) -> String {
        v.as_ref().map(|t| t.0.clone()).unwrap_or_default()
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string, a number or null")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text, E> {
        Ok(Text(v.to_owned()))
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Text, E> {
        Ok(Text(v))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Text, E> {
        Ok(Text(v.to_string()))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Text, E> {
        Ok(Text(v.to_string()))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Text, E> {
        Ok(Text(v.to_string()))
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Text, E> {
        Ok(Text::default())
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<Text, E> {
        Ok(Text::default())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Text, D::Error> {
        d.deserialize_any(TextVisitor)
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextVisitor)
    }
}

/// A yes/no field: `true`/`false`, the strings `"true"`, `"yes"`,
/// `"false"`, `"no"`, `""`, or `null` (no). Anything else is refused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flag(pub bool);

impl Flag {
    pub fn of(v: Option<Flag>) -> bool {
        v.is_some_and(|f| f.0)
    }
}

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bool(bool),
            Text(String),
            Null(()),
        }
        match Raw::deserialize(d) {
            Ok(Raw::Bool(b)) => Ok(Flag(b)),
            Ok(Raw::Null(())) => Ok(Flag(false)),
            Ok(Raw::Text(s)) => match s.trim() {
                "true" | "yes" => Ok(Flag(true)),
                "false" | "no" | "" => Ok(Flag(false)),
                _ => Err(serde::de::Error::custom(
                    "invalid value: expected true or false",
                )),
            },
            Err(_) => Err(serde::de::Error::custom(
                "invalid type: expected true or false",
            )),
        }
    }
}

/// A list of texts: an array of texts, a single text (one item), or
/// `null` (empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextList(pub Vec<String>);

impl<'de> Deserialize<'de> for TextList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Many(Vec<Text>),
            One(Text),
        }
        match Raw::deserialize(d) {
            Ok(Raw::Many(v)) => Ok(TextList(v.into_iter().map(|t| t.0).collect())),
            Ok(Raw::One(t)) if t.0.is_empty() => Ok(TextList::default()),
            Ok(Raw::One(t)) => Ok(TextList(vec![t.0])),
            Err(_) => Err(serde::de::Error::custom(
                "invalid type: expected a list of strings",
            )),
        }
    }
}

/// For `#[serde(default, deserialize_with = "present")]` on an
/// `Option<T>` field of a PATCH body: an absent key is `None`, a present
/// one (even `null`) is `Some`.
pub fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        mode: Option<Text>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        #[serde(default, deserialize_with = "present")]
        name: Option<Text>,
        inner: Option<Inner>,
        title: Option<String>,
        list: Option<TextList>,
        flag: Option<Flag>,
    }

    fn field_of(json: &str) -> (String, String) {
        match parse_body::<Body>(json.as_bytes(), Lang::En) {
            Ok(_) => ("ok".into(), String::new()),
            Err(e) => (e.field, e.code.to_owned()),
        }
    }

    #[test]
    fn body_problems_name_their_field() {
        assert_eq!(field_of("[]"), ("body".into(), "not_an_object".into()));
        assert_eq!(field_of("{"), ("body".into(), "invalid_json".into()));
        assert_eq!(
            field_of(r#"{"name": false}"#),
            ("name".into(), "invalid_type".into())
        );
        assert_eq!(field_of(r#"{"name": 12}"#), ("ok".into(), String::new()));
        assert_eq!(
            field_of(r#"{"zzz": 1}"#),
            ("zzz".into(), "unknown_field".into())
        );
        assert_eq!(
            field_of(r#"{"inner": {"mood": 1}}"#),
            ("inner.mood".into(), "unknown_field".into())
        );
        assert_eq!(
            field_of(r#"{"inner": {"mode": [1]}}"#),
            ("inner.mode".into(), "invalid_type".into())
        );
        assert_eq!(
            field_of(r#"{"title": 3}"#),
            ("title".into(), "invalid_type".into())
        );
        assert_eq!(
            field_of(r#"{"flag": "maybe"}"#),
            ("flag".into(), "invalid_value".into())
        );
        assert_eq!(
            field_of(r#"{"list": [true]}"#),
            ("list".into(), "invalid_type".into())
        );
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Q {
        #[serde(default)]
        q: String,
        limit: Option<i64>,
    }

    fn query_of(raw: &str) -> (String, String) {
        match parse_query::<Q>(raw, Lang::En) {
            Ok(_) => ("ok".into(), String::new()),
            Err(e) => (e.field, e.code.to_owned()),
        }
    }

    #[test]
    fn query_problems_name_their_parameter() {
        assert_eq!(query_of("q=a&limit=-1"), ("ok".into(), String::new()));
        assert_eq!(
            query_of("q=a&q=b"),
            ("q".into(), "repeated_parameter".into())
        );
        assert_eq!(
            query_of("limit=x"),
            ("limit".into(), "invalid_value".into())
        );
        assert_eq!(
            query_of("other=1"),
            ("other".into(), "unknown_parameter".into())
        );
        assert!(limit(Some(-1), 20, 100).is_err());
        assert!(limit(Some(101), 20, 100).is_err());
        assert_eq!(limit(None, 20, 100).ok(), Some(20));
    }
}
