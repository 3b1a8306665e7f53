//! Free text entering through the API (issue 17, attack review): a control
//! character or an overlong value is a field error on both engines, never
//! a 500, and nothing is written.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_engines!(
    a_nul_character_in_free_text_is_a_field_error_and_writes_nothing,
    a_blank_reminder_channel_is_refused,
);

const NUL: &str = "a\u{0}b";

/// The journal of the demo structure, the record of every write.
async fn journal(app: &TestApp) -> Vec<String> {
    let sid = app
        .store
        .structure_by_slug("ccas-demoville")
        .await
        .unwrap()
        .unwrap()
        .id;
    app.journal_actions(&sid.to_string()).await
}

async fn get_ok(app: &TestApp, t: &str, path: &str) -> Value {
    let (s, v) = call(app, t, "GET", path, None).await;
    assert_eq!(s, StatusCode::OK, "{path}: {v}");
    v
}

/// Sends `body` and expects a 422 naming `field` with `code`, the journal
/// and the listing at `listing` unchanged.
#[allow(clippy::too_many_arguments)]
async fn refused(
    app: &TestApp,
    t: &str,
    method: &str,
    path: &str,
    body: Value,
    field: &str,
    code: &str,
    listing: &str,
) {
    let journal_before = journal(app).await;
    let listed_before = get_ok(app, t, listing).await;
    let (s, e) = call(app, t, method, path, Some(body)).await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{method} {path} {field}: {e}"
    );
    let fields = e["error"]["fields"].as_array().unwrap();
    assert!(
        fields
            .iter()
            .any(|f| f["field"] == field && f["code"] == code),
        "{method} {path}: {field} {code} in {e}"
    );
    assert_eq!(
        journal(app).await,
        journal_before,
        "{method} {path} {field}"
    );
    assert_eq!(
        get_ok(app, t, listing).await,
        listed_before,
        "{method} {path} {field}"
    );
}

fn place() -> Value {
    json!({
        "name": "Permanence numérique",
        "address": "2 place de la Nation",
        "postcode": "69120",
        "commune": "Vaulx-en-Velin",
        "email": "numerique@demoville.test",
        "website": "https://demoville.test/numerique",
        "description": "Aide aux démarches en ligne.",
        "services": ["demarches"],
    })
}

async fn a_nul_character_in_free_text_is_a_field_error_and_writes_nothing(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let sup = token(&app, "responsable@demoville.test").await;
    let agent = token(&app, "agent@demoville.test").await;
    let places = "/api/v1/places?near=69256&q=Permanence&limit=100";

    // The structure's own places, added and changed.
    let (s, v) = call(&app, &sup, "POST", "/api/v1/places", Some(place())).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let own = format!("/api/v1/places/{}", v["id"].as_str().unwrap());
    for field in [
        "name",
        "address",
        "description",
        "website",
        "email",
        "commune",
    ] {
        let mut body = place();
        body[field] = json!(format!("{}{NUL}", body[field].as_str().unwrap()));
        for (method, path) in [("POST", "/api/v1/places"), ("PUT", own.as_str())] {
            let code = match field {
                "website" | "email" => None,
                _ => Some("invalid_characters"),
            };
            let journal_before = journal(&app).await;
            let listed_before = get_ok(&app, &sup, places).await;
            let (s, e) = call(&app, &sup, method, path, Some(body.clone())).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{method} {field}: {e}");
            let named = e["error"]["fields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["field"] == field && code.is_none_or(|c| f["code"] == c));
            assert!(named, "{method} {field}: {e}");
            assert_eq!(journal(&app).await, journal_before, "{method} {field}");
            assert_eq!(get_ok(&app, &sup, places).await, listed_before);
        }
    }
    let mut long = place();
    long["address"] = json!("1".repeat(100_000));
    refused(
        &app,
        &sup,
        "POST",
        "/api/v1/places",
        long,
        "address",
        "too_long",
        places,
    )
    .await;

    // The structure's own procedures and its channels to the operators.
    refused(
        &app,
        &sup,
        "POST",
        "/api/v1/procedures",
        json!({"title": "Aide communale", "category": "transports",
               "operator": "Mairie de Démoville", "link": format!("https://x.test/{NUL}")}),
        "link",
        "invalid_characters",
        "/api/v1/procedures",
    )
    .await;
    refused(
        &app,
        &sup,
        "PUT",
        "/api/v1/operators/caf/channels",
        json!({"partner_portal": format!("https://x.test/{NUL}")}),
        "partner_portal",
        "invalid_characters",
        "/api/v1/channels",
    )
    .await;

    // The policy.
    let policy = get_ok(&app, &sup, "/api/v1/policy").await;
    for field in ["charter", "privacy_contact"] {
        let mut body = policy.clone();
        body[field] = json!(NUL);
        refused(
            &app,
            &sup,
            "PUT",
            "/api/v1/policy",
            body,
            field,
            "invalid_characters",
            "/api/v1/policy",
        )
        .await;
    }

    // The intake's submission key.
    refused(
        &app,
        &agent,
        "POST",
        "/api/v1/help-requests",
        json!({
            "anonymous": {"age_bracket": "70_plus", "postcode": "69100"},
            "procedure": "Question sur la retraite", "category": "argent",
            "submission_key": NUL
        }),
        "submission_key",
        "invalid_characters",
        "/api/v1/help-requests",
    )
    .await;
}

async fn a_blank_reminder_channel_is_refused(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let t = token(&app, "agent@demoville.test").await;
    let (s, p) = call(
        &app,
        &t,
        "POST",
        "/api/v1/persons",
        Some(json!({
            "first_name": "Rappel", "last_name": "Vide", "email": "rappel@demoville.test",
            "privacy_notice_on": "2026-01-05", "confirm_new": true
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let path = format!(
        "/api/v1/persons/{}/reminder-consent",
        p["id"].as_str().unwrap()
    );
    let (s, e) = call(&app, &t, "PUT", &path, Some(json!({"channel": "email"}))).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
    for blank in ["", " "] {
        let before = journal(&app).await;
        let (s, e) = call(&app, &t, "PUT", &path, Some(json!({"channel": blank}))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{blank:?}: {e}");
        assert_eq!(e["error"]["fields"][0]["field"], "channel", "{e}");
        assert_eq!(journal(&app).await, before, "nothing journaled");
    }
    // The consent given stands; `none` still withdraws it.
    let (s, e) = call(&app, &t, "PUT", &path, Some(json!({"channel": "none"}))).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
}
