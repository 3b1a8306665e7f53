//! The catalogue as the one source of truth at the desk: the mandate form's
//! examples and "par organisme" shortcuts built from it, the form pre-filled
//! and returning to where the worker came from, the catalogue page's filter
//! and one save, the demo data that obeys its own charter, and the request
//! page that shows which mandate covered each "faire pour".

use crate::helpers::*;
use relais_domain::ProcedureCategory;
use relais_service::catalog::Catalog;
use reqwest::StatusCode;
use serde_json::json;

async fn new_person(app: &TestApp, t: &str, last: &str) -> String {
    let (s, p) = call(app, t, "POST", "/api/v1/persons", Some(json!({
        "first_name": "Noé", "last_name": last, "privacy_notice_on": "2026-01-05", "confirm_new": true
    }))).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    p["id"].as_str().unwrap().to_owned()
}

fn mandate_id_of(location: &str) -> String {
    location
        .trim_start_matches("/mandates/")
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

/// Every catalogue procedure's operator is named under its category on the
/// mandate form, and no category names an operator that has no procedure
/// there (acceptance 5 of issue 16), in French and in English.
#[tokio::test]
async fn the_mandate_form_names_what_the_catalogue_files_in_each_category() {
    let app = spawn_app(Options::default()).await.unwrap();
    let t = token(&app, "agent@demoville.test").await;
    let pid = new_person(&app, &t, "Coherent").await;
    let catalog = Catalog::shipped().unwrap();
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    for en in [false, true] {
        b.get(&format!("/lang/{}?next=/", if en { "en" } else { "fr" }))
            .await;
        let form = b.get(&format!("/persons/{pid}/mandates/new")).await;
        assert_eq!(form.status, StatusCode::OK);
        let named = |c: ProcedureCategory| -> Vec<String> {
            form.text_of_id(&format!("cat-ops-{}", c.as_str()))
                .map(|s| s.split(", ").map(str::to_owned).collect())
                .unwrap_or_default()
        };
        let short = |id: &str| {
            let o = catalog.operator(id).unwrap();
            if en {
                o.short_en.clone()
            } else {
                o.short.clone()
            }
        };
        for p in &catalog.procedures {
            assert!(
                named(p.category).contains(&short(&p.operator)),
                "{} ({}) is not named under {} (en: {en}): {:?}",
                p.id,
                p.operator,
                p.category.as_str(),
                named(p.category)
            );
        }
        for &c in ProcedureCategory::ALL {
            for name in named(c) {
                let op = catalog
                    .operators
                    .iter()
                    .find(|o| (if en { &o.short_en } else { &o.short }) == &name)
                    .unwrap_or_else(|| panic!("{name} is no operator's short name"));
                assert!(
                    catalog
                        .procedures
                        .iter()
                        .any(|p| p.category == c && p.operator == op.id),
                    "{name} named under {} where it has no procedure",
                    c.as_str()
                );
            }
        }
        // No procedure of the catalogue for leisure: said so.
        assert!(named(ProcedureCategory::Loisirs).is_empty());
        assert!(form
            .text_of_id("cat-ex-loisirs")
            .is_some_and(|t| !t.is_empty()));
        // One shortcut per operator that has procedures.
        for o in &catalog.operators {
            let has = catalog.procedures.iter().any(|p| p.operator == o.id);
            assert_eq!(
                form.body
                    .contains(&format!("name=\"operators\" value=\"{}\"", o.id)),
                has,
                "shortcut for {}",
                o.id
            );
        }
    }
}

/// A mandate drawn up "for the CAF" (without the script: the server
/// expands the shortcut) covers the APL, filed under Logement.
#[tokio::test]
async fn ticking_an_operator_covers_every_category_of_its_procedures() {
    let app = spawn_app(Options::default()).await.unwrap();
    let t = token(&app, "agent@demoville.test").await;
    let pid = new_person(&app, &t, "Organisme").await;
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let r = b
        .submit(
            &format!("/persons/{pid}/mandates/new"),
            &format!("/persons/{pid}/mandates"),
            &[
                ("operators", "caf"),
                ("operators", "nope"),
                ("duration", "twelve_months"),
                ("consent", "paper"),
            ],
        )
        .await;
    assert!(r.location().starts_with("/mandates/"), "{}", r.body);
    let mid = mandate_id_of(r.location());
    let (_, m) = call(&app, &t, "GET", &format!("/api/v1/mandates/{mid}"), None).await;
    assert_eq!(
        m["categories"],
        json!(["famille", "social", "logement"]),
        "{m}"
    );
    let (s, m) = call(
        &app,
        &t,
        "POST",
        &format!("/api/v1/mandates/{mid}/sign"),
        Some(json!({"scan": "JVBERi0xLjQK"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{m}");
    let (s, r) = call(&app, &t, "POST", "/api/v1/help-requests", Some(json!({
        "person_id": pid, "procedure": "Demander une aide au logement (APL, ALF, ALS)", "status": "done",
        "intervention": {"mode": "done_for", "duration_minutes": 30}
    }))).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    // Nothing ticked at all: the error names the categories.
    let r = b
        .submit(
            &format!("/persons/{pid}/mandates/new"),
            &format!("/persons/{pid}/mandates"),
            &[("duration", "twelve_months"), ("consent", "paper")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"categories-err\""), "{}", r.body);
}

/// `?category=` ticks a category, `?return_to=` comes back once the
/// mandate is signed; a path to another site is ignored.
#[tokio::test]
async fn the_mandate_form_is_prefilled_and_returns_to_the_form_in_progress() {
    let app = spawn_app(Options::default()).await.unwrap();
    let t = token(&app, "agent@demoville.test").await;
    let pid = new_person(&app, &t, "Retour").await;
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let back = format!("/intake?person_id={pid}&draft=1");
    let encoded: String = url::form_urlencoded::byte_serialize(back.as_bytes()).collect();
    let form = b
        .get(&format!(
            "/persons/{pid}/mandates/new?category=logement&category=nope&return_to={encoded}"
        ))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body
            .contains("name=\"categories\" value=\"logement\" checked"),
        "{}",
        form.body
    );
    assert!(!form
        .body
        .contains("name=\"categories\" value=\"social\" checked"));
    let kept = format!(
        "name=\"return_to\" value=\"{}\"",
        back.replace('&', "&#38;")
    );
    assert!(form.body.contains(&kept), "{}", form.body);
    let r = b
        .post(
            &format!("/persons/{pid}/mandates"),
            &form.csrf(),
            &[
                ("categories", "logement"),
                ("duration", "twelve_months"),
                ("consent", "paper"),
                ("return_to", &back),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(
        r.location().ends_with(&format!("&return_to={encoded}")),
        "{}",
        r.location()
    );
    let mid = mandate_id_of(r.location());
    let pending = b.get(r.location()).await;
    // Not signed yet: the way back is offered already (the worker may come
    // back before the paper is signed), and the signature form keeps it.
    assert!(pending.body.contains("id=\"mandate-return\""));
    assert!(
        pending.body.contains(&format!("&amp;return_to={encoded}")),
        "{}",
        pending.body
    );
    let part = reqwest::multipart::Part::bytes(b"%PDF-1.7 signed".to_vec())
        .file_name("scan.pdf")
        .mime_str("application/pdf")
        .unwrap();
    let r = b
        .client
        .post(format!(
            "{}/mandates/{mid}/sign?csrf={}&return_to={encoded}",
            app.base,
            pending.csrf()
        ))
        .multipart(
            reqwest::multipart::Form::new()
                .text("csrf", pending.csrf())
                .part("scan", part),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.contains("done=mandate-signed") && location.ends_with(&encoded),
        "{location}"
    );
    let active = b.get(&location).await;
    assert!(
        active.body.contains(&format!(
            "id=\"mandate-return\"><a href=\"{}\"",
            back.replace('&', "&#38;")
        )),
        "{}",
        active.body
    );
    // Another site, or a path read as one: ignored everywhere.
    for evil in [
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let e: String = url::form_urlencoded::byte_serialize(evil.as_bytes()).collect();
        let form = b
            .get(&format!("/persons/{pid}/mandates/new?return_to={e}"))
            .await;
        assert!(!form.body.contains("name=\"return_to\""), "{evil}");
        assert!(!b
            .get(&format!("/mandates/{mid}?return_to={e}"))
            .await
            .body
            .contains("mandate-return"));
        let r = b
            .post(
                &format!("/persons/{pid}/mandates"),
                &form.csrf(),
                &[
                    ("categories", "papiers"),
                    ("duration", "one_day"),
                    ("consent", "paper"),
                    ("return_to", evil),
                ],
            )
            .await;
        assert!(!r.location().contains("return_to"), "{}", r.location());
    }
}

async fn settings_journaled(app: &TestApp) -> usize {
    let sid = app
        .store
        .structure_by_slug("ccas-demoville")
        .await
        .unwrap()
        .unwrap()
        .id;
    app.journal_actions(&sid.to_string())
        .await
        .iter()
        .filter(|a| *a == "catalogue.procedure_setting")
        .count()
}

async fn rsa_note(app: &TestApp, tok: &str) -> String {
    let (_, rsa) = call(app, tok, "GET", "/api/v1/procedures/caf-rsa-demande", None).await;
    rsa["local_note"].as_str().unwrap_or_default().to_owned()
}

/// The catalogue page filters with the accent-tolerant matching and saves
/// every procedure's settings with one button; only what changed is
/// written, each change journaled; an error writes nothing.
#[tokio::test]
async fn the_catalogue_page_filters_and_saves_once() {
    let app = spawn_app(Options::default()).await.unwrap();
    let sup = token(&app, "responsable@demoville.test").await;
    let b = app.browser();
    b.sign_in("responsable@demoville.test", DEMO_PASSWORD).await;
    let page = b.get("/structure/catalogue?q=CHEQUE%20energie").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Chèque énergie : le recevoir"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Demander le RSA"));
    assert_eq!(
        page.text_of_id("catalogue-found").as_deref(),
        Some("Une démarche correspond.")
    );
    let caf = b.get("/structure/catalogue?q=caf").await;
    assert!(caf.body.contains("Demander le RSA") && caf.body.contains("id=\"op-caf\""));
    assert!(!caf.body.contains("id=\"op-cpam\""));
    // One form for the whole list.
    let all = b.get("/structure/catalogue").await;
    assert_eq!(
        all.body
            .matches("action=\"/structure/procedures/settings\"")
            .count(),
        1
    );
    let before = settings_journaled(&app).await;
    let r = b
        .post(
            "/structure/procedures/settings",
            &all.csrf(),
            &[
                ("q", "caf"),
                ("procedure", "caf-rsa-demande"),
                ("note-caf-rsa-demande", "Rendez-vous RSA le mardi matin."),
                ("procedure", "ft-actualisation"),
                ("hidden", "ft-actualisation"),
                ("note-ft-actualisation", ""),
                ("procedure", "ameli-css"),
                ("note-ameli-css", "  "),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        r.location(),
        "/structure/catalogue?done=catalogue-saved&q=caf#h-procedures"
    );
    assert_eq!(settings_journaled(&app).await, before + 2);
    assert_eq!(
        rsa_note(&app, &sup).await,
        "Rendez-vous RSA le mardi matin."
    );
    let (_, found) = call(
        &app,
        &sup,
        "GET",
        "/api/v1/procedures?q=actualisation",
        None,
    )
    .await;
    assert!(
        !found.to_string().contains("ft-actualisation"),
        "hidden: {found}"
    );
    // The same again changes nothing, and journals nothing.
    let r = b
        .post(
            "/structure/procedures/settings",
            &all.csrf(),
            &[
                ("procedure", "caf-rsa-demande"),
                ("note-caf-rsa-demande", "Rendez-vous RSA le mardi matin."),
                ("procedure", "ft-actualisation"),
                ("hidden", "ft-actualisation"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(settings_journaled(&app).await, before + 2);
    // A note too long: the page again with what was typed, nothing saved.
    let long = "x".repeat(1001);
    let r = b
        .post(
            "/structure/procedures/settings",
            &all.csrf(),
            &[
                ("procedure", "caf-rsa-demande"),
                ("note-caf-rsa-demande", "Changé"),
                ("procedure", "caf-ars"),
                ("note-caf-ars", &long),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"note-caf-ars-err\""), "{}", r.body);
    assert!(r.body.contains("href=\"#note-caf-ars\""), "{}", r.body);
    assert!(r.body.contains(">Changé</textarea>"));
    assert_eq!(settings_journaled(&app).await, before + 2);
    assert_eq!(
        rsa_note(&app, &sup).await,
        "Rendez-vous RSA le mardi matin."
    );
    // An unknown procedure, or an agent: refused.
    let r = b
        .post(
            "/structure/procedures/settings",
            &all.csrf(),
            &[("procedure", "nope")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let a = app.browser();
    a.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let home = a.get("/").await;
    let r = a
        .post(
            "/structure/procedures/settings",
            &home.csrf(),
            &[("procedure", "caf-rsa-demande")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// Every demo "faire pour" relies on a signed mandate that covered it, so
/// the supervisor's figures show the share under mandate; the request page
/// names the mandate and links to it.
#[tokio::test]
async fn the_demo_obeys_its_charter_and_the_request_page_shows_the_mandate() {
    let app = spawn_app(Options::default()).await.unwrap();
    let sup = token(&app, "responsable@demoville.test").await;
    let today = app.services.today();
    let from = today - chrono::Duration::days(800);
    let (s, d) = call(
        &app,
        &sup,
        "GET",
        &format!("/api/v1/dashboard?from={from}&to={today}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    // The demo is drawn from a fixed seed but around the current hour
    // (Paris days of visits and mandates), so how many "faire pour" it
    // holds varies a little from one run to the next; there are always some.
    let done_for = d["done_for"].as_u64().unwrap();
    assert!(done_for >= 1, "{d}");
    assert_eq!(d["done_for_under_mandate"].as_u64(), Some(done_for), "{d}");

    let actor = app.services.authenticate_token(&sup).await.unwrap();
    let (requests, more) = app
        .services
        .list_help_requests(&actor, &relais_service::ListInput::default(), 1000, 0)
        .await
        .unwrap();
    assert!(!more);
    let mut covered = Vec::new();
    let mut seen = 0;
    for r in &requests {
        let id = r.request.id;
        let file = app.services.help_request(&actor, id).await.unwrap();
        for i in &file.interventions {
            if i.intervention.mode == relais_domain::Mode::DoneFor {
                seen += 1;
                let mid = i.intervention.mandate_id.unwrap_or_else(|| {
                    panic!("done_for without a mandate in {}", r.request.reference)
                });
                let m = file.mandates.iter().find(|m| m.id == mid).unwrap();
                assert!(m.signed_at.is_some_and(|s| s <= i.intervention.occurred_at));
                covered.push((r.request.id, m.id, m.verification_code.clone()));
            }
        }
    }
    assert_eq!(seen as u64, done_for);
    let (rid, mid, code) = covered.first().cloned().unwrap();
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let page = b.get(&format!("/requests/{rid}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let link = format!(
        "<a href=\"/mandates/{mid}\" class=\"covering-mandate\">Sous le mandat {code} (du "
    );
    assert!(page.body.contains(&link), "{}", page.body);
}
