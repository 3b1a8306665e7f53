//! Issue 15, points 13 to 15: strict JSON bodies and query strings, an
//! OpenAPI document that lists every route and every answer, a bounded
//! statistics period.
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

fn field_problem(e: &Value) -> (String, String) {
    (
        e["error"]["fields"][0]["field"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        e["error"]["fields"][0]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

fn pg(postgres: bool) -> Options {
    Options {
        postgres,
        ..Options::default()
    }
}

// ---- 13. strict JSON -----------------------------------------------------------

async fn arrays_are_refused(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let sup = token(&app, "responsable@demoville.test").await;
    // Partner channels.
    let path = "/api/v1/operators/caf/channels";
    let (s, c) = call(
        &app,
        &sup,
        "PUT",
        path,
        Some(json!({"pro_phone": "04 00 00 00 00"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let (s, e) = call(&app, &sup, "PUT", path, Some(json!([]))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(field_problem(&e), ("body".into(), "not_an_object".into()));
    let (_, list) = call(&app, &sup, "GET", "/api/v1/channels", None).await;
    assert_eq!(list[0]["operator_id"], "caf", "{list}");
    assert_eq!(list[0]["pro_phone"], "04 00 00 00 00", "{list}");

    // The policy.
    let (_, before) = call(&app, &sup, "GET", "/api/v1/policy", None).await;
    let (s, e) = call(&app, &sup, "PUT", "/api/v1/policy", Some(json!([]))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(field_problem(&e), ("body".into(), "not_an_object".into()));
    let (_, after) = call(&app, &sup, "GET", "/api/v1/policy", None).await;
    assert_eq!(before, after);

    // A procedure's settings.
    let (_, list) = call(&app, &sup, "GET", "/api/v1/procedures", None).await;
    let id = list["items"][0]["id"].as_str().unwrap().to_owned();
    let settings = format!("/api/v1/procedures/{id}/settings");
    let (s, e) = call(
        &app,
        &sup,
        "PUT",
        &settings,
        Some(json!({"local_note": "Venir avec le RIB"})),
    )
    .await;
    assert!(s.is_success(), "{s} {e}");
    let (s, e) = call(&app, &sup, "PUT", &settings, Some(json!([]))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(field_problem(&e), ("body".into(), "not_an_object".into()));
    let (_, p) = call(&app, &sup, "GET", &format!("/api/v1/procedures/{id}"), None).await;
    assert_eq!(p["local_note"], "Venir avec le RIB", "{p}");
}

#[tokio::test]
async fn trust_api_arrays_are_refused_where_objects_are_expected_on_sqlite() {
    arrays_are_refused(pg(false)).await;
}

#[tokio::test]
async fn trust_api_arrays_are_refused_where_objects_are_expected_on_postgresql() {
    arrays_are_refused(pg(true)).await;
}

async fn wrong_types(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let agent = token(&app, "agent@demoville.test").await;
    let (s, p) = call(
        &app,
        &agent,
        "POST",
        "/api/v1/persons",
        Some(
            json!({"first_name": "Hélène", "last_name": "Lefèvre", "usual_name": "Martin",
                    "birth_year": 1961, "privacy_notice_on": "2026-01-02", "confirm_new": true}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["birth_year"], 1961, "a number is still read as text");
    let path = format!("/api/v1/persons/{}", p["id"].as_str().unwrap());

    let (s, e) = call(
        &app,
        &agent,
        "PATCH",
        &path,
        Some(json!({"usual_name": false})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(
        field_problem(&e),
        ("usual_name".into(), "invalid_type".into())
    );
    let (s, e) = call(
        &app,
        &agent,
        "PATCH",
        &path,
        Some(json!({"usual_name": "X", "nickname": "Lena"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(
        field_problem(&e),
        ("nickname".into(), "unknown_field".into())
    );
    let (s, e) = call(
        &app,
        &agent,
        "PATCH",
        &path,
        Some(json!({"equipment": [true]})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(field_problem(&e).0, "equipment");
    let (_, now) = call(&app, &agent, "GET", &path, None).await;
    assert_eq!(now["usual_name"], "Martin", "{now}");
    assert_eq!(now["equipment"], json!([]), "{now}");
    // null still clears, an absent key still keeps.
    let (s, now) = call(
        &app,
        &agent,
        "PATCH",
        &path,
        Some(json!({"usual_name": null})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{now}");
    assert_eq!(now["usual_name"], Value::Null);
    assert_eq!(now["first_name"], "Hélène");

    // Nested fields are named with their path; nothing is written.
    let (_, before) = call(&app, &agent, "GET", "/api/v1/help-requests", None).await;
    let (s, e) = call(
        &app,
        &agent,
        "POST",
        "/api/v1/help-requests",
        Some(
            json!({"person_id": p["id"], "procedure": "Actualisation", "category": "travail",
                    "intervention": {"mode": "done_with", "mood": "calm"}}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(
        field_problem(&e),
        ("intervention.mood".into(), "unknown_field".into())
    );
    let (s, e) = call(
        &app,
        &agent,
        "POST",
        "/api/v1/help-requests",
        Some(
            json!({"person_id": p["id"], "procedure": "Actualisation", "category": "travail",
                    "rights_at_risk": 3}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(field_problem(&e).0, "rights_at_risk");
    let (_, after) = call(&app, &agent, "GET", "/api/v1/help-requests", None).await;
    assert_eq!(before["items"], after["items"]);
    // The message is in the caller's language.
    let r = app
        .api()
        .patch(format!("{}{path}", app.base))
        .bearer_auth(&agent)
        .header("accept-language", "en")
        .json(&json!({"nickname": 1}))
        .send()
        .await
        .unwrap();
    let e: Value = r.json().await.unwrap();
    assert_eq!(
        e["error"]["fields"][0]["message"],
        "This field is not known here."
    );
}

#[tokio::test]
async fn trust_api_wrong_types_and_unknown_fields_name_the_field_on_sqlite() {
    wrong_types(pg(false)).await;
}

#[tokio::test]
async fn trust_api_wrong_types_and_unknown_fields_name_the_field_on_postgresql() {
    wrong_types(pg(true)).await;
}

async fn get_raw(app: &TestApp, token: &str, path: &str) -> (StatusCode, String, String) {
    let r = app
        .api()
        .get(format!("{}{path}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (status, ct, r.text().await.unwrap())
}

#[tokio::test]
async fn trust_api_bad_query_strings_answer_422_json_naming_the_parameter() {
    let app = spawn_app(Options::default()).await.unwrap();
    let agent = token(&app, "agent@demoville.test").await;
    for (path, field, code) in [
        (
            "/api/v1/places?near=69123&limit=-1",
            "limit",
            "invalid_value",
        ),
        (
            "/api/v1/places?near=69123&limit=1000",
            "limit",
            "invalid_value",
        ),
        (
            "/api/v1/places?near=69123&open_now=maybe",
            "open_now",
            "invalid_value",
        ),
        ("/api/v1/communes?q=lyon&limit=-1", "limit", "invalid_value"),
        (
            "/api/v1/persons?q=lefevre&q=martin",
            "q",
            "repeated_parameter",
        ),
        ("/api/v1/help-requests?limit=-1", "limit", "invalid_choice"),
        (
            "/api/v1/help-requests?colour=red",
            "colour",
            "unknown_parameter",
        ),
        (
            "/api/v1/stats?from=2026-01-01&from=2026-02-01&to=2026-03-01",
            "from",
            "repeated_parameter",
        ),
    ] {
        let (s, ct, body) = get_raw(&app, &agent, path).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
        assert!(ct.starts_with("application/json"), "{path}: {ct} {body}");
        let e: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(e["error"]["code"], "invalid_input", "{path}: {body}");
        assert_eq!(
            field_problem(&e),
            (field.into(), code.into()),
            "{path}: {body}"
        );
    }
}

#[tokio::test]
async fn trust_api_malformed_requests_answer_the_json_error_body() {
    let app = spawn_app(Options::default()).await.unwrap();
    let agent = token(&app, "agent@demoville.test").await;
    let url = format!("{}/api/v1/persons", app.base);
    let c = app.api();
    let json_of = |r: reqwest::Response| async move {
        let status = r.status();
        let ct = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let text = r.text().await.unwrap();
        assert!(ct.starts_with("application/json"), "{status} {ct}: {text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        assert!(v["error"]["code"].is_string(), "{text}");
        assert!(v["error"]["message"].is_string(), "{text}");
        (status, v)
    };
    // Malformed JSON.
    let r = c
        .post(&url)
        .bearer_auth(&agent)
        .header("content-type", "application/json")
        .body("{\"first_name\": ")
        .send()
        .await
        .unwrap();
    let (s, e) = json_of(r).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_problem(&e), ("body".into(), "invalid_json".into()));
    // Not sent as JSON.
    let r = c
        .post(&url)
        .bearer_auth(&agent)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    let (s, e) = json_of(r).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_problem(&e),
        ("body".into(), "json_content_type".into())
    );
    // A body too large.
    let big = format!("{{\"notes\": \"{}\"}}", "a".repeat(3 * 1024 * 1024));
    let r = c
        .post(&url)
        .bearer_auth(&agent)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    let (s, e) = json_of(r).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(e["error"]["code"], "payload_too_large");
    // A malformed id.
    let r = c
        .get(format!("{url}/not-a-uuid"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    let (s, e) = json_of(r).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(e["error"]["code"], "not_found");
    // A method the path does not take.
    let r = c
        .delete(format!("{}/api/v1/me", app.base))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    let (s, e) = json_of(r).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(e["error"]["code"], "method_not_allowed");
}

// ---- 14. the OpenAPI document tells the truth ----------------------------------

/// A path of the document with its parameters filled.
fn fill(path: &str, with: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').unwrap() + start;
        out.push_str(with);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> StatusCode {
    let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
    let mut req = app.api().request(m, format!("{}{path}", app.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    if status.is_client_error() || status.is_server_error() {
        let v: Value = r.json().await.unwrap_or(Value::Null);
        assert!(
            v["error"]["code"].is_string(),
            "{method} {path}: {status} {v}"
        );
    }
    status
}

#[tokio::test]
async fn trust_api_openapi_lists_every_route_and_every_answer() {
    let app = spawn_app(Options::default()).await.unwrap();
    let doc: Value = serde_json::from_str(&relais_web::openapi::document()).unwrap();
    // (a) The router's operations are exactly the document's.
    let mut documented = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if path.starts_with("/api/") {
                documented.insert((method.clone(), path.clone()), op.clone());
            }
        }
    }
    let routed: BTreeSet<(String, String)> = relais_web::api_operations().into_iter().collect();
    let listed: BTreeSet<(String, String)> = documented.keys().cloned().collect();
    let missing: Vec<_> = routed.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&routed).collect();
    assert!(
        missing.is_empty(),
        "routes missing from the document: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "documented paths no route serves: {stale:?}"
    );

    // (b) Each operation called from the outside answers only documented
    // statuses.
    let agent = token(&app, "agent@demoville.test").await;
    let admin = token(&app, "admin@demoville.test").await;
    let unknown = "0193a1f2-7c4e-7d21-9b3a-5f0e8c2d4a11";
    let mut undocumented = Vec::new();
    let mut calls = 0;
    let mut secured = 0;
    for ((method, path), op) in &documented {
        let statuses = op["responses"].as_object().unwrap();
        let has_body = op["requestBody"].is_object();
        let has_query = op["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
        let mut check = |what: &str, status: StatusCode| {
            calls += 1;
            if !statuses.contains_key(status.as_str()) {
                undocumented.push(format!("{method} {path} ({what}): {status}"));
            }
        };
        if op["security"].as_array().is_none_or(|s| s.is_empty()) {
            let s = send(&app, method, path, None, None).await;
            check("public", s);
            continue;
        }
        secured += 1;
        let body = has_body.then(|| json!({}));
        // No token: 401, documented.
        let s = send(&app, method, &fill(path, unknown), None, body.as_ref()).await;
        assert_eq!(
            s,
            StatusCode::UNAUTHORIZED,
            "{method} {path} without a token"
        );
        check("no token", s);
        // An unknown and a malformed id.
        if path.contains('{') {
            for id in [unknown, "not-an-id"] {
                let s = send(&app, method, &fill(path, id), Some(&admin), body.as_ref()).await;
                check(id, s);
            }
        }
        // A body of the wrong shape, of the wrong type, with an unknown field.
        if has_body {
            for (what, b) in [
                ("array body", json!([])),
                ("unknown field", json!({"zz_unknown": 1})),
            ] {
                for t in [&agent, &admin] {
                    let s = send(&app, method, &fill(path, unknown), Some(t), Some(&b)).await;
                    assert_ne!(s.as_u16() / 100, 2, "{method} {path} took {what}");
                    check(what, s);
                }
            }
        }
        // An unknown query parameter.
        if has_query {
            let p = format!("{}?zz_unknown=1", fill(path, unknown));
            let s = send(&app, method, &p, Some(&admin), body.as_ref()).await;
            check("unknown parameter", s);
        }
        // As an agent, with no input: a role refusal is documented too.
        let s = send(
            &app,
            method,
            &fill(path, unknown),
            Some(&agent),
            body.as_ref(),
        )
        .await;
        check("agent", s);
        // Every secured operation documents 401; those on an id 404; those
        // with input 422.
        assert!(statuses.contains_key("401"), "{method} {path}: 401");
        if path.contains('{') {
            assert!(statuses.contains_key("404"), "{method} {path}: 404");
        }
        if has_body || has_query {
            assert!(statuses.contains_key("422"), "{method} {path}: 422");
        }
    }
    println!(
        "openapi: {} operations ({} secured), {} calls checked",
        documented.len(),
        secured,
        calls
    );
    assert!(documented.len() >= 60, "{}", documented.len());
    assert!(
        undocumented.is_empty(),
        "undocumented answers:\n{}",
        undocumented.join("\n")
    );
}

// ---- 15. a bounded statistics period ------------------------------------------

async fn bounded_period(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let sup = token(&app, "responsable@demoville.test").await;
    for path in [
        "/api/v1/stats?from=1000-01-01&to=2026-12-31&group_by=month",
        "/api/v1/stats?from=2016-01-01&to=2026-01-01&group_by=category",
        "/api/v1/statistics?from=1000-01-01&to=2026-12-31",
        "/api/v1/dashboard?from=1000-01-01&to=2026-12-31",
        "/api/v1/exports/stats?from=1000-01-01&to=2026-12-31&table=category&format=csv",
        "/api/v1/exports/interventions?from=1000-01-01&to=2026-12-31&format=csv",
    ] {
        let started = Instant::now();
        let (s, e) = call(&app, &sup, "GET", path, None).await;
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{path}: {:?}",
            started.elapsed()
        );
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {e}");
        assert_eq!(
            field_problem(&e),
            ("from".into(), "period_too_long".into()),
            "{path}"
        );
        assert!(!e["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .is_empty());
    }
    // Ten years less a day are computed.
    let (s, e) = call(
        &app,
        &sup,
        "GET",
        "/api/v1/stats?from=2016-01-01&to=2025-12-31&group_by=month",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{e}");
    // The dashboard page says so in French.
    let b = app.browser();
    b.sign_in("responsable@demoville.test", DEMO_PASSWORD).await;
    let page = b.get("/stats?from=1000-01-01&to=2026-12-31").await;
    assert!(
        page.body.contains("La période est trop longue"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn trust_api_statistics_period_is_bounded_on_sqlite() {
    bounded_period(pg(false)).await;
}

#[tokio::test]
async fn trust_api_statistics_period_is_bounded_on_postgresql() {
    bounded_period(pg(true)).await;
}
