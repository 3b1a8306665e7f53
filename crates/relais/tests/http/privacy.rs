//! Privacy by design: who sees what (route by route), encryption at rest
//! and key rotation, retention, the person's rights.

use crate::helpers::*;
use relais_domain::{AgentId, PersonId, StructureId};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::process::{Command, Output, Stdio};

const SOCIAL_NOTE: &str = "TEMOIN-SOCIAL-7F3K dette de loyer";
const PRIVATE_NOTE: &str = "TEMOIN-PRIVE-9Q2Z a l'air inquiet";
const SUMMARY: &str = "TEMOIN-INTER-4W8M dossier APL";

/// A fresh person with a social note, a request whose intervention has a
/// text, and a private note by the agent. Returns (person, request).
async fn person_with_history(app: &TestApp, t: &str, last: &str) -> (String, String) {
    let (s, p) = call(
        app,
        t,
        "POST",
        "/api/v1/persons",
        Some(json!({
            "privacy_notice_on": "2026-01-05", "first_name": "Zoé", "last_name": last,
            "birth_year": 1958, "commune": "Démoville", "postcode": "69100",
            "notes": SOCIAL_NOTE, "confirm_new": true
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let pid = p["id"].as_str().unwrap().to_owned();
    let (s, r) = call(
        app,
        t,
        "POST",
        "/api/v1/help-requests",
        Some(json!({
            "person_id": pid, "procedure": "Demande d'aide au logement", "category": "logement",
            "operator": "CAF", "status": "open",
            "intervention": {"mode": "done_with", "duration_minutes": 40, "summary": SUMMARY}
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let (s, n) = call(
        app,
        t,
        "POST",
        &format!("/api/v1/persons/{pid}/private-notes"),
        Some(json!({"body": PRIVATE_NOTE})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{n}");
    (pid, r["id"].as_str().unwrap().to_owned())
}

/// Who is asking: the four roles of the demo structure, an agent of
/// another structure, and an account of both structures whose token works
/// in the other one.
struct Callers {
    names: Vec<&'static str>,
    tokens: Vec<String>,
}

async fn callers(app: &TestApp) -> Callers {
    app.services
        .cli_add_structure(
            "France Services d'Ailleurs",
            "fs-ailleurs",
            "france_services",
        )
        .await
        .unwrap();
    app.services
        .cli_add_user(
            "etranger@ailleurs.test",
            "Eli Ailleurs",
            "fs-ailleurs",
            "supervisor",
            "mot-de-passe-long-1",
        )
        .await
        .unwrap();
    // Camille the agent also works at the other structure; this token is
    // the one of her work there.
    app.services
        .cli_add_user(
            "agent@demoville.test",
            "Camille Agent",
            "fs-ailleurs",
            "agent",
            "mot-de-passe-long-1",
        )
        .await
        .unwrap();
    let both = app
        .services
        .cli_create_token("agent@demoville.test", "ailleurs", Some("fs-ailleurs"))
        .await
        .unwrap();
    Callers {
        names: vec![
            "agent",
            "mediator",
            "supervisor",
            "admin",
            "foreign",
            "agent-elsewhere",
        ],
        tokens: vec![
            token(app, "agent@demoville.test").await,
            token(app, "mediateur@demoville.test").await,
            token(app, "responsable@demoville.test").await,
            token(app, "admin@demoville.test").await,
            token(app, "etranger@ailleurs.test").await,
            both,
        ],
    }
}

/// One raw call, any method; returns the status and the body as text.
async fn raw(
    app: &TestApp,
    t: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, String) {
    let url = format!("{}{path}", app.base);
    let c = app.api();
    let mut req = match method {
        "GET" => c.get(url),
        "POST" => c.post(url),
        "PATCH" => c.patch(url),
        "DELETE" => c.delete(url),
        _ => panic!("{method}"),
    }
    .bearer_auth(t);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let s = r.status();
    let bytes = r.bytes().await.unwrap();
    (s, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn the_visibility_matrix_holds_route_by_route() {
    let app = spawn_app(Options::default()).await.unwrap();
    let who = callers(&app).await;
    let agent = &who.tokens[0];
    let (pid, rid) = person_with_history(&app, agent, "Matrice").await;
    let (s, m) = call(&app, agent, "POST", "/api/v1/mandates", Some(json!({
        "person_id": pid, "categories": ["logement"], "duration": "six_months", "consent": "paper"
    }))).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let mid = m["id"].as_str().unwrap().to_owned();
    let (_, notes) = call(
        &app,
        agent,
        "GET",
        &format!("/api/v1/persons/{pid}/private-notes"),
        None,
    )
    .await;
    let nid = notes[0]["id"].as_str().unwrap().to_owned();

    use StatusCode as S;
    const OK: S = S::OK;
    const NF: S = S::NOT_FOUND;
    const FB: S = S::FORBIDDEN;
    // Expected status for: agent, mediator, supervisor, admin, foreign
    // supervisor, the agent's token of the other structure.
    let routes: Vec<(&str, String, Option<Value>, [S; 6])> = vec![
        (
            "GET",
            format!("/api/v1/persons/{pid}"),
            None,
            [OK, OK, OK, OK, NF, NF],
        ),
        (
            "PATCH",
            format!("/api/v1/persons/{pid}"),
            Some(json!({"phone": "06 11 22 33 44"})),
            [OK, OK, OK, OK, NF, NF],
        ),
        (
            "GET",
            format!("/api/v1/help-requests/{rid}"),
            None,
            [OK, OK, OK, OK, NF, NF],
        ),
        (
            "PATCH",
            format!("/api/v1/help-requests/{rid}"),
            Some(json!({"status": "open"})),
            [OK, OK, OK, OK, NF, NF],
        ),
        (
            "POST",
            format!("/api/v1/help-requests/{rid}/interventions"),
            Some(json!({"mode": "informed", "duration_minutes": 5})),
            [S::CREATED, S::CREATED, S::CREATED, S::CREATED, NF, NF],
        ),
        (
            "GET",
            format!("/api/v1/persons/{pid}/private-notes"),
            None,
            [OK, OK, OK, OK, NF, NF],
        ),
        (
            "GET",
            format!("/api/v1/mandates/{mid}"),
            None,
            [OK, OK, OK, OK, NF, NF],
        ),
        (
            "GET",
            format!("/api/v1/mandates/{mid}/document.pdf"),
            None,
            [OK, OK, OK, OK, NF, NF],
        ),
        (
            "GET",
            format!("/api/v1/persons/{pid}/subject-access"),
            None,
            [FB, FB, OK, OK, NF, FB],
        ),
        (
            "GET",
            "/api/v1/retention".into(),
            None,
            [FB, FB, OK, OK, OK, FB],
        ),
        (
            "GET",
            "/api/v1/statistics".into(),
            None,
            [FB, FB, OK, OK, OK, FB],
        ),
        (
            "POST",
            format!("/api/v1/persons/{pid}/keep"),
            Some(json!({"until": "2099-01-01", "reason": "x"})),
            [
                FB,
                FB,
                S::UNPROCESSABLE_ENTITY,
                S::UNPROCESSABLE_ENTITY,
                S::UNPROCESSABLE_ENTITY,
                FB,
            ],
        ),
        (
            "POST",
            format!("/api/v1/persons/{pid}/erase"),
            None,
            [FB, FB, S::CONFLICT, S::CONFLICT, NF, FB],
        ),
        (
            "GET",
            "/api/v1/persons?q=Matrice".to_string(),
            None,
            [OK, OK, OK, OK, OK, OK],
        ),
    ];
    // Once the mandate is signed, erasure waits for its revocation.
    call(
        &app,
        agent,
        "POST",
        &format!("/api/v1/mandates/{mid}/sign"),
        Some(json!({"scan": "JVBERi0xLjQK"})),
    )
    .await;
    let mut failures = Vec::new();
    // Nobody but the author can delete a private note.
    for (i, t) in who.tokens.iter().enumerate().skip(1) {
        let (status, _) = raw(
            &app,
            t,
            "DELETE",
            &format!("/api/v1/persons/{pid}/private-notes/{nid}"),
            None,
        )
        .await;
        if status != StatusCode::NOT_FOUND {
            failures.push(format!(
                "{} deleted another's private note: {status}",
                who.names[i]
            ));
        }
    }
    for (method, path, body, expected) in &routes {
        for (i, t) in who.tokens.iter().enumerate() {
            let (status, text) = raw(&app, t, method, path, body.clone()).await;
            let role = who.names[i];
            if status != expected[i] {
                failures.push(format!(
                    "{role} {method} {path}: {status}, expected {}",
                    expected[i]
                ));
            }
            // The private note is only ever shown to its author (and the
            // author's DELETE, tested below, is the only way to touch it).
            if text.contains("TEMOIN-PRIVE")
                && !(role == "agent" && path.ends_with("private-notes"))
            {
                failures.push(format!("{role} {method} {path}: private note leaked"));
            }
            if text.contains("TEMOIN-SOCIAL") && !matches!(role, "agent" | "supervisor" | "admin") {
                failures.push(format!("{role} {method} {path}: social note leaked"));
            }
            if text.contains("Matrice") && matches!(role, "foreign" | "agent-elsewhere") {
                failures.push(format!(
                    "{role} {method} {path}: another structure's person leaked"
                ));
            }
        }
    }
    // Writes from another structure never reach this one's records.
    for (i, t) in who.tokens.iter().enumerate().skip(4) {
        for (method, path, body) in [
            (
                "POST",
                format!("/api/v1/mandates/{mid}/revoke"),
                Some(json!({"reason": "x"})),
            ),
            (
                "POST",
                format!("/api/v1/mandates/{mid}/renew"),
                Some(json!({"duration": "six_months"})),
            ),
            ("POST", format!("/api/v1/mandates/{mid}/sign"), None),
            (
                "POST",
                format!("/api/v1/persons/{pid}/private-notes"),
                Some(json!({"body": "x"})),
            ),
            (
                "POST",
                "/api/v1/help-requests".to_string(),
                Some(
                    json!({"person_id": pid, "procedure": "x", "category": "social", "status": "open"}),
                ),
            ),
            (
                "POST",
                "/api/v1/mandates".to_string(),
                Some(
                    json!({"person_id": pid, "categories": ["social"], "duration": "one_day", "consent": "paper"}),
                ),
            ),
        ] {
            let (status, text) = raw(&app, t, method, &path, body).await;
            if status != StatusCode::NOT_FOUND && status != StatusCode::UNPROCESSABLE_ENTITY {
                failures.push(format!("{} {method} {path}: {status} {text}", who.names[i]));
            }
        }
        for path in [
            format!("/api/v1/help-requests?person_id={pid}"),
            format!("/api/v1/mandates?person_id={pid}"),
        ] {
            let (_, text) = raw(&app, t, "GET", &path, None).await;
            if text.contains(&rid) || text.contains(&mid) {
                failures.push(format!(
                    "{} GET {path}: another structure's records listed",
                    who.names[i]
                ));
            }
        }
    }
    // Pages, with a session per role (the foreign supervisor signs in to
    // the other structure).
    let page_routes: Vec<(String, [S; 5])> = vec![
        (format!("/persons/{pid}"), [OK, OK, OK, OK, NF]),
        (format!("/requests/{rid}"), [OK, OK, OK, OK, NF]),
        (format!("/mandates/{mid}"), [OK, OK, OK, OK, NF]),
        (
            format!("/persons/{pid}/subject-access.pdf"),
            [FB, FB, OK, OK, NF],
        ),
        (
            format!("/persons/{pid}/subject-access.json"),
            [FB, FB, OK, OK, NF],
        ),
        (format!("/persons/{pid}/erase"), [FB, FB, OK, OK, NF]),
        (format!("/persons/{pid}/edit"), [OK, OK, OK, OK, NF]),
        (format!("/persons/{pid}/mandates/new"), [OK, OK, OK, OK, NF]),
        (format!("/intake?person_id={pid}"), [OK, OK, OK, OK, OK]),
        ("/persons?q=Matrice".to_string(), [OK, OK, OK, OK, OK]),
        ("/privacy/retention".into(), [FB, FB, OK, OK, OK]),
    ];
    let emails = [
        "agent@demoville.test",
        "mediateur@demoville.test",
        "responsable@demoville.test",
        "admin@demoville.test",
        "etranger@ailleurs.test",
    ];
    for (i, email) in emails.iter().enumerate() {
        let b = app.browser();
        let password = if i == 4 {
            "mot-de-passe-long-1"
        } else {
            DEMO_PASSWORD
        };
        let signed = b.sign_in(email, password).await;
        assert!(signed.status.is_redirection(), "{email}: {}", signed.status);
        if i == 0 {
            // Camille belongs to two structures: she works in Démoville.
            let home = b.get("/").await;
            if home.body.contains("name=\"structure_id\"")
                && !home.body.contains("CCAS de Démoville")
            {
                failures.push("agent: not working in Démoville".into());
            }
        }
        for (path, expected) in &page_routes {
            let page = b.get(path).await;
            if page.status != expected[i] {
                failures.push(format!(
                    "{email} page {path}: {}, expected {}",
                    page.status, expected[i]
                ));
            }
            if page.body.contains("TEMOIN-PRIVE") && i != 0 {
                failures.push(format!("{email} page {path}: private note leaked"));
            }
            if page.body.contains("TEMOIN-SOCIAL") && !matches!(i, 0 | 2 | 3) {
                failures.push(format!("{email} page {path}: social note leaked"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // The author sees their note on the page and deletes it; nobody else can.
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    assert!(b
        .get(&format!("/persons/{pid}"))
        .await
        .body
        .contains("TEMOIN-PRIVE"));
    let (s, _) = call(
        &app,
        agent,
        "DELETE",
        &format!("/api/v1/persons/{pid}/private-notes/{nid}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, notes) = call(
        &app,
        agent,
        "GET",
        &format!("/api/v1/persons/{pid}/private-notes"),
        None,
    )
    .await;
    assert_eq!(notes, json!([]));
}

#[tokio::test]
async fn private_notes_go_through_the_credential_guard_and_are_journaled() {
    let app = spawn_app(Options::default()).await.unwrap();
    let t = token(&app, "agent@demoville.test").await;
    let (pid, _) = person_with_history(&app, &t, "Garde").await;
    let path = format!("/api/v1/persons/{pid}/private-notes");
    let (s, e) = call(
        &app,
        &t,
        "POST",
        &path,
        Some(json!({"body": "mdp caf: Soleil2024!"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["fields"][0]["code"], "looks_like_secret");
    let (s, e) = call(&app, &t, "POST", &path, Some(json!({"body": "  "}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, _) = call(
        &app,
        &t,
        "POST",
        &path,
        Some(json!({"body": "mdp caf: Soleil2024!", "confirm_secret": true})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, n) = call(
        &app,
        &t,
        "POST",
        &path,
        Some(json!({"body": "Première ligne.\nDeuxième ligne."})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{n}");
    assert_eq!(n["body"], "Première ligne.\nDeuxième ligne.");
    let actions = app.journal_actions(&structure_chain(&app, &t).await).await;
    assert!(
        actions.iter().any(|a| a == "private_note.create"),
        "{actions:?}"
    );
    assert!(
        actions.iter().any(|a| a == "privacy.secret_confirmed"),
        "{actions:?}"
    );
    // In the page: the guard stops the text and offers the confirmation.
    let b = app.browser();
    b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    let page = b
        .submit(
            &format!("/persons/{pid}"),
            &format!("/persons/{pid}/private-notes"),
            &[("body", "mot de passe ameli : Xk9!tRp2")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("name=\"confirm_secret\""));
}

async fn structure_chain(app: &TestApp, t: &str) -> String {
    let (_, me) = call(app, t, "GET", "/api/v1/me", None).await;
    me["structure"]["id"].as_str().unwrap().to_owned()
}

fn relais_with_keys(args: &[&str], key: Option<&str>, previous: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_relais"));
    c.args(args)
        .env("RELAIS_LOG", "warn")
        .env_remove("RELAIS_DATABASE_URL")
        .env_remove("RELAIS_LISTEN")
        .env_remove("RELAIS_DATA_KEY")
        .env_remove("RELAIS_DATA_KEY_FILE")
        .env_remove("RELAIS_PREVIOUS_DATA_KEYS")
        .stdin(Stdio::null());
    if let Some(k) = key {
        c.env("RELAIS_DATA_KEY", k);
    }
    if let Some(k) = previous {
        c.env("RELAIS_PREVIOUS_DATA_KEYS", k);
    }
    c.output().unwrap()
}

const NEW_KEY: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";

async fn encrypted_at_rest_and_rotated(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let t = token(&app, "agent@demoville.test").await;
    let (pid, _) = person_with_history(&app, &t, "Chiffre").await;
    let pid_uuid = uuid::Uuid::parse_str(&pid).unwrap();
    let sid = uuid::Uuid::parse_str(&structure_chain(&app, &t).await).unwrap();

    // Not readable in the database.
    match app.store.engine() {
        relais_store::Engine::Sqlite { write, .. } => {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(write)
                .await
                .unwrap();
            let path = app._db.url.trim_start_matches("sqlite://").to_owned();
            for suffix in ["", "-wal"] {
                let bytes = std::fs::read(format!("{path}{suffix}")).unwrap_or_default();
                let text = String::from_utf8_lossy(&bytes);
                for marker in ["TEMOIN-SOCIAL", "TEMOIN-PRIVE", "TEMOIN-INTER"] {
                    assert!(
                        !text.contains(marker),
                        "{marker} readable in the SQLite file{suffix}"
                    );
                }
            }
        }
        relais_store::Engine::Postgres(pool) => {
            for table in ["persons", "interventions", "private_notes"] {
                let (n,): (i64,) = sqlx::query_as(&format!(
                    "SELECT COUNT(*) FROM {table} t WHERE t::text LIKE '%TEMOIN-%'"
                ))
                .fetch_one(pool)
                .await
                .unwrap();
                assert_eq!(n, 0, "a known text is readable in table {table}");
            }
            let (sealed,): (String,) = sqlx::query_as("SELECT notes FROM persons WHERE id = $1")
                .bind(pid_uuid)
                .fetch_one(pool)
                .await
                .unwrap();
            assert!(sealed.starts_with("rlx1:"), "{sealed}");
        }
    }
    // Readable through relais.
    let (_, p) = call(&app, &t, "GET", &format!("/api/v1/persons/{pid}"), None).await;
    assert_eq!(p["notes"], SOCIAL_NOTE);

    // Rotation: the new key current, the old one given as previous.
    let o = relais_with_keys(
        &["keys", "rotate", "--database", &app._db.url],
        Some(NEW_KEY),
        Some(TEST_DATA_KEY),
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let n: u64 = out.split_whitespace().next().unwrap().parse().unwrap();
    assert!(n >= 3, "{out}");

    // With the new key alone, everything reads back.
    let store = app._db.store().await.with_vault(
        relais_service::Vault::new(relais_service::DataKey::parse_hex(NEW_KEY).unwrap(), vec![])
            .unwrap(),
    );
    store.check_keys(chrono::Utc::now()).await.unwrap();
    let p = store
        .person_by_id(StructureId(sid), PersonId(pid_uuid))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.notes.as_deref(), Some(SOCIAL_NOTE));
    let i = store
        .interventions_of_person(StructureId(sid), PersonId(pid_uuid))
        .await
        .unwrap();
    assert_eq!(i[0].intervention.summary.as_deref(), Some(SUMMARY));
    let agent = store
        .agent_by_email("agent@demoville.test")
        .await
        .unwrap()
        .unwrap();
    let notes = store
        .private_notes_of(StructureId(sid), PersonId(pid_uuid), AgentId(agent.id))
        .await
        .unwrap();
    assert_eq!(notes[0].body, PRIVATE_NOTE);
    assert_eq!(store.data_keys().await.unwrap().len(), 1);

    // The old key alone no longer starts: a clear start-up error.
    let old_only = app._db.store().await.with_vault(test_vault());
    let e = old_only.check_keys(chrono::Utc::now()).await.unwrap_err();
    assert!(matches!(e, relais_store::StoreError::UnknownKeys(_)), "{e}");
    let o = relais_with_keys(
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database",
            &app._db.url,
        ],
        Some(TEST_DATA_KEY),
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("data key") && err.contains("RELAIS_DATA_KEY"),
        "{err}"
    );
    assert!(verify(&app._db.url).await);
}

async fn verify(url: &str) -> bool {
    let o = relais_with_keys(&["journal", "verify", "--database", url], None, None);
    o.status.code() == Some(0)
}

#[tokio::test]
async fn notes_are_encrypted_at_rest_and_survive_rotation_on_sqlite() {
    encrypted_at_rest_and_rotated(Options::default()).await;
}

#[tokio::test]
async fn notes_are_encrypted_at_rest_and_survive_rotation_on_postgresql() {
    encrypted_at_rest_and_rotated(Options {
        postgres: true,
        ..Options::default()
    })
    .await;
}

#[tokio::test]
async fn serve_refuses_to_start_without_a_usable_data_key() {
    let db = TestDatabase::sqlite().await;
    let serve = ["serve", "--listen", "127.0.0.1:0", "--database", &db.url];
    let cases: [(Option<&str>, Option<&str>, &str); 4] = [
        (None, None, "no data key configured"),
        (Some("abcd"), None, "64 hexadecimal characters"),
        (Some(&"zz".repeat(32)), None, "hexadecimal"),
        (Some(NEW_KEY), Some("12ab"), "RELAIS_PREVIOUS_DATA_KEYS"),
    ];
    for (key, previous, message) in cases {
        let o = relais_with_keys(&serve, key, previous);
        assert_eq!(o.status.code(), Some(2), "{key:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(message), "{key:?}: {err}");
    }
    // Nothing was written: the database file was not even created.
    assert!(!std::path::Path::new(db.url.trim_start_matches("sqlite://")).exists());
    let o = relais_with_keys(&["keys", "generate"], None, None);
    let key = String::from_utf8_lossy(&o.stdout).trim().to_owned();
    assert_eq!(key.len(), 64);
    assert!(relais_store::DataKey::parse_hex(&key).is_ok());
}

async fn statistics(app: &TestApp, t: &str) -> Value {
    let (s, v) = call(
        app,
        t,
        "GET",
        "/api/v1/statistics?from=2020-01-01&to=2029-12-31",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

async fn retention_anonymises(opts: Options) {
    let Some(app) = spawn_app(opts).await else {
        return;
    };
    let t = token(&app, "agent@demoville.test").await;
    let sup = token(&app, "responsable@demoville.test").await;
    let (gone, _) = person_with_history(&app, &t, "Retenue").await;
    let (kept, _) = person_with_history(&app, &t, "Prolongée").await;
    let before = statistics(&app, &sup).await;
    assert!(before["requests"].as_u64().unwrap() > 60, "{before}");

    // 24 months minus 10 days later: both files are listed for anonymisation.
    let start = app.clock_now();
    let due = start.checked_add_months(chrono::Months::new(24)).unwrap();
    app.clock.advance(due - start - chrono::Duration::days(10));
    let (_, list) = call(&app, &sup, "GET", "/api/v1/retention", None).await;
    let listed: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["person_id"].as_str().unwrap())
        .collect();
    assert!(
        listed.contains(&gone.as_str()) && listed.contains(&kept.as_str()),
        "{list}"
    );
    let b = app.browser();
    b.sign_in("responsable@demoville.test", DEMO_PASSWORD).await;
    let page = b.get("/privacy/retention").await;
    assert!(
        page.body.contains("RETENUE") && page.body.contains("PROLONG"),
        "{}",
        page.body
    );
    // A supervisor keeps one, with a reason; bad input is refused.
    let until = (app.clock_now() + chrono::Duration::days(100))
        .date_naive()
        .to_string();
    let (s, e) = call(
        &app,
        &sup,
        "POST",
        &format!("/api/v1/persons/{kept}/keep"),
        Some(json!({"until": "hier", "reason": ""})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["fields"].as_array().unwrap().len(), 2, "{e}");
    let (s, e) = call(
        &app,
        &sup,
        "POST",
        &format!("/api/v1/persons/{kept}/keep"),
        Some(json!({"until": until, "reason": "Recours en cours devant la CAF"})),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{e}");

    // Past the period: the job anonymises the one not kept.
    app.clock.advance(chrono::Duration::days(20));
    let dry = app.services.run_retention(true).await.unwrap();
    let due_ids: Vec<String> = dry
        .anonymised
        .iter()
        .map(|(_, i)| i.person_id.to_string())
        .collect();
    assert!(
        due_ids.contains(&gone) && !due_ids.contains(&kept),
        "{due_ids:?}"
    );
    let (_, still) = call(&app, &t, "GET", &format!("/api/v1/persons/{gone}"), None).await;
    assert_eq!(still["last_name"], "Retenue", "a dry run changes nothing");
    let report = app.services.run_retention(false).await.unwrap();
    assert_eq!(report.anonymised.len(), dry.anonymised.len());
    let (_, p) = call(&app, &t, "GET", &format!("/api/v1/persons/{gone}"), None).await;
    assert_eq!(p["last_name"], "", "{p}");
    assert_eq!(p["notes"], Value::Null);
    assert_eq!(p["commune"], "Démoville", "statistics fields stay");
    let (_, k) = call(&app, &t, "GET", &format!("/api/v1/persons/{kept}"), None).await;
    assert_eq!(k["last_name"], "Prolongée");

    // The figures of the period did not change; the journal is intact.
    let after = statistics(&app, &sup).await;
    assert_eq!(before, after);
    assert_eq!(app.services.verify_journal().await.unwrap().broken, None);
    assert!(verify(&app._db.url).await);
    let actions = app.journal_actions(&structure_chain(&app, &t).await).await;
    assert!(actions.iter().any(|a| a == "person.anonymised"));
    assert!(actions.iter().any(|a| a == "person.retention_extended"));

    // After the extension, the kept file goes too.
    app.clock.advance(chrono::Duration::days(101));
    app.services.run_retention(false).await.unwrap();
    let (_, k) = call(&app, &t, "GET", &format!("/api/v1/persons/{kept}"), None).await;
    assert_eq!(k["last_name"], "");
    assert_eq!(statistics(&app, &sup).await, before);
}

#[tokio::test]
async fn the_retention_job_anonymises_inactive_files_on_sqlite() {
    retention_anonymises(Options::default()).await;
}

#[tokio::test]
async fn the_retention_job_anonymises_inactive_files_on_postgresql() {
    retention_anonymises(Options {
        postgres: true,
        ..Options::default()
    })
    .await;
}

#[tokio::test]
async fn purge_lists_with_dry_run_and_needs_a_key() {
    let db = TestDatabase::sqlite().await;
    let o = relais_with_keys(&["purge", "--dry-run", "--database", &db.url], None, None);
    assert_eq!(o.status.code(), Some(2), "no key, no purge");
    let o = relais_with_keys(
        &["purge", "--dry-run", "--database", &db.url],
        Some(NEW_KEY),
        None,
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("0 file(s) to anonymise (dry run"));
    let o = relais_with_keys(&["purge", "--database", &db.url], Some(NEW_KEY), None);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[tokio::test]
async fn subject_access_holds_requests_mandates_and_who_opened_the_file() {
    let app = spawn_app(Options::default()).await.unwrap();
    let t = token(&app, "agent@demoville.test").await;
    let sup = token(&app, "responsable@demoville.test").await;
    let (pid, _) = person_with_history(&app, &t, "Acces").await;
    let (_, m) = call(&app, &t, "POST", "/api/v1/mandates", Some(json!({
        "person_id": pid, "categories": ["logement"], "duration": "six_months", "consent": "paper"
    }))).await;
    let code = m["verification_url"]
        .as_str()
        .and_then(|u| u.rsplit('/').next())
        .unwrap_or_default()
        .to_owned();
    call(&app, &t, "GET", &format!("/api/v1/persons/{pid}"), None).await;

    let (s, sa) = call(
        &app,
        &sup,
        "GET",
        &format!("/api/v1/persons/{pid}/subject-access"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{sa}");
    assert_eq!(sa["person"]["last_name"], "Acces");
    assert_eq!(sa["person"]["notes"], SOCIAL_NOTE);
    assert_eq!(sa["requests"][0]["procedure"], "Demande d'aide au logement");
    assert_eq!(sa["interventions"][0]["summary"], SUMMARY);
    assert_eq!(sa["mandates"].as_array().unwrap().len(), 1);
    let history: Vec<&str> = sa["access_history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert!(
        history.contains(&"person.viewed") && history.contains(&"person.create"),
        "{history:?}"
    );
    assert_eq!(sa["private_notes"], 1);
    assert!(
        !sa.to_string().contains("TEMOIN-PRIVE"),
        "private notes stay with their author"
    );

    let b = app.browser();
    b.sign_in("responsable@demoville.test", DEMO_PASSWORD).await;
    let r = b
        .client
        .get(format!("{}/persons/{pid}/subject-access.pdf", b.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    if let Some(text) = crate::mandates::pdf_text(&pdf) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for expected in [
            "Vos données",
            "ACCES",
            "Demande d'aide au logement",
            "A consulté le dossier",
            "Vos droits",
        ] {
            assert!(
                flat.contains(expected),
                "{expected} missing from the PDF: {flat}"
            );
        }
        if !code.is_empty() {
            assert!(flat.contains(&code), "mandate code missing: {flat}");
        }
    }
    let actions = app.journal_actions(&structure_chain(&app, &t).await).await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "person.subject_access")
            .count(),
        2
    );

    // The privacy notice, in both languages.
    for lang in ["fr", "en"] {
        let b = app.browser();
        b.get(&format!("/lang/{lang}")).await;
        b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
        let r = b
            .client
            .get(format!("{}/structure/privacy-notice.pdf", b.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let pdf = r.bytes().await.unwrap();
        if let Some(text) = crate::mandates::pdf_text(&pdf) {
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            let expected = if lang == "fr" {
                ["Vos informations personnelles", "24 mois", "CNIL"]
            } else {
                ["Your personal information", "24 months", "CNIL"]
            };
            for e in expected {
                assert!(flat.contains(e), "{lang}: {e} missing: {flat}");
            }
        }
    }
}

#[tokio::test]
async fn erasure_waits_for_the_mandate_to_be_revoked() {
    let app = spawn_app(Options::default()).await.unwrap();
    let t = token(&app, "agent@demoville.test").await;
    let sup = token(&app, "responsable@demoville.test").await;
    let (pid, _) = person_with_history(&app, &t, "Effacee").await;
    let (_, m) = call(&app, &t, "POST", "/api/v1/mandates", Some(json!({
        "person_id": pid, "categories": ["logement"], "duration": "six_months", "consent": "paper"
    }))).await;
    let mid = m["id"].as_str().unwrap().to_owned();
    call(
        &app,
        &t,
        "POST",
        &format!("/api/v1/mandates/{mid}/sign"),
        Some(json!({"scan": "JVBERi0xLjQK"})),
    )
    .await;
    let (s, e) = call(
        &app,
        &sup,
        "POST",
        &format!("/api/v1/persons/{pid}/erase"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["error"]["code"], "erasure_blocked");
    assert_eq!(e["error"]["fields"][0]["code"], mid.as_str());
    let b = app.browser();
    b.sign_in("responsable@demoville.test", DEMO_PASSWORD).await;
    let page = b.get(&format!("/persons/{pid}/erase")).await;
    assert!(
        page.body.contains(&format!("/mandates/{mid}")),
        "the page offers the revocation first"
    );
    let (s, r) = call(
        &app,
        &t,
        "POST",
        &format!("/api/v1/mandates/{mid}/revoke"),
        Some(json!({"reason": "Demande d'effacement"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (s, _) = call(
        &app,
        &sup,
        "POST",
        &format!("/api/v1/persons/{pid}/erase"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, p) = call(&app, &t, "GET", &format!("/api/v1/persons/{pid}"), None).await;
    assert_eq!(p["first_name"], "");
    let (_, found) = call(&app, &t, "GET", "/api/v1/persons?q=Effacee", None).await;
    assert!(
        !found.to_string().contains(&pid),
        "an erased person is no longer found"
    );
    // The mandate stays, without its name, as proof.
    let (s, _) = call(&app, &t, "GET", &format!("/api/v1/mandates/{mid}"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(app.services.verify_journal().await.unwrap().broken, None);
}
