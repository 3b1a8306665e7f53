use crate::helpers::*;
use relais_domain::StructureId;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A second structure with its own agent and a person named like one of
/// Démoville's.
async fn other_structure(app: &TestApp) -> String {
    app.services
        .cli_add_structure("CCAS d'Ailleurs", "ccas-ailleurs", "ccas")
        .await
        .unwrap();
    app.services
        .cli_add_user(
            "agent@ailleurs.test",
            "Agent Ailleurs",
            "ccas-ailleurs",
            "agent",
            "une phrase de passe",
        )
        .await
        .unwrap();
    token(app, "agent@ailleurs.test").await
}

async fn search_examples(app: &TestApp) {
    let a = token(app, "agent@demoville.test").await;
    let b = other_structure(app).await;
    let mut created = Vec::new();
    for (t, first, last, year, phone) in [
        (&a, "Hélène", "Lefèvre", 1961, "06 12 34 56 78"),
        (&a, "Jean", "Martin", 1980, "07 00 00 00 01"),
        (&b, "Hélène", "Lefèvre", 1961, "06 12 34 56 78"),
    ] {
        let (s, body) = call(app, t, "POST", "/api/v1/persons", Some(json!({"privacy_notice_on": "2026-01-05", 
            "first_name": first, "last_name": last, "birth_year": year, "phone": phone, "confirm_new": true
        }))).await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        created.push(body["id"].clone());
    }
    let (mine, theirs) = (created[0].clone(), created[2].clone());
    let ids = |v: &Value| -> Vec<Value> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].clone())
            .collect()
    };
    for q in [
        "helen lefebvre",
        "LEFEVRE",
        "hélène",
        "lefèvre 1961",
        "0612345678",
        "06 12 34 56 78",
        "Helene Lefevre",
    ] {
        let (s, v) = call(
            app,
            &a,
            "GET",
            &format!("/api/v1/persons?q={}", urlencode(q)),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let found = ids(&v);
        assert!(found.contains(&mine), "{q}: {v}");
        assert!(
            !found.contains(&theirs),
            "{q}: another structure's person leaked"
        );
    }
    for q in ["martin 1961", "lefevre 1962", "0799999999", "dupont"] {
        let (_, v) = call(
            app,
            &a,
            "GET",
            &format!("/api/v1/persons?q={}", urlencode(q)),
            None,
        )
        .await;
        assert!(!ids(&v).contains(&mine), "{q}");
    }
    // The other structure sees its own only.
    let (_, v) = call(app, &b, "GET", "/api/v1/persons?q=lefevre", None).await;
    assert_eq!(ids(&v), vec![theirs]);
    let (_, v) = call(app, &b, "GET", "/api/v1/persons?q=martin", None).await;
    assert!(ids(&v).is_empty());
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn search_examples_hold_on_sqlite() {
    let app = spawn_app(Options::default()).await.unwrap();
    search_examples(&app).await;
}

#[tokio::test]
async fn search_examples_hold_on_postgresql() {
    if let Some(app) = spawn_app(Options {
        postgres: true,
        ..Options::default()
    })
    .await
    {
        search_examples(&app).await;
    }
}

async fn api_round_trip(app: &TestApp) {
    let t = token(app, "agent@demoville.test").await;
    // Person.
    let (s, p) = call(app, &t, "POST", "/api/v1/persons", Some(json!({"privacy_notice_on": "2026-01-05", 
        "first_name": "Ana", "last_name": "Ferreira", "birth_year": "1990", "phone": "06 98 76 54 32",
        "notes": "Préfère être appelée le matin.", "equipment": ["smartphone"], "autonomy": "autonomous_with_help"
    }))).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let pid = p["id"].as_str().unwrap().to_owned();
    assert_eq!(p["age_bracket"], "25_39");
    assert_eq!(p["equipment"], json!(["smartphone"]));
    // A similar person is reported before creation.
    let (s, e) = call(
        app,
        &t,
        "POST",
        "/api/v1/persons",
        Some(json!({"privacy_notice_on": "2026-01-05", "first_name": "Anna", "last_name": "Ferreira", "birth_year": 1990})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["error"]["code"], "similar_persons");
    assert_eq!(e["error"]["fields"][0]["code"], pid);

    // Request with its first intervention.
    let (s, r) = call(app, &t, "POST", "/api/v1/help-requests", Some(json!({
        "person_id": pid, "procedure": "Actualisation mensuelle", "category": "travail",
        "operator": "France Travail", "channel": "walk_in", "status": "open",
        "intervention": {"mode": "done_with", "duration_minutes": 30, "summary": "Connexion et actualisation."},
        "submission_key": "abc-1"
    }))).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let rid = r["id"].as_str().unwrap().to_owned();
    let reference = r["reference"].as_str().unwrap().to_owned();
    assert!(
        reference.starts_with("D-20") && reference.len() == 13,
        "{reference}"
    );
    assert_eq!(r["interventions"].as_array().unwrap().len(), 1);
    assert_eq!(r["interventions"][0]["mode"], "done_with");
    // The same submission again: the same request, not a second one.
    let (s, again) = call(app, &t, "POST", "/api/v1/help-requests", Some(json!({
        "person_id": pid, "procedure": "Actualisation mensuelle", "category": "travail", "submission_key": "abc-1"
    }))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(again["id"], r["id"]);

    // Another intervention, closing the request.
    let (s, i) = call(app, &t, "POST", &format!("/api/v1/help-requests/{rid}/interventions"), Some(json!({
        "mode": "taught", "duration_minutes": 15, "next_step": "Refaire seule le mois prochain", "status": "done"
    }))).await;
    assert_eq!(s, StatusCode::CREATED, "{i}");
    assert_eq!(i["mode"], "taught");
    // Follow-up, then done.
    let (s, f) = call(app, &t, "POST", "/api/v1/follow-ups", Some(json!({
        "help_request_id": rid, "due_date": "2028-01-15", "reason": "Vérifier l'actualisation suivante"
    }))).await;
    assert_eq!(s, StatusCode::CREATED, "{f}");
    let fid = f["id"].as_str().unwrap().to_owned();
    assert_eq!(f["person_id"].as_str(), Some(pid.as_str()));
    let (s, f) = call(
        app,
        &t,
        "PATCH",
        &format!("/api/v1/follow-ups/{fid}"),
        Some(json!({"done": true})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(f["done"], true);

    // Read everything back.
    let (_, r) = call(
        app,
        &t,
        "GET",
        &format!("/api/v1/help-requests/{rid}"),
        None,
    )
    .await;
    assert_eq!(r["status"], "done");
    assert_eq!(r["outcome"], "done");
    assert_eq!(r["interventions"].as_array().unwrap().len(), 2);
    assert_eq!(r["follow_ups"][0]["done"], true);
    let (_, p) = call(app, &t, "GET", &format!("/api/v1/persons/{pid}"), None).await;
    assert_eq!(p["notes"], "Préfère être appelée le matin.");
    let (s, p) = call(
        app,
        &t,
        "PATCH",
        &format!("/api/v1/persons/{pid}"),
        Some(json!({"phone": null, "commune": "Démoville"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["phone"], Value::Null);
    assert_eq!(p["commune"], "Démoville");
    assert_eq!(p["first_name"], "Ana");
    let (s, r) = call(
        app,
        &t,
        "PATCH",
        &format!("/api/v1/help-requests/{rid}"),
        Some(json!({"outcome": "rights_opened"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["outcome"], "rights_opened");
    // null clears; a new status brings its own outcome (reopening works).
    let (s, r) = call(
        app,
        &t,
        "PATCH",
        &format!("/api/v1/help-requests/{rid}"),
        Some(json!({"operator": null, "status": "waiting_for_operator"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["operator"], Value::Null);
    assert_eq!(r["outcome"], Value::Null);
    assert_eq!(r["closed_at"], Value::Null);
    let (s, r) = call(
        app,
        &t,
        "PATCH",
        &format!("/api/v1/help-requests/{rid}"),
        Some(json!({"status": "done", "outcome": "rights_opened"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert!(r["closed_at"].is_string());
    let (s, e) = call(
        app,
        &t,
        "GET",
        "/api/v1/help-requests?limit=abc&mine=perhaps",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, _) = call(app, &t, "POST", "/api/v1/help-requests", Some(json!({"person_id": pid, "procedure": "Xy z", "category": "social", "submission_key": "k".repeat(101)}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // Lists and filters.
    let (_, l) = call(
        app,
        &t,
        "GET",
        "/api/v1/help-requests?category=travail&status=done",
        None,
    )
    .await;
    assert!(l["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["id"] == json!(rid)));
    assert!(l["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["category"] == "travail" && x["status"] == "done"));
    let (_, page1) = call(app, &t, "GET", "/api/v1/help-requests?limit=5", None).await;
    assert_eq!(page1["items"].as_array().unwrap().len(), 5);
    let next = page1["next"].as_str().unwrap().to_owned();
    let (_, page2) = call(
        app,
        &t,
        "GET",
        &format!("/api/v1/help-requests?limit=5&cursor={next}"),
        None,
    )
    .await;
    assert_ne!(page1["items"][0]["id"], page2["items"][0]["id"]);
    // A negative cursor is not a position (it used to repeat the first
    // page, with a `next` that led back to it).
    let (s, e) = call(app, &t, "GET", "/api/v1/help-requests?cursor=-5", None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["fields"][0]["field"], "cursor");

    // Anonymous walk-in.
    let (s, r) = call(
        app,
        &t,
        "POST",
        "/api/v1/help-requests",
        Some(json!({
            "anonymous": {"age_bracket": "70_plus", "postcode": "69100", "commune": "Démoville"},
            "procedure": "Question sur la retraite", "category": "argent", "status": "done",
            "intervention": {"mode": "informed", "duration_minutes": 15}
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(r["person_id"], Value::Null);
    assert_eq!(r["anonymous"]["age_bracket"], "70_plus");

    // Invalid input: 422 naming the fields, nothing written.
    let before = app
        .store
        .count_help_requests(StructureId(
            app.store
                .structure_by_slug("ccas-demoville")
                .await
                .unwrap()
                .unwrap()
                .id,
        ))
        .await
        .unwrap();
    let (s, e) = call(
        app,
        &t,
        "POST",
        "/api/v1/help-requests",
        Some(json!({
            "person_id": pid, "procedure": "", "category": "voyage", "channel": "fax",
            "intervention": {"mode": "magic", "duration_minutes": 0}
        })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["code"], "invalid_input");
    let fields: Vec<&str> = e["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for f in [
        "procedure",
        "category",
        "channel",
        "mode",
        "duration_minutes",
    ] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    let after = app
        .store
        .count_help_requests(StructureId(
            app.store
                .structure_by_slug("ccas-demoville")
                .await
                .unwrap()
                .unwrap()
                .id,
        ))
        .await
        .unwrap();
    assert_eq!(before, after);
    let (s, e) = call(
        app,
        &t,
        "POST",
        "/api/v1/persons",
        Some(json!({"privacy_notice_on": "2026-01-05", "first_name": "", "birth_year": 1850, "phone": "abc", "email": "x@"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = e["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for f in ["first_name", "last_name", "birth_year", "phone", "email"] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    // Not JSON at all.
    let r = app
        .api()
        .post(format!("{}/api/v1/persons", app.base))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["fields"][0]["field"], "body");
    let (s, e) = call(
        app,
        &t,
        "POST",
        "/api/v1/follow-ups",
        Some(json!({"help_request_id": rid, "due_date": "31/02/2030", "reason": ""})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
}

#[tokio::test]
async fn api_round_trip_on_sqlite() {
    let app = spawn_app(Options::default()).await.unwrap();
    api_round_trip(&app).await;
}

#[tokio::test]
async fn api_round_trip_on_postgresql() {
    if let Some(app) = spawn_app(Options {
        postgres: true,
        ..Options::default()
    })
    .await
    {
        api_round_trip(&app).await;
    }
}

#[tokio::test]
async fn another_structures_objects_are_404_everywhere() {
    let app = spawn_app(Options::default()).await.unwrap();
    let b = other_structure(&app).await;
    // Structure B's objects.
    let (_, p) = call(
        &app,
        &b,
        "POST",
        "/api/v1/persons",
        Some(json!({"privacy_notice_on": "2026-01-05", "first_name": "Zoé", "last_name": "Ailleurs"})),
    )
    .await;
    let pid = p["id"].as_str().unwrap().to_owned();
    let (_, r) = call(
        &app,
        &b,
        "POST",
        "/api/v1/help-requests",
        Some(json!({
            "person_id": pid, "procedure": "Carte grise", "category": "transports",
            "follow_up": {"due_date": "2028-01-01", "reason": "Rappeler"}
        })),
    )
    .await;
    let rid = r["id"].as_str().unwrap().to_owned();
    let fid = r["follow_ups"][0]["id"].as_str().unwrap().to_owned();

    // Agent of A, in the API…
    let a = token(&app, "agent@demoville.test").await;
    for (m, path, body) in [
        ("GET", format!("/api/v1/persons/{pid}"), None),
        (
            "PATCH",
            format!("/api/v1/persons/{pid}"),
            Some(json!({"first_name": "X"})),
        ),
        ("GET", format!("/api/v1/help-requests/{rid}"), None),
        (
            "PATCH",
            format!("/api/v1/help-requests/{rid}"),
            Some(json!({"status": "done"})),
        ),
        (
            "POST",
            format!("/api/v1/help-requests/{rid}/interventions"),
            Some(json!({"mode": "done_for", "duration_minutes": 15})),
        ),
        (
            "PATCH",
            format!("/api/v1/follow-ups/{fid}"),
            Some(json!({"done": true})),
        ),
    ] {
        let (s, e) = call(&app, &a, m, &path, body).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{m} {path}: {e}");
        assert_eq!(e["error"]["code"], "not_found");
    }
    // References in bodies are refused without telling anything.
    let (s, _) = call(
        &app,
        &a,
        "POST",
        "/api/v1/help-requests",
        Some(json!({"person_id": pid, "procedure": "X y", "category": "papiers"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = call(
        &app,
        &a,
        "POST",
        "/api/v1/follow-ups",
        Some(json!({"help_request_id": rid, "due_date": "2028-01-01", "reason": "Rappeler"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, l) = call(&app, &a, "GET", "/api/v1/help-requests?limit=200", None).await;
    assert!(l["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["id"] != json!(rid)));

    // …and in the pages.
    let br = app.browser();
    br.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    for path in [
        format!("/persons/{pid}"),
        format!("/persons/{pid}/edit"),
        format!("/requests/{rid}"),
    ] {
        assert_eq!(br.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let csrf = br.get("/").await.csrf();
    for (path, fields) in [
        (
            format!("/persons/{pid}/edit"),
            vec![("first_name", "X"), ("last_name", "Y")],
        ),
        (
            format!("/persons/{pid}/accounts"),
            vec![("kind", "caf"), ("has_account", "yes")],
        ),
        (
            format!("/requests/{rid}/interventions"),
            vec![("mode", "done_for"), ("duration_minutes", "15")],
        ),
        (
            format!("/requests/{rid}/follow-ups"),
            vec![("due_date", "2028-01-01"), ("reason", "Rappeler")],
        ),
        (format!("/follow-ups/{fid}/done"), vec![]),
        (format!("/requests/{rid}/status"), vec![("status", "done")]),
    ] {
        assert_eq!(
            br.post(&path, &csrf, &fields).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // A supervisor of A cannot merge B's person either.
    let sup = app.browser();
    sup.sign_in("responsable@demoville.test", DEMO_PASSWORD)
        .await;
    let csrf = sup.get("/").await.csrf();
    let (_, mine) = call(
        &app,
        &a,
        "POST",
        "/api/v1/persons",
        Some(json!({"privacy_notice_on": "2026-01-05", "first_name": "Paul", "last_name": "Ici", "confirm_new": true})),
    )
    .await;
    let mine = mine["id"].as_str().unwrap();
    let r = sup
        .post(
            &format!("/persons/{mine}/merge"),
            &csrf,
            &[("absorbed_id", &pid)],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The intake page does not show B's person even when asked for it.
    let page = br.get(&format!("/intake?person_id={pid}")).await;
    assert!(!page.body.contains("Zoé"));
    // B's objects are untouched.
    let (_, r) = call(
        &app,
        &b,
        "GET",
        &format!("/api/v1/help-requests/{rid}"),
        None,
    )
    .await;
    assert_eq!(r["status"], "open");
    assert_eq!(r["follow_ups"][0]["done"], false);
}

#[tokio::test]
async fn the_intake_form_records_once_and_checks_input() {
    let app = spawn_app(Options::default()).await.unwrap();
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let page = b.get("/intake").await;
    assert_eq!(page.status, StatusCode::OK);
    let key = {
        let m = "name=\"submission_key\" value=\"";
        let at = page.body.find(m).unwrap() + m.len();
        page.body[at..at + 36].to_owned()
    };
    let fields = vec![
        ("submission_key", key.as_str()),
        ("person_mode", "new"),
        ("first_name", "Zinedine"),
        ("last_name", "Nouveau"),
        ("birth_year", "1975"),
        ("postcode", "69100"),
        ("commune", "Démoville"),
        ("privacy_notice", "1"),
        ("procedure", "Demande de prime d'activité"),
        ("category", "social"),
        ("operator", "CAF"),
        ("channel", "walk_in"),
        ("mode", "done_with"),
        ("duration_minutes", "45"),
        ("place", "on_site"),
        ("status", "done"),
        ("follow_up_date", "2028-03-01"),
        ("follow_up_reason", "Vérifier le premier versement"),
    ];
    let r = b.post("/intake", &page.csrf(), &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let first = r.location().to_owned();
    assert!(first.starts_with("/requests/"));
    // Double click: the same form again gives the same request.
    let again = b.post("/intake", &page.csrf(), &fields).await;
    assert_eq!(
        again.location(),
        first.replace("done=request-recorded", "done=request-already-recorded")
    );
    let req = b.get(first.split('?').next().unwrap()).await;
    // Change the status without an intervention: blocked needs a reason.
    let path = first.split('?').next().unwrap().to_owned();
    let r = b
        .post(
            &format!("{path}/status"),
            &req.csrf(),
            &[("status", "abandoned"), ("outcome", "blocked")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Ce champ est obligatoire."));
    let r = b
        .post(
            &format!("{path}/status"),
            &req.csrf(),
            &[
                ("status", "abandoned"),
                ("outcome", "blocked"),
                ("block_reason", "person_absent"),
            ],
        )
        .await;
    assert_eq!(r.location(), format!("{path}?done=request-updated"));
    let updated = b.get(&path).await;
    assert!(
        updated.body.contains("La personne n&#39;est pas revenue")
            || updated.body.contains("La personne n'est pas revenue")
    );
    assert!(
        req.body.contains("Demande de prime d&#39;activité")
            || req.body.contains("Demande de prime d'activité")
    );
    assert!(req.body.contains("Zinedine NOUVEAU"));
    assert!(req.body.contains("Vérifier le premier versement"));

    // The same person again (a new form): similar persons come first.
    let page = b.get("/intake").await;
    let mut f2: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(k, _)| *k != "submission_key")
        .cloned()
        .collect();
    f2.push(("submission_key", "another-key"));
    let r = b.post("/intake", &page.csrf(), &f2).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("Des personnes semblables existent déjà"));
    assert!(r.body.contains("Zinedine NOUVEAU"));

    // Invalid input: messages beside the fields, nothing written.
    let sid = app
        .store
        .structure_by_slug("ccas-demoville")
        .await
        .unwrap()
        .unwrap()
        .id;
    let before = app
        .store
        .count_help_requests(StructureId(sid))
        .await
        .unwrap();
    let r = b
        .post(
            "/intake",
            &page.csrf(),
            &[
                ("person_mode", "anonymous"),
                ("anon_postcode", "123"),
                ("procedure", ""),
                ("mode", ""),
                ("duration_minutes", "other"),
                ("duration_other", "9999"),
                ("status", "open"),
                ("outcome", "rights_opened"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for msg in [
        "Code postal invalide",
        "Ce champ est obligatoire.",
        "Durée invalide",
        "Un résultat ne se donne",
    ] {
        assert!(r.body.contains(msg), "{msg}");
    }
    assert!(r.body.contains("id=\"anon_postcode-err\""));
    assert_eq!(
        app.store
            .count_help_requests(StructureId(sid))
            .await
            .unwrap(),
        before
    );

    // The new request is on the home page and in "my requests"? It is done,
    // so not open; the follow-up is in the future. The list shows it.
    let list = b.get("/requests?mine=1").await;
    assert!(
        list.body.contains("Demande de prime d&#39;activité")
            || list.body.contains("Demande de prime d'activité")
    );
    let filtered = b.get("/requests?category=logement&status=done").await;
    assert!(!filtered.body.contains("Zinedine"));
    let bad = b.get("/requests?from=31/02/2026").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_person_page_shows_history_and_takes_accounts_and_merges() {
    let app = spawn_app(Options::default()).await.unwrap();
    let t = token(&app, "responsable@demoville.test").await;
    let (_, p1) = call(&app, &t, "POST", "/api/v1/persons", Some(json!({"privacy_notice_on": "2026-01-05", "first_name": "Odette", "last_name": "Doublon", "birth_year": 1950, "confirm_new": true}))).await;
    let (_, p2) = call(
        &app,
        &t,
        "POST",
        "/api/v1/persons",
        Some(json!({"privacy_notice_on": "2026-01-05", "first_name": "Odete", "last_name": "Doublon", "confirm_new": true})),
    )
    .await;
    let (id1, id2) = (
        p1["id"].as_str().unwrap().to_owned(),
        p2["id"].as_str().unwrap().to_owned(),
    );
    let (_, r) = call(&app, &t, "POST", "/api/v1/help-requests", Some(json!({"person_id": id2, "procedure": "Création du compte ameli", "category": "social", "intervention": {"mode": "done_with", "duration_minutes": 30}}))).await;
    assert!(r["reference"].is_string());
    let b = app.browser();
    b.sign_in("responsable@demoville.test", DEMO_PASSWORD).await;
    let page = b.get(&format!("/persons/{id1}?merge_q=doublon")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Odete DOUBLON"));
    let r = b
        .post(
            &format!("/persons/{id1}/merge"),
            &page.csrf(),
            &[("absorbed_id", &id2)],
        )
        .await;
    assert_eq!(r.location(), format!("/persons/{id1}?done=persons-merged"));
    let page = b.get(&format!("/persons/{id1}")).await;
    assert!(
        page.body.contains("Création du compte ameli"),
        "the history moved to the survivor"
    );
    assert_eq!(
        b.get(&format!("/persons/{id2}")).await.status,
        StatusCode::NOT_FOUND
    );
    // Accounts checklist: no field for a secret anywhere.
    assert!(!page.body.contains("type=\"password\""));
    let mut fields: Vec<(&str, &str)> = Vec::new();
    for kind in [
        "email",
        "franceconnect",
        "ameli",
        "caf",
        "impots",
        "france_travail",
        "ants",
        "msa",
        "other",
    ] {
        fields.push(("kind", kind));
        fields.push((
            "has_account",
            if kind == "ameli" { "yes" } else { "unknown" },
        ));
        fields.push((
            "can_sign_in",
            if kind == "ameli" { "no" } else { "unknown" },
        ));
        fields.push((
            "recovery",
            if kind == "ameli" {
                "someone_else"
            } else {
                "unknown"
            },
        ));
    }
    let r = b
        .post(&format!("/persons/{id1}/accounts"), &page.csrf(), &fields)
        .await;
    assert_eq!(r.location(), format!("/persons/{id1}?done=accounts-saved"));
    let page = b.get(&format!("/persons/{id1}")).await;
    assert!(page
        .body
        .contains("<option value=\"someone_else\" selected>"));
    // An agent may not merge.
    let agent = app.browser();
    agent.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let csrf = agent.get("/").await.csrf();
    assert_eq!(
        agent
            .post(
                &format!("/persons/{id1}/merge"),
                &csrf,
                &[("absorbed_id", &id1)]
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Editing checks input.
    let r = b
        .post(
            &format!("/persons/{id1}/edit"),
            &page.csrf(),
            &[
                ("first_name", "Odette"),
                ("last_name", "Doublon"),
                ("birth_year", "3000"),
                ("equipment", "none"),
                ("equipment", "smartphone"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Année de naissance invalide."));
    assert!(r.body.contains("Aucun équipement"));
    let r = b
        .post(
            &format!("/persons/{id1}/edit"),
            &page.csrf(),
            &[
                ("first_name", "Odette"),
                ("last_name", "Doublon"),
                ("birth_year", "1950"),
                ("equipment", "smartphone"),
                ("autonomy", "autonomous"),
            ],
        )
        .await;
    assert_eq!(r.location(), format!("/persons/{id1}?done=person-saved"));
    let page = b.get(&format!("/persons/{id1}")).await;
    assert!(page.body.contains("Autonome</dd>") || page.body.contains("Autonome"));
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
    for a in [
        "person.create",
        "person.merge",
        "person.accounts_update",
        "person.update",
        "person.autonomy_assessed",
        "help_request.create",
        "intervention.create",
    ] {
        assert!(actions.contains(&a.to_owned()), "{a}");
    }
}

#[tokio::test]
async fn the_home_page_lists_overdue_and_todays_follow_ups() {
    let app = spawn_app(Options::default()).await.unwrap();
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let home = b.get("/").await;
    assert!(home.body.contains("En retard ("));
    assert!(
        home.body.contains("⚠ En retard"),
        "the demo has overdue follow-ups, marked in text"
    );
    assert!(home.body.contains("Mes demandes en cours"));
    // Marking one done removes it.
    let m = "action=\"/follow-ups/";
    let at = home.body.find(m).unwrap() + m.len();
    let id = &home.body[at..at + 36];
    let r = b
        .post(
            &format!("/follow-ups/{id}/done"),
            &home.csrf(),
            &[("back", "/")],
        )
        .await;
    assert_eq!(r.location(), "/?done=follow-up-done-ok");
    assert!(!b.get("/").await.body.contains(id));
}

#[tokio::test]
async fn the_credential_guard_stops_passwords_unless_confirmed() {
    let app = spawn_app(Options::default()).await.unwrap();
    let t = token(&app, "agent@demoville.test").await;
    let body = json!({"privacy_notice_on": "2026-01-05", "first_name": "Gaston", "last_name": "Garde", "notes": "mdp caf: Soleil2024!", "confirm_new": true});
    let (s, e) = call(&app, &t, "POST", "/api/v1/persons", Some(body.clone())).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["fields"][0]["field"], "notes");
    assert_eq!(e["error"]["fields"][0]["code"], "looks_like_secret");
    let mut confirmed = body.clone();
    confirmed["confirm_secret"] = json!(true);
    let (s, p) = call(&app, &t, "POST", "/api/v1/persons", Some(confirmed)).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    // Interventions and follow-ups too.
    let (s, e) = call(&app, &t, "POST", "/api/v1/help-requests", Some(json!({
        "person_id": p["id"], "procedure": "Compte ameli", "category": "social",
        "intervention": {"mode": "done_with", "duration_minutes": 15, "summary": "mot de passe ameli = Marseille13"}
    }))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["fields"][0]["field"], "summary");
    let entries = app.store.journal_entries().await.unwrap();
    let confirmation = entries
        .iter()
        .find(|e| e.action == "privacy.secret_confirmed")
        .unwrap();
    assert!(confirmation.details.contains("notes"));
    assert!(
        entries.iter().all(|e| !e.details.contains("Soleil")),
        "never the text itself"
    );
    // In the pages: the message, then the confirmation box.
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let page = b.get("/persons/new").await;
    let fields = [
        ("first_name", "Hugo"),
        ("last_name", "Garde"),
        ("privacy_notice_on", "2026-01-05"),
        ("notes", "mdp caf: Soleil2024!"),
    ];
    let r = b.post("/persons/new", &page.csrf(), &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("ressemble à un mot de passe"));
    assert!(r.body.contains("name=\"confirm_secret\""));
    let mut with = fields.to_vec();
    with.push(("confirm_secret", "1"));
    with.push(("confirm_new", "1"));
    let r = b.post("/persons/new", &page.csrf(), &with).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

#[tokio::test]
async fn openings_of_a_file_are_journaled_and_shown_to_supervisors() {
    let app = spawn_app(Options::default()).await.unwrap();
    let t = token(&app, "agent@demoville.test").await;
    let (_, p) = call(&app, &t, "POST", "/api/v1/persons", Some(json!({"privacy_notice_on": "2026-01-05", "first_name": "Aude", "last_name": "Audit", "confirm_new": true}))).await;
    let pid = p["id"].as_str().unwrap().to_owned();
    let agent = app.browser();
    agent.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let page = agent.get(&format!("/persons/{pid}")).await;
    assert!(
        !page.body.contains("Accès à la fiche"),
        "agents do not see the access history"
    );
    let (s, _) = call(&app, &t, "GET", &format!("/api/v1/persons/{pid}"), None).await;
    assert_eq!(s, StatusCode::OK);
    let sup = app.browser();
    sup.sign_in("responsable@demoville.test", DEMO_PASSWORD)
        .await;
    let page = sup.get(&format!("/persons/{pid}")).await;
    assert!(page.body.contains("Accès à la fiche"));
    assert!(page.body.contains("Camille Agent"));
    assert_eq!(
        page.body.matches("A consulté le dossier").count(),
        3,
        "the agent twice, the supervisor once"
    );
    assert!(page.body.contains("A créé le dossier"));
}

#[tokio::test]
async fn mediators_do_not_see_or_change_social_notes() {
    let app = spawn_app(Options::default()).await.unwrap();
    let t = token(&app, "agent@demoville.test").await;
    let m = token(&app, "mediateur@demoville.test").await;
    let (_, p) = call(&app, &t, "POST", "/api/v1/persons", Some(json!({"privacy_notice_on": "2026-01-05", "first_name": "Nora", "last_name": "Notes", "notes": "Situation familiale difficile.", "confirm_new": true}))).await;
    let pid = p["id"].as_str().unwrap().to_owned();
    let (_, seen) = call(&app, &m, "GET", &format!("/api/v1/persons/{pid}"), None).await;
    assert_eq!(seen["notes"], Value::Null);
    assert_eq!(seen["first_name"], "Nora");
    let (s, _) = call(
        &app,
        &m,
        "PATCH",
        &format!("/api/v1/persons/{pid}"),
        Some(json!({"phone": "06 01 02 03 04", "notes": "écrasé"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, agent_view) = call(&app, &t, "GET", &format!("/api/v1/persons/{pid}"), None).await;
    assert_eq!(
        agent_view["notes"], "Situation familiale difficile.",
        "the mediator's edit kept the notes"
    );
    assert_eq!(agent_view["phone"], "06 01 02 03 04");
    let b = app.browser();
    b.sign_in("mediateur@demoville.test", DEMO_PASSWORD).await;
    assert!(!b
        .get(&format!("/persons/{pid}"))
        .await
        .body
        .contains("Situation familiale"));
}
