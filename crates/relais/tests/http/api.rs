use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;

async fn me(app: &TestApp, auth: Option<&str>) -> (StatusCode, Value) {
    let mut req = app.api().get(format!("{}/api/v1/me", app.base));
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap())
}

#[tokio::test]
async fn a_token_identifies_its_agent_and_bad_tokens_get_401_json() {
    let app = spawn_app(Options::default()).await.unwrap();
    let token = app
        .services
        .cli_create_token("responsable@demoville.test", "test", None)
        .await
        .unwrap();
    assert!(token.starts_with("rls_"));
    let (status, body) = me(&app, Some(&format!("Bearer {token}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["email"], "responsable@demoville.test");
    assert_eq!(body["name"], "Nadia Responsable");
    assert_eq!(body["role"], "supervisor");
    assert_eq!(body["structure"]["slug"], "ccas-demoville");
    assert_eq!(body["structure"]["name"], "CCAS de Démoville");
    assert!(body["id"].as_str().unwrap().len() == 36);
    assert!(body["structure"]["id"].as_str().unwrap().len() == 36);

    for auth in [
        None,
        Some("Bearer rls_wrong"),
        Some("Basic abc"),
        Some("Bearer "),
    ] {
        let (status, body) = me(&app, auth).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{auth:?}");
        assert_eq!(body["error"]["code"], "unauthorized");
        assert!(body["error"]["message"].as_str().unwrap().len() > 5);
    }
    // English on request.
    let r = app
        .api()
        .get(format!("{}/api/v1/me", app.base))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["error"]["message"],
        "Missing, invalid or revoked API token."
    );
}

#[tokio::test]
async fn tokens_are_created_once_on_the_account_page_and_revocable() {
    let app = spawn_app(Options::default()).await.unwrap();
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let empty = b
        .submit("/account", "/account/tokens", &[("label", "  ")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("Ce champ est obligatoire."));
    let page = b
        .submit("/account", "/account/tokens", &[("label", "tableur")])
        .await;
    let token = page.text_of_id("new-token").unwrap();
    let (status, body) = me(&app, Some(&format!("Bearer {token}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["role"], "agent");
    // Shown once: the account page does not show it again.
    let again = b.get("/account").await;
    assert!(!again.body.contains(&token));
    // Revoke it.
    let id_marker = "/account/tokens/";
    let at = again.body.find(id_marker).unwrap() + id_marker.len();
    let id = &again.body[at..at + 36];
    let r = b
        .post(&format!("/account/tokens/{id}/revoke"), &again.csrf(), &[])
        .await;
    assert_eq!(r.location(), "/account?done=token-revoked");
    let (status, _) = me(&app, Some(&format!("Bearer {token}"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_openapi_document_is_served_and_stable() {
    let app = spawn_app(Options::default()).await.unwrap();
    let r = app
        .api()
        .get(format!("{}/api/v1/openapi.json", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let doc: Value = r.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["paths"]["/api/v1/me"]["get"].is_object());
    insta::assert_snapshot!("openapi", relais_web::openapi::document());
}

#[tokio::test]
async fn unknown_api_paths_answer_json() {
    let app = spawn_app(Options::default()).await.unwrap();
    let r = app
        .api()
        .get(format!("{}/api/v1/nothing-here", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
}
