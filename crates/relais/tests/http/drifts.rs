//! Rules with one home (issue 17): each test pins a rule that used to be
//! written in several places, some of which disagreed.

use crate::helpers::*;
use chrono::{Datelike, TimeZone};
use relais_domain::StructureId;
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_engines!(
    dashboard_share_under_mandate_follows_the_verdict_for_a_partly_revoked_category,
    the_demo_share_under_mandate_is_whole_on_the_default_period,
    statistics_period_in_paris_time_the_page_and_the_apis_agree,
    age_bracket_near_new_year_is_the_same_on_the_dashboard_and_in_the_export,
    the_grouped_stats_query_and_the_dashboard_agree_on_outcome_else_status,
    an_unreadable_stored_policy_is_an_error_not_the_default,
);

async fn person(app: &TestApp, t: &str, last: &str, birth_year: Option<i32>) -> String {
    let (s, p) = call(
        app,
        t,
        "POST",
        "/api/v1/persons",
        Some(json!({
            "first_name": "Règle", "last_name": last, "birth_year": birth_year,
            "privacy_notice_on": "2026-01-05", "confirm_new": true
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    p["id"].as_str().unwrap().to_owned()
}

async fn get_ok(app: &TestApp, t: &str, path: &str) -> Value {
    let (s, v) = call(app, t, "GET", path, None).await;
    assert_eq!(s, StatusCode::OK, "{path}: {v}");
    v
}

/// The value of a key figure on the statistics page.
fn page_figure(body: &str, label: &str) -> String {
    let start = format!("<dt>{label}</dt><dd>");
    let at = body
        .find(&start)
        .unwrap_or_else(|| panic!("{label} on the page"))
        + start.len();
    body[at..at + body[at..].find("</dd>").unwrap()].to_owned()
}

fn row(d: &Value, table: &str, key: &str, measure: &str) -> u64 {
    d["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == table)
        .and_then(|t| {
            t["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["key"] == key)
        })
        .map_or(0, |r| r[measure].as_u64().unwrap())
}

/// Moves the test clock to the next 31 December, 23:30 UTC (1 January,
/// 00:30 in Paris); returns that instant.
fn to_new_years_eve(app: &TestApp) -> chrono::DateTime<chrono::Utc> {
    let now = app.clock_now();
    let mut eve = chrono::Utc
        .with_ymd_and_hms(now.year(), 12, 31, 23, 30, 0)
        .unwrap();
    if eve <= now {
        eve = chrono::Utc
            .with_ymd_and_hms(now.year() + 1, 12, 31, 23, 30, 0)
            .unwrap();
    }
    app.clock.advance(eve - now);
    eve
}

/// Issue 17, mandate coverage: the dashboard's "done for under a mandate"
/// is the verdict's rule. A category revoked one by one no longer counts
/// (the statistics used to split the category list and ignore it).
async fn dashboard_share_under_mandate_follows_the_verdict_for_a_partly_revoked_category(
    opts: Options,
) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let t = token(&app, "agent@demoville.test").await;
    let sup = token(&app, "responsable@demoville.test").await;
    let today = app.services.today();
    let query = format!(
        "/api/v1/dashboard?from={}&to={today}",
        today - chrono::Duration::days(30)
    );
    let before = get_ok(&app, &sup, &query).await;
    let pid = person(&app, &t, "Couverture", None).await;
    let (s, m) = call(&app, &t, "POST", "/api/v1/mandates", Some(json!({
        "person_id": pid, "categories": ["social", "travail"], "duration": "six_months", "consent": "paper"
    })))
    .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let mid = m["id"].as_str().unwrap().to_owned();
    let (s, m) = call(
        &app,
        &t,
        "POST",
        &format!("/api/v1/mandates/{mid}/sign"),
        Some(json!({"scan": "JVBERi0xLjQK"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{m}");
    for category in ["social", "travail"] {
        let (s, r) = call(&app, &t, "POST", "/api/v1/help-requests", Some(json!({
            "person_id": pid, "procedure": "Démarche en ligne", "category": category, "status": "done",
            "intervention": {"mode": "done_for", "duration_minutes": 30}
        })))
        .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        assert_eq!(r["interventions"][0]["mandate_id"], json!(mid));
    }
    // "travail" revoked one by one: what was done for it is no longer
    // covered (as the verdict judges it again); "social" still is.
    let (s, m) = call(
        &app,
        &t,
        "POST",
        &format!("/api/v1/mandates/{mid}/revoke"),
        Some(json!({"categories": ["travail"], "reason": "La personne le fait seule désormais"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{m}");
    let after = get_ok(&app, &sup, &query).await;
    let delta = |k: &str| after[k].as_u64().unwrap() - before[k].as_u64().unwrap();
    assert_eq!(delta("done_for"), 2, "{after}");
    assert_eq!(delta("done_for_under_mandate"), 1, "{after}");
}

/// Issue 17, the demo obeys its charter: its "faire pour" are all under a
/// mandate on the default page of a supervisor (this month).
async fn the_demo_share_under_mandate_is_whole_on_the_default_period(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let sup = token(&app, "responsable@demoville.test").await;
    for preset in ["month", "quarter", "year"] {
        let p = relais_domain::Period::preset(preset, app.services.today());
        let d = get_ok(
            &app,
            &sup,
            &format!("/api/v1/dashboard?from={}&to={}", p.from, p.to),
        )
        .await;
        assert_eq!(d["done_for_under_mandate"], d["done_for"], "{preset}: {d}");
    }
}

/// Issue 17, statistics period: every figure reads its period in Paris
/// days. A request made at 23:30 UTC on the last day is already the next
/// day in Paris: the page, the dashboard API, the stats API and the
/// statistics API all leave it out of that day and count it on the next.
async fn statistics_period_in_paris_time_the_page_and_the_apis_agree(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let t = token(&app, "agent@demoville.test").await;
    let sup = token(&app, "responsable@demoville.test").await;
    let eve = to_new_years_eve(&app);
    let b = app.browser();
    b.sign_in("responsable@demoville.test", DEMO_PASSWORD).await;
    let last = eve.date_naive();
    let next = last.succ_opt().unwrap();
    let counts = |day: chrono::NaiveDate| {
        let (app, sup, b) = (&app, &sup, &b);
        async move {
            let q = format!("from={day}&to={day}");
            let page = b.get(&format!("/stats?{q}")).await;
            assert_eq!(page.status, StatusCode::OK);
            [
                page_figure(&page.body, "Demandes").parse::<u64>().unwrap(),
                get_ok(app, sup, &format!("/api/v1/dashboard?{q}")).await["requests"]
                    .as_u64()
                    .unwrap(),
                get_ok(app, sup, &format!("/api/v1/stats?{q}")).await["total_requests"]
                    .as_u64()
                    .unwrap(),
                get_ok(app, sup, &format!("/api/v1/statistics?{q}")).await["requests"]
                    .as_u64()
                    .unwrap(),
            ]
        }
    };
    let (last_before, next_before) = (counts(last).await, counts(next).await);
    let pid = person(&app, &t, "Minuit", None).await;
    let (s, r) = call(&app, &t, "POST", "/api/v1/help-requests", Some(json!({
        "person_id": pid, "procedure": "Démarche en ligne", "category": "social", "status": "open"
    })))
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let (last_after, next_after) = (counts(last).await, counts(next).await);
    assert_eq!(last_after, last_before, "not on the UTC day");
    assert_eq!(next_after, next_before.map(|n| n + 1), "on the Paris day");
}

/// Issue 17, statistics period: an inverted period is refused by every
/// statistics API with the same field error, in the caller's language.
#[tokio::test]
async fn an_inverted_statistics_period_is_refused_everywhere_with_a_clear_message() {
    let app = spawn_app(Options::default()).await.unwrap();
    let sup = token(&app, "responsable@demoville.test").await;
    let q = "from=2026-02-01&to=2026-01-01";
    for path in [
        format!("/api/v1/statistics?{q}"),
        format!("/api/v1/stats?{q}"),
        format!("/api/v1/dashboard?{q}"),
        format!("/api/v1/exports/territory?{q}"),
    ] {
        let (s, e) = call(&app, &sup, "GET", &path, None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {e}");
        let f = &e["error"]["fields"][0];
        assert_eq!(
            (f["field"].as_str(), f["code"].as_str()),
            (Some("to"), Some("period_inverted"))
        );
        assert!(!f["message"].as_str().unwrap().is_empty(), "{e}");
    }
    let r = app
        .api()
        .get(format!("{}/api/v1/statistics?{q}", app.base))
        .bearer_auth(&sup)
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap();
    let e: Value = r.json().await.unwrap();
    let fr = call(&app, &sup, "GET", &format!("/api/v1/statistics?{q}"), None)
        .await
        .1;
    assert_ne!(
        e["error"]["fields"][0]["message"], fr["error"]["fields"][0]["message"],
        "French and English messages"
    );
}

/// Issue 17, age bracket: one rule, the age reached in the Paris year of
/// the day the request was made. At 23:30 UTC on 31 December (1 January
/// in Paris), someone born 18 years before the new year is 18-24 on the
/// dashboard, in the statistics API and in the interventions export (the
/// dashboard used the UTC year and said under 18).
async fn age_bracket_near_new_year_is_the_same_on_the_dashboard_and_in_the_export(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let t = token(&app, "agent@demoville.test").await;
    let sup = token(&app, "responsable@demoville.test").await;
    let eve = to_new_years_eve(&app);
    let new_year = eve.date_naive().succ_opt().unwrap();
    let pid = person(&app, &t, "Nouvelan", Some(new_year.year() - 18)).await;
    let (s, r) = call(&app, &t, "POST", "/api/v1/help-requests", Some(json!({
        "person_id": pid, "procedure": "Démarche en ligne", "category": "social", "status": "done",
        "intervention": {"mode": "done_with", "duration_minutes": 30}
    })))
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let reference = r["reference"].as_str().unwrap().to_owned();
    let q = format!("from={new_year}&to={new_year}");
    let d = get_ok(&app, &sup, &format!("/api/v1/dashboard?{q}")).await;
    assert_eq!(row(&d, "age_bracket", "18_24", "requests"), 1, "{d}");
    assert_eq!(row(&d, "age_bracket", "under_18", "requests"), 0, "{d}");
    let s = get_ok(&app, &sup, &format!("/api/v1/statistics?{q}")).await;
    assert_eq!(s["by_age_bracket"]["18_24"], 1, "{s}");
    let export = app
        .api()
        .get(format!(
            "{}/api/v1/exports/interventions?{q}&format=csv-rfc4180",
            app.base
        ))
        .bearer_auth(&sup)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let line = export
        .lines()
        .find(|l| l.contains(&reference))
        .unwrap_or_else(|| panic!("{reference} in {export}"));
    assert!(line.contains("18 à 24 ans"), "{line}");
}

/// Issue 17, outcome else status: the grouped stats query spells the rule
/// in SQL (`COALESCE(outcome, status)`), the dashboard asks the domain;
/// on the demo's history they agree.
async fn the_grouped_stats_query_and_the_dashboard_agree_on_outcome_else_status(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let sup = token(&app, "responsable@demoville.test").await;
    let today = app.services.today();
    let q = format!("from={}&to={today}", today - chrono::Duration::days(800));
    let d = get_ok(&app, &sup, &format!("/api/v1/dashboard?{q}")).await;
    let s = get_ok(&app, &sup, &format!("/api/v1/stats?{q}&group_by=outcome")).await;
    let mut from_sql: Vec<(String, u64)> = s["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["key"].as_str().unwrap().to_owned(),
                g["requests"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut from_domain: Vec<(String, u64)> = d["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "outcome")
        .unwrap()["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_owned(),
                r["requests"].as_u64().unwrap(),
            )
        })
        .collect();
    from_sql.sort();
    from_domain.sort();
    assert!(from_sql.len() >= 3, "{s}");
    assert!(from_sql.iter().any(|(k, _)| k == "open"), "{s}");
    assert_eq!(from_sql, from_domain);
}

/// Issue 17, policy: the page and the API read a written policy with the
/// same reader: same input, same policy, same verdict; an unknown value is
/// reported by both (the page used to drop it).
#[tokio::test]
async fn the_policy_page_and_the_api_read_the_same_input_the_same_way() {
    let app = spawn_app(Options::default()).await.unwrap();
    let sup = token(&app, "responsable@demoville.test").await;
    let t = token(&app, "agent@demoville.test").await;
    let b = app.browser();
    b.sign_in("responsable@demoville.test", DEMO_PASSWORD).await;
    let mut fields: Vec<(String, String)> = [
        ("mandate_rule", "required"),
        ("max_mandate_duration", "six_months"),
        ("retention_months", "24"),
        ("max_backdating_days", "30"),
        ("charter", "Notre charte"),
        ("privacy_contact", "dpo@demoville.test"),
        ("require_privacy_notice", "1"),
        ("paper_scan_required", "1"),
        ("done_for_roles", "agent"),
        ("done_for_roles", "supervisor"),
        ("mode_social", "done_with"),
        ("mode_social", "taught"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for c in relais_domain::ProcedureCategory::ALL
        .iter()
        .filter(|c| c.as_str() != "social")
    {
        for m in relais_domain::Mode::ALL {
            fields.push((format!("mode_{}", c.as_str()), m.as_str().to_owned()));
        }
    }
    let post = |fields: Vec<(String, String)>| {
        let b = &b;
        async move {
            let page = b.get("/structure/policy").await;
            let pairs: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            b.post("/structure/policy", &page.csrf(), &pairs).await
        }
    };
    let r = post(fields.clone()).await;
    assert_eq!(r.location(), "/structure/policy?done=policy-saved");
    let from_page = get_ok(&app, &sup, "/api/v1/policy").await;
    let (s, from_api) = call(&app, &sup, "PUT", "/api/v1/policy", Some(from_page.clone())).await;
    assert_eq!(s, StatusCode::OK, "{from_api}");
    assert_eq!(from_api, from_page);
    // The same verdict: "done for" is not a mode the charter allows for social.
    let pid = person(&app, &t, "Charte", None).await;
    let (s, e) = call(&app, &t, "POST", "/api/v1/help-requests", Some(json!({
        "person_id": pid, "procedure": "Démarche en ligne", "category": "social", "status": "done",
        "intervention": {"mode": "done_for", "duration_minutes": 30}
    })))
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["error"]["reason"], "mode_not_allowed");
    // An unknown role: reported by both, nothing saved.
    let mut bad = fields.clone();
    bad.push(("done_for_roles".into(), "superhero".into()));
    let r = post(bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let mut bad_doc = from_page.clone();
    bad_doc["done_for_roles"] = json!(["agent", "superhero"]);
    let (s, e) = call(&app, &sup, "PUT", "/api/v1/policy", Some(bad_doc)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["fields"][0]["field"], "done_for_roles");
    assert_eq!(get_ok(&app, &sup, "/api/v1/policy").await, from_page);
}

/// Issue 17, policy: a stored policy that no longer reads is an error,
/// never the default policy in silence.
async fn an_unreadable_stored_policy_is_an_error_not_the_default(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let sup = token(&app, "responsable@demoville.test").await;
    let t = token(&app, "agent@demoville.test").await;
    let sid = app
        .store
        .structure_by_slug("ccas-demoville")
        .await
        .unwrap()
        .unwrap()
        .id;
    app.store
        .save_policy(
            StructureId(sid),
            r#"{"mandate_rule": "whenever"}"#,
            None,
            &[],
            app.clock_now(),
        )
        .await
        .unwrap();
    let (s, e) = call(&app, &sup, "GET", "/api/v1/policy", None).await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR, "{e}");
    assert_eq!(e["error"]["code"], "policy_unreadable");
    // Nothing the policy decides is decided on a default one (here, whether
    // the privacy notice must have been given).
    let (s, e) = call(
        &app,
        &t,
        "POST",
        "/api/v1/persons",
        Some(json!({
            "first_name": "Règle", "last_name": "Illisible", "confirm_new": true
        })),
    )
    .await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR, "{e}");
    assert_eq!(e["error"]["code"], "policy_unreadable");
    let b = app.browser();
    b.sign_in("responsable@demoville.test", DEMO_PASSWORD).await;
    let page = b.get("/structure/policy").await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(page.body.contains("illisible"), "{}", page.body);
}

/// Issue 17, credential guard: the intake journals the field that was
/// flagged and confirmed (it used to say `summary` for `next_step`).
#[tokio::test]
async fn the_intake_journals_the_flagged_next_step_not_the_summary() {
    let app = spawn_app(Options::default()).await.unwrap();
    let t = token(&app, "agent@demoville.test").await;
    let pid = person(&app, &t, "Gardien", None).await;
    let (s, r) = call(&app, &t, "POST", "/api/v1/help-requests", Some(json!({
        "person_id": pid, "procedure": "Compte ameli", "category": "social", "status": "done",
        "intervention": {"mode": "done_with", "duration_minutes": 15, "summary": "Compte ouvert",
            "next_step": "mdp caf: Soleil2024!", "confirm_secret": true}
    })))
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let iid = r["interventions"][0]["id"].as_str().unwrap().to_owned();
    let entries = app.store.journal_entries().await.unwrap();
    let confirmations: Vec<_> = entries
        .iter()
        .filter(|e| {
            e.action == "privacy.secret_confirmed"
                && e.object_id.map(|id| id.to_string()) == Some(iid.clone())
        })
        .collect();
    assert_eq!(confirmations.len(), 1, "{confirmations:?}");
    assert!(
        confirmations[0].details.contains("next_step"),
        "{:?}",
        confirmations[0]
    );
    assert!(!confirmations[0].details.contains("summary"));
    assert!(entries.iter().all(|e| !e.details.contains("Soleil")));
}
