//! Trust: journal anchors kept outside the database (truncation), no
//! plaintext read from encrypted columns, `--demo` refused on a real
//! database, SQLite files private to their owner, and the PostgreSQL
//! application role that cannot switch the journal's triggers off.

use crate::helpers::*;
use reqwest::StatusCode;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const OTHER_KEY: &str = "aa1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0";
const INJECTED_TOTP: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

fn command(args: &[&str], envs: &[(&str, &str)]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_relais"));
    c.args(args)
        .env("RELAIS_LOG", "warn")
        .env_remove("RELAIS_DATABASE_URL")
        .env_remove("RELAIS_LISTEN")
        .env_remove("RELAIS_DATA_KEY_FILE")
        .env_remove("RELAIS_PREVIOUS_DATA_KEYS")
        .env_remove("RELAIS_JOURNAL_ANCHOR_DIR")
        .env("RELAIS_DATA_KEY", TEST_DATA_KEY)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        c.env(k, v);
    }
    c
}

/// Runs the relais binary with the test data key.
fn relais(args: &[&str], envs: &[(&str, &str)]) -> Output {
    command(args, envs).output().expect("run relais")
}

/// Runs a command that should end by itself; kills it (and fails) after
/// `limit`.
fn relais_bounded(args: &[&str], limit: Duration) -> Output {
    let mut child = command(args, &[]).spawn().expect("run relais");
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let o = child.wait_with_output().unwrap();
            panic!(
                "relais {args:?} still running after {limit:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).trim().to_owned()
}
fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}

fn temp_file(what: &str) -> PathBuf {
    std::env::temp_dir().join(format!("relais-{what}-{}", uuid::Uuid::now_v7()))
}

/// Runs raw SQL as the database's owner would, behind relais's back.
async fn exec(store: &relais_service::Store, sql: &str) {
    match store.engine() {
        relais_store::Engine::Sqlite { write, .. } => {
            sqlx::query(sql).execute(write).await.unwrap();
        }
        relais_store::Engine::Postgres(pool) => {
            sqlx::query(sql).execute(pool).await.unwrap();
        }
    }
}

/// Lets the owner delete journal rows: drops the SQLite triggers, or
/// disables every trigger on PostgreSQL.
async fn disarm_journal(store: &relais_service::Store) {
    match store.engine() {
        relais_store::Engine::Sqlite { .. } => {
            exec(store, "DROP TRIGGER journal_no_delete").await;
        }
        relais_store::Engine::Postgres(_) => {
            exec(store, "ALTER TABLE journal DISABLE TRIGGER ALL").await;
        }
    }
}

async fn demo_chain(app: &TestApp) -> String {
    app.store
        .structure_by_slug("ccas-demoville")
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string()
}

/// The app with sign-ins on the instance chain, and an anchor of it.
async fn anchored_app(opts: Options) -> Option<(TestApp, PathBuf)> {
    let app = spawn_app(opts).await?;
    let b = app.browser();
    assert_eq!(
        b.sign_in("agent@demoville.test", DEMO_PASSWORD)
            .await
            .location(),
        "/"
    );
    let anchor = temp_file("anchor.json");
    let out = anchor.to_str().unwrap();
    let o = relais(
        &[
            "journal",
            "anchor",
            "--out",
            out,
            "--database",
            &app._db.url,
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Later activity moves chains past the anchor: still intact.
    app.browser()
        .sign_in("mediateur@demoville.test", DEMO_PASSWORD)
        .await;
    let o = relais(
        &[
            "journal",
            "verify",
            "--anchor",
            out,
            "--database",
            &app._db.url,
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("journal intact: "), "{}", stdout(&o));
    Some((app, anchor))
}

fn verify_with(app: &TestApp, anchor: &Path) -> Output {
    relais(
        &[
            "journal",
            "verify",
            "--anchor",
            anchor.to_str().unwrap(),
            "--database",
            &app._db.url,
        ],
        &[],
    )
}

fn verify_plain(app: &TestApp) -> Output {
    relais(&["journal", "verify", "--database", &app._db.url], &[])
}

// ---- point 10: truncation ----------------------------------------------

async fn newest_entries_removed_and_head_moved_back(postgres: bool) {
    let Some((app, anchor)) = anchored_app(Options {
        postgres,
        ..Options::default()
    })
    .await
    else {
        return;
    };
    let chain = demo_chain(&app).await;
    let entries: Vec<_> = app
        .store
        .journal_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.chain == chain)
        .collect();
    let keep = entries.len() - 3;
    let kept_hash = entries[keep - 1].hash.clone();
    disarm_journal(&app.store).await;
    exec(
        &app.store,
        &format!("DELETE FROM journal WHERE chain = '{chain}' AND seq > {keep}"),
    )
    .await;
    exec(
        &app.store,
        &format!(
            "UPDATE journal_heads SET seq = {keep}, hash = '{kept_hash}' WHERE chain = '{chain}'"
        ),
    )
    .await;
    // Without an anchor the shortened chain looks whole…
    let o = verify_plain(&app);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // …the anchor tells.
    let o = verify_with(&app, &anchor);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stderr(&o).contains(&chain),
        "names the chain: {}",
        stderr(&o)
    );
    let _ = std::fs::remove_file(anchor);
}

#[tokio::test]
async fn trust_journal_newest_entries_removed_are_found_by_the_anchor_on_sqlite() {
    newest_entries_removed_and_head_moved_back(false).await;
}

#[tokio::test]
async fn trust_journal_newest_entries_removed_are_found_by_the_anchor_on_postgresql() {
    newest_entries_removed_and_head_moved_back(true).await;
}

async fn whole_chain_and_head_removed(postgres: bool) {
    let Some((app, anchor)) = anchored_app(Options {
        postgres,
        ..Options::default()
    })
    .await
    else {
        return;
    };
    disarm_journal(&app.store).await;
    exec(&app.store, "DELETE FROM journal WHERE chain = 'instance'").await;
    exec(
        &app.store,
        "DELETE FROM journal_heads WHERE chain = 'instance'",
    )
    .await;
    let o = verify_plain(&app);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = verify_with(&app, &anchor);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stderr(&o).contains("instance"), "{}", stderr(&o));
    let _ = std::fs::remove_file(anchor);
}

#[tokio::test]
async fn trust_journal_a_whole_chain_removed_is_found_by_the_anchor_on_sqlite() {
    whole_chain_and_head_removed(false).await;
}

#[tokio::test]
async fn trust_journal_a_whole_chain_removed_is_found_by_the_anchor_on_postgresql() {
    whole_chain_and_head_removed(true).await;
}

async fn journal_emptied(postgres: bool) {
    let Some((app, anchor)) = anchored_app(Options {
        postgres,
        ..Options::default()
    })
    .await
    else {
        return;
    };
    let chain = demo_chain(&app).await;
    disarm_journal(&app.store).await;
    exec(&app.store, "DELETE FROM journal").await;
    exec(&app.store, "DELETE FROM journal_heads").await;
    // Structures with activity and no chain: broken even without anchor.
    let o = verify_plain(&app);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stderr(&o).contains(&chain), "{}", stderr(&o));
    let o = verify_with(&app, &anchor);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stderr(&o).contains(&chain) || stderr(&o).contains("instance"),
        "{}",
        stderr(&o)
    );
    let _ = std::fs::remove_file(anchor);
}

#[tokio::test]
async fn trust_journal_an_emptied_journal_is_found_on_sqlite() {
    journal_emptied(false).await;
}

#[tokio::test]
async fn trust_journal_an_emptied_journal_is_found_on_postgresql() {
    journal_emptied(true).await;
}

async fn structure_without_chain(postgres: bool) {
    let Some(app) = spawn_app(Options {
        postgres,
        ..Options::default()
    })
    .await
    else {
        return;
    };
    let chain = demo_chain(&app).await;
    let o = verify_plain(&app);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    disarm_journal(&app.store).await;
    exec(
        &app.store,
        &format!("DELETE FROM journal WHERE chain = '{chain}'"),
    )
    .await;
    exec(
        &app.store,
        &format!("DELETE FROM journal_heads WHERE chain = '{chain}'"),
    )
    .await;
    let o = verify_plain(&app);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stderr(&o).contains(&chain), "{}", stderr(&o));
}

#[tokio::test]
async fn trust_journal_a_structure_without_chain_fails_verification_on_sqlite() {
    structure_without_chain(false).await;
}

#[tokio::test]
async fn trust_journal_a_structure_without_chain_fails_verification_on_postgresql() {
    structure_without_chain(true).await;
}

#[tokio::test]
async fn trust_journal_a_tampered_or_foreign_anchor_is_refused() {
    let (app, anchor) = anchored_app(Options::default()).await.unwrap();
    let text = std::fs::read_to_string(&anchor).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let heads = json["heads"].as_array_mut().unwrap();
    assert!(!heads.is_empty(), "{text}");
    // Someone lowers an anchored seq to hide a truncation.
    let seq = heads[0]["seq"].as_i64().unwrap();
    heads[0]["seq"] = serde_json::json!(seq - 1);
    let forged = temp_file("forged.json");
    std::fs::write(&forged, serde_json::to_vec(&json).unwrap()).unwrap();
    let o = verify_with(&app, &forged);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stderr(&o).contains("anchor"), "{}", stderr(&o));
    // An anchor made with another key is not accepted either.
    let foreign = temp_file("foreign.json");
    let o = relais(
        &[
            "journal",
            "anchor",
            "--out",
            foreign.to_str().unwrap(),
            "--database",
            &app._db.url,
        ],
        &[("RELAIS_DATA_KEY", OTHER_KEY)],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = verify_with(&app, &foreign);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stderr(&o).contains("anchor"), "{}", stderr(&o));
    // Not an anchor at all: a usage error.
    let junk = temp_file("junk.json");
    std::fs::write(&junk, b"not json").unwrap();
    let o = verify_with(&app, &junk);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    for f in [anchor, forged, foreign, junk] {
        let _ = std::fs::remove_file(f);
    }
}

#[tokio::test]
async fn trust_journal_the_server_writes_a_daily_anchor() {
    let db = TestDatabase::sqlite().await;
    let o = relais(&["demo", "--database", &db.url], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let dir = temp_file("anchors");
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = command(
        &["serve", "--listen", "127.0.0.1:0", "--database", &db.url],
        &[("RELAIS_JOURNAL_ANCHOR_DIR", dir.to_str().unwrap())],
    )
    .spawn()
    .unwrap();
    let file = dir.join(format!(
        "journal-anchor-{}.json",
        chrono::Utc::now().format("%Y-%m-%d")
    ));
    let started = Instant::now();
    while !file.exists() && started.elapsed() < Duration::from_secs(60) {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let _ = child.kill();
    let o = child.wait_with_output().unwrap();
    assert!(file.exists(), "no daily anchor: {}", stderr(&o));
    let o = relais(
        &[
            "journal",
            "verify",
            "--anchor",
            file.to_str().unwrap(),
            "--database",
            &db.url,
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(dir);
}

// ---- PostgreSQL: an application role that does not own the tables -------

#[tokio::test]
async fn trust_journal_the_postgresql_app_role_cannot_touch_the_journal() {
    use sqlx::Connection;
    let Some(db) = TestDatabase::postgres().await else {
        return;
    };
    // The owner (here the admin role) migrates; the application role gets
    // the grants documented in OPERATIONS.md.
    let owner = db.store().await;
    let role = format!("relais_app_{}", uuid::Uuid::now_v7().simple());
    let db_name = url::Url::parse(&db.url).unwrap().path()[1..].to_owned();
    exec(&owner, &format!("CREATE ROLE {role} LOGIN")).await;
    for grant in [
        format!("GRANT CONNECT ON DATABASE {db_name} TO {role}"),
        format!("GRANT USAGE ON SCHEMA public TO {role}"),
        format!("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"),
        format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"),
        format!("REVOKE UPDATE, DELETE ON journal FROM {role}"),
        format!("REVOKE INSERT, UPDATE, DELETE ON _sqlx_migrations FROM {role}"),
    ] {
        exec(&owner, &grant).await;
    }
    let mut app_url = url::Url::parse(&db.url).unwrap();
    app_url.set_username(&role).unwrap();
    let app_url = app_url.to_string();

    // relais runs as that role: start-up (migrations already applied), the
    // demo data, a sign-in that writes journal entries.
    let o = relais(&["demo", "--database", &app_url], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let store = relais_service::Store::connect(&app_url)
        .await
        .unwrap()
        .with_vault(test_vault());
    store.migrate().await.unwrap();
    let before = store.journal_entries().await.unwrap().len();
    let config = relais_service::ServiceConfig {
        require_totp: false,
        ..relais_service::ServiceConfig::default()
    };
    let addr = serve_store(store.clone(), config).await;
    let b = Browser {
        client: reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        base: format!("http://{addr}"),
    };
    assert_eq!(
        b.sign_in("agent@demoville.test", DEMO_PASSWORD)
            .await
            .location(),
        "/"
    );
    assert!(store.journal_entries().await.unwrap().len() > before);

    // What an attacker holding the application's credentials cannot do.
    let mut c = sqlx::PgConnection::connect(&app_url).await.unwrap();
    for sql in [
        "DELETE FROM journal",
        "TRUNCATE journal",
        "ALTER TABLE journal DISABLE TRIGGER ALL",
        "DROP TRIGGER journal_no_delete ON journal",
        "UPDATE journal SET action = 'x'",
    ] {
        let r = sqlx::query(sql).execute(&mut c).await;
        assert!(r.is_err(), "{sql} was allowed to the application role");
    }
    drop(c);
    store.close().await;
    let o = relais(&["journal", "verify", "--database", &db.url], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    exec(&owner, &format!("DROP OWNED BY {role}")).await;
    owner.close().await;
    drop(db);
    if let Some(admin) = pg_admin_url() {
        if let Ok(mut c) = sqlx::PgConnection::connect(&admin).await {
            let _ = sqlx::query(&format!("DROP ROLE IF EXISTS {role}"))
                .execute(&mut c)
                .await;
        }
    }
}

// ---- point 11: no plaintext in encrypted columns -------------------------

async fn injected_totp_secret(postgres: bool) {
    let Some(app) = spawn_app(Options {
        postgres,
        require_totp: true,
        ..Options::default()
    })
    .await
    else {
        return;
    };
    exec(
        &app.store,
        &format!(
            "UPDATE agents SET totp_secret = '{INJECTED_TOTP}', totp_enabled = TRUE \
             WHERE email = 'agent@demoville.test'"
        ),
    )
    .await;
    let b = app.browser();
    let r = b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    if r.location() == "/login/totp" {
        let page = b.get("/login/totp").await;
        let code = totp_code(INJECTED_TOTP, app.clock_now());
        b.post("/login/totp", &page.csrf(), &[("code", &code)])
            .await;
    }
    let home = b.get("/").await;
    assert_ne!(
        home.status,
        StatusCode::OK,
        "signed in with an injected second factor"
    );
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!r.body.contains(INJECTED_TOTP));
}

#[tokio::test]
async fn trust_journal_an_injected_totp_secret_does_not_sign_in_on_sqlite() {
    injected_totp_secret(false).await;
}

#[tokio::test]
async fn trust_journal_an_injected_totp_secret_does_not_sign_in_on_postgresql() {
    injected_totp_secret(true).await;
}

async fn injected_note(postgres: bool) {
    let Some(app) = spawn_app(Options {
        postgres,
        ..Options::default()
    })
    .await
    else {
        return;
    };
    let t = token(&app, "agent@demoville.test").await;
    let id: uuid::Uuid = match app.store.engine() {
        relais_store::Engine::Sqlite { write, .. } => {
            sqlx::query_scalar("SELECT id FROM persons ORDER BY id LIMIT 1")
                .fetch_one(write)
                .await
                .unwrap()
        }
        relais_store::Engine::Postgres(pool) => {
            sqlx::query_scalar("SELECT id FROM persons ORDER BY id LIMIT 1")
                .fetch_one(pool)
                .await
                .unwrap()
        }
    };
    let pid = id.to_string();
    let (s, _) = call(&app, &t, "GET", &format!("/api/v1/persons/{pid}"), None).await;
    assert_eq!(s, StatusCode::OK);
    let id_literal = match app.store.backend() {
        relais_store::Backend::Sqlite => format!("X'{}'", id.simple()),
        relais_store::Backend::Postgres => format!("'{pid}'"),
    };
    exec(
        &app.store,
        &format!("UPDATE persons SET notes = 'INJECTED-NOTE-5H' WHERE id = {id_literal}"),
    )
    .await;
    let (s, body) = call(&app, &t, "GET", &format!("/api/v1/persons/{pid}"), None).await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert!(!body.to_string().contains("INJECTED-NOTE-5H"));
}

#[tokio::test]
async fn trust_journal_an_injected_note_is_not_read_on_sqlite() {
    injected_note(false).await;
}

#[tokio::test]
async fn trust_journal_an_injected_note_is_not_read_on_postgresql() {
    injected_note(true).await;
}

// ---- point 17: --demo only on an empty or demo database -----------------

async fn counts(db: &TestDatabase) -> (usize, usize, usize) {
    let store = db.store().await;
    let structures = store.list_structures().await.unwrap().len();
    let journal = store.journal_entries().await.unwrap().len();
    let agents = store
        .agent_by_email("admin@demoville.test")
        .await
        .unwrap()
        .map_or(0, |_| 1);
    store.close().await;
    (structures, journal, agents)
}

async fn demo_refused_on_a_real_database(db: TestDatabase) {
    let o = relais(
        &[
            "structure",
            "add",
            "--name",
            "CCAS de Lyon",
            "--slug",
            "ccas-lyon",
            "--kind",
            "ccas",
            "--database",
            &db.url,
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let before = counts(&db).await;
    let o = relais_bounded(&["demo", "--database", &db.url], Duration::from_secs(60));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("demo"), "{}", stderr(&o));
    assert_eq!(counts(&db).await, before);
    let o = relais_bounded(
        &[
            "serve",
            "--demo",
            "--listen",
            "127.0.0.1:0",
            "--database",
            &db.url,
        ],
        Duration::from_secs(60),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("demo"), "{}", stderr(&o));
    assert_eq!(counts(&db).await, before);
}

#[tokio::test]
async fn trust_journal_demo_is_refused_on_a_real_database_on_sqlite() {
    demo_refused_on_a_real_database(TestDatabase::sqlite().await).await;
}

#[tokio::test]
async fn trust_journal_demo_is_refused_on_a_real_database_on_postgresql() {
    if let Some(db) = TestDatabase::postgres().await {
        demo_refused_on_a_real_database(db).await;
    }
}

async fn demo_on_empty_then_demo_database(db: TestDatabase) {
    let o = relais(&["demo", "--database", &db.url], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = relais(&["demo", "--database", &db.url], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // A demo database stays one when someone tries out a second structure.
    let o = relais(
        &[
            "structure",
            "add",
            "--name",
            "Essai",
            "--slug",
            "essai",
            "--kind",
            "ccas",
            "--database",
            &db.url,
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = relais(&["demo", "--database", &db.url], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[tokio::test]
async fn trust_journal_demo_still_runs_on_an_empty_or_demo_database_on_sqlite() {
    demo_on_empty_then_demo_database(TestDatabase::sqlite().await).await;
}

#[tokio::test]
async fn trust_journal_demo_still_runs_on_an_empty_or_demo_database_on_postgresql() {
    if let Some(db) = TestDatabase::postgres().await {
        demo_on_empty_then_demo_database(db).await;
    }
}

// ---- point 19: SQLite files private to their owner ----------------------

#[cfg(unix)]
#[tokio::test]
async fn trust_journal_sqlite_files_are_created_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let db = TestDatabase::sqlite().await;
    let path = db.url.trim_start_matches("sqlite://").to_owned();
    let store = db.store().await;
    store.journal_heads().await.unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let f = format!("{path}{suffix}");
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{f} has mode {mode:o}");
    }
    store.close().await;
    // The command line creates its database the same way.
    let other = temp_file("cli.db");
    let url = format!("sqlite://{}", other.display());
    let o = relais(&["migrate", "--database", &url], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mode = std::fs::metadata(&other).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{} has mode {mode:o}", other.display());
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", other.display()));
    }
}
