//! The desk's flow: refusals that name their facts, an ended session that
//! sends back to the form, follow-ups and durations checked, the
//! procedure search.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn person(app: &TestApp, t: &str, last: &str) -> String {
    let (s, p) = call(app, t, "POST", "/api/v1/persons", Some(json!({
        "first_name": "Rose", "last_name": last, "privacy_notice_on": "2026-01-05", "confirm_new": true
    }))).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    p["id"].as_str().unwrap().to_owned()
}

/// A paper mandate for one category, waiting for its signature.
async fn paper_mandate(
    app: &TestApp,
    t: &str,
    pid: &str,
    category: &str,
    duration: &str,
) -> String {
    let (s, m) = call(
        app,
        t,
        "POST",
        "/api/v1/mandates",
        Some(json!({
            "person_id": pid, "categories": [category], "duration": duration, "consent": "paper"
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    m["id"].as_str().unwrap().to_owned()
}

/// Records the signature of a paper mandate with a (tiny) scan.
async fn sign_with_scan(app: &TestApp, t: &str, mid: &str) {
    let (s, e) = call(
        app,
        t,
        "POST",
        &format!("/api/v1/mandates/{mid}/sign"),
        Some(json!({"scan": "JVBERi0xLjQK"})),
    )
    .await;
    assert!(s.is_success(), "{e}");
}

async fn done_for(app: &TestApp, t: &str, pid: &str, category: &str) -> (StatusCode, Value) {
    call(app, t, "POST", "/api/v1/help-requests", Some(json!({
        "person_id": pid, "procedure": "Démarche en ligne", "category": category, "status": "done",
        "intervention": {"mode": "done_for", "duration_minutes": 30}
    }))).await
}

#[tokio::test]
async fn refusals_name_the_mandate_what_it_covers_and_what_is_missing() {
    let app = spawn_app(Options::default()).await.unwrap();
    let t = token(&app, "agent@demoville.test").await;
    let pid = person(&app, &t, "Faits").await;

    // No mandate at all.
    let (s, e) = done_for(&app, &t, &pid, "logement").await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["error"]["reason"], "no_mandate");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("« Logement »"),
        "{e}"
    );

    // A paper mandate for "social", not signed yet.
    let mid = paper_mandate(&app, &t, &pid, "social", "six_months").await;
    let (_, e) = done_for(&app, &t, &pid, "social").await;
    assert_eq!(e["error"]["reason"], "mandate_not_signed");
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("pas encore signé") && msg.contains("Signature sur papier"),
        "{msg}"
    );

    // Signed: another category is refused naming what it covers, until when.
    sign_with_scan(&app, &t, &mid).await;
    let (_, e) = done_for(&app, &t, &pid, "logement").await;
    assert_eq!(e["error"]["reason"], "category_not_covered");
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(msg.contains("couvre Social – Santé jusqu'au"), "{msg}");
    assert!(msg.contains("mais pas « Logement »"), "{msg}");

    // The intake page shows the same facts and the actions that fit:
    // "faire avec" and a mandate for the missing category coming back to
    // the form; no "mark signed", no hand-over.
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let page = b.get(&format!("/intake?person_id={pid}")).await;
    let r = b
        .post(
            "/intake",
            &page.csrf(),
            &[
                ("person_mode", "existing"),
                ("person_id", &pid),
                ("procedure", "Demander un logement social"),
                ("category", "logement"),
                ("mode", "done_for"),
                ("duration_minutes", "30"),
                ("summary", "Dossier déposé"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("mais pas « Logement »"), "{}", r.body);
    assert!(
        r.body.contains(&format!(
            "/persons/{pid}/mandates/new?category=logement&#38;return_to=%2Fintake%3Frestore%3D1"
        )),
        "{}",
        r.body
    );
    assert!(r.body.contains("id=\"refusal-done-with\""));
    assert!(
        !r.body.contains("id=\"refusal-sign\"") && !r.body.contains("id=\"refusal-hand-over\"")
    );
    // The "done with" action carries the refused values.
    assert!(
        r.body.contains("name=\"summary\" value=\"Dossier déposé\""),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_mediator_hands_the_request_over_to_an_agent_who_may_act() {
    let app = spawn_app(Options::default()).await.unwrap();
    let t = token(&app, "agent@demoville.test").await;
    let pid = person(&app, &t, "Relais").await;
    let actor = app.services.authenticate_token(&t).await.unwrap();
    let agents = app.services.assignable_agents(&actor).await.unwrap();
    let b = app.browser();
    b.sign_in("mediateur@demoville.test", DEMO_PASSWORD).await;
    let page = b.get("/intake").await;
    let fields = [
        ("person_mode", "existing"),
        ("person_id", pid.as_str()),
        ("procedure", "Créer son compte ameli"),
        ("category", "social"),
        ("mode", "done_for"),
        ("duration_minutes", "15"),
    ];
    let r = b.post("/intake", &page.csrf(), &fields).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.body.contains("Votre rôle (Médiateur ou médiatrice)"),
        "{}",
        r.body
    );
    assert!(r.body.contains("id=\"refusal-hand-over\""));
    assert!(!r.body.contains("id=\"refusal-new-mandate\""));
    // Handing over to someone who may not act for the person is refused.
    let mediator = agents
        .iter()
        .find(|(_, n)| n.contains("Médiat") || n.contains("Mediat"));
    if let Some((mid, _)) = mediator {
        let mut bad = fields.to_vec();
        let mid = mid.to_string();
        bad.extend([("hand_over", "1"), ("hand_over_to", mid.as_str())]);
        let r = b.post("/intake", &r.csrf(), &bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    }
    let agent = agents
        .iter()
        .find(|(_, n)| n == "Camille Agent")
        .unwrap()
        .0
        .to_string();
    let mut ok = fields.to_vec();
    ok.extend([("hand_over", "1"), ("hand_over_to", agent.as_str())]);
    let r = b.post("/intake", &r.csrf(), &ok).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(
        r.location().ends_with("?done=handed-over"),
        "{}",
        r.location()
    );
    let req = b.get(r.location()).await;
    assert!(
        req.body.contains("Faire à la place de la personne"),
        "{}",
        req.body
    );
    assert!(req.body.contains("Camille Agent"));
    // Nothing was done for the person: no intervention.
    let rid = r
        .location()
        .trim_start_matches("/requests/")
        .split('?')
        .next()
        .unwrap();
    let file = app
        .services
        .help_request(&actor, relais_domain::HelpRequestId::parse(rid).unwrap())
        .await
        .unwrap();
    assert!(file.interventions.is_empty());
}

#[tokio::test]
async fn an_ended_session_sends_back_to_the_form_and_next_stays_on_this_site() {
    let app = spawn_app(Options::default()).await.unwrap();
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let page = b.get("/intake").await;
    assert!(
        page.body.contains("data-session-idle=\"1800\""),
        "{}",
        page.body
    );
    app.clock.advance(chrono::Duration::minutes(31));
    let r = b
        .client
        .post(format!("{}/intake", app.base))
        .header("Referer", format!("{}/intake", app.base))
        .form(&[("csrf", page.csrf().as_str()), ("procedure", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("Session fermée") && body.contains("30 min sans activité"),
        "{body}"
    );
    assert!(
        body.contains("/login?next=%2Fintake%3Frestore%3D1"),
        "{body}"
    );
    // Signing in with that `next` lands on the form to restore.
    let login = b.get("/login?next=%2Fintake%3Frestore%3D1").await;
    assert!(
        login
            .body
            .contains("name=\"next\" value=\"/intake?restore=1\""),
        "{}",
        login.body
    );
    let r = b
        .post(
            "/login",
            &login.csrf(),
            &[
                ("email", "agent@demoville.test"),
                ("password", DEMO_PASSWORD),
                ("next", "/intake?restore=1"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/intake?restore=1");
    // Elsewhere is never a landing.
    for evil in [
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
    ] {
        let b = app.browser();
        let login = b.get("/login").await;
        let r = b
            .post(
                "/login",
                &login.csrf(),
                &[
                    ("email", "agent@demoville.test"),
                    ("password", DEMO_PASSWORD),
                    ("next", evil),
                ],
            )
            .await;
        assert_eq!(r.location(), "/", "{evil}");
    }
    // A page opened after the end comes back after signing in.
    let b2 = app.browser();
    let r = b2.get("/requests?status=open").await;
    assert_eq!(r.location(), "/login?next=%2Frequests%3Fstatus%3Dopen");
    assert_eq!(b2.get("/").await.location(), "/login");
    // A live session answers the ping; none answers 401.
    let b = app.browser();
    assert_eq!(
        b.get("/session/ping").await.status,
        StatusCode::UNAUTHORIZED
    );
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    assert_eq!(b.get("/session/ping").await.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn past_follow_ups_and_contradictory_durations_are_refused_with_their_field() {
    let app = spawn_app(Options::default()).await.unwrap();
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let page = b.get("/intake").await;
    let base = [
        ("person_mode", "anonymous"),
        ("procedure", "Question sur un courrier"),
        ("category", "social"),
        ("mode", "informed"),
        ("follow_up_reason", "Rappeler la personne"),
    ];
    let mut f = base.to_vec();
    f.extend([
        ("duration_minutes", "30"),
        ("duration_other", "20"),
        ("follow_up_date", "2020-01-01"),
    ]);
    let r = b.post("/intake", &page.csrf(), &f).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("Durée\u{a0}: Deux durées différentes"),
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains("Date de suivi\u{a0}: Cette date est passée"),
        "{}",
        r.body
    );
    // Nor more than three years ahead, nor a year past 9999.
    for far in ["2099-12-31", "+10000-06-01"] {
        let mut f = base.to_vec();
        f.extend([("duration_minutes", "20"), ("follow_up_date", far)]);
        let r = b.post("/intake", &page.csrf(), &f).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{far}");
        assert!(
            r.body.contains("Date de suivi\u{a0}: "),
            "{far}: {}",
            r.body
        );
    }
    // A shortcut gives the day; 20 minutes is a listed duration.
    // The desk's day is the Paris one (late evening UTC is already tomorrow).
    let in_a_week =
        (relais_domain::period::paris_day(app.clock_now()) + chrono::Duration::days(7)).to_string();
    assert!(
        page.body.contains(&format!("value=\"{in_a_week}\"")),
        "{}",
        page.body
    );
    let mut f = base.to_vec();
    f.extend([
        ("duration_minutes", "20"),
        ("follow_up_in", in_a_week.as_str()),
    ]);
    let key = "5a0d7a52-9d6e-4c3b-9a54-3f6f1e9d1c01";
    f.push(("submission_key", key));
    let r = b.post("/intake", &page.csrf(), &f).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(
        r.location().ends_with("?done=request-recorded"),
        "{}",
        r.location()
    );
    // The same form again (another refusal action, a double click): the
    // request it recorded, and the worker is told nothing was added.
    let again = b.post("/intake", &page.csrf(), &f).await;
    assert_eq!(
        again.location().split('?').next(),
        r.location().split('?').next()
    );
    assert!(again.location().ends_with("?done=request-already-recorded"));
    // The API refuses a past follow-up too.
    let t = token(&app, "agent@demoville.test").await;
    let (s, e) = call(&app, &t, "POST", "/api/v1/help-requests", Some(json!({
        "anonymous": {"age_bracket": "from_40_to_59"}, "procedure": "Question", "category": "social",
        "follow_up": {"due_date": "2020-01-01", "reason": "Rappeler"}
    }))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e.to_string().contains("follow_up_in_past"), "{e}");
}

#[tokio::test]
async fn the_procedure_search_finds_by_operator_acronym_and_typo() {
    let app = spawn_app(Options::default()).await.unwrap();
    let b = app.browser();
    assert_eq!(
        b.get("/procedures/search?q=caf").await.status,
        StatusCode::SEE_OTHER
    );
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let found = |q: &'static str| {
        let b = &b;
        async move {
            let p = b.get(&format!("/procedures/search?q={q}")).await;
            assert_eq!(p.status, StatusCode::OK);
            serde_json::from_str::<Vec<Value>>(&p.body).unwrap()
        }
    };
    let caf = found("caf").await;
    assert!(caf.len() >= 8, "{caf:?}");
    assert!(found("apl").await[0]["title"]
        .as_str()
        .unwrap()
        .contains("aide au logement"));
    assert!(found("logemnt")
        .await
        .iter()
        .any(|p| p["title"].as_str().unwrap().contains("logement")));
    assert!(found("pole emploi")
        .await
        .iter()
        .any(|p| p["title"].as_str().unwrap().contains("France Travail")));
    assert!(found("zzzz").await.is_empty());
}

#[tokio::test]
async fn an_expired_mandate_is_named_with_its_end_and_a_new_one_is_offered() {
    let app = spawn_app(Options::default()).await.unwrap();
    let t = token(&app, "agent@demoville.test").await;
    let pid = person(&app, &t, "Fin").await;
    let mid = paper_mandate(&app, &t, &pid, "social", "one_month").await;
    sign_with_scan(&app, &t, &mid).await;
    app.clock.advance(chrono::Duration::days(40));
    let t = token(&app, "agent@demoville.test").await;
    let (s, e) = done_for(&app, &t, &pid, "social").await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["error"]["reason"], "mandate_expired");
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("(pour Social – Santé) a pris fin le "),
        "{msg}"
    );
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let page = b.get(&format!("/intake?person_id={pid}")).await;
    let r = b
        .post(
            "/intake",
            &page.csrf(),
            &[
                ("person_mode", "existing"),
                ("person_id", &pid),
                ("procedure", "Créer son compte ameli"),
                ("category", "social"),
                ("mode", "done_for"),
                ("duration_minutes", "30"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("a pris fin le"), "{}", r.body);
    assert!(r.body.contains("Établir un mandat pour « Social – Santé »"));
    assert!(!r.body.contains("id=\"refusal-sign\""));
}
