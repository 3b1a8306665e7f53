//! Accounts under attack (issue 15, points 1 to 4): joining another
//! structure needs the account's consent and never hands its credentials
//! to that structure; sign-in failures are counted exactly, per account and
//! client address, and every failure answers alike; weak passwords are
//! refused with their reason.

use crate::helpers::*;
use relais_domain::AgentId;
use reqwest::StatusCode;
use serde_json::Value;
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

const STRONG: &str = "trois pommes sur la table";

/// A browser whose connections leave from another loopback address.
fn browser_from(app: &TestApp, last_octet: u8) -> Browser {
    Browser {
        client: reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last_octet)))
            .build()
            .unwrap(),
        base: app.base.clone(),
    }
}

/// The web layer with a per-address allowance high enough for the tests
/// to reach the per-account throttle.
fn roomy() -> relais_web::WebConfig {
    relais_web::WebConfig {
        login_attempts_per_ip: 10_000,
        ..relais_web::WebConfig::default()
    }
}

/// The failures counted for (account, address), and until when that
/// address waits, as stored.
async fn throttle_of(
    app: &TestApp,
    agent: uuid::Uuid,
    address: &str,
) -> Option<(i64, Option<chrono::DateTime<chrono::Utc>>)> {
    app.store
        .login_throttle(AgentId(agent), address)
        .await
        .unwrap()
        .map(|t| (t.failures, t.blocked_until))
}

async fn agent_id(app: &TestApp, email: &str) -> uuid::Uuid {
    app.store.agent_by_email(email).await.unwrap().unwrap().id
}

/// The `consecutive_failures` journaled for an account's failed attempts
/// with this reason, in order.
async fn failure_counts(app: &TestApp, agent: uuid::Uuid, action: &str, reason: &str) -> Vec<i64> {
    app.store
        .journal_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action && e.actor_id == Some(agent))
        .filter_map(|e| {
            let d: Value = serde_json::from_str(&e.details).ok()?;
            (d["reason"] == reason).then(|| d["consecutive_failures"].as_i64().unwrap_or(-1))
        })
        .collect()
}

async fn count_reason(app: &TestApp, agent: uuid::Uuid, action: &str, reason: &str) -> usize {
    app.store
        .journal_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action && e.actor_id == Some(agent))
        .filter(|e| e.details.contains(&format!("\"reason\":\"{reason}\"")))
        .count()
}

/// Enrols a second factor for a demo account; returns its secret.
async fn enrol_totp(app: &TestApp, email: &str) -> String {
    let b = app.browser();
    b.sign_in(email, DEMO_PASSWORD).await;
    let setup = b.get("/account/totp").await;
    let secret: String = setup
        .text_of_id("totp-secret")
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let code = totp_code(&secret, app.clock_now());
    let r = b
        .post("/account/totp", &setup.csrf(), &[("code", &code)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let _ = b.submit("/", "/logout", &[]).await;
    secret
}

// ---- 1. taking over an account through another structure ---------------

async fn takeover(postgres: bool) {
    let Some(app) = spawn_app(Options {
        postgres,
        ..Options::default()
    })
    .await
    else {
        return;
    };
    let b_structure = app
        .services
        .cli_add_structure(
            "Maison France Services de Bville",
            "mfs-bville",
            "france_services",
        )
        .await
        .unwrap();
    app.services
        .cli_add_user(
            "chef@bville.test",
            "Chef de Bville",
            "mfs-bville",
            "supervisor",
            STRONG,
        )
        .await
        .unwrap();
    let a_structure = app
        .store
        .structure_by_slug("ccas-demoville")
        .await
        .unwrap()
        .unwrap()
        .id;
    let admin_a = agent_id(&app, "admin@demoville.test").await;

    // B's supervisor invites A's admin: nothing changes for the account
    // until it accepts; B gets a link to pass on, not a member.
    let chef = app.browser();
    assert_eq!(
        chef.sign_in("chef@bville.test", STRONG).await.location(),
        "/"
    );
    let team = chef.get("/team").await;
    let r = chef
        .post(
            "/team/invite",
            &team.csrf(),
            &[
                ("email", "admin@demoville.test"),
                ("name", "Alex"),
                ("role", "agent"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.location());
    let join = r.text_of_id("invite-link").unwrap();
    // The page shows the whole address; the browser follows its path.
    let join = join
        .strip_prefix(app.base.as_str())
        .unwrap_or(&join)
        .to_owned();
    assert!(join.starts_with("/join/"), "{join}");
    assert!(!chef
        .get("/team")
        .await
        .body
        .contains("admin@demoville.test"));
    let memberships = app.store.memberships_of(AgentId(admin_a)).await.unwrap();
    assert_eq!(memberships.len(), 1);

    // B cannot reset the credentials of an account that is not its member.
    let r = chef
        .post(&format!("/team/{admin_a}/reset"), &team.csrf(), &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.body.contains("/reset/"));

    // The link answers only the invited account, fully signed in.
    let anonymous = app.browser();
    let page = anonymous.get(&join).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"join-sign-in\""));
    let r = chef
        .post(&join, &team.csrf(), &[("answer", "accept")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.store
            .memberships_of(AgentId(admin_a))
            .await
            .unwrap()
            .len(),
        1
    );

    let admin = app.browser();
    assert_eq!(
        admin
            .sign_in("admin@demoville.test", DEMO_PASSWORD)
            .await
            .location(),
        "/"
    );
    let page = admin.get(&join).await;
    assert!(page.body.contains("Maison France Services de Bville"));
    let r = admin
        .post(&join, &page.csrf(), &[("answer", "accept")])
        .await;
    assert_eq!(r.location(), "/?done=join-accepted");
    assert_eq!(admin.get(&join).await.status, StatusCode::GONE);
    assert_eq!(
        app.store
            .memberships_of(AgentId(admin_a))
            .await
            .unwrap()
            .len(),
        2
    );

    // Journaled on both sides.
    let b_actions = app.journal_actions(&b_structure.id.to_string()).await;
    assert!(b_actions.contains(&"team.invite".to_owned()));
    assert!(b_actions.contains(&"team.join_accepted".to_owned()));
    let a_actions = app.journal_actions(&a_structure.to_string()).await;
    assert!(a_actions.contains(&"team.join_accepted".to_owned()));

    // Now a member of B, but B still does not manage A's membership: no
    // reset, and the refusal is journaled.
    let team = chef.get("/team").await;
    assert!(team.body.contains("admin@demoville.test"));
    let r = chef
        .post(&format!("/team/{admin_a}/reset"), &team.csrf(), &[])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!r.body.contains("/reset/"));
    let b_actions = app.journal_actions(&b_structure.id.to_string()).await;
    assert!(b_actions.contains(&"team.password_reset_refused".to_owned()));
    assert!(!b_actions.contains(&"team.password_reset_link_created".to_owned()));
    // The account's own password still works.
    assert_eq!(
        app.browser()
            .sign_in("admin@demoville.test", DEMO_PASSWORD)
            .await
            .location(),
        "/"
    );

    // Sign-in returns to the structure used last, not the first by name:
    // A's admin is an agent in B, where the team page is closed.
    let home = admin.get("/").await;
    admin
        .post(
            "/structure",
            &home.csrf(),
            &[("structure_id", &b_structure.id.to_string())],
        )
        .await;
    let _ = admin.submit("/", "/logout", &[]).await;
    let again = app.browser();
    again.sign_in("admin@demoville.test", DEMO_PASSWORD).await;
    assert_eq!(again.get("/team").await.status, StatusCode::FORBIDDEN);
    let home = again.get("/").await;
    again
        .post(
            "/structure",
            &home.csrf(),
            &[("structure_id", &a_structure.to_string())],
        )
        .await;
    let _ = again.submit("/", "/logout", &[]).await;
    let third = app.browser();
    third.sign_in("admin@demoville.test", DEMO_PASSWORD).await;
    assert_eq!(third.get("/team").await.status, StatusCode::OK);
    assert_eq!(app.services.verify_journal().await.unwrap().broken, None);
}

#[tokio::test]
async fn trust_accounts_takeover_needs_consent_and_every_structure_on_sqlite() {
    takeover(false).await;
}

#[tokio::test]
async fn trust_accounts_takeover_needs_consent_and_every_structure_on_postgresql() {
    takeover(true).await;
}

#[tokio::test]
async fn trust_accounts_a_declined_invitation_changes_nothing() {
    let app = spawn_app(Options::default()).await.unwrap();
    let b_structure = app
        .services
        .cli_add_structure("CCAS de Bville", "ccas-bville", "ccas")
        .await
        .unwrap();
    app.services
        .cli_add_user(
            "chef@bville.test",
            "Chef",
            "ccas-bville",
            "supervisor",
            STRONG,
        )
        .await
        .unwrap();
    let chef = app.browser();
    chef.sign_in("chef@bville.test", STRONG).await;
    let team = chef.get("/team").await;
    let r = chef
        .post(
            "/team/invite",
            &team.csrf(),
            &[
                ("email", "agent@demoville.test"),
                ("name", "Camille"),
                ("role", "agent"),
            ],
        )
        .await;
    let join = r.text_of_id("invite-link").unwrap();
    // The page shows the whole address; the browser follows its path.
    let join = join
        .strip_prefix(app.base.as_str())
        .unwrap_or(&join)
        .to_owned();
    let agent = app.browser();
    agent.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let page = agent.get(&join).await;
    let r = agent
        .post(&join, &page.csrf(), &[("answer", "decline")])
        .await;
    assert_eq!(r.location(), "/?done=join-declined");
    let id = agent_id(&app, "agent@demoville.test").await;
    assert_eq!(
        app.store.memberships_of(AgentId(id)).await.unwrap().len(),
        1
    );
    assert_eq!(agent.get(&join).await.status, StatusCode::GONE);
    let actions = app.journal_actions(&b_structure.id.to_string()).await;
    assert!(actions.contains(&"team.join_declined".to_owned()));
}

// ---- 2. attempt counters under parallel attempts -----------------------

async fn parallel_passwords(postgres: bool) {
    let Some(app) = spawn_app_with(
        Options {
            postgres,
            ..Options::default()
        },
        roomy(),
    )
    .await
    else {
        return;
    };
    let b = app.browser();
    let csrf = b.get("/login").await.csrf();
    let attempts: Vec<_> = (0..40)
        .map(|i| {
            let client = b.client.clone();
            let url = format!("{}/login", b.base);
            let csrf = csrf.clone();
            tokio::spawn(async move {
                let r = client
                    .post(url)
                    .form(&[
                        ("csrf", csrf.as_str()),
                        ("email", "mediateur@demoville.test"),
                        ("password", &format!("wrong password {i}")),
                    ])
                    .send()
                    .await
                    .unwrap();
                r.status()
            })
        })
        .collect();
    // All spawned at once: they run in parallel while we wait for each.
    for attempt in attempts {
        assert_eq!(attempt.await.unwrap(), StatusCode::UNAUTHORIZED);
    }
    let id = agent_id(&app, "mediateur@demoville.test").await;
    // Every checked password was counted once: 1, 2, 3, 4, 5, no value
    // lost to a race; the others were held back without being checked.
    let mut counted = failure_counts(&app, id, "auth.sign_in_failed", "bad_password").await;
    counted.sort_unstable();
    assert_eq!(counted, vec![1, 2, 3, 4, 5]);
    assert_eq!(
        count_reason(&app, id, "auth.sign_in_failed", "throttled").await,
        35
    );
    let (failures, until) = throttle_of(&app, id, "127.0.0.1").await.unwrap();
    assert_eq!(failures, 5);
    // One second from now (PostgreSQL keeps microseconds).
    let wait = until.unwrap() - app.clock_now();
    assert!(
        (wait - chrono::Duration::seconds(1)).num_microseconds() == Some(0),
        "{wait}"
    );
    // Held back: even the right password fails from this address now.
    assert_eq!(
        app.browser()
            .sign_in("mediateur@demoville.test", DEMO_PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    app.clock.advance(chrono::Duration::seconds(2));
    assert_eq!(
        app.browser()
            .sign_in("mediateur@demoville.test", DEMO_PASSWORD)
            .await
            .location(),
        "/"
    );
    assert_eq!(throttle_of(&app, id, "127.0.0.1").await, None);
}

#[tokio::test]
async fn trust_accounts_parallel_wrong_passwords_are_all_counted_on_sqlite() {
    parallel_passwords(false).await;
}

#[tokio::test]
async fn trust_accounts_parallel_wrong_passwords_are_all_counted_on_postgresql() {
    parallel_passwords(true).await;
}

async fn parallel_codes(postgres: bool) {
    let Some(app) = spawn_app_with(
        Options {
            postgres,
            require_totp: true,
            ..Options::default()
        },
        roomy(),
    )
    .await
    else {
        return;
    };
    let secret = enrol_totp(&app, "agent@demoville.test").await;
    let b = app.browser();
    assert_eq!(
        b.sign_in("agent@demoville.test", DEMO_PASSWORD)
            .await
            .location(),
        "/login/totp"
    );
    let csrf = b.get("/login/totp").await.csrf();
    // Enrolment used the current step: the next code is the fresh one.
    let right = totp_code(&secret, app.clock_now() + chrono::Duration::seconds(30));
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    let attempts: Vec<_> = (0..30)
        .map(|_| {
            let client = b.client.clone();
            let url = format!("{}/login/totp", b.base);
            let csrf = csrf.clone();
            tokio::spawn(async move {
                client
                    .post(url)
                    .form(&[("csrf", csrf.as_str()), ("code", wrong)])
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    for attempt in attempts {
        assert_eq!(attempt.await.unwrap(), StatusCode::UNAUTHORIZED);
    }
    let id = agent_id(&app, "agent@demoville.test").await;
    let mut counted = failure_counts(&app, id, "auth.sign_in_failed", "bad_totp").await;
    counted.sort_unstable();
    assert_eq!(counted, vec![1, 2, 3, 4, 5]);
    assert_eq!(
        count_reason(&app, id, "auth.sign_in_failed", "throttled").await,
        25
    );
    // Held back: the right code fails too, until the delay is over.
    let r = b
        .post("/login/totp", &csrf, &[("code", right.as_str())])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    app.clock.advance(chrono::Duration::seconds(2));
    let r = b
        .post("/login/totp", &csrf, &[("code", right.as_str())])
        .await;
    assert_eq!(r.location(), "/");
    assert_eq!(throttle_of(&app, id, "127.0.0.1").await, None);
}

#[tokio::test]
async fn trust_accounts_parallel_wrong_codes_are_all_counted_on_sqlite() {
    parallel_codes(false).await;
}

#[tokio::test]
async fn trust_accounts_parallel_wrong_codes_are_all_counted_on_postgresql() {
    parallel_codes(true).await;
}

// ---- 3. no lockout for the owner, no oracle ----------------------------

async fn attacker_elsewhere(postgres: bool) {
    let Some(app) = spawn_app_with(
        Options {
            postgres,
            require_totp: true,
            ..Options::default()
        },
        roomy(),
    )
    .await
    else {
        return;
    };
    let secret = enrol_totp(&app, "agent@demoville.test").await;
    let attacker = browser_from(&app, 2);
    for i in 0..20 {
        let r = attacker
            .sign_in("agent@demoville.test", &format!("guess number {i}"))
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.body.contains("Identifiants incorrects."));
    }
    // The attacker's address is held back, even with the right password…
    let r = attacker
        .sign_in("agent@demoville.test", DEMO_PASSWORD)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // …while the owner, from an address that did not fail, signs in with
    // password and code.
    let owner = app.browser();
    assert_eq!(
        owner
            .sign_in("agent@demoville.test", DEMO_PASSWORD)
            .await
            .location(),
        "/login/totp"
    );
    let page = owner.get("/login/totp").await;
    let code = totp_code(&secret, app.clock_now() + chrono::Duration::seconds(30));
    let r = owner
        .post("/login/totp", &page.csrf(), &[("code", code.as_str())])
        .await;
    assert_eq!(r.location(), "/");
    assert!(owner.get("/").await.body.contains("Camille Agent"));
    let id = agent_id(&app, "agent@demoville.test").await;
    assert_eq!(
        throttle_of(&app, id, "127.0.0.2").await.map(|t| t.0),
        Some(5)
    );
    // The journal keeps the story without any address.
    let journal = app.store.journal_entries().await.unwrap();
    assert!(journal
        .iter()
        .all(|e| !e.details.contains("127.0.0") && !e.details.contains('@')));
}

#[tokio::test]
async fn trust_accounts_an_attacker_elsewhere_does_not_lock_out_the_owner_on_sqlite() {
    attacker_elsewhere(false).await;
}

#[tokio::test]
async fn trust_accounts_an_attacker_elsewhere_does_not_lock_out_the_owner_on_postgresql() {
    attacker_elsewhere(true).await;
}

async fn median_millis(b: &Browser, email: &str, password: &str) -> f64 {
    let page = b.get("/login").await;
    let mut times = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let r = b
            .post(
                "/login",
                &page.csrf(),
                &[("email", email), ("password", password)],
            )
            .await;
        times.push(start.elapsed());
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.body.contains("Identifiants incorrects."));
    }
    times.sort();
    times[2].max(Duration::from_micros(100)).as_secs_f64() * 1000.0
}

#[tokio::test]
async fn trust_accounts_every_failure_takes_the_same_time() {
    let app = spawn_app_with(Options::default(), roomy()).await.unwrap();
    // Warm up: the first argon2 checks of a process are slower.
    let _ = median_millis(&browser_from(&app, 9), "nobody@demoville.test", "x").await;
    // A held-back account: five failures from this address first.
    let held = browser_from(&app, 3);
    for _ in 0..5 {
        held.sign_in("responsable@demoville.test", "not it at all")
            .await;
    }
    let throttled = median_millis(&held, "responsable@demoville.test", "still not it").await;
    let unknown = median_millis(&browser_from(&app, 4), "nobody@demoville.test", "x").await;
    let wrong = median_millis(&browser_from(&app, 5), "agent@demoville.test", "nope").await;
    let all = [throttled, unknown, wrong];
    let (lo, hi) = all
        .iter()
        .fold((f64::MAX, 0.0_f64), |(lo, hi), t| (lo.min(*t), hi.max(*t)));
    assert!(
        hi / lo < 3.0,
        "throttled {throttled:.1} ms, unknown {unknown:.1} ms, wrong {wrong:.1} ms"
    );
}

// ---- 4. weak passwords --------------------------------------------------

#[tokio::test]
async fn trust_accounts_weak_passwords_are_refused_with_their_reason() {
    let app = spawn_app(Options::default()).await.unwrap();
    let sup = app.browser();
    sup.sign_in("responsable@demoville.test", DEMO_PASSWORD)
        .await;
    let team = sup.get("/team").await;

    // A reset link.
    let id = agent_id(&app, "agent@demoville.test").await;
    let r = sup
        .post(&format!("/team/{id}/reset"), &team.csrf(), &[])
        .await;
    let reset = r.text_of_id("invite-link").unwrap();
    // The page shows the whole address; the browser follows its path.
    let reset = reset
        .strip_prefix(app.base.as_str())
        .unwrap_or(&reset)
        .to_owned();
    let person = app.browser();
    let page = person.get(&reset).await;
    for (weak, why) in [
        ("password12", "fait partie des plus courants"),
        ("1234567890", "fait partie des plus courants"),
        ("azertyuiop", "fait partie des plus courants"),
        ("Camille Agent", "reprendre votre nom"),
    ] {
        let r = person
            .post(
                &reset,
                &page.csrf(),
                &[("password", weak), ("password_confirm", weak)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{weak}");
        assert!(r.body.contains(why), "{weak}: {}", r.body);
    }

    // An invitation.
    let r = sup
        .post(
            "/team/invite",
            &team.csrf(),
            &[
                ("email", "lea@demoville.test"),
                ("name", "Léa Nouvelle"),
                ("role", "agent"),
            ],
        )
        .await;
    let invite = r.text_of_id("invite-link").unwrap();
    // The page shows the whole address; the browser follows its path.
    let invite = invite
        .strip_prefix(app.base.as_str())
        .unwrap_or(&invite)
        .to_owned();
    let newcomer = app.browser();
    let page = newcomer.get(&invite).await;
    let r = newcomer
        .post(
            &invite,
            &page.csrf(),
            &[
                ("name", "Léa Nouvelle"),
                ("password", "azertyuiop"),
                ("password_confirm", "azertyuiop"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("fait partie des plus courants"));
    assert!(app
        .store
        .agent_by_email("lea@demoville.test")
        .await
        .unwrap()
        .is_none());

    // The account page, in English too.
    let me = app.browser();
    me.sign_in("mediateur@demoville.test", DEMO_PASSWORD).await;
    let _ = me.get("/lang/en?next=/account").await;
    let r = me
        .submit(
            "/account",
            "/account/password",
            &[
                ("current_password", DEMO_PASSWORD),
                ("new_password", "1234567890"),
                ("new_password_confirm", "1234567890"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("one of the most common"), "{}", r.body);
    // Nothing was set: the reset link still works with a strong password.
    let r = person
        .post(
            &reset,
            &page_csrf(&person, &reset).await,
            &[("password", STRONG), ("password_confirm", STRONG)],
        )
        .await;
    assert_eq!(r.location(), "/login?done=password-reset-done");
}

async fn page_csrf(b: &Browser, path: &str) -> String {
    b.get(path).await.csrf()
}

// ---- 4b. the current password on the account page ----------------------

async fn current_password_counted(postgres: bool) {
    let Some(app) = spawn_app(Options {
        postgres,
        ..Options::default()
    })
    .await
    else {
        return;
    };
    let me = app.browser();
    me.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let change = |current: &'static str| {
        let me = &me;
        async move {
            me.submit(
                "/account",
                "/account/password",
                &[
                    ("current_password", current),
                    ("new_password", STRONG),
                    ("new_password_confirm", STRONG),
                ],
            )
            .await
        }
    };
    for _ in 0..5 {
        let r = change("not my password").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Mot de passe actuel incorrect."));
    }
    let id = agent_id(&app, "agent@demoville.test").await;
    let counted =
        failure_counts(&app, id, "account.password_change_failed", "wrong_password").await;
    assert_eq!(counted, vec![1, 2, 3, 4, 5]);
    // Held back now, even with the right current password.
    let r = change(DEMO_PASSWORD).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("essais depuis ce poste"), "{}", r.body);
    assert_eq!(
        count_reason(&app, id, "account.password_change_failed", "throttled").await,
        1
    );
    app.clock.advance(chrono::Duration::seconds(2));
    let r = change(DEMO_PASSWORD).await;
    assert_eq!(r.location(), "/account?done=password-changed");
    assert_eq!(
        app.browser()
            .sign_in("agent@demoville.test", STRONG)
            .await
            .location(),
        "/"
    );
}

#[tokio::test]
async fn trust_accounts_wrong_current_password_is_counted_and_journaled_on_sqlite() {
    current_password_counted(false).await;
}

#[tokio::test]
async fn trust_accounts_wrong_current_password_is_counted_and_journaled_on_postgresql() {
    current_password_counted(true).await;
}
