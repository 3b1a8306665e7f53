//! The procedures catalogue through the API and the intake screen.

use crate::helpers::*;
use reqwest::StatusCode;

#[tokio::test]
async fn the_catalogue_lists_procedures_with_category_operator_and_link() {
    let app = spawn_app(Options::default()).await.unwrap();
    let t = token(&app, "mediateur@demoville.test").await;
    let (s, list) = call(&app, &t, "GET", "/api/v1/procedures", None).await;
    assert_eq!(s, StatusCode::OK);
    let items = list["items"].as_array().unwrap();
    assert!(items.len() >= 30, "{}", items.len());
    for p in items {
        assert!(!p["category"].as_str().unwrap().is_empty(), "{p}");
        assert!(!p["operator"]["id"].as_str().unwrap().is_empty(), "{p}");
        assert!(
            p["service_public"]
                .as_str()
                .unwrap()
                .starts_with("https://www.service-public.fr/particuliers/vosdroits/"),
            "{p}"
        );
    }
    let (_, found) = call(
        &app,
        &t,
        "GET",
        "/api/v1/procedures?q=actualisation%20france%20travail",
        None,
    )
    .await;
    assert_eq!(found["items"][0]["id"], "ft-actualisation");
    let (s, ft) = call(&app, &t, "GET", "/api/v1/procedures/ft-actualisation", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ft["deadline"]["kind"], "monthly_window");
    assert_eq!(ft["operator"]["id"], "france-travail");
    let (s, e) = call(&app, &t, "GET", "/api/v1/procedures/nope", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
    let (_, ops) = call(&app, &t, "GET", "/api/v1/operators", None).await;
    assert!(ops.as_array().unwrap().len() >= 15);
    let (s, _) = call(&app, "wrong", "GET", "/api/v1/procedures", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_catalogue_procedure_brings_its_category_and_operator_and_the_picker_its_details() {
    let app = spawn_app(Options::default()).await.unwrap();
    let t = token(&app, "agent@demoville.test").await;
    let (s, r) = call(
        &app,
        &t,
        "POST",
        "/api/v1/help-requests",
        Some(serde_json::json!({"anonymous": {"age_bracket": "25_39"}, "procedure": "actualisation mensuelle france travail", "status": "open"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(r["category"], "travail");
    assert_eq!(r["operator"], "France Travail");
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let f = b
        .get("/procedures/pick?procedure=Actualisation%20mensuelle%20France%20Travail")
        .await;
    assert_eq!(f.status, StatusCode::OK);
    assert!(f.body.contains("data-category=\"travail\""), "{}", f.body);
    assert!(f.body.contains("data-follow-date=\"20"), "{}", f.body);
    let none = b.get("/procedures/pick?procedure=inconnue").await;
    assert_eq!(none.body, "");
    let intake = b.get("/intake").await;
    assert!(intake.body.contains("<datalist id=\"procedure-list\">"));
}
