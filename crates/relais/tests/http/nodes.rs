//! Several `relais serve` processes on one PostgreSQL database, sharing
//! nothing else: a session opened on one node works on the other, signing
//! out on one ends it everywhere, and background jobs run once.

use crate::helpers::*;
use reqwest::StatusCode;
use std::process::{Child, Command, Stdio};

pub(crate) struct Node {
    pub(crate) child: Child,
    pub(crate) base: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) async fn start_node(db_url: &str) -> Node {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_relais"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database",
            db_url,
        ])
        .env("RELAIS_LOG", "warn")
        .env("RELAIS_DATA_KEY", TEST_DATA_KEY)
        .env("RELAIS_REQUIRE_TOTP", "false")
        .env_remove("RELAIS_DATABASE_URL")
        .env_remove("RELAIS_LISTEN")
        .env_remove("RELAIS_NOTIFIER")
        .env_remove("RELAIS_PREVIOUS_DATA_KEYS")
        .env_remove("RELAIS_DATA_KEY_FILE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let node = Node {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..100 {
        if let Ok(r) = reqwest::get(format!("{}/healthz", node.base)).await {
            if r.status() == StatusCode::OK {
                return node;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("node {} did not start", node.base);
}

#[tokio::test]
async fn two_nodes_on_one_postgresql_share_sessions_and_run_jobs_once() {
    let Some(app) = spawn_app(Options {
        postgres: true,
        ..Options::default()
    })
    .await
    else {
        return;
    };
    let due = app
        .store
        .open_follow_ups_until(app.services.today())
        .await
        .unwrap();
    let one = start_node(&app._db.url).await;
    let two = start_node(&app._db.url).await;

    // Signed in on node one…
    let mut b = app.browser();
    b.base = one.base.clone();
    let signed = b.sign_in("agent@demoville.test", DEMO_PASSWORD).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let home = b.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    // …the same cookie works on node two, forms included.
    b.base = two.base.clone();
    let home = b.get("/").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(home.body.contains("Camille"), "{}", home.body);
    let persons = b.get("/persons?q=Lef").await;
    assert_eq!(persons.status, StatusCode::OK);
    // Signing out on node two ends the session on node one too.
    let csrf = home.csrf();
    let out = b.post("/logout", &csrf, &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    b.base = one.base.clone();
    let after = b.get("/").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert!(
        after.location().starts_with("/login"),
        "{}",
        after.location()
    );

    // Person search on node two sees what node one just wrote, though
    // node two keeps its candidates in memory.
    let t = token(&app, "agent@demoville.test").await;
    let api = reqwest::Client::new();
    let search = |base: String, q: &'static str| {
        let (api, t) = (api.clone(), t.clone());
        async move {
            let v: serde_json::Value = api
                .get(format!("{base}/api/v1/persons?q={q}"))
                .bearer_auth(&t)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v["items"].as_array().map(Vec::len).unwrap_or(usize::MAX)
        }
    };
    assert_eq!(search(two.base.clone(), "Zorglub").await, 0);
    let created: serde_json::Value = api
        .post(format!("{}/api/v1/persons", one.base))
        .bearer_auth(&t)
        .json(&serde_json::json!({"first_name": "Ada", "last_name": "Zorglub", "privacy_notice_on": "2026-01-05", "confirm_new": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(search(two.base.clone(), "Zorglub").await, 1, "{created}");
    let id = created["id"].as_str().unwrap();
    let r = api
        .patch(format!("{}/api/v1/persons/{id}", one.base))
        .bearer_auth(&t)
        .json(&serde_json::json!({"last_name": "Zorgluba"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    assert_eq!(search(two.base.clone(), "Zorgluba").await, 1);
    assert_eq!(
        search(two.base.clone(), "Zorglub%20Ada").await,
        1,
        "one typo"
    );
    assert_eq!(search(two.base.clone(), "Zorglubxx").await, 0);

    // Both nodes ran their jobs at start: each due follow-up has one
    // reminder, not two.
    let pool = match app.store.engine() {
        relais_store::Engine::Postgres(p) => p.clone(),
        relais_store::Engine::Sqlite { .. } => unreachable!(),
    };
    let count = || async {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM notifications")
            .fetch_one(&pool)
            .await
            .unwrap();
        n as usize
    };
    let mut waited = 0;
    while count().await < due.len() && waited < 40 {
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        waited += 1;
    }
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert_eq!(count().await, due.len(), "one reminder per due follow-up");
    drop((one, two));
}
