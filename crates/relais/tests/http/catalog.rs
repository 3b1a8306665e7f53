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

#[tokio::test]
async fn a_structure_adapts_the_catalogue_and_shares_its_partner_channels() {
    let app = spawn_app(Options::default()).await.unwrap();
    let sup = token(&app, "responsable@demoville.test").await;
    let agent = token(&app, "agent@demoville.test").await;
    use serde_json::json;
    // Partner channels: validated, supervisors only, shared with the team.
    let path = "/api/v1/operators/caf/channels";
    let (s, e) = call(
        &app,
        &sup,
        "PUT",
        path,
        Some(json!({"partner_portal": "http://caf.example", "email": "pas-une-adresse"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["fields"].as_array().unwrap().len(), 2, "{e}");
    let (s, _) = call(
        &app,
        &agent,
        "PUT",
        path,
        Some(json!({"pro_phone": "01 02 03 04 05"})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, c) = call(&app, &sup, "PUT", path, Some(json!({"partner_portal": "https://partenaires.caf.example", "pro_phone": "04 00 00 00 00", "answer_delay": "10 jours ouvrés"}))).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let (s, e) = call(
        &app,
        &sup,
        "PUT",
        "/api/v1/operators/nope/channels",
        Some(json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
    let (_, list) = call(&app, &agent, "GET", "/api/v1/channels", None).await;
    assert_eq!(list[0]["operator_id"], "caf");
    // The channels show beside a CAF request.
    let (_, r) = call(&app, &agent, "POST", "/api/v1/help-requests", Some(json!({"anonymous": {"age_bracket": "40_59"}, "procedure": "Demander le RSA", "status": "open"}))).await;
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let page = b
        .get(&format!("/requests/{}", r["id"].as_str().unwrap()))
        .await;
    assert!(
        page.body.contains("04 00 00 00 00") && page.body.contains("10 jours ouvrés"),
        "{}",
        page.body
    );

    // Hide a shipped procedure, annotate another, add a local one.
    let (s, _) = call(
        &app,
        &sup,
        "PUT",
        "/api/v1/procedures/ft-actualisation/settings",
        Some(json!({"hidden": true})),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, found) = call(
        &app,
        &agent,
        "GET",
        "/api/v1/procedures?q=actualisation",
        None,
    )
    .await;
    assert!(
        !found.to_string().contains("ft-actualisation"),
        "hidden: {found}"
    );
    let (s, _) = call(
        &app,
        &sup,
        "PUT",
        "/api/v1/procedures/caf-rsa-demande/settings",
        Some(json!({"local_note": "Rendez-vous RSA le mardi matin."})),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, rsa) = call(
        &app,
        &agent,
        "GET",
        "/api/v1/procedures/caf-rsa-demande",
        None,
    )
    .await;
    assert_eq!(rsa["local_note"], "Rendez-vous RSA le mardi matin.");
    let (s, e) = call(
        &app,
        &sup,
        "POST",
        "/api/v1/procedures",
        Some(json!({"title": "", "category": "nope", "operator": "x"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, local) = call(&app, &sup, "POST", "/api/v1/procedures", Some(json!({"title": "Aide communale aux transports", "category": "transports", "operator": "Mairie de Démoville", "documents": ["Justificatif de domicile"]}))).await;
    assert_eq!(s, StatusCode::CREATED, "{local}");
    assert_eq!(local["local"], true);
    let (_, found) = call(
        &app,
        &agent,
        "GET",
        "/api/v1/procedures?q=aide%20communale",
        None,
    )
    .await;
    assert_eq!(found["items"][0]["title"], "Aide communale aux transports");
    let f = b
        .get("/procedures/pick?procedure=Aide%20communale%20aux%20transports")
        .await;
    assert!(f.body.contains("Justificatif de domicile"), "{}", f.body);
    let sb = app.browser();
    sb.sign_in("responsable@demoville.test", DEMO_PASSWORD)
        .await;
    assert_eq!(sb.get("/structure/catalogue").await.status, StatusCode::OK);
    assert_eq!(
        b.get("/structure/catalogue").await.status,
        StatusCode::FORBIDDEN
    );
    let bad = sb
        .submit(
            "/structure/catalogue",
            "/structure/operators/cpam/channels",
            &[("partner_portal", "ftp://x")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("https://"), "the error is explained");
    let id = local["id"].as_str().unwrap();
    let (s, _) = call(
        &app,
        &sup,
        "DELETE",
        &format!("/api/v1/procedures/{id}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let actions = app
        .journal_actions(
            &app.store
                .structure_by_slug("ccas-demoville")
                .await
                .unwrap()
                .unwrap()
                .id
                .to_string(),
        )
        .await;
    assert!(actions.iter().any(|a| a == "catalogue.channel_saved"));
    assert!(actions
        .iter()
        .any(|a| a == "catalogue.local_procedure_deleted"));
}

#[tokio::test]
async fn the_home_page_lists_coming_follow_ups_and_deadlines() {
    let app = spawn_app(Options::default()).await.unwrap();
    let t = token(&app, "agent@demoville.test").await;
    let today = app.services.today();
    let (_, p) = call(&app, &t, "POST", "/api/v1/persons", Some(serde_json::json!({"privacy_notice_on": "2026-01-05", "first_name": "Avenir", "last_name": "Proche", "confirm_new": true}))).await;
    let (s, r) = call(&app, &t, "POST", "/api/v1/help-requests", Some(serde_json::json!({"person_id": p["id"], "procedure": "Renouveler la C2S", "category": "social", "status": "open", "deadline": (today + chrono::Duration::days(20)).to_string()}))).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let (s, f) = call(&app, &t, "POST", "/api/v1/follow-ups", Some(serde_json::json!({"help_request_id": r["id"], "due_date": (today + chrono::Duration::days(5)).to_string(), "reason": "Rappeler pour la C2S"}))).await;
    assert_eq!(s, StatusCode::CREATED, "{f}");
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let home = b.get("/").await;
    assert!(home.body.contains("À venir"));
    assert!(
        home.body.contains("Rappeler pour la C2S"),
        "the follow-up of the coming days"
    );
    assert!(
        home.body.contains("Renouveler la C2S"),
        "the request's deadline"
    );
}

#[tokio::test]
async fn communes_are_found_by_postcode_code_and_name() {
    let app = spawn_app(Options::default()).await.unwrap();
    let t = token(&app, "agent@demoville.test").await;
    let (s, v) = call(&app, &t, "GET", "/api/v1/communes?q=69001", None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["items"][0]["insee_code"], "69381", "{v}");
    assert_eq!(v["items"][0]["name"], "Lyon 1er Arrondissement");
    assert_eq!(v["items"][0]["departement"]["code"], "69");
    assert!(v["source"].as_str().unwrap().contains("COG"), "{v}");
    let (_, v) = call(&app, &t, "GET", "/api/v1/communes?q=saint-etienne", None).await;
    assert_eq!(v["items"][0]["name"], "Saint-Étienne", "{v}");
    assert_eq!(v["items"][0]["insee_code"], "42218");
    assert_eq!(v["items"][0]["postcodes"][0], "42000");
    let (_, v) = call(&app, &t, "GET", "/api/v1/communes?q=2A004", None).await;
    assert_eq!(v["items"][0]["name"], "Ajaccio", "{v}");
    let (_, v) = call(&app, &t, "GET", "/api/v1/communes?q=Zzzzyx", None).await;
    assert_eq!(v["items"].as_array().map(Vec::len), Some(0));
    let (s, e) = call(&app, &t, "GET", "/api/v1/communes?q=%20", None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["fields"][0]["field"], "q");
    // Without JavaScript, the server completes the commune from the postcode.
    let (s, p) = call(&app, &t, "POST", "/api/v1/persons", Some(serde_json::json!({"first_name": "Léon", "last_name": "Postal", "privacy_notice_on": "2026-01-05", "postcode": "69003", "confirm_new": true}))).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(
        (p["commune"].as_str(), p["insee_code"].as_str()),
        (Some("Lyon 3e Arrondissement"), Some("69383")),
        "{p}"
    );
    // A name among the postcode's communes gets its INSEE code.
    let (_, p) = call(&app, &t, "POST", "/api/v1/persons", Some(serde_json::json!({"first_name": "Léa", "last_name": "Postal", "privacy_notice_on": "2026-01-05", "postcode": "42000", "commune": "saint etienne", "confirm_new": true}))).await;
    assert_eq!(
        (p["commune"].as_str(), p["insee_code"].as_str()),
        (Some("saint etienne"), Some("42218")),
        "{p}"
    );
    let r = app
        .api()
        .get(format!("{}/api/v1/communes?q=lyon", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}
