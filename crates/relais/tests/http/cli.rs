use crate::helpers::*;
use relais_domain::StructureId;
use reqwest::StatusCode;
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn relais(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_relais"))
        .args(args)
        .env("RELAIS_LOG", "warn")
        .env_remove("RELAIS_DATABASE_URL")
        .env_remove("RELAIS_LISTEN")
        .env_remove("RELAIS_DATA_KEY")
        .env_remove("RELAIS_DATA_KEY_FILE")
        .env_remove("RELAIS_PREVIOUS_DATA_KEYS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run relais");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).trim().to_owned()
}

async fn user_token_me(db: &TestDatabase) {
    let url = db.url.as_str();
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
            url,
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = relais(
        &[
            "user",
            "add",
            "--email",
            "ana@ccas-lyon.fr",
            "--name",
            "Ana Lopez",
            "--structure",
            "ccas-lyon",
            "--role",
            "supervisor",
            "--password-stdin",
            "--database",
            url,
        ],
        Some("une longue phrase\n"),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = relais(
        &[
            "token",
            "create",
            "--email",
            "ana@ccas-lyon.fr",
            "--label",
            "script",
            "--database",
            url,
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let token = stdout(&o);
    assert!(
        token.starts_with("rls_") && !token.contains(char::is_whitespace),
        "token alone on stdout: {token:?}"
    );

    // Serve that database and ask who the token is.
    let addr = serve_store(db.store().await, relais_service::ServiceConfig::default()).await;
    let r = reqwest::Client::new()
        .get(format!("http://{addr}/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let me: serde_json::Value = r.json().await.unwrap();
    assert_eq!(me["email"], "ana@ccas-lyon.fr");
    assert_eq!(me["name"], "Ana Lopez");
    assert_eq!(me["role"], "supervisor");
    assert_eq!(me["structure"]["slug"], "ccas-lyon");
    let r = reqwest::Client::new()
        .get(format!("http://{addr}/api/v1/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn cli_user_add_then_token_create_then_api_me_on_sqlite() {
    user_token_me(&TestDatabase::sqlite().await).await;
}

#[tokio::test]
async fn cli_user_add_then_token_create_then_api_me_on_postgresql() {
    if let Some(db) = TestDatabase::postgres().await {
        user_token_me(&db).await;
    }
}

#[tokio::test]
async fn cli_reports_bad_usage_and_failures_with_exit_codes() {
    let db = TestDatabase::sqlite().await;
    let url = db.url.as_str();
    // Bad configuration: exit 2, one line, no panic.
    for (args, needle) in [
        (
            vec!["migrate", "--database", "mysql://localhost/x"],
            "unsupported database URL",
        ),
        (
            vec![
                "migrate",
                "--database",
                "sqlite:///nonexistent-dir/sub/relais.db",
            ],
            "cannot open the database",
        ),
        (
            vec![
                "migrate",
                "--database",
                "postgres://postgres@127.0.0.1:1/none",
            ],
            "cannot open the database",
        ),
        (
            vec!["serve", "--listen", "not-an-address", "--database", url],
            "invalid listen address",
        ),
    ] {
        let o = relais(&args, None);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    // Port already in use.
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().to_string();
    let o = relais(
        &["serve", "--demo", "--listen", &port, "--database", url],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("cannot listen on {port}")),
        "{}",
        stderr(&o)
    );
    // Usage errors from clap are exit 2 as well.
    assert_eq!(relais(&["user", "add"], None).status.code(), Some(2));
    // Invalid values: exit 2 naming the field.
    let o = relais(
        &[
            "structure",
            "add",
            "--name",
            "X Y",
            "--slug",
            "Bad Slug",
            "--kind",
            "mairie",
            "--database",
            url,
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--slug") && stderr(&o).contains("--kind"),
        "{}",
        stderr(&o)
    );
    // A failed operation (slug taken): exit 1.
    let ok = relais(
        &[
            "structure",
            "add",
            "--name",
            "CCAS A",
            "--slug",
            "ccas-a",
            "--kind",
            "ccas",
            "--database",
            url,
        ],
        None,
    );
    assert!(ok.status.success());
    let o = relais(
        &[
            "structure",
            "add",
            "--name",
            "CCAS A",
            "--slug",
            "ccas-a",
            "--kind",
            "ccas",
            "--database",
            url,
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // Unknown structure, empty password.
    let o = relais(
        &[
            "user",
            "add",
            "--email",
            "a@b.fr",
            "--name",
            "A",
            "--structure",
            "nope",
            "--role",
            "agent",
            "--password-stdin",
            "--database",
            url,
        ],
        Some("une longue phrase\n"),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = relais(
        &[
            "user",
            "add",
            "--email",
            "a@b.fr",
            "--name",
            "A",
            "--structure",
            "ccas-a",
            "--role",
            "agent",
            "--password-stdin",
            "--database",
            url,
        ],
        Some(""),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[tokio::test]
async fn demo_is_idempotent() {
    let db = TestDatabase::sqlite().await;
    let o = relais(&["demo", "--database", &db.url], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let store = db.store().await;
    let structures = store.list_structures().await.unwrap().len();
    let entries = store.journal_entries().await.unwrap().len();
    let o = relais(&["demo", "--database", &db.url], None);
    assert!(o.status.success());
    assert!(stderr(&o).contains("0 new records"), "{}", stderr(&o));
    assert_eq!(store.list_structures().await.unwrap().len(), structures);
    assert_eq!(store.journal_entries().await.unwrap().len(), entries);
    let s = store
        .structure_by_slug("ccas-demoville")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(store.team_of(StructureId(s.id)).await.unwrap().len(), 4);
}

async fn tamper(db: &TestDatabase) {
    let o = relais(&["demo", "--database", &db.url], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = relais(&["journal", "verify", "--database", &db.url], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("journal intact: "), "{}", stdout(&o));

    // Someone edits a journal row behind relais's back.
    let store = db.store().await;
    let victim = store.journal_entries().await.unwrap()[2].id;
    match store.engine() {
        relais_store::Engine::Sqlite { write, .. } => {
            sqlx::query("DROP TRIGGER journal_no_update")
                .execute(write)
                .await
                .unwrap();
            sqlx::query("UPDATE journal SET action = 'team.nothing_happened' WHERE id = $1")
                .bind(victim)
                .execute(write)
                .await
                .unwrap();
        }
        relais_store::Engine::Postgres(pool) => {
            sqlx::query("DROP TRIGGER journal_no_update ON journal")
                .execute(pool)
                .await
                .unwrap();
            sqlx::query("UPDATE journal SET action = 'team.nothing_happened' WHERE id = $1")
                .bind(victim)
                .execute(pool)
                .await
                .unwrap();
        }
    }
    store.close().await;
    let o = relais(&["journal", "verify", "--database", &db.url], None);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("#{victim}")),
        "names the entry: {}",
        stderr(&o)
    );
}

#[tokio::test]
async fn journal_verify_finds_an_edited_entry_on_sqlite() {
    tamper(&TestDatabase::sqlite().await).await;
}

#[tokio::test]
async fn journal_verify_finds_an_edited_entry_on_postgresql() {
    if let Some(db) = TestDatabase::postgres().await {
        tamper(&db).await;
    }
}

#[tokio::test]
async fn report_writes_the_demo_structures_last_month_as_pdf() {
    let db = TestDatabase::sqlite().await;
    let o = relais(&["demo", "--database", &db.url], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let today = chrono::Utc::now().date_naive();
    let last_month = today
        .checked_sub_months(chrono::Months::new(1))
        .unwrap()
        .format("%Y-%m")
        .to_string();
    let out = std::env::temp_dir().join(format!("relais-report-{}.pdf", uuid::Uuid::now_v7()));
    let out_s = out.to_str().unwrap();
    let o = relais(
        &[
            "report",
            "--structure",
            "ccas-demoville",
            "--month",
            &last_month,
            "--out",
            out_s,
            "--database",
            &db.url,
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let pdf = std::fs::read(&out).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    if let Some(text) = crate::mandates::pdf_text(&pdf) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains("Rapport mensuel d'activité"), "{flat}");
        assert!(flat.contains("CCAS de Démoville"), "{flat}");
        assert!(flat.contains("Chiffres clés"), "{flat}");
        assert!(flat.contains("Par catégorie de démarche"), "{flat}");
        assert!(flat.contains("Politique de la structure"), "{flat}");
    }
    let _ = std::fs::remove_file(&out);
    // Bad input: a message naming the flag, exit 2, no file.
    let o = relais(
        &[
            "report",
            "--structure",
            "ccas-demoville",
            "--month",
            "2026-13",
            "--out",
            out_s,
            "--database",
            &db.url,
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--month"), "{}", stderr(&o));
    let o = relais(
        &[
            "report",
            "--structure",
            "nulle-part",
            "--month",
            &last_month,
            "--out",
            out_s,
            "--database",
            &db.url,
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--structure"), "{}", stderr(&o));
    assert!(!out.exists());
}

/// The benchmark script runs end to end on a small dataset (its figures
/// are not checked: performance is measured, not asserted).
#[test]
fn the_bench_script_smoke_run_prints_its_table() {
    if Command::new("wrk").arg("--version").output().is_err() {
        assert!(
            std::env::var("CI").ok().as_deref() != Some("true"),
            "wrk is required in CI for the bench smoke run"
        );
        eprintln!("SKIP: wrk not installed; the bench smoke run is skipped");
        return;
    }
    let data = std::env::temp_dir().join(format!("relais-bench-{}", uuid::Uuid::now_v7()));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let o = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/run.sh"))
        .args(["--size", "smoke", "--duration", "1s", "--connections", "4"])
        .args(["--bin", env!("CARGO_BIN_EXE_relais")])
        .arg("--data")
        .arg(&data)
        .env("RELAIS_BENCH_PORT", port.to_string())
        .env_remove("RELAIS_DATA_KEY")
        .env_remove("RELAIS_DATABASE_URL")
        .env_remove("RELAIS_LISTEN")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let out = stdout(&o);
    assert!(o.status.success(), "{out}\n{}", stderr(&o));
    let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("| sqlite")).collect();
    assert_eq!(rows.len(), 14, "{out}");
    // A smoke run proves the script measures and prints every line without
    // error, whatever the machine's speed: a slow debug build may finish no
    // request of a heavy page in one second, which is a figure, not a fault.
    let once = [
        "start to first 200",
        "idle RSS after start",
        "peak RSS of relais serve",
    ];
    let measured: Vec<&&str> = rows
        .iter()
        .filter(|r| !once.iter().any(|o| r.contains(o)) && !r.contains("relais gen"))
        .collect();
    assert_eq!(measured.len(), 10, "{out}");
    for r in measured {
        let cells: Vec<&str> = r.split('|').map(str::trim).collect();
        let rps: Result<f64, _> = cells[3].parse();
        assert!(rps.is_ok_and(|v| v >= 0.0), "wrk did not measure {r}");
        assert_eq!(cells[6], "0", "errors in {r}");
        // Each line states its target and whether it is met.
        assert!(!cells[7].is_empty(), "no target in {r}");
        assert!(["met", "miss"].contains(&cells[8]), "no verdict in {r}");
    }
    for o in once {
        let r = rows
            .iter()
            .find(|r| r.contains(o))
            .unwrap_or_else(|| panic!("{o}: {out}"));
        let cells: Vec<&str> = r.split('|').map(str::trim).collect();
        assert!(["met", "miss"].contains(&cells[8]), "no verdict in {r}");
    }
    assert!(out.contains("| release binary"), "{out}");
    let _ = std::fs::remove_dir_all(&data);
}

fn relais_with_key(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_relais"))
        .args(args)
        .env("RELAIS_LOG", "warn")
        .env("RELAIS_DATA_KEY", TEST_DATA_KEY)
        .env_remove("RELAIS_DATABASE_URL")
        .env_remove("RELAIS_DATA_KEY_FILE")
        .env_remove("RELAIS_PREVIOUS_DATA_KEYS")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

async fn gen_dataset(db: &TestDatabase) {
    let args = [
        "gen",
        "--structures",
        "2",
        "--persons",
        "200",
        "--requests",
        "1000",
        "--seed",
        "7",
        "--database",
        &db.url,
    ];
    let o = relais_with_key(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with(
            "generated 2 structures, 11 agents, 200 persons, 1000 requests, 2000 interventions, 100 mandates"
        ),
        "{out}"
    );
    assert!(out.contains("sample_person="), "{out}");
    assert!(out.contains("statistics roll-ups: "), "{out}");
    // The journal chains hold, the accounts sign in, the figures add up.
    let o = relais(&["journal", "verify", "--database", &db.url], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let store = db.store().await;
    let s = store.structure_by_slug("gen-1").await.unwrap().unwrap();
    assert_eq!(store.team_of(StructureId(s.id)).await.unwrap().len(), 6);
    let o = relais(
        &[
            "token",
            "create",
            "--email",
            "agent@gen-2.test",
            "--database",
            &db.url,
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // Twice: refused, nothing added.
    let o = relais_with_key(&args);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("relais gen"), "{}", stderr(&o));
    // Bad sizes: a message, exit 2.
    let o = relais_with_key(&["gen", "--size", "planet", "--database", &db.url]);
    assert_eq!(o.status.code(), Some(2));
    let o = relais_with_key(&["gen", "--structures", "2", "--database", &db.url]);
    assert_eq!(o.status.code(), Some(2));
}

#[tokio::test]
async fn gen_builds_a_consistent_dataset_on_sqlite() {
    gen_dataset(&TestDatabase::sqlite().await).await;
}

#[tokio::test]
async fn gen_builds_a_consistent_dataset_on_postgresql() {
    let Some(db) = TestDatabase::postgres().await else {
        return;
    };
    gen_dataset(&db).await;
}
