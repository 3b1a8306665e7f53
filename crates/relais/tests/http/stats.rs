//! The stats API against a known history, on both engines.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn known_history(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let s = &app.services;
    s.cli_add_structure("Espace France Services Test", "efs-test", "france_services")
        .await
        .unwrap();
    s.cli_add_user(
        "chef@efs.test",
        "Chef Test",
        "efs-test",
        "supervisor",
        "mot-de-passe-long-1",
    )
    .await
    .unwrap();
    s.cli_add_user(
        "agent@efs.test",
        "Agent Test",
        "efs-test",
        "agent",
        "mot-de-passe-long-1",
    )
    .await
    .unwrap();
    s.cli_add_user(
        "autre@efs.test",
        "Autre Test",
        "efs-test",
        "agent",
        "mot-de-passe-long-1",
    )
    .await
    .unwrap();
    let sup = token(&app, "chef@efs.test").await;
    let t = token(&app, "agent@efs.test").await;
    let other = token(&app, "autre@efs.test").await;
    // Acting "for" the person without a mandate is allowed here.
    let (_, mut policy) = call(&app, &sup, "GET", "/api/v1/policy", None).await;
    policy["mandate_rule"] = json!("not_required");
    let (st, pol) = call(&app, &sup, "PUT", "/api/v1/policy", Some(policy)).await;
    assert_eq!(st, StatusCode::OK, "{pol}");
    let person = |first: &str| json!({"privacy_notice_on": "2026-01-05", "first_name": first, "last_name": "Stat", "confirm_new": true});
    let (_, p1) = call(&app, &t, "POST", "/api/v1/persons", Some(person("Un"))).await;
    let (_, p2) = call(&app, &t, "POST", "/api/v1/persons", Some(person("Deux"))).await;
    let request = |body: Value| async {
        let (s, r) = call(&app, &t, "POST", "/api/v1/help-requests", Some(body)).await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        r
    };
    request(json!({"person_id": p1["id"], "procedure": "Demande A", "category": "social", "operator": "CAF", "channel": "walk_in", "status": "open", "intervention": {"mode": "done_with", "duration_minutes": 30}})).await;
    let b = request(json!({"person_id": p1["id"], "procedure": "Demande B", "category": "travail", "operator": "France Travail", "channel": "phone", "status": "open", "intervention": {"mode": "done_for", "duration_minutes": 20}})).await;
    let (st, i) = call(
        &app,
        &t,
        "POST",
        &format!(
            "/api/v1/help-requests/{}/interventions",
            b["id"].as_str().unwrap()
        ),
        Some(json!({"mode": "taught", "duration_minutes": 10})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{i}");
    request(json!({"anonymous": {"age_bracket": "25_39"}, "procedure": "Demande C", "category": "social", "operator": "CAF", "channel": "walk_in", "status": "open", "intervention": {"mode": "informed", "duration_minutes": 15}})).await;
    request(json!({"person_id": p2["id"], "procedure": "Demande D", "category": "logement", "operator": "CAF", "channel": "walk_in", "status": "open"})).await;

    let today = app.services.today().to_string();
    let stats = |tok: String, group: &'static str| {
        let (app, today) = (&app, today.clone());
        async move {
            let (s, v) = call(
                app,
                &tok,
                "GET",
                &format!("/api/v1/stats?from={today}&to={today}&group_by={group}"),
                None,
            )
            .await;
            assert_eq!(s, StatusCode::OK, "{v}");
            v
        }
    };
    let groups = |v: &Value| -> Vec<(String, u64, u64, i64)> {
        v["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["key"].as_str().unwrap().to_owned(),
                    g["requests"].as_u64().unwrap(),
                    g["interventions"].as_u64().unwrap(),
                    g["minutes"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let by_category = stats(sup.clone(), "category").await;
    assert_eq!(
        (
            by_category["total_requests"].as_u64(),
            by_category["total_interventions"].as_u64(),
            by_category["distinct_persons"].as_u64(),
            by_category["minutes"].as_i64()
        ),
        (Some(4), Some(4), Some(2), Some(75)),
        "{by_category}"
    );
    let g = |k: &str, r: u64, i: u64, m: i64| (k.to_owned(), r, i, m);
    assert_eq!(
        groups(&by_category),
        vec![
            g("social", 2, 2, 45),
            g("logement", 1, 0, 0),
            g("travail", 1, 2, 30)
        ]
    );
    let by_mode = stats(sup.clone(), "mode").await;
    assert_eq!(
        groups(&by_mode),
        vec![
            g("done_for", 1, 1, 20),
            g("done_with", 1, 1, 30),
            g("informed", 1, 1, 15),
            g("taught", 1, 1, 10)
        ]
    );
    let by_operator = stats(sup.clone(), "operator").await;
    assert_eq!(
        groups(&by_operator),
        vec![g("CAF", 3, 2, 45), g("France Travail", 1, 2, 30)]
    );
    let by_month = stats(sup.clone(), "month").await;
    assert_eq!(groups(&by_month).len(), 1);
    assert_eq!(groups(&by_month)[0].1, 4);
    // Agents see their own activity; another agent did nothing.
    assert_eq!(stats(t.clone(), "channel").await["total_requests"], 4);
    let nothing = stats(other.clone(), "category").await;
    assert_eq!(
        (
            nothing["total_requests"].as_u64(),
            nothing["minutes"].as_i64()
        ),
        (Some(0), Some(0))
    );
    // An empty period gives zeros; bad input is refused with its field.
    let (s, v) = call(
        &app,
        &sup,
        "GET",
        "/api/v1/stats?from=2000-01-01&to=2000-01-31",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (
            v["total_requests"].as_u64(),
            v["groups"].as_array().map(Vec::len)
        ),
        (Some(0), Some(0))
    );
    let (s, e) = call(
        &app,
        &sup,
        "GET",
        "/api/v1/stats?from=hier&to=2000-01-31&group_by=colour",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["fields"].as_array().unwrap().len(), 2, "{e}");
    let (s, e) = call(
        &app,
        &sup,
        "GET",
        "/api/v1/stats?from=2026-02-01&to=2026-01-01",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["fields"][0]["code"], "period_inverted");
}

#[tokio::test]
async fn stats_of_a_known_history_on_sqlite() {
    known_history(Options::default()).await;
}

#[tokio::test]
async fn stats_of_a_known_history_on_postgresql() {
    known_history(Options {
        postgres: true,
        ..Options::default()
    })
    .await;
}
