//! Issue 15, points 12, 16, 18 and 20: the language switch's redirect, the
//! territory export's secondary suppression, the public verification page.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Point 12: `next` is parsed as a URL reference; whatever lands on
/// another origin becomes `/`.
#[tokio::test]
async fn trust_web_language_switch_never_leaves_the_site() {
    let app = spawn_app(Options::default()).await.unwrap();
    let b = app.browser();
    let base = url::Url::parse(&app.base).unwrap();
    for next in [
        "/%09/evil.example/x",
        "/%0a/evil.example/x",
        "%09//evil.example/x",
        "//evil.example/x",
        "/%5Cevil.example/x",
        "https://evil.example/x",
        "http:evil.example",
        "/%2F/evil.example",
    ] {
        let r = b.get(&format!("/lang/en?next={next}")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{next}");
        // Read the Location as a browser does, against the page's address.
        let to = base.join(r.location()).unwrap();
        assert_eq!(to.origin(), base.origin(), "{next} went to {to}");
    }
    let r = b.get("/lang/fr?next=/requests%3Fstatus%3Dopen").await;
    assert_eq!(r.location(), "/requests?status=open");
}

/// Point 16: no suppressed count of the territory export can be recovered
/// by subtracting the visible communes from their département.
async fn territory_export_resists_subtraction(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let t = token(&app, "agent@demoville.test").await;
    let sup = token(&app, "responsable@demoville.test").await;
    let walk_in = |postcode: &'static str, commune: &'static str| {
        json!({"anonymous": {"age_bracket": "25_39", "postcode": postcode, "commune": commune},
               "procedure": "Demande", "category": "social", "channel": "walk_in", "status": "open"})
    };
    // On a day of its own, away from the demo's history: 20 requests from
    // Villeurbanne, 3 from Bron, both in the Rhône (69).
    app.clock.advance(chrono::Duration::days(400));
    for (n, postcode, commune) in [(20, "69100", "Villeurbanne"), (3, "69500", "Bron")] {
        for _ in 0..n {
            let (s, r) = call(
                &app,
                &t,
                "POST",
                "/api/v1/help-requests",
                Some(walk_in(postcode, commune)),
            )
            .await;
            assert_eq!(s, StatusCode::CREATED, "{r}");
        }
    }
    let day = app.services.today().to_string();
    for threshold in [3, 5, 10] {
        let (s, v) = call(
            &app,
            &sup,
            "GET",
            &format!("/api/v1/exports/territory?from={day}&to={day}&threshold={threshold}"),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let communes = v["communes"].as_array().unwrap();
        let departements = v["departements"].as_array().unwrap();
        // One département: every commune row is one of its parts.
        assert_eq!(departements.len(), 1, "{v}");
        for d in departements {
            for measure in ["requests", "persons"] {
                let Some(total) = d[measure].as_u64() else {
                    continue;
                };
                let parts: Vec<&Value> = communes.iter().map(|c| &c[measure]).collect();
                let visible: u64 = parts.iter().filter_map(|p| p.as_u64()).sum();
                let hidden = parts.iter().filter(|p| p.is_null()).count();
                // The recovery attempt: the département minus what is shown.
                let recovered = total.saturating_sub(visible);
                assert!(
                    hidden == 0 || (hidden >= 2 && recovered >= threshold),
                    "threshold {threshold}, {measure} of {}: {total} - {visible} = {recovered} \
                     over {hidden} hidden communes\n{v}",
                    d["code"]
                );
            }
        }
        // Over a threshold of 3, Bron's 3 requests are suppressed, and the
        // check above shows they cannot be found back from the Rhône's
        // total (the audit's 23 - 20 = 3).
        let bron = communes.iter().find(|c| c["commune"] == "Bron").unwrap();
        if threshold > 3 {
            assert!(bron["requests"].is_null(), "{v}");
        }
        if threshold == 5 {
            // Villeurbanne's 20 go with Bron's 3; the Rhône's 23 stay.
            assert_eq!(departements[0]["requests"], 23, "{v}");
            assert!(communes.iter().all(|c| c["requests"].is_null()), "{v}");
            assert!(communes.iter().all(|c| c["departement"] == "69"), "{v}");
        }
    }
}

#[tokio::test]
async fn trust_web_territory_export_resists_subtraction_on_sqlite() {
    territory_export_resists_subtraction(Options::default()).await;
}

#[tokio::test]
async fn trust_web_territory_export_resists_subtraction_on_postgresql() {
    territory_export_resists_subtraction(Options {
        postgres: true,
        ..Options::default()
    })
    .await;
}

/// Point 18: the public page names no category without the revocation
/// secret, and a look-up is counted, not journaled.
async fn public_page_hides_categories(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let t = token(&app, "agent@demoville.test").await;
    let (s, p) = call(&app, &t, "POST", "/api/v1/persons", Some(json!({"first_name": "Samia", "last_name": "Verif", "privacy_notice_on": "2026-01-05", "confirm_new": true}))).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let (s, m) = call(&app, &t, "POST", "/api/v1/mandates", Some(json!({"person_id": p["id"], "categories": ["etranger", "justice"], "duration": "six_months", "consent": "paper"}))).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let mid = relais_domain::MandateId::parse(m["id"].as_str().unwrap()).unwrap();
    let actor = app.services.authenticate_token(&t).await.unwrap();
    let scan = relais_service::Scan {
        bytes: b"%PDF-1.4 signed paper".to_vec(),
        content_type: "application/pdf".into(),
    };
    app.services
        .sign_mandate(&actor, mid, Some(scan), None)
        .await
        .unwrap();
    let m = app.services.mandate(&actor, mid).await.unwrap();
    let (code, secret) = (m.verification_code, m.revocation_secret);
    let chain = m.structure_id.to_string();
    let journal_before = app.journal_actions(&chain).await.len();

    let b = app.browser();
    let page = b.get(&format!("/v/{code}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(">Actif<"));
    for sensitive in ["Étranger", "Justice", "etranger", "justice"] {
        assert!(
            !page.body.contains(sensitive),
            "{sensitive} shown without the secret"
        );
    }
    b.get(&format!("/v/{code}")).await;
    // Look-ups leave the journal as it was.
    assert_eq!(app.journal_actions(&chain).await.len(), journal_before);
    // A wrong secret: refused, journaled, still nothing shown.
    let wrong = b
        .post(
            &format!("/v/{code}/details"),
            &page.csrf(),
            &[("secret", "AAAA-BBBB-CCCC")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("Code de révocation incorrect."));
    assert!(!wrong.body.contains("Étranger"));
    assert!(app
        .journal_actions(&chain)
        .await
        .contains(&"mandate.details_refused".to_owned()));
    // The secret as printed, typed loosely: the categories show.
    let details = b
        .post(
            &format!("/v/{code}/details"),
            &page.csrf(),
            &[("secret", &secret.to_lowercase().replace('-', " "))],
        )
        .await;
    assert_eq!(details.status, StatusCode::OK);
    assert!(details.body.contains("Étranger") && details.body.contains("Justice"));
    // From there, the person takes one category out.
    let r = b
        .post(
            &format!("/v/{code}/revoke"),
            &details.csrf(),
            &[
                ("secret", &secret.to_lowercase().replace('-', " ")),
                ("categories", "justice"),
            ],
        )
        .await;
    assert_eq!(r.location(), format!("/v/{code}?done=verify-revoked-part"));
    let after = b.get(r.location()).await;
    assert!(after
        .body
        .contains("Les démarches cochées sont retirées du mandat."));
    assert!(after.body.contains(">Actif<"));
    let view = app.services.mandate(&actor, mid).await.unwrap();
    assert_eq!(
        view.active_categories,
        vec![relais_domain::ProcedureCategory::Etranger]
    );
    // The structure sees how often its page was opened (3 look-ups, the
    // details and the page after the revocation), not who opened it.
    let lookups = app.services.mandate_lookups(&actor, mid).await.unwrap();
    assert_eq!(lookups.count, 5, "{lookups:?}");
    let agent = app.browser();
    agent.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let page = agent.get(&format!("/mandates/{}", mid.0)).await;
    assert!(page.body.contains("consultée"), "{}", page.body);
}

#[tokio::test]
async fn trust_web_public_page_hides_categories_without_the_secret_on_sqlite() {
    public_page_hides_categories(Options::default()).await;
}

#[tokio::test]
async fn trust_web_public_page_hides_categories_without_the_secret_on_postgresql() {
    public_page_hides_categories(Options {
        postgres: true,
        ..Options::default()
    })
    .await;
}

/// A key given twice in a JSON body is refused, naming it (a proxy or a
/// log may read the first value where serde keeps the last).
#[tokio::test]
async fn trust_web_duplicate_json_keys_are_refused() {
    let app = spawn_app(Options::default()).await.unwrap();
    let t = token(&app, "agent@demoville.test").await;
    let r = app
        .api()
        .post(format!("{}/api/v1/persons", app.base))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body(r#"{"first_name": "Un", "first_name": "Deux", "last_name": "Double", "privacy_notice_on": "2026-01-05", "confirm_new": true}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["fields"][0]["field"], "first_name", "{v}");
    assert_eq!(v["error"]["fields"][0]["code"], "duplicate_key", "{v}");
    // Nested objects too.
    let r = app
        .api()
        .post(format!("{}/api/v1/help-requests", app.base))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body(r#"{"anonymous": {"age_bracket": "25_39", "age_bracket": "40_59"}, "procedure": "x y", "category": "social"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
