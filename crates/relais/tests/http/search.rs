//! Text filters that ignore case and accents alike on both engines: the
//! folded keys are stored by the store and searched with a folded needle.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Records an anonymous request with this operator; returns its id.
async fn request_with_operator(app: &TestApp, t: &str, operator: &str) -> Value {
    let (s, r) = call(
        app,
        t,
        "POST",
        "/api/v1/help-requests",
        Some(json!({
            "anonymous": {"age_bracket": "70_plus", "postcode": "69100", "commune": "Démoville"},
            "procedure": "Inscription", "category": "social", "operator": operator,
            "status": "open"
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    r["id"].clone()
}

/// The ids of the requests the operator filter finds with `needle`.
async fn found(app: &TestApp, t: &str, needle: &str) -> Vec<Value> {
    let path = format!("/api/v1/help-requests?limit=200&operator={needle}");
    let (s, l) = call(app, t, "GET", &path, None).await;
    assert_eq!(s, StatusCode::OK, "{l}");
    l["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect()
}

async fn accented_operator_filter(app: &TestApp) {
    let t = token(app, "agent@demoville.test").await;
    let accented = request_with_operator(app, &t, "Médiathèque Élodie-Roux").await;
    let plain = request_with_operator(app, &t, "MEDIATHEQUE du centre").await;
    request_with_operator(app, &t, "Maison France services").await;
    for needle in [
        "mediatheque",
        "Médiathèque",
        "MÉDIATHÈQUE",
        "médiathèque",
        "MEDIATHEQUE",
    ] {
        let ids = found(app, &t, needle).await;
        assert_eq!(ids.len(), 2, "{needle}: {ids:?}");
        assert!(ids.contains(&accented) && ids.contains(&plain), "{needle}");
    }
    for needle in ["Élodie", "elodie", "ÉLODIE", "élodie roux"] {
        assert_eq!(
            found(app, &t, needle).await,
            vec![accented.clone()],
            "{needle}"
        );
    }
}

/// SQLite's `LOWER(…) LIKE` folded ASCII letters only: "MÉDIATHÈQUE"
/// did not find "Médiathèque", nor "mediatheque".
#[tokio::test]
async fn accented_operator_filter_matches_on_sqlite() {
    let app = spawn_app(Options::default()).await.unwrap();
    accented_operator_filter(&app).await;
}

#[tokio::test]
async fn accented_operator_filter_matches_on_postgres() {
    let Some(app) = spawn_app(Options {
        postgres: true,
        ..Options::default()
    })
    .await
    else {
        return;
    };
    accented_operator_filter(&app).await;
}
