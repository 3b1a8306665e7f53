//! Issue 17, lost updates and no-op journaling: concurrent changes of one
//! follow-up, help request or referral all land (or are refused with
//! `changed_meanwhile`), and a change that changes nothing writes and
//! journals nothing. Races are fired at the running server; the tests
//! assert the invariants, not an interleaving.

use crate::helpers::*;
use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_engines!(
    concurrent_follow_up_changes_are_all_kept,
    a_follow_up_marked_done_many_times_is_done_once,
    concurrent_help_request_changes_are_all_kept,
    concurrent_referral_moves_journal_the_status_they_left,
    a_referral_moved_to_its_own_status_changes_nothing,
);

/// A new help request of a new person; its id.
async fn request(app: &TestApp, t: &str, last: &str) -> String {
    let (s, p) = call(
        app,
        t,
        "POST",
        "/api/v1/persons",
        Some(json!({
            "first_name": "Course", "last_name": last, "birth_year": 1980,
            "privacy_notice_on": "2026-01-05", "confirm_new": true
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let (s, r) = call(
        app,
        t,
        "POST",
        "/api/v1/help-requests",
        Some(json!({
            "person_id": p["id"], "procedure": "Actualisation mensuelle", "category": "travail",
            "operator": "France Travail", "channel": "walk_in", "status": "open"
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    r["id"].as_str().unwrap().to_owned()
}

async fn follow_up(app: &TestApp, t: &str, rid: &str) -> String {
    let due = app.services.today() + chrono::Duration::days(30);
    let (s, f) = call(
        app,
        t,
        "POST",
        "/api/v1/follow-ups",
        Some(json!({"help_request_id": rid, "due_date": due.to_string(), "reason": "Rappeler la personne"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{f}");
    f["id"].as_str().unwrap().to_owned()
}

/// A follow-up as its request shows it (there is no GET of one alone).
async fn follow_up_now(app: &TestApp, t: &str, rid: &str, fid: &str) -> Value {
    let (s, r) = call(app, t, "GET", &format!("/api/v1/help-requests/{rid}"), None).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    r["follow_ups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == fid)
        .cloned()
        .unwrap()
}

/// A refused concurrent change says so with its own code.
fn ok_or_changed_meanwhile(s: StatusCode, v: &Value) -> bool {
    if s == StatusCode::OK {
        return true;
    }
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["fields"][0]["code"], "changed_meanwhile", "{v}");
    false
}

/// The journal entries of an object, in order.
async fn entries_of(app: &TestApp, action: &str, id: &str) -> Vec<Value> {
    app.store
        .journal_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action && e.object_id.map(|o| o.to_string()).as_deref() == Some(id))
        .map(|e| serde_json::from_str(&e.details).unwrap())
        .collect()
}

/// A new reason and "done" sent at once: both are kept.
async fn concurrent_follow_up_changes_are_all_kept(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let t = token(&app, "agent@demoville.test").await;
    let rid = request(&app, &t, "Suivi").await;
    for round in 0..10 {
        let fid = follow_up(&app, &t, &rid).await;
        let path = format!("/api/v1/follow-ups/{fid}");
        let reason = format!("Nouveau motif numéro {round}");
        let answers = join_all([
            call(&app, &t, "PATCH", &path, Some(json!({"reason": reason}))),
            call(&app, &t, "PATCH", &path, Some(json!({"done": true}))),
        ])
        .await;
        let f = follow_up_now(&app, &t, &rid, &fid).await;
        if ok_or_changed_meanwhile(answers[0].0, &answers[0].1) {
            assert_eq!(f["reason"], reason, "round {round}: {f}");
        }
        if ok_or_changed_meanwhile(answers[1].0, &answers[1].1) {
            assert_eq!(f["done"], true, "round {round}: {f}");
        }
    }
}

/// Twenty "done" at once, then one more later: one change, one journal
/// entry, one done_at.
async fn a_follow_up_marked_done_many_times_is_done_once(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let t = token(&app, "agent@demoville.test").await;
    let rid = request(&app, &t, "Fait").await;
    let fid = follow_up(&app, &t, &rid).await;
    let path = format!("/api/v1/follow-ups/{fid}");
    let answers =
        join_all((0..20).map(|_| call(&app, &t, "PATCH", &path, Some(json!({"done": true})))))
            .await;
    let f = follow_up_now(&app, &t, &rid, &fid).await;
    assert_eq!(f["done"], true, "{f}");
    for (s, v) in &answers {
        if ok_or_changed_meanwhile(*s, v) {
            assert_eq!(v["done_at"], f["done_at"], "{v}");
        }
    }
    app.clock.advance(chrono::Duration::hours(2));
    let (s, again) = call(&app, &t, "PATCH", &path, Some(json!({"done": true}))).await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(again["done_at"], f["done_at"], "{again}");
    assert_eq!(entries_of(&app, "follow_up.update", &fid).await.len(), 1);
}

/// A new procedure and a new status sent at once: both are kept.
async fn concurrent_help_request_changes_are_all_kept(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let t = token(&app, "agent@demoville.test").await;
    for round in 0..10 {
        let rid = request(&app, &t, &format!("Demande{round}")).await;
        let path = format!("/api/v1/help-requests/{rid}");
        let procedure = format!("Changement de situation {round}");
        let answers = join_all([
            call(
                &app,
                &t,
                "PATCH",
                &path,
                Some(json!({"procedure": procedure})),
            ),
            call(
                &app,
                &t,
                "PATCH",
                &path,
                Some(json!({"status": "waiting_for_operator"})),
            ),
        ])
        .await;
        let (_, r) = call(&app, &t, "GET", &path, None).await;
        if ok_or_changed_meanwhile(answers[0].0, &answers[0].1) {
            assert_eq!(r["procedure"], procedure, "round {round}: {r}");
        }
        if ok_or_changed_meanwhile(answers[1].0, &answers[1].1) {
            assert_eq!(r["status"], "waiting_for_operator", "round {round}: {r}");
        }
    }
}

/// Twenty moves at once: each journal entry starts where the one before
/// ended, none stays in place, and the last one is the referral's status.
async fn concurrent_referral_moves_journal_the_status_they_left(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let t = token(&app, "agent@demoville.test").await;
    let rid = request(&app, &t, "Orientation").await;
    let (s, r) = call(
        &app,
        &t,
        "POST",
        "/api/v1/referrals",
        Some(json!({"help_request_id": rid, "operator_id": "caf", "reason": "Appeler la CAF"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let id = r["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/referrals/{id}");
    let statuses = ["contacted", "accepted", "done", "failed", "proposed"];
    let answers = join_all((0..20).map(|i| {
        call(
            &app,
            &t,
            "PATCH",
            &path,
            Some(json!({"status": statuses[i % statuses.len()]})),
        )
    }))
    .await;
    let ok = answers
        .iter()
        .filter(|(s, v)| ok_or_changed_meanwhile(*s, v))
        .count();
    let entries = entries_of(&app, "referral.update", &id).await;
    assert!(entries.len() <= ok, "{entries:?}");
    let mut at = json!("proposed");
    for e in &entries {
        assert_eq!(e["from"], at, "{entries:?}");
        assert_ne!(e["from"], e["to"], "{entries:?}");
        at = e["to"].clone();
    }
    let (_, r) = call(&app, &t, "GET", &path, None).await;
    assert_eq!(r["status"], at, "{r}");
}

/// `done` → `done` a day later: no journal entry, the day it closed stays.
async fn a_referral_moved_to_its_own_status_changes_nothing(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let t = token(&app, "agent@demoville.test").await;
    let rid = request(&app, &t, "Deux fois").await;
    let (s, r) = call(
        &app,
        &t,
        "POST",
        "/api/v1/referrals",
        Some(json!({"help_request_id": rid, "operator_id": "caf", "reason": "Appeler la CAF"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let id = r["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/referrals/{id}");
    let (s, done) = call(&app, &t, "PATCH", &path, Some(json!({"status": "done"}))).await;
    assert_eq!(s, StatusCode::OK, "{done}");
    app.clock.advance(chrono::Duration::days(2));
    let (s, again) = call(&app, &t, "PATCH", &path, Some(json!({"status": "done"}))).await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(again["closed_on"], done["closed_on"], "{again}");
    assert_eq!(again["updated_at"], done["updated_at"], "{again}");
    assert_eq!(entries_of(&app, "referral.update", &id).await.len(), 1);
}
