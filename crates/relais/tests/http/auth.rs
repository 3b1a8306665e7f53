use crate::helpers::*;
use reqwest::StatusCode;

#[tokio::test]
async fn health_answers_and_pages_carry_security_headers() {
    let app = spawn_app(Options::default()).await.unwrap();
    let b = app.browser();
    let h = b.get("/healthz").await;
    assert_eq!(h.status, StatusCode::OK);
    assert_eq!(h.body, "ok");
    let p = b.get("/login").await;
    assert_eq!(p.status, StatusCode::OK);
    let csp = p.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(p.headers["cache-control"], "no-store");
    assert_eq!(p.headers["x-content-type-options"], "nosniff");
    assert!(p.headers.get("strict-transport-security").is_none());
    let css = b.get("/static/relais.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    let missing = b.get("/no-such-page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        missing.body.contains("Cette page n'existe pas")
            || missing.body.contains("Cette page n&#39;existe pas")
    );
}

#[tokio::test]
async fn responses_carry_a_request_id_are_compressed_and_static_files_cached() {
    let app = spawn_app(Options::default()).await.unwrap();
    let client = reqwest::Client::new();
    let get = |path: &str| client.get(format!("{}{path}", app.base));
    // A request id is made when the client sends none, kept otherwise.
    let r = get("/login").send().await.unwrap();
    let id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let r = get("/login")
        .header("x-request-id", "proxy-42")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "proxy-42");
    // Pages go out gzip-compressed to a browser that accepts it, with the
    // same headers.
    let r = get("/login")
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-encoding"], "gzip");
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert!(r.headers().contains_key("content-security-policy"));
    let plain = get("/login").send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    // Static files may be cached for an hour, and carry the headers too.
    let css = get("/static/relais.css").send().await.unwrap();
    assert_eq!(css.headers()["cache-control"], "public, max-age=3600");
    assert_eq!(css.headers()["x-frame-options"], "DENY");
}

#[tokio::test]
async fn pages_are_french_by_default_and_the_english_choice_sticks() {
    let app = spawn_app(Options::default()).await.unwrap();
    let b = app.browser();
    let p = b.get("/login").await;
    assert!(p.body.contains("<html lang=\"fr\">"));
    assert!(p.body.contains("Se connecter"));
    let switch = b.get("/lang/en?next=/login").await;
    assert_eq!(switch.status, StatusCode::SEE_OTHER);
    assert_eq!(switch.location(), "/login");
    let p = b.get("/login").await;
    assert!(p.body.contains("<html lang=\"en\">"));
    assert!(p.body.contains("Sign in"));
    // Open redirects are refused.
    let evil = b.get("/lang/fr?next=//evil.example").await;
    assert_eq!(evil.location(), "/");
}

#[tokio::test]
async fn the_demo_agent_signs_in_sees_home_and_signs_out() {
    let app = spawn_app(Options::default()).await.unwrap();
    let b = app.browser();
    let r = b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/");
    let home = b.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Bonjour, Camille Agent"));
    assert!(home.body.contains("CCAS de Démoville"));
    let out = b.submit("/", "/logout", &[]).await;
    assert_eq!(out.location(), "/login?done=signed-out");
    let after = b.get("/").await;
    assert_eq!(after.location(), "/login");
    let actions = app.journal_actions("instance").await;
    assert!(actions.contains(&"auth.sign_in".to_owned()));
    assert!(actions.contains(&"auth.sign_out".to_owned()));
}

#[tokio::test]
async fn wrong_password_and_unknown_account_get_the_same_message() {
    let app = spawn_app(Options::default()).await.unwrap();
    let b = app.browser();
    let wrong = b.sign_in("agent@demoville.test", "not the password").await;
    let unknown = b.sign_in("nobody@demoville.test", "not the password").await;
    let malformed = b.sign_in("not an email", "").await;
    for p in [&wrong, &unknown, &malformed] {
        assert_eq!(p.status, StatusCode::UNAUTHORIZED);
        assert!(p.body.contains("Identifiants incorrects."), "{}", p.body);
        assert!(p.body.contains("role=\"alert\""));
    }
    // Nothing tells the two apart but the journal, which holds no address.
    let journal = app.store.journal_entries().await.unwrap();
    assert!(journal.iter().all(|e| !e.details.contains('@')));
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused() {
    let app = spawn_app(Options::default()).await.unwrap();
    let b = app.browser();
    let _ = b.get("/login").await;
    let r = b
        .post(
            "/login",
            "0000000000000000000000000000000000000000000000000000000000000000",
            &[
                ("email", "agent@demoville.test"),
                ("password", DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("Ce formulaire vient d"));
    // Another origin is refused even with a valid token.
    let p = b.get("/login").await;
    let r = b
        .client
        .post(format!("{}/login", b.base))
        .header("origin", "https://evil.example")
        .form(&[
            ("csrf", p.csrf().as_str()),
            ("email", "agent@demoville.test"),
            ("password", DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn twenty_wrong_passwords_hold_the_address_back_and_the_journal_shows_it() {
    let app = spawn_app(Options::default()).await.unwrap();
    let b = app.browser();
    for _ in 0..20 {
        let r = b.sign_in("agent@demoville.test", "wrong password!").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let right = b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    assert_eq!(
        right.status,
        StatusCode::UNAUTHORIZED,
        "the right password is refused while the address is held back"
    );
    let reasons = |journal: &[relais_store::JournalRow], reason: &str| {
        journal
            .iter()
            .filter(|e| e.action == "auth.sign_in_failed")
            .filter(|e| e.details.contains(&format!("\"reason\":\"{reason}\"")))
            .count()
    };
    let journal = app.store.journal_entries().await.unwrap();
    // The clock stands still: the fifth failure holds the address back
    // for a second, and nothing after it is checked or counted.
    assert_eq!(reasons(&journal, "bad_password"), 5);
    assert_eq!(reasons(&journal, "throttled"), 16);
    // Each further failure doubles the wait: 1 s after the 5th, 2 s after
    // the 6th.
    app.clock.advance(chrono::Duration::seconds(1));
    let r = b.sign_in("agent@demoville.test", "wrong again").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    app.clock.advance(chrono::Duration::seconds(1));
    let early = b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    assert_eq!(early.status, StatusCode::UNAUTHORIZED);
    app.clock.advance(chrono::Duration::seconds(1));
    let later = b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    assert_eq!(later.location(), "/");
    assert_eq!(app.services.verify_journal().await.unwrap().broken, None);
}

#[tokio::test]
async fn totp_is_enrolled_then_required_and_codes_are_not_replayed() {
    let app = spawn_app(Options {
        require_totp: true,
        ..Options::default()
    })
    .await
    .unwrap();
    let b = app.browser();
    // First sign-in: the account must enrol before anything else.
    let r = b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    assert_eq!(r.location(), "/account/totp");
    assert_eq!(b.get("/").await.location(), "/account/totp");
    let setup = b.get("/account/totp").await;
    assert_eq!(setup.status, StatusCode::OK);
    assert!(
        setup.body.contains("<svg role=\"img\""),
        "QR code rendered as SVG"
    );
    let secret: String = setup
        .text_of_id("totp-secret")
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let bad = b
        .post("/account/totp", &setup.csrf(), &[("code", "000000")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Code incorrect."));
    let code = totp_code(&secret, app.clock_now());
    let ok = b
        .post("/account/totp", &setup.csrf(), &[("code", &code)])
        .await;
    assert_eq!(ok.location(), "/?done=totp-activated");
    assert_eq!(b.get("/").await.status, StatusCode::OK);
    let _ = b.submit("/", "/logout", &[]).await;

    // Next sign-in asks for a code; the code already used is refused.
    let r = b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    assert_eq!(r.location(), "/login/totp");
    let page = b.get("/login/totp").await;
    let replay = b
        .post("/login/totp", &page.csrf(), &[("code", &code)])
        .await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED);
    assert!(replay.body.contains("Code incorrect."));
    app.clock.advance(chrono::Duration::seconds(31));
    let fresh = totp_code(&secret, app.clock_now());
    let ok = b
        .post("/login/totp", &page.csrf(), &[("code", &fresh)])
        .await;
    assert_eq!(ok.location(), "/");
    assert!(b.get("/").await.body.contains("Bonjour"));
    let actions = app.journal_actions("instance").await;
    assert!(actions.contains(&"auth.second_factor".to_owned()));
    assert!(actions.contains(&"account.totp_enabled".to_owned()));
}

#[tokio::test]
async fn sessions_end_after_idle_time_and_everywhere_on_request() {
    let app = spawn_app(Options::default()).await.unwrap();
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let other = app.browser();
    other.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    assert_eq!(b.get("/").await.status, StatusCode::OK);
    app.clock.advance(chrono::Duration::minutes(20));
    assert_eq!(
        b.get("/").await.status,
        StatusCode::OK,
        "activity keeps the session"
    );
    app.clock.advance(chrono::Duration::minutes(31));
    assert_eq!(b.get("/").await.location(), "/login", "idle session ended");
    // "Sign out everywhere" from a fresh session closes the others too.
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    other.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let r = b
        .submit("/account", "/account/sessions/revoke-all", &[])
        .await;
    assert_eq!(r.location(), "/login?done=signed-out-everywhere");
    assert_eq!(other.get("/").await.location(), "/login");
}

#[tokio::test]
async fn changing_the_password_checks_input_and_the_current_password() {
    let app = spawn_app(Options::default()).await.unwrap();
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let r = b
        .submit(
            "/account",
            "/account/password",
            &[
                ("current_password", DEMO_PASSWORD),
                ("new_password", "short"),
                ("new_password_confirm", "different"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Au moins 10 caractères."));
    assert!(r
        .body
        .contains("Les deux mots de passe ne sont pas identiques."));
    let r = b
        .submit(
            "/account",
            "/account/password",
            &[
                ("current_password", "wrong one"),
                ("new_password", "a brand new passphrase"),
                ("new_password_confirm", "a brand new passphrase"),
            ],
        )
        .await;
    assert!(r.body.contains("Mot de passe actuel incorrect."));
    let r = b
        .submit(
            "/account",
            "/account/password",
            &[
                ("current_password", DEMO_PASSWORD),
                ("new_password", "a brand new passphrase"),
                ("new_password_confirm", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/account?done=password-changed");
    let fresh = app.browser();
    assert_eq!(
        fresh
            .sign_in("agent@demoville.test", DEMO_PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        fresh
            .sign_in("agent@demoville.test", "a brand new passphrase")
            .await
            .location(),
        "/"
    );
}

#[tokio::test]
async fn sign_in_works_on_postgresql_too() {
    let Some(app) = spawn_app(Options {
        postgres: true,
        ..Options::default()
    })
    .await
    else {
        return;
    };
    let b = app.browser();
    assert_eq!(
        b.sign_in("agent@demoville.test", DEMO_PASSWORD)
            .await
            .location(),
        "/"
    );
    assert!(b.get("/").await.body.contains("Camille Agent"));
    let m = app.browser();
    for _ in 0..5 {
        m.sign_in("mediateur@demoville.test", "wrong password")
            .await;
    }
    assert_eq!(
        m.sign_in("mediateur@demoville.test", DEMO_PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.services.verify_journal().await.unwrap().broken, None);
}

#[tokio::test]
async fn wrong_codes_count_toward_the_throttle_across_sign_ins() {
    let app = spawn_app(Options {
        require_totp: true,
        ..Options::default()
    })
    .await
    .unwrap();
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let setup = b.get("/account/totp").await;
    let secret: String = setup
        .text_of_id("totp-secret")
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let code = totp_code(&secret, app.clock_now());
    b.post("/account/totp", &setup.csrf(), &[("code", &code)])
        .await;
    let _ = b.submit("/", "/logout", &[]).await;
    // Three wrong codes, then the password again and two more: a right
    // password does not wipe the failures of the codes.
    for round in [3, 2] {
        let fresh = app.browser();
        assert_eq!(
            fresh
                .sign_in("agent@demoville.test", DEMO_PASSWORD)
                .await
                .location(),
            "/login/totp"
        );
        let page = fresh.get("/login/totp").await;
        for _ in 0..round {
            let r = fresh
                .post("/login/totp", &page.csrf(), &[("code", "123456")])
                .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
    }
    // The fifth failure holds this address back: even the password is
    // refused, with the same message, until the wait is over.
    let fresh = app.browser();
    let r = fresh.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("Identifiants incorrects."));
    let journal = app.store.journal_entries().await.unwrap();
    assert!(journal
        .iter()
        .any(|e| e.action == "auth.sign_in_failed" && e.details.contains("throttled")));
    app.clock.advance(chrono::Duration::seconds(2));
    assert_eq!(
        fresh
            .sign_in("agent@demoville.test", DEMO_PASSWORD)
            .await
            .location(),
        "/login/totp"
    );
}

#[tokio::test]
async fn housekeeping_removes_expired_sessions() {
    let app = spawn_app(Options::default()).await.unwrap();
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    assert_eq!(app.services.housekeeping().await.unwrap(), 0);
    app.clock.advance(chrono::Duration::hours(13));
    assert_eq!(app.services.housekeeping().await.unwrap(), 1);
}
