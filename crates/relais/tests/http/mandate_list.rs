//! The mandate list (issue 18): filtered, sorted and cut into pages by the
//! database. Every mandate is reached by following `next`, once, newest
//! first; each filter keeps exactly the mandates the domain's rules put
//! in it (state on the day, category in force, ending soon).

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashSet;

on_both_engines!(every_mandate_is_reached_by_pages_and_each_filter_follows_the_domain);

async fn mandate(app: &TestApp, t: &str, last: &str, categories: &[&str], sign: bool) -> String {
    let (s, p) = call(app, t, "POST", "/api/v1/persons", Some(json!({
        "first_name": "Liste", "last_name": last, "privacy_notice_on": "2026-01-05", "confirm_new": true
    })))
    .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let (s, m) = call(app, t, "POST", "/api/v1/mandates", Some(json!({
        "person_id": p["id"], "categories": categories, "duration": "six_months", "consent": "paper"
    })))
    .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let id = m["id"].as_str().unwrap().to_owned();
    if sign {
        let (s, m) = call(
            app,
            t,
            "POST",
            &format!("/api/v1/mandates/{id}/sign"),
            Some(json!({"scan": "JVBERi0xLjQK"})),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{m}");
    }
    id
}

async fn revoke(app: &TestApp, t: &str, id: &str, categories: &[&str]) {
    let (s, m) = call(
        app,
        t,
        "POST",
        &format!("/api/v1/mandates/{id}/revoke"),
        Some(json!({"categories": categories, "reason": "à la demande de la personne"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{m}");
}

/// Every item of the list at `query`, following `next` pages of `limit`.
async fn all_pages(app: &TestApp, t: &str, query: &str, limit: usize) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor = String::new();
    for _ in 0..1000 {
        let path = format!("/api/v1/mandates?limit={limit}{query}{cursor}");
        let (s, page) = call(app, t, "GET", &path, None).await;
        assert_eq!(s, StatusCode::OK, "{path}: {page}");
        let got = page["items"].as_array().unwrap();
        assert!(got.len() <= limit, "{path}");
        items.extend(got.iter().cloned());
        match page["next"].as_str() {
            Some(next) => {
                assert_eq!(got.len(), limit, "a page before the last is full");
                cursor = format!("&cursor={next}");
            }
            None => return items,
        }
    }
    panic!("the pages of {query} never end");
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn every_mandate_is_reached_by_pages_and_each_filter_follows_the_domain(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let t = token(&app, "agent@demoville.test").await;
    mandate(&app, &t, "Attente", &["social", "travail"], false).await;
    mandate(&app, &t, "Active", &["social"], true).await;
    let famille = mandate(&app, &t, "Famille", &["famille"], true).await;
    revoke(&app, &t, &famille, &["famille"]).await; // its only category: revoked whole
    let partly = mandate(&app, &t, "Partielle", &["social", "argent"], true).await;
    revoke(&app, &t, &partly, &["argent"]).await;
    let whole = mandate(&app, &t, "Entiere", &["travail"], true).await;
    revoke(&app, &t, &whole, &[]).await;
    for i in 0..6 {
        mandate(&app, &t, &format!("Serie{i}"), &["papiers"], i % 2 == 0).await;
    }

    // Everything, read by pages of 4, is everything read at once, in the
    // same order, each mandate once, newest first.
    let actor = app.services.authenticate_token(&t).await.unwrap();
    let everything = app
        .services
        .list_mandates(&actor, None, None)
        .await
        .unwrap();
    assert!(everything.len() >= 11, "{}", everything.len());
    let paged = all_pages(&app, &t, "", 4).await;
    let expected: Vec<String> = everything.iter().map(|m| m.id.0.to_string()).collect();
    assert_eq!(ids(&paged), expected);
    assert_eq!(
        ids(&paged).into_iter().collect::<HashSet<_>>().len(),
        expected.len()
    );
    assert!(everything
        .windows(2)
        .all(|w| (w[0].created_at, w[0].id.0) > (w[1].created_at, w[1].id.0)));

    // Each state: the database's selection is the domain's state on the day.
    let today = app.services.today();
    for state in ["pending", "active", "expired", "revoked"] {
        let got = ids(&all_pages(&app, &t, &format!("&status={state}"), 3).await);
        let want: Vec<String> = everything
            .iter()
            .filter(|m| m.state.as_str() == state)
            .map(|m| m.id.0.to_string())
            .collect();
        assert_eq!(got, want, "{state}");
    }
    // Each category: named and not revoked for it.
    for category in [
        "social", "travail", "argent", "famille", "papiers", "justice",
    ] {
        let got = ids(&all_pages(&app, &t, &format!("&category={category}"), 5).await);
        let want: Vec<String> = everything
            .iter()
            .filter(|m| m.active_categories.iter().any(|c| c.as_str() == category))
            .map(|m| m.id.0.to_string())
            .collect();
        assert_eq!(got, want, "{category}");
    }
    assert!(!ids(&all_pages(&app, &t, "&category=argent", 5).await).contains(&partly));
    // Ending soon: in force, ending within 30 days (none of ours: six
    // months), soonest end first.
    let got = ids(&all_pages(&app, &t, "&ending_soon=true", 5).await);
    let mut soon: Vec<_> = everything
        .iter()
        .filter(|m| {
            m.state.as_str() == "active"
                && m.ends_on <= today + chrono::Duration::days(relais_service::ENDING_SOON_DAYS)
        })
        .collect();
    soon.sort_by_key(|m| (m.ends_on, m.id.0));
    let want: Vec<String> = soon.iter().map(|m| m.id.0.to_string()).collect();
    assert_eq!(got, want);
    // Ending soon is for mandates in force: with another state, nothing.
    assert!(all_pages(&app, &t, "&status=pending&ending_soon=true", 5)
        .await
        .is_empty());
    assert_eq!(
        ids(&all_pages(&app, &t, "&status=active&ending_soon=true", 5).await),
        want
    );
    // Filters combine.
    let got = ids(&all_pages(&app, &t, "&status=active&category=social", 2).await);
    assert!(got.contains(&partly));
    assert!(got.iter().all(|id| everything
        .iter()
        .any(|m| m.id.0.to_string() == *id && m.state.as_str() == "active")));

    // Wrong input names its parameter.
    for (query, field) in [
        ("cursor=yesterday", "cursor"),
        ("cursor=12-nope", "cursor"),
        ("category=voyage", "category"),
        ("status=lost", "status"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("ending_soon=maybe", "ending_soon"),
    ] {
        let (s, e) = call(&app, &t, "GET", &format!("/api/v1/mandates?{query}"), None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {e}");
        assert_eq!(e["error"]["fields"][0]["field"], field, "{query}: {e}");
    }

    // The page: filters, and a next page that carries them.
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let p = b.get("/mandates?state=revoked").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains(&format!("/mandates/{famille}")));
    assert!(!p.body.contains(&format!("/mandates/{partly}")));
    let p = b.get("/mandates?state=lost").await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    let p = b.get("/mandates?after=nonsense").await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A yes in another spelling filters and is drawn checked, so that
    // filtering again keeps it; anything else is refused.
    let p = b.get("/mandates?ending_soon=yes").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains(r#"value="1" checked"#), "{}", p.body);
    let p = b.get("/mandates?ending_soon=on").await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Five months on, with mandates signed on three different days: those
    // ending soon come soonest end first, by pages, each once; the home
    // page shows the first ten and links to the rest.
    for day in 0..3 {
        app.clock.advance(chrono::Duration::days(1));
        for i in 0..4 {
            mandate(&app, &t, &format!("Tard{day}{i}"), &["social"], true).await;
        }
    }
    app.clock.advance(chrono::Duration::days(160));
    let t = token(&app, "agent@demoville.test").await;
    let soon = all_pages(&app, &t, "&ending_soon=true", 3).await;
    let keys: Vec<(String, String)> = soon
        .iter()
        .map(|m| {
            (
                m["ends_on"].as_str().unwrap().to_owned(),
                m["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "soonest end first");
    assert_eq!(
        soon.len(),
        HashSet::<&String>::from_iter(keys.iter().map(|k| &k.1)).len()
    );
    assert!(soon.len() >= 12, "{}", soon.len());
    assert!(keys.first().map(|k| &k.0) != keys.last().map(|k| &k.0));
    // A cursor past the calendar's last day: nothing after it.
    let far =
        "/api/v1/mandates?ending_soon=true&cursor=99999999999-0193b2e1000070008000000000000000";
    let (s, page) = call(&app, &t, "GET", far, None).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(page["items"], json!([]));
    assert_eq!(page["next"], Value::Null);
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let home = b.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    let shown: Vec<&(String, String)> = keys
        .iter()
        .filter(|k| home.body.contains(&format!("/mandates/{}", k.1)))
        .collect();
    assert_eq!(shown, keys.iter().take(10).collect::<Vec<_>>());
    assert!(home.body.contains(r#"href="/mandates?ending_soon=1""#));
}
