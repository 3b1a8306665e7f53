//! Revoking categories of a mandate (issue 17, attack review): a category
//! is revoked once; revoking it again, in turn or at the same time, is
//! refused and journals nothing.

use crate::helpers::*;
use relais_domain::{MandateId, StructureId};
use reqwest::StatusCode;
use serde_json::json;

on_both_engines!(
    a_category_already_revoked_is_not_revoked_again,
    concurrent_revocations_of_one_category_revoke_it_once,
);

/// An active mandate for social and travail, with the structure's id.
async fn mandate(app: &TestApp, t: &str) -> (StructureId, String) {
    let (s, p) = call(
        app,
        t,
        "POST",
        "/api/v1/persons",
        Some(json!({
            "first_name": "Révocation", "last_name": "Unique",
            "privacy_notice_on": "2026-01-05", "confirm_new": true
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let (s, m) = call(app, t, "POST", "/api/v1/mandates", Some(json!({
        "person_id": p["id"], "categories": ["social", "travail"], "duration": "six_months", "consent": "paper"
    })))
    .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let mid = m["id"].as_str().unwrap().to_owned();
    let (s, m) = call(
        app,
        t,
        "POST",
        &format!("/api/v1/mandates/{mid}/sign"),
        Some(json!({"scan": "JVBERi0xLjQK"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{m}");
    let sid = app
        .store
        .structure_by_slug("ccas-demoville")
        .await
        .unwrap()
        .unwrap()
        .id;
    (StructureId(sid), mid)
}

async fn revocations(app: &TestApp, sid: StructureId) -> usize {
    app.journal_actions(&sid.0.to_string())
        .await
        .iter()
        .filter(|a| *a == "mandate.revoke")
        .count()
}

async fn stored(app: &TestApp, sid: StructureId, mid: &str) -> relais_store::MandateRow {
    let id = MandateId(mid.parse().unwrap());
    app.store
        .mandate_by_id(sid, id)
        .await
        .unwrap()
        .unwrap()
        .mandate
}

async fn a_category_already_revoked_is_not_revoked_again(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let t = token(&app, "agent@demoville.test").await;
    let (sid, mid) = mandate(&app, &t).await;
    let path = format!("/api/v1/mandates/{mid}/revoke");
    let (s, m) = call(
        &app,
        &t,
        "POST",
        &path,
        Some(json!({
            "categories": ["travail"], "reason": "La personne le fait seule"
        })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{m}");
    assert_eq!(revocations(&app, sid).await, 1);
    let before = stored(&app, sid, &mid).await;
    let (s, e) = call(
        &app,
        &t,
        "POST",
        &path,
        Some(json!({
            "categories": ["travail"], "reason": "Une autre raison"
        })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["fields"][0]["field"], "categories", "{e}");
    assert_eq!(
        e["error"]["fields"][0]["code"], "category_already_revoked",
        "{e}"
    );
    assert_eq!(revocations(&app, sid).await, 1, "nothing journaled");
    let after = stored(&app, sid, &mid).await;
    assert_eq!(after.revoke_reason, before.revoke_reason, "reason kept");
    assert_eq!(after.revoked_categories, before.revoked_categories);
    // A category still in force is revoked, with one named before.
    let (s, m) = call(
        &app,
        &t,
        "POST",
        &path,
        Some(json!({
            "categories": ["travail", "social"], "reason": "Plus besoin"
        })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{m}");
    assert_eq!(revocations(&app, sid).await, 2);
}

async fn concurrent_revocations_of_one_category_revoke_it_once(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let t = token(&app, "agent@demoville.test").await;
    let (sid, mid) = mandate(&app, &t).await;
    let path = format!("/api/v1/mandates/{mid}/revoke");
    let answers = futures_util::future::join_all((0..8).map(|i| {
        call(
            &app,
            &t,
            "POST",
            &path,
            Some(json!({"categories": ["travail"], "reason": format!("Raison {i}")})),
        )
    }))
    .await;
    let ok = answers.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    assert_eq!(ok, 1, "{answers:?}");
    for (s, e) in answers.iter().filter(|(s, _)| *s != StatusCode::OK) {
        assert!(s.is_client_error(), "{s} {e}");
    }
    assert_eq!(revocations(&app, sid).await, 1);
    let row = stored(&app, sid, &mid).await;
    assert_eq!(row.revoked_categories, "travail");
    assert!(row.revoked_at.is_none(), "social is still in force");
}
