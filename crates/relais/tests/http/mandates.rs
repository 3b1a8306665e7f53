use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::process::Command;

async fn person(app: &TestApp, t: &str, first: &str, last: &str, email: Option<&str>) -> String {
    let (s, p) = call(app, t, "POST", "/api/v1/persons", Some(json!({
        "first_name": first, "last_name": last, "email": email, "privacy_notice_on": "2026-01-05", "confirm_new": true
    }))).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    p["id"].as_str().unwrap().to_owned()
}

async fn done_for(app: &TestApp, t: &str, pid: &str, category: &str) -> (StatusCode, Value) {
    call(app, t, "POST", "/api/v1/help-requests", Some(json!({
        "person_id": pid, "procedure": "Démarche en ligne", "category": category, "status": "done",
        "intervention": {"mode": "done_for", "duration_minutes": 30}
    }))).await
}

/// Text of a PDF with poppler's pdftotext; `None` (with a message) when the
/// tool is missing outside CI.
pub(crate) fn pdf_text(pdf: &[u8]) -> Option<String> {
    let dir = std::env::temp_dir().join(format!("relais-pdf-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("doc.pdf");
    std::fs::write(&file, pdf).unwrap();
    match Command::new("pdftotext").arg(&file).arg("-").output() {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        _ => {
            assert!(
                std::env::var("CI").ok().as_deref() != Some("true"),
                "pdftotext is required in CI"
            );
            eprintln!("SKIP: pdftotext not available; PDF text not checked");
            None
        }
    }
}

/// The QR codes found on the PDF's first page (pdftoppm + zbarimg).
fn pdf_qr_codes(pdf: &[u8]) -> Option<Vec<String>> {
    let dir = std::env::temp_dir().join(format!("relais-qr-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("doc.pdf");
    std::fs::write(&file, pdf).unwrap();
    let png = dir.join("page");
    let ok = Command::new("pdftoppm")
        .args(["-png", "-r", "150", "-f", "1", "-l", "1"])
        .arg(&file)
        .arg(&png)
        .status()
        .is_ok_and(|s| s.success());
    let image = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "png"));
    let out = match (ok, image) {
        (true, Some(img)) => Command::new("zbarimg")
            .args(["--quiet", "--raw"])
            .arg(img)
            .output()
            .ok(),
        _ => None,
    };
    match out {
        Some(o) if o.status.success() => Some(
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .map(str::to_owned)
                .collect(),
        ),
        _ => {
            assert!(
                std::env::var("CI").ok().as_deref() != Some("true"),
                "pdftoppm and zbarimg are required in CI"
            );
            eprintln!("SKIP: pdftoppm/zbarimg not available; QR code not checked");
            None
        }
    }
}

#[tokio::test]
async fn a_paper_mandate_covers_its_categories_and_its_document_says_so() {
    let app = spawn_app(Options::default()).await.unwrap();
    let t = token(&app, "agent@demoville.test").await;
    let pid = person(&app, &t, "Rosalie", "Mandat", None).await;
    // Without a mandate, "done for" is refused with the reason.
    let (s, e) = done_for(&app, &t, &pid, "social").await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["error"]["code"], "policy_refused");
    assert_eq!(e["error"]["reason"], "no_mandate");
    // Bad input.
    for (body, field) in [
        (
            json!({"person_id": pid, "categories": ["voyage"], "duration": "six_months", "consent": "paper"}),
            "categories",
        ),
        (
            json!({"person_id": pid, "categories": ["social"], "duration": "forever", "consent": "paper"}),
            "duration",
        ),
        (
            json!({"person_id": pid, "categories": ["social"], "duration": "six_months", "consent": "telepathy"}),
            "consent",
        ),
        (
            json!({"person_id": pid, "categories": [], "duration": "six_months", "consent": "paper"}),
            "categories",
        ),
        (
            json!({"person_id": pid, "categories": ["social"], "duration": "six_months", "consent": "remote"}),
            "consent",
        ),
    ] {
        let (s, e) = call(&app, &t, "POST", "/api/v1/mandates", Some(body)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["error"]["fields"][0]["field"], field, "{e}");
    }
    let (s, m) = call(&app, &t, "POST", "/api/v1/mandates", Some(json!({
        "person_id": pid, "categories": ["social", "travail"], "duration": "six_months", "consent": "paper"
    }))).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    assert_eq!(m["status"], "pending");
    let mid = m["id"].as_str().unwrap().to_owned();
    let verify = m["verification_url"].as_str().unwrap().to_owned();
    assert!(verify.starts_with(&format!("{}/v/", app.base)));
    let (_, e) = done_for(&app, &t, &pid, "social").await;
    assert_eq!(e["error"]["reason"], "mandate_not_signed");

    // The document.
    let r = app
        .api()
        .get(format!("{}/api/v1/mandates/{mid}/document.pdf", app.base))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap().to_vec();
    assert!(pdf.starts_with(b"%PDF-"));
    if let Some(text) = pdf_text(&pdf) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let end = chrono::NaiveDate::parse_from_str(m["ends_on"].as_str().unwrap(), "%Y-%m-%d")
            .unwrap()
            .format("%d/%m/%Y")
            .to_string();
        // The place and day it was drawn up, the structure's contact details
        // (its own place in the demo) and the categories with the operators
        // the catalogue files under them.
        let made = format!(
            "Fait à Villeurbanne le {}",
            app.services.today().format("%d/%m/%Y")
        );
        for needle in [
            "Rosalie MANDAT",
            "CCAS de Démoville",
            "Social – Santé (CAF, Assurance Maladie (ameli)",
            "Travail – Formation (France Travail, Info Retraite)",
            end.as_str(),
            "1984",
            "12 place de la Mairie, 69100 Villeurbanne",
            "04 78 00 00 00",
            made.as_str(),
        ] {
            assert!(flat.contains(needle), "{needle} in the PDF text:\n{flat}");
        }
        let secret = app
            .services
            .mandate(
                &actor(&app).await,
                relais_domain::MandateId::parse(&mid).unwrap(),
            )
            .await
            .unwrap()
            .revocation_secret;
        assert_eq!(
            flat.matches(secret.as_str()).count(),
            1,
            "the secret is on the person's copy only"
        );
    }
    if let Some(codes) = pdf_qr_codes(&pdf) {
        assert!(codes.contains(&verify), "QR {codes:?} should be {verify}");
    }

    // Signed on paper: active.
    let (s, m) = call(
        &app,
        &t,
        "POST",
        &format!("/api/v1/mandates/{mid}/sign"),
        Some(json!({"scan": "JVBERi0xLjQK"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{m}");
    assert_eq!(m["status"], "active");
    let (s, _) = call(
        &app,
        &t,
        "POST",
        &format!("/api/v1/mandates/{mid}/sign"),
        Some(json!({"scan": "JVBERi0xLjQK"})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "signed once");
    let (s, r) = done_for(&app, &t, &pid, "social").await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(r["interventions"][0]["mandate_id"], json!(mid));
    let (s, e) = done_for(&app, &t, &pid, "papiers").await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(e["error"]["reason"], "category_not_covered");
    // A mediator may not act for someone, mandate or not.
    let tm = token(&app, "mediateur@demoville.test").await;
    let (_, e) = done_for(&app, &tm, &pid, "social").await;
    assert_eq!(e["error"]["reason"], "role_not_allowed");
    let chain = app
        .store
        .structure_by_slug("ccas-demoville")
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let actions = app.journal_actions(&chain).await;
    for a in [
        "mandate.create",
        "mandate.sign",
        "mandate.use",
        "mandate.document_downloaded",
    ] {
        assert!(actions.contains(&a.to_owned()), "{a}");
    }
    // Lists.
    let (_, l) = call(
        &app,
        &t,
        "GET",
        &format!("/api/v1/mandates?person_id={pid}&status=active"),
        None,
    )
    .await;
    assert_eq!(l["items"].as_array().unwrap().len(), 1);
    let (s, _) = call(&app, &t, "GET", "/api/v1/mandates?status=sleeping", None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // Revoking one category by the agent; then renewing.
    let (s, e) = call(
        &app,
        &t,
        "POST",
        &format!("/api/v1/mandates/{mid}/revoke"),
        Some(json!({"categories": ["travail"]})),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is required: {e}"
    );
    let (s, m) = call(
        &app,
        &t,
        "POST",
        &format!("/api/v1/mandates/{mid}/revoke"),
        Some(json!({"categories": ["travail"], "reason": "La personne le fait seule désormais"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{m}");
    assert_eq!(m["categories"], json!(["social"]));
    let (_, e) = done_for(&app, &t, &pid, "travail").await;
    assert_eq!(e["error"]["reason"], "mandate_revoked");
    let (s, n) = call(
        &app,
        &t,
        "POST",
        &format!("/api/v1/mandates/{mid}/renew"),
        Some(json!({"duration": "one_month", "consent": "paper"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{n}");
    assert_eq!(n["renewed_from"], json!(mid));
    assert_eq!(n["categories"], json!(["social"]));
    assert_eq!(n["status"], "pending");
}

async fn actor(app: &TestApp) -> relais_service::Actor {
    let t = token(app, "agent@demoville.test").await;
    app.services.authenticate_token(&t).await.unwrap()
}

#[tokio::test]
async fn the_person_revokes_from_the_verification_page_with_the_printed_secret() {
    let app = spawn_app(Options::default()).await.unwrap();
    let t = token(&app, "agent@demoville.test").await;
    let pid = person(&app, &t, "Victor", "Revoque", None).await;
    let (_, m) = call(&app, &t, "POST", "/api/v1/mandates", Some(json!({"person_id": pid, "categories": ["argent"], "duration": "twelve_months", "consent": "paper"}))).await;
    let mid = m["id"].as_str().unwrap().to_owned();
    call(
        &app,
        &t,
        "POST",
        &format!("/api/v1/mandates/{mid}/sign"),
        Some(json!({"scan": "JVBERi0xLjQK"})),
    )
    .await;
    let code = m["verification_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let secret = app
        .services
        .mandate(
            &actor(&app).await,
            relais_domain::MandateId::parse(&mid).unwrap(),
        )
        .await
        .unwrap()
        .revocation_secret;

    let b = app.browser();
    let page = b.get(&format!("/v/{code}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(">Actif<"));
    assert!(page.body.contains("V. R."), "initials only");
    assert!(!page.body.contains("Victor"));
    let wrong = b
        .post(
            &format!("/v/{code}/revoke"),
            &page.csrf(),
            &[("secret", "AAAA-BBBB-CCCC")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("Code de révocation incorrect."));
    let ok = b
        .post(
            &format!("/v/{code}/revoke"),
            &page.csrf(),
            &[("secret", &secret.to_lowercase())],
        )
        .await;
    assert_eq!(ok.location(), format!("/v/{code}?done=verify-revoked"));
    let page = b.get(&format!("/v/{code}")).await;
    assert!(page.body.contains(">Révoqué<"));
    let (s, e) = done_for(&app, &t, &pid, "argent").await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(e["error"]["reason"], "mandate_revoked");
    // The revocation certificate.
    let agent = app.browser();
    agent.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let r = agent
        .client
        .get(format!("{}/mandates/{mid}/revocation.pdf", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    if let Some(text) = pdf_text(&pdf) {
        assert!(text.contains("révoqué"), "{text}");
    }
    // Unknown codes are 404; look-ups are counted, wrong secrets journaled.
    assert_eq!(b.get("/v/AAAAAAAAAA").await.status, StatusCode::NOT_FOUND);
    assert_eq!(b.get("/v/not-a-code").await.status, StatusCode::NOT_FOUND);
    let chain = app
        .store
        .structure_by_slug("ccas-demoville")
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let actions = app.journal_actions(&chain).await;
    for a in [
        "mandate.revocation_refused",
        "mandate.revoke",
        "mandate.revocation_downloaded",
    ] {
        assert!(actions.contains(&a.to_owned()), "{a}");
    }
}

#[tokio::test]
async fn a_policy_change_takes_effect_at_once_and_is_journaled_with_before_and_after() {
    let app = spawn_app(Options::default()).await.unwrap();
    let t = token(&app, "agent@demoville.test").await;
    let sup = token(&app, "responsable@demoville.test").await;
    let pid = person(&app, &t, "Paula", "Charte", None).await;
    let (_, e) = done_for(&app, &t, &pid, "social").await;
    assert_eq!(e["error"]["reason"], "no_mandate");
    let (_, mut policy) = call(&app, &t, "GET", "/api/v1/policy", None).await;
    assert_eq!(policy["mandate_rule"], "required");
    assert_eq!(policy["retention_months"], 24);
    policy["mandate_rule"] = json!("recommended");
    policy["charter"] =
        json!("Nous faisons avec vous, et pour vous quand vous nous le demandez par écrit.");
    let (s, _) = call(&app, &t, "PUT", "/api/v1/policy", Some(policy.clone())).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "agents do not write the policy");
    let mut bad = policy.clone();
    bad["retention_months"] = json!(0);
    let (s, _) = call(&app, &sup, "PUT", "/api/v1/policy", Some(bad)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, p) = call(&app, &sup, "PUT", "/api/v1/policy", Some(policy)).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["mandate_rule"], "recommended");
    let (s, r) = done_for(&app, &t, &pid, "social").await;
    assert_eq!(s, StatusCode::CREATED, "recommended only: {r}");
    // A cap on mandate durations applies at once too.
    let (_, mut capped) = call(&app, &sup, "GET", "/api/v1/policy", None).await;
    capped["max_mandate_duration"] = json!("six_months");
    let (s, _) = call(&app, &sup, "PUT", "/api/v1/policy", Some(capped)).await;
    assert_eq!(s, StatusCode::OK);
    let (s, e) = call(&app, &t, "POST", "/api/v1/mandates", Some(json!({"person_id": pid, "categories": ["social"], "duration": "twelve_months", "consent": "paper"}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["fields"][0]["code"], "duration_above_policy");
    let chain = app
        .store
        .structure_by_slug("ccas-demoville")
        .await
        .unwrap()
        .unwrap()
        .id;
    let entries = app.store.journal_entries().await.unwrap();
    let change = entries
        .iter()
        .find(|e| e.action == "policy.update" && e.structure_id == Some(chain))
        .unwrap();
    let details: Value = serde_json::from_str(&change.details).unwrap();
    assert_eq!(details["before"]["mandate_rule"], "required");
    assert_eq!(details["after"]["mandate_rule"], "recommended");
    assert!(entries.iter().any(|e| e.action == "mandate.missing_warned"));
    assert_eq!(app.services.verify_journal().await.unwrap().broken, None);
    // The same through the page, and the charter shows at intake.
    let b = app.browser();
    b.sign_in("responsable@demoville.test", DEMO_PASSWORD).await;
    let page = b.get("/structure/policy").await;
    assert_eq!(page.status, StatusCode::OK);
    let intake = b.get("/intake").await;
    assert!(intake.body.contains("Nous faisons avec vous"));
    let r = b
        .client
        .get(format!("{}/structure/charter.pdf", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF-"));
}

#[tokio::test]
async fn remote_consent_works_with_the_file_notifier_and_five_wrong_codes_block_it() {
    let app = spawn_app(Options::default()).await.unwrap();
    let t = token(&app, "agent@demoville.test").await;
    let pid = person(&app, &t, "Rémi", "Distance", Some("remi@example.test")).await;
    let (s, m) = call(&app, &t, "POST", "/api/v1/mandates", Some(json!({"person_id": pid, "categories": ["logement"], "duration": "one_month", "consent": "remote"}))).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let mid = m["id"].as_str().unwrap().to_owned();
    let code = m["verification_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let sent = |n: usize| -> (String, String) {
        let lines = std::fs::read_to_string(&app.notifications).unwrap();
        let line: Value = serde_json::from_str(lines.lines().nth(n).unwrap()).unwrap();
        let body = line["body"].as_str().unwrap().to_owned();
        let otp: String = body
            .split("code")
            .nth(1)
            .unwrap()
            .chars()
            .filter(|c| c.is_ascii_digit())
            .take(6)
            .collect();
        (line["to"].as_str().unwrap().to_owned(), otp)
    };
    let (to, otp) = sent(0);
    assert_eq!(to, "remi@example.test");
    assert_eq!(otp.len(), 6);
    let b = app.browser();
    let page = b.get(&format!("/v/{code}")).await;
    assert!(page.body.contains("Donner votre accord"));
    let wrong = if otp == "000000" { "111111" } else { "000000" };
    for i in 1..=5 {
        let r = b
            .post(
                &format!("/v/{code}/consent"),
                &page.csrf(),
                &[("code", wrong)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "attempt {i}");
    }
    let r = b
        .post(
            &format!("/v/{code}/consent"),
            &page.csrf(),
            &[("code", &otp)],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "blocked after five wrong codes"
    );
    assert!(r.body.contains("bloqué"));
    let (_, m) = call(&app, &t, "GET", &format!("/api/v1/mandates/{mid}"), None).await;
    assert_eq!(m["status"], "pending");
    // A new code from the structure starts over.
    let agent = app.browser();
    agent.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let mp = agent.get(&format!("/mandates/{mid}")).await;
    let r = agent
        .post(&format!("/mandates/{mid}/send-code"), &mp.csrf(), &[])
        .await;
    assert_eq!(
        r.location(),
        format!("/mandates/{mid}?done=mandate-code-sent")
    );
    let (_, otp2) = sent(1);
    let r = b
        .post(
            &format!("/v/{code}/consent"),
            &page.csrf(),
            &[("code", &otp2)],
        )
        .await;
    assert_eq!(r.location(), format!("/v/{code}?done=verify-activated"));
    let (_, m) = call(&app, &t, "GET", &format!("/api/v1/mandates/{mid}"), None).await;
    assert_eq!(m["status"], "active");
    let (s, _) = done_for(&app, &t, &pid, "logement").await;
    assert_eq!(s, StatusCode::CREATED);
}

#[tokio::test]
async fn the_web_flow_signs_with_a_scan_and_refuses_bad_files() {
    let app = spawn_app(Options::default()).await.unwrap();
    let t = token(&app, "agent@demoville.test").await;
    let pid = person(&app, &t, "Sophie", "Scan", None).await;
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let form = b.get(&format!("/persons/{pid}/mandates/new")).await;
    assert_eq!(form.status, StatusCode::OK);
    let r = b
        .post(
            &format!("/persons/{pid}/mandates"),
            &form.csrf(),
            &[
                ("categories", "social"),
                ("categories", "famille"),
                ("duration", "twelve_months"),
                ("consent", "paper"),
            ],
        )
        .await;
    assert!(r.location().starts_with("/mandates/"), "{}", r.body);
    let mid = r
        .location()
        .trim_start_matches("/mandates/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let page = b.get(&format!("/mandates/{mid}")).await;
    assert!(page.body.contains("En attente de signature"));
    let upload = |name: &'static str, bytes: Vec<u8>, mime: &'static str| {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(name)
            .mime_str(mime)
            .unwrap();
        reqwest::multipart::Form::new()
            .text("csrf", page.csrf())
            .part("scan", part)
    };
    let r = b
        .client
        .post(format!(
            "{}/mandates/{mid}/sign?csrf={}",
            app.base,
            page.csrf()
        ))
        .multipart(upload("scan.txt", b"not a scan".to_vec(), "text/plain"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("PDF, un PNG ou un JPEG"));
    // Without the token in the URL, the upload is refused.
    let r = b
        .client
        .post(format!("{}/mandates/{mid}/sign", app.base))
        .multipart(upload(
            "scan.pdf",
            b"%PDF-1.7 x".to_vec(),
            "application/pdf",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = b
        .client
        .post(format!(
            "{}/mandates/{mid}/sign?csrf={}",
            app.base,
            page.csrf()
        ))
        .multipart(upload(
            "scan.pdf",
            b"%PDF-1.7 signed".to_vec(),
            "application/pdf",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = b.get(&format!("/mandates/{mid}")).await;
    assert!(page.body.contains("Actif"));
    // The home page lists mandates ending within 30 days (none here: 12 months).
    assert!(b.get("/").await.body.contains("Mandats qui se terminent"));
    // Another structure cannot see it.
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
    let other = token(&app, "agent@ailleurs.test").await;
    for path in [
        format!("/api/v1/mandates/{mid}"),
        format!("/api/v1/mandates/{mid}/document.pdf"),
    ] {
        let (s, _) = call(&app, &other, "GET", &path, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
    let (s, _) = call(
        &app,
        &other,
        "POST",
        &format!("/api/v1/mandates/{mid}/revoke"),
        Some(json!({"reason": "non"})),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_on_screen_signature_keeps_only_the_strokes() {
    let app = spawn_app(Options::default()).await.unwrap();
    let t = token(&app, "agent@demoville.test").await;
    let pid = person(&app, &t, "Élise", "Ecran", None).await;
    let (_, m) = call(&app, &t, "POST", "/api/v1/mandates", Some(json!({"person_id": pid, "categories": ["famille"], "duration": "one_day", "consent": "on_screen"}))).await;
    let mid = m["id"].as_str().unwrap().to_owned();
    let (s, _) = call(
        &app,
        &t,
        "POST",
        &format!("/api/v1/mandates/{mid}/sign"),
        None,
    )
    .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an on-screen mandate needs the strokes"
    );
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let page = b.get(&format!("/mandates/{mid}")).await;
    assert!(page.body.contains("data-signature-pad"));
    let evil = "<svg><script>alert(1)</script><path d=\"M1 1 L2 2\" onload=\"x()\"/></svg>";
    let r = b
        .post(
            &format!("/mandates/{mid}/sign"),
            &page.csrf(),
            &[("signature", "<svg><script>alert(1)</script></svg>")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = b
        .post(
            &format!("/mandates/{mid}/sign"),
            &page.csrf(),
            &[("signature", evil)],
        )
        .await;
    assert_eq!(r.location(), format!("/mandates/{mid}?done=mandate-signed"));
    // As stored (no view shows the drawing itself).
    let stored = app
        .store
        .mandate_by_id(
            actor(&app).await.structure_id,
            relais_domain::MandateId::parse(&mid).unwrap(),
        )
        .await
        .unwrap()
        .unwrap()
        .mandate
        .signature_svg
        .unwrap();
    assert!(
        stored.contains("M1 1 L2 2") && !stored.contains("script") && !stored.contains("onload"),
        "{stored}"
    );
}

#[tokio::test]
async fn the_request_page_explains_a_refusal() {
    let app = spawn_app(Options::default()).await.unwrap();
    let t = token(&app, "agent@demoville.test").await;
    let pid = person(&app, &t, "Yann", "Refus", None).await;
    let (_, r) = call(
        &app,
        &t,
        "POST",
        "/api/v1/help-requests",
        Some(json!({"person_id": pid, "procedure": "Carte grise", "category": "transports"})),
    )
    .await;
    let rid = r["id"].as_str().unwrap();
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let page = b.get(&format!("/requests/{rid}")).await;
    let r = b
        .post(
            &format!("/requests/{rid}/interventions"),
            &page.csrf(),
            &[
                ("mode", "done_for"),
                ("duration_minutes", "15"),
                ("place", "on_site"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("Pas de mandat"), "{}", r.body);
}
