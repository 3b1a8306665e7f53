//! Issue 15 (trust), mandates: a category change cannot move a done-for
//! intervention outside its mandate, no use of a mandate follows its
//! revocation, mandate state changes are never lost, remote codes are
//! counted atomically, backdating is bounded and judged against the
//! signature, and a paper mandate needs a scan to be activated.

use crate::helpers::*;
use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

/// A tiny PDF, base64, standing for the scan of a signed paper mandate.
const SCAN_B64: &str = "JVBERi0xLjQKJSBzaWduZWQgcGFwZXIgbWFuZGF0ZSAodGVzdCBzY2FuKQo=";

async fn new_person(app: &TestApp, t: &str, first: &str, email: Option<&str>) -> String {
    let (s, p) = call(
        app,
        t,
        "POST",
        "/api/v1/persons",
        Some(json!({
            "first_name": first, "last_name": "Confiance", "email": email,
            "privacy_notice_on": "2026-01-05", "confirm_new": true
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    p["id"].as_str().unwrap().to_owned()
}

async fn new_mandate(
    app: &TestApp,
    t: &str,
    pid: &str,
    categories: &[&str],
    duration: &str,
    consent: &str,
) -> Value {
    let (s, m) = call(
        app,
        t,
        "POST",
        "/api/v1/mandates",
        Some(json!({
            "person_id": pid, "categories": categories, "duration": duration, "consent": consent
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    m
}

/// A paper mandate, signed with its scan.
async fn signed_mandate(
    app: &TestApp,
    t: &str,
    pid: &str,
    categories: &[&str],
    duration: &str,
) -> String {
    let m = new_mandate(app, t, pid, categories, duration, "paper").await;
    let mid = m["id"].as_str().unwrap().to_owned();
    let (s, m) = call(
        app,
        t,
        "POST",
        &format!("/api/v1/mandates/{mid}/sign"),
        Some(json!({ "scan": SCAN_B64 })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{m}");
    assert_eq!(m["status"], "active");
    mid
}

async fn intake(
    app: &TestApp,
    t: &str,
    pid: &str,
    category: &str,
    intervention: Option<Value>,
) -> (StatusCode, Value) {
    let mut body = json!({
        "person_id": pid, "procedure": "Démarche en ligne", "category": category,
        "status": "open"
    });
    if let Some(i) = intervention {
        body["intervention"] = i;
    }
    call(app, t, "POST", "/api/v1/help-requests", Some(body)).await
}

async fn intervention(app: &TestApp, t: &str, request: &str, body: Value) -> (StatusCode, Value) {
    call(
        app,
        t,
        "POST",
        &format!("/api/v1/help-requests/{request}/interventions"),
        Some(body),
    )
    .await
}

async fn chain(app: &TestApp) -> Uuid {
    app.store
        .structure_by_slug("ccas-demoville")
        .await
        .unwrap()
        .unwrap()
        .id
}

fn verification_code(m: &Value) -> String {
    m["verification_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned()
}

// ---- 5. a category change after a done-for intervention -------------------------

async fn category_change_after_done_for(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let t = token(&app, "agent@demoville.test").await;
    let pid = new_person(&app, &t, "Catherine", None).await;
    signed_mandate(&app, &t, &pid, &["social", "travail"], "six_months").await;
    let (s, r) = intake(
        &app,
        &t,
        &pid,
        "social",
        Some(json!({"mode": "done_for", "duration_minutes": 20})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let rid = r["id"].as_str().unwrap().to_owned();
    // Justice is not covered by the mandate the intervention relied on.
    let (s, e) = call(
        &app,
        &t,
        "PATCH",
        &format!("/api/v1/help-requests/{rid}"),
        Some(json!({"category": "justice"})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["error"]["code"], "policy_refused", "{e}");
    assert_eq!(e["error"]["reason"], "category_not_covered", "{e}");
    let (_, r) = call(
        &app,
        &t,
        "GET",
        &format!("/api/v1/help-requests/{rid}"),
        None,
    )
    .await;
    assert_eq!(r["category"], "social", "nothing written: {r}");
    // Another category of the same mandate is fine.
    let (s, r) = call(
        &app,
        &t,
        "PATCH",
        &format!("/api/v1/help-requests/{rid}"),
        Some(json!({"category": "travail"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["category"], "travail");
    // A request worked on with the person only changes freely.
    let (s, r) = intake(
        &app,
        &t,
        &pid,
        "social",
        Some(json!({"mode": "done_with", "duration_minutes": 20})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let rid = r["id"].as_str().unwrap().to_owned();
    let (s, r) = call(
        &app,
        &t,
        "PATCH",
        &format!("/api/v1/help-requests/{rid}"),
        Some(json!({"category": "justice"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
}

#[tokio::test]
async fn trust_mandates_category_change_after_done_for_is_refused_on_sqlite() {
    category_change_after_done_for(Options::default()).await;
}

#[tokio::test]
async fn trust_mandates_category_change_after_done_for_is_refused_on_postgresql() {
    category_change_after_done_for(Options {
        postgres: true,
        ..Options::default()
    })
    .await;
}

// ---- 6. revocation against concurrent uses ---------------------------------------

/// Whether the journal shows a use of `mandate` after its revocation.
async fn use_after_revoke(app: &TestApp, structure: Uuid, mandate: Uuid) -> bool {
    let entries = app.store.journal_entries().await.unwrap();
    let chain = structure.to_string();
    let of_mandate: Vec<_> = entries
        .iter()
        .filter(|e| e.chain == chain && e.object_id == Some(mandate))
        .collect();
    let Some(revoke) = of_mandate
        .iter()
        .find(|e| e.action == "mandate.revoke")
        .map(|e| e.seq)
    else {
        return false;
    };
    of_mandate
        .iter()
        .any(|e| e.action == "mandate.use" && e.seq > revoke)
}

async fn revoke_against_uses(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let t = token(&app, "agent@demoville.test").await;
    let structure = chain(&app).await;
    let (trials, uses) = (20, 8);
    let mut failures = 0;
    for trial in 0..trials {
        let pid = new_person(&app, &t, &format!("Race{trial}"), None).await;
        let mid = signed_mandate(&app, &t, &pid, &["social"], "six_months").await;
        let (s, r) = intake(&app, &t, &pid, "social", None).await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        let rid = r["id"].as_str().unwrap().to_owned();
        let mut calls = Vec::new();
        for i in 0..=uses {
            let (app, t, rid, mid) = (&app, &t, rid.clone(), mid.clone());
            calls.push(async move {
                if i == uses / 2 {
                    let (s, b) = call(
                        app,
                        t,
                        "POST",
                        &format!("/api/v1/mandates/{mid}/revoke"),
                        Some(json!({"reason": "La personne retire son accord"})),
                    )
                    .await;
                    assert_eq!(s, StatusCode::OK, "{b}");
                } else {
                    let (s, b) = intervention(
                        app,
                        t,
                        &rid,
                        json!({"mode": "done_for", "duration_minutes": 5}),
                    )
                    .await;
                    assert!(
                        s == StatusCode::CREATED || s == StatusCode::CONFLICT,
                        "{s} {b}"
                    );
                    if s == StatusCode::CONFLICT {
                        assert_eq!(b["error"]["reason"], "mandate_revoked", "{b}");
                    }
                }
            });
        }
        join_all(calls).await;
        if use_after_revoke(&app, structure, Uuid::parse_str(&mid).unwrap()).await {
            failures += 1;
        }
        // Once revoked, no more use.
        let (s, b) = intervention(
            &app,
            &t,
            &rid,
            json!({"mode": "done_for", "duration_minutes": 5}),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "{b}");
    }
    eprintln!("revoke vs use: {failures} of {trials} trials with a use after the revocation");
    assert_eq!(failures, 0, "a mandate was used after its revocation");
    assert_eq!(app.services.verify_journal().await.unwrap().broken, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn trust_mandates_no_use_follows_a_revocation_on_sqlite() {
    revoke_against_uses(Options::default()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn trust_mandates_no_use_follows_a_revocation_on_postgresql() {
    revoke_against_uses(Options {
        postgres: true,
        ..Options::default()
    })
    .await;
}

// ---- 7. a wrong remote code against a revocation --------------------------------

async fn wrong_code_against_revocation(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let t = token(&app, "agent@demoville.test").await;
    let b = app.browser();
    // One session for every trial: its CSRF token serves every form, and
    // the tries stay under the public pages' limit (120 per 5 minutes).
    let csrf = b.get("/login").await.csrf();
    let trials = 25;
    let mut undone = 0;
    for trial in 0..trials {
        let pid = new_person(
            &app,
            &t,
            &format!("Distance{trial}"),
            Some("distance@example.test"),
        )
        .await;
        let m = new_mandate(&app, &t, &pid, &["logement"], "one_month", "remote").await;
        let mid = m["id"].as_str().unwrap().to_owned();
        let code = verification_code(&m);
        let (b, app, t, csrf) = (&b, &app, &t, &csrf);
        let wrong = join_all((0..4).map(|_| {
            let code = code.clone();
            async move {
                let r = b
                    .post(&format!("/v/{code}/consent"), csrf, &[("code", "1234567")])
                    .await;
                assert!(
                    r.status == StatusCode::UNPROCESSABLE_ENTITY
                        || r.status == StatusCode::CONFLICT,
                    "{}",
                    r.status
                );
            }
        }));
        let revoke = async {
            let (s, e) = call(
                app,
                t,
                "POST",
                &format!("/api/v1/mandates/{mid}/revoke"),
                Some(json!({"reason": "La personne a changé d'avis"})),
            )
            .await;
            assert_eq!(s, StatusCode::OK, "{e}");
        };
        tokio::join!(wrong, revoke);
        let (_, m) = call(app, t, "GET", &format!("/api/v1/mandates/{mid}"), None).await;
        if m["status"] != "revoked" {
            undone += 1;
        }
    }
    eprintln!("wrong code vs revocation: {undone} of {trials} revocations undone");
    assert_eq!(undone, 0, "an acknowledged revocation was undone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn trust_mandates_a_wrong_code_never_undoes_a_revocation_on_sqlite() {
    wrong_code_against_revocation(Options::default()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn trust_mandates_a_wrong_code_never_undoes_a_revocation_on_postgresql() {
    wrong_code_against_revocation(Options {
        postgres: true,
        ..Options::default()
    })
    .await;
}

// ---- 2. parallel wrong remote codes ----------------------------------------------

async fn parallel_wrong_codes(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let t = token(&app, "agent@demoville.test").await;
    let pid = new_person(&app, &t, "Parallele", Some("parallele@example.test")).await;
    let m = new_mandate(&app, &t, &pid, &["logement"], "one_month", "remote").await;
    let mid = m["id"].as_str().unwrap().to_owned();
    let code = verification_code(&m);
    let lines = std::fs::read_to_string(&app.notifications).unwrap();
    let line: Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    let otp: String = line["body"]
        .as_str()
        .unwrap()
        .split("code")
        .nth(1)
        .unwrap()
        .chars()
        .filter(|c| c.is_ascii_digit())
        .take(6)
        .collect();
    let wrong = if otp == "000000" { "111111" } else { "000000" };
    let b = app.browser();
    let page = b.get(&format!("/v/{code}")).await;
    let csrf = page.csrf();
    let tries = 30;
    let statuses = join_all((0..tries).map(|_| {
        let (b, code, csrf) = (&b, &code, &csrf);
        async move {
            b.post(&format!("/v/{code}/consent"), csrf, &[("code", wrong)])
                .await
                .status
        }
    }))
    .await;
    assert!(statuses
        .iter()
        .all(|s| *s == StatusCode::UNPROCESSABLE_ENTITY));
    // Every try counted: at most five were judged, and the code is blocked.
    let mandate = Uuid::parse_str(&mid).unwrap();
    let counted = app
        .store
        .journal_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.object_id == Some(mandate) && e.action == "mandate.remote_code_refused")
        .filter(|e| serde_json::from_str::<Value>(&e.details).unwrap()["attempts"].is_number())
        .count();
    eprintln!("parallel wrong codes: {counted} of {tries} tries judged");
    assert!(counted <= 5, "{counted} tries judged for a budget of 5");
    let r = b
        .post(&format!("/v/{code}/consent"), &csrf, &[("code", &otp)])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "blocked");
    assert!(r.body.contains("bloqué"));
    let (_, m) = call(&app, &t, "GET", &format!("/api/v1/mandates/{mid}"), None).await;
    assert_eq!(m["status"], "pending");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn trust_mandates_parallel_wrong_codes_spend_the_budget_on_sqlite() {
    parallel_wrong_codes(Options::default()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn trust_mandates_parallel_wrong_codes_spend_the_budget_on_postgresql() {
    parallel_wrong_codes(Options {
        postgres: true,
        ..Options::default()
    })
    .await;
}

// ---- 8. backdating ------------------------------------------------------------------

fn days_ago(app: &TestApp, days: i64) -> String {
    (app.clock_now() - chrono::Duration::days(days)).to_rfc3339()
}

fn field_error(e: &Value, field: &str, code: &str) {
    assert_eq!(e["error"]["fields"][0]["field"], field, "{e}");
    assert_eq!(e["error"]["fields"][0]["code"], code, "{e}");
}

async fn backdating(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let t = token(&app, "agent@demoville.test").await;
    let sup = token(&app, "responsable@demoville.test").await;
    let pid = new_person(&app, &t, "Antidate", None).await;
    // Drawn up today, signed three days later.
    let m = new_mandate(&app, &t, &pid, &["social"], "six_months", "paper").await;
    let mid = m["id"].as_str().unwrap().to_owned();
    app.clock.advance(chrono::Duration::days(3));
    let (s, m) = call(
        &app,
        &t,
        "POST",
        &format!("/api/v1/mandates/{mid}/sign"),
        Some(json!({ "scan": SCAN_B64 })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{m}");
    let (s, r) = intake(&app, &t, &pid, "social", None).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let rid = r["id"].as_str().unwrap().to_owned();
    // The day before the signature: the mandate did not exist yet.
    let (s, e) = intervention(
        &app,
        &t,
        &rid,
        json!({"mode": "done_for", "duration_minutes": 5, "occurred_at": days_ago(&app, 1)}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["error"]["reason"], "mandate_signed_later", "{e}");
    // The same at intake.
    let (s, e) = intake(
        &app,
        &t,
        &pid,
        "social",
        Some(json!({"mode": "done_for", "duration_minutes": 5, "occurred_at": days_ago(&app, 2)})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["error"]["reason"], "mandate_signed_later", "{e}");
    // The day of the signature is fine.
    let (s, e) = intervention(
        &app,
        &t,
        &rid,
        json!({"mode": "done_for", "duration_minutes": 5, "occurred_at": days_ago(&app, 0)}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    // Older than the policy allows, whatever the mode.
    for (when, mode) in [
        (days_ago(&app, 40), "done_with"),
        (days_ago(&app, 40), "done_for"),
        ("0001-01-01T10:00".to_owned(), "done_with"),
        ("0001-01-01T00:00:00Z".to_owned(), "informed"),
    ] {
        let (s, e) = intervention(
            &app,
            &t,
            &rid,
            json!({"mode": mode, "duration_minutes": 5, "occurred_at": when}),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{when}: {e}");
        field_error(&e, "occurred_at", "date_too_old");
        let (s, e) = intake(
            &app,
            &t,
            &pid,
            "social",
            Some(json!({"mode": mode, "duration_minutes": 5, "occurred_at": when})),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{when}: {e}");
        field_error(&e, "occurred_at", "date_too_old");
    }
    // Within the bound it is accepted.
    let (s, e) = intervention(
        &app,
        &t,
        &rid,
        json!({"mode": "done_with", "duration_minutes": 5, "occurred_at": days_ago(&app, 29)}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    // A supervisor narrows the bound; a bound out of range is refused.
    let (_, mut p) = call(&app, &sup, "GET", "/api/v1/policy", None).await;
    assert_eq!(p["max_backdating_days"], 30, "{p}");
    p["max_backdating_days"] = json!(400);
    let (s, e) = call(&app, &sup, "PUT", "/api/v1/policy", Some(p.clone())).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    field_error(&e, "max_backdating_days", "invalid_backdating");
    p["max_backdating_days"] = json!(2);
    let (s, e) = call(&app, &sup, "PUT", "/api/v1/policy", Some(p)).await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let (s, e) = intervention(
        &app,
        &t,
        &rid,
        json!({"mode": "done_with", "duration_minutes": 5, "occurred_at": days_ago(&app, 3)}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    field_error(&e, "occurred_at", "date_too_old");

    // Judged on the day it happened: a one-day mandate covers its day
    // only, even when recorded later.
    let pid = new_person(&app, &t, "Jourdit", None).await;
    signed_mandate(&app, &t, &pid, &["argent"], "one_day").await;
    let (s, r) = intake(&app, &t, &pid, "argent", None).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let rid = r["id"].as_str().unwrap().to_owned();
    let signed_day = days_ago(&app, 0);
    app.clock.advance(chrono::Duration::days(2));
    let (s, e) = intervention(
        &app,
        &t,
        &rid,
        json!({"mode": "done_for", "duration_minutes": 5, "occurred_at": days_ago(&app, 1)}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["error"]["reason"], "mandate_expired", "{e}");
    let (s, e) = intervention(
        &app,
        &t,
        &rid,
        json!({"mode": "done_for", "duration_minutes": 5, "occurred_at": signed_day}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
}

#[tokio::test]
async fn trust_mandates_backdating_is_bounded_and_judged_on_the_day_on_sqlite() {
    backdating(Options::default()).await;
}

#[tokio::test]
async fn trust_mandates_backdating_is_bounded_and_judged_on_the_day_on_postgresql() {
    backdating(Options {
        postgres: true,
        ..Options::default()
    })
    .await;
}

// ---- 9. paper mandates need a scan -------------------------------------------------

async fn paper_needs_a_scan(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let t = token(&app, "agent@demoville.test").await;
    let sup = token(&app, "responsable@demoville.test").await;
    let agent = app
        .services
        .authenticate_token(&t)
        .await
        .unwrap()
        .agent_id
        .0;
    let pid = new_person(&app, &t, "Papier", None).await;
    let m = new_mandate(&app, &t, &pid, &["social"], "six_months", "paper").await;
    let mid = m["id"].as_str().unwrap().to_owned();
    let sign = format!("/api/v1/mandates/{mid}/sign");
    let (s, e) = call(&app, &t, "POST", &sign, None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    field_error(&e, "scan", "scan_required");
    let (s, e) = call(
        &app,
        &t,
        "POST",
        &sign,
        Some(json!({"scan": "pas du base64 !"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    field_error(&e, "scan", "scan_bad_type");
    let (_, m) = call(&app, &t, "GET", &format!("/api/v1/mandates/{mid}"), None).await;
    assert_eq!(m["status"], "pending", "nothing written");
    let (s, m) = call(&app, &t, "POST", &sign, Some(json!({ "scan": SCAN_B64 }))).await;
    assert_eq!(s, StatusCode::OK, "{m}");
    assert_eq!(m["status"], "active");
    let mandate = Uuid::parse_str(&mid).unwrap();
    let signed = app
        .store
        .journal_entries()
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.object_id == Some(mandate) && e.action == "mandate.sign")
        .unwrap();
    assert_eq!(signed.actor_id, Some(agent));
    let d: Value = serde_json::from_str(&signed.details).unwrap();
    assert_eq!(d["attested_by"], json!(agent.to_string()), "{d}");
    assert_eq!(d["scan"], true, "{d}");
    // A structure may decide otherwise.
    let (_, mut p) = call(&app, &sup, "GET", "/api/v1/policy", None).await;
    assert_eq!(p["paper_scan_required"], true, "{p}");
    p["paper_scan_required"] = json!(false);
    let (s, e) = call(&app, &sup, "PUT", "/api/v1/policy", Some(p)).await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let m = new_mandate(&app, &t, &pid, &["travail"], "six_months", "paper").await;
    let mid = m["id"].as_str().unwrap().to_owned();
    let (s, m) = call(
        &app,
        &t,
        "POST",
        &format!("/api/v1/mandates/{mid}/sign"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{m}");
    let mandate = Uuid::parse_str(&mid).unwrap();
    let signed = app
        .store
        .journal_entries()
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.object_id == Some(mandate) && e.action == "mandate.sign")
        .unwrap();
    let d: Value = serde_json::from_str(&signed.details).unwrap();
    assert_eq!(d["attested_by"], json!(agent.to_string()), "{d}");
    assert_eq!(d["scan"], false, "{d}");
    // The policy page shows both settings.
    let b = app.browser();
    b.sign_in("responsable@demoville.test", DEMO_PASSWORD).await;
    let page = b.get("/structure/policy").await;
    assert!(page.body.contains("name=\"paper_scan_required\""));
    assert!(page.body.contains("name=\"max_backdating_days\""));
}

#[tokio::test]
async fn trust_mandates_paper_signature_needs_a_scan_on_sqlite() {
    paper_needs_a_scan(Options::default()).await;
}

#[tokio::test]
async fn trust_mandates_paper_signature_needs_a_scan_on_postgresql() {
    paper_needs_a_scan(Options {
        postgres: true,
        ..Options::default()
    })
    .await;
}
