//! Persons written at the same time by several requests (erasure, changes,
//! creations for them, merges): each test fires the requests at once and
//! checks what must hold whatever their order.

use crate::helpers::*;
use futures_util::future::join_all;
use relais_domain::{PersonId, StructureId};
use relais_store::RequestFilter;
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_engines!(
    a_change_racing_an_erasure_never_writes_the_person_back,
    changes_of_different_fields_at_once_all_stay,
    nothing_is_created_for_a_person_erased_at_the_same_time,
    two_merges_one_into_the_other_leave_one_person,
);

const ROUNDS: usize = 4;

async fn structure(app: &TestApp) -> StructureId {
    StructureId(
        app.store
            .structure_by_slug("ccas-demoville")
            .await
            .unwrap()
            .unwrap()
            .id,
    )
}

async fn new_person(app: &TestApp, t: &str, last: &str) -> String {
    let (s, p) = call(
        app,
        t,
        "POST",
        "/api/v1/persons",
        Some(json!({
            "first_name": "Course", "last_name": last, "privacy_notice_on": "2026-01-05",
            "phone": "0611223344", "email": "course@example.fr",
            "notes": "note sociale", "confirm_new": true
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    p["id"].as_str().unwrap().to_owned()
}

fn no_server_error(answers: &[(StatusCode, Value)]) {
    for (s, v) in answers {
        assert!(!s.is_server_error(), "{s}: {v}");
    }
}

async fn a_change_racing_an_erasure_never_writes_the_person_back(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let sup = token(&app, "responsable@demoville.test").await;
    let sid = structure(&app).await;
    for round in 0..ROUNDS {
        let pid = new_person(&app, &sup, &format!("Efface{round}")).await;
        let path = format!("/api/v1/persons/{pid}");
        let erase = format!("/api/v1/persons/{pid}/erase");
        let patch = json!({"first_name": "Revenant", "phone": "0699887766", "notes": "nouvelle"});
        let calls = (0..7).map(|i| {
            let (method, path, body) = if i == 3 {
                ("POST", erase.as_str(), None)
            } else {
                ("PATCH", path.as_str(), Some(patch.clone()))
            };
            call(&app, &sup, method, path, body)
        });
        let answers = join_all(calls).await;
        no_server_error(&answers);
        assert_eq!(answers[3].0, StatusCode::NO_CONTENT, "{}", answers[3].1);
        let p = app
            .store
            .person_by_id(sid, PersonId(pid.parse().unwrap()))
            .await
            .unwrap()
            .unwrap();
        assert!(p.anonymised_at.is_some());
        assert_eq!(p.first_name, "", "an erased person is never written back");
        assert_eq!(p.phone, None);
        assert_eq!(p.notes, None);
        let (s, _) = call(&app, &sup, "PATCH", &path, Some(patch)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "an erased person is not changed");
    }
}

async fn changes_of_different_fields_at_once_all_stay(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let sup = token(&app, "responsable@demoville.test").await;
    for round in 0..ROUNDS {
        let pid = new_person(&app, &sup, &format!("Champs{round}")).await;
        let path = format!("/api/v1/persons/{pid}");
        let changes = [
            json!({"first_name": "Prénom"}),
            json!({"usual_name": "Usage"}),
            json!({"phone": "0699887766"}),
            json!({"email": "autre@example.fr"}),
            json!({"commune": "Ailleurs"}),
            json!({"preferred_language": "wolof"}),
            json!({"notes": "nouvelle note"}),
            json!({"birth_year": 1960}),
        ];
        let answers = join_all(
            changes
                .iter()
                .map(|c| call(&app, &sup, "PATCH", &path, Some(c.clone()))),
        )
        .await;
        for (s, v) in &answers {
            assert_eq!(*s, StatusCode::OK, "{v}");
        }
        let (_, p) = call(&app, &sup, "GET", &path, None).await;
        for (field, value) in [
            ("first_name", json!("Prénom")),
            ("usual_name", json!("Usage")),
            ("phone", json!("0699887766")),
            ("email", json!("autre@example.fr")),
            ("commune", json!("Ailleurs")),
            ("preferred_language", json!("wolof")),
            ("notes", json!("nouvelle note")),
            ("birth_year", json!(1960)),
        ] {
            assert_eq!(p[field], value, "{field} kept: {p}");
        }
    }
}

async fn nothing_is_created_for_a_person_erased_at_the_same_time(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let sup = token(&app, "responsable@demoville.test").await;
    let sid = structure(&app).await;
    let due = (app.clock_now() + chrono::Duration::days(10))
        .date_naive()
        .to_string();
    for round in 0..ROUNDS {
        let pid = new_person(&app, &sup, &format!("Deux{round}")).await;
        let person = PersonId(pid.parse().unwrap());
        let calls: Vec<(&str, String, Option<Value>)> = vec![
            (
                "POST",
                "/api/v1/mandates".into(),
                Some(json!({"person_id": pid, "categories": ["social"],
                    "duration": "one_month", "consent": "paper"})),
            ),
            (
                "POST",
                format!("/api/v1/persons/{pid}/private-notes"),
                Some(json!({"body": "note privée"})),
            ),
            (
                "PUT",
                format!("/api/v1/persons/{pid}/reminder-consent"),
                Some(json!({"channel": "email"})),
            ),
            (
                "POST",
                "/api/v1/follow-ups".into(),
                Some(json!({"person_id": pid, "due_date": due, "reason": "Rappeler"})),
            ),
            (
                "POST",
                "/api/v1/help-requests".into(),
                Some(
                    json!({"person_id": pid, "procedure": "Course", "category": "social",
                    "channel": "walk_in", "status": "open"}),
                ),
            ),
            ("POST", format!("/api/v1/persons/{pid}/erase"), None),
        ];
        let answers = join_all(
            calls
                .iter()
                .map(|(m, p, b)| call(&app, &sup, m, p, b.clone())),
        )
        .await;
        no_server_error(&answers);
        let erased = app
            .store
            .person_by_id(sid, person)
            .await
            .unwrap()
            .unwrap()
            .anonymised_at
            .is_some();
        let mandates = app
            .store
            .list_mandates(
                sid,
                &relais_store::MandateFilter {
                    person_id: Some(person.0),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let pending = mandates
            .iter()
            .any(|m| m.mandate.signed_at.is_none() && m.mandate.revoked_at.is_none());
        if !erased {
            // The mandate came first: the erasure waits for its revocation.
            let (s, e) = &answers[5];
            assert_eq!(*s, StatusCode::CONFLICT, "{e}");
            assert_eq!(e["error"]["code"], "erasure_blocked");
            assert!(pending);
            continue;
        }
        assert_eq!(answers[5].0, StatusCode::NO_CONTENT, "{}", answers[5].1);
        assert!(!pending, "no mandate waits for an erased person");
        assert_eq!(app.store.count_private_notes(sid, person).await.unwrap(), 0);
        assert_eq!(app.store.reminder_consent_of(person).await.unwrap(), None);
        assert!(app
            .store
            .follow_ups_of_person(sid, person)
            .await
            .unwrap()
            .is_empty());
        let requests = app
            .store
            .list_help_requests(
                sid,
                &RequestFilter {
                    person_id: Some(person.0),
                    ..RequestFilter::default()
                },
                100,
                0,
            )
            .await
            .unwrap();
        for r in &requests {
            assert!(
                r.request.anon_age_bracket.is_some(),
                "every request of an erased person was anonymised with them"
            );
        }
        for (s, v) in &answers[..5] {
            assert!(
                s.is_success()
                    || *s == StatusCode::NOT_FOUND
                    || *s == StatusCode::UNPROCESSABLE_ENTITY,
                "{s}: {v}"
            );
        }
    }
}

async fn two_merges_one_into_the_other_leave_one_person(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let sup = token(&app, "responsable@demoville.test").await;
    let sid = structure(&app).await;
    let b = app.browser();
    b.sign_in("responsable@demoville.test", DEMO_PASSWORD).await;
    for round in 0..ROUNDS {
        let first = new_person(&app, &sup, &format!("Fusion{round}a")).await;
        let second = new_person(&app, &sup, &format!("Fusion{round}b")).await;
        let page = b.get(&format!("/persons/{first}")).await;
        let csrf = page.csrf();
        let (into_first, into_second) = (
            format!("/persons/{first}/merge"),
            format!("/persons/{second}/merge"),
        );
        let (absorb_second, absorb_first) = (
            [("absorbed_id", second.as_str())],
            [("absorbed_id", first.as_str())],
        );
        let (one, other) = futures_util::join!(
            b.post(&into_first, &csrf, &absorb_second),
            b.post(&into_second, &csrf, &absorb_first),
        );
        assert!(!one.status.is_server_error(), "{}", one.status);
        assert!(!other.status.is_server_error(), "{}", other.status);
        let mut live = 0;
        for id in [&first, &second] {
            let p = app
                .store
                .person_by_id(sid, PersonId(id.parse().unwrap()))
                .await
                .unwrap()
                .unwrap();
            if p.merged_into.is_none() {
                live += 1;
            }
        }
        assert_eq!(live, 1, "one of the two stays, the other is merged into it");
    }
}
