use relais_service::{FixedClock, ServiceConfig, Services, Store};
use relais_web::WebConfig;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use sqlx::Connection;
use std::path::PathBuf;
use std::sync::Arc;

pub const DEMO_PASSWORD: &str = "demo-relais-2026";

/// The data key test servers run with.
pub const TEST_DATA_KEY: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0";

pub fn test_vault() -> relais_service::Vault {
    relais_service::Vault::new(
        relais_service::DataKey::parse_hex(TEST_DATA_KEY).unwrap(),
        vec![],
    )
    .unwrap()
}

#[derive(Clone, Copy, Default)]
pub struct Options {
    pub require_totp: bool,
    pub postgres: bool,
    /// No demo data: the database starts without any structure.
    pub empty: bool,
}

/// A throw-away database: a SQLite file, or a PostgreSQL database.
pub struct TestDatabase {
    pub url: String,
    sqlite_path: Option<PathBuf>,
    pg_admin: Option<(String, String)>,
}

pub fn pg_admin_url() -> Option<String> {
    match std::env::var("RELAIS_TEST_POSTGRES") {
        Ok(u) => Some(u),
        Err(_) => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!(
                    "RELAIS_TEST_POSTGRES is required in CI: PostgreSQL tests cannot be skipped"
                );
            }
            eprintln!("SKIP: RELAIS_TEST_POSTGRES not set; PostgreSQL test skipped");
            None
        }
    }
}

impl TestDatabase {
    pub async fn sqlite() -> Self {
        let path = std::env::temp_dir().join(format!("relais-http-{}.db", uuid::Uuid::now_v7()));
        Self {
            url: format!("sqlite://{}", path.display()),
            sqlite_path: Some(path),
            pg_admin: None,
        }
    }

    pub async fn postgres() -> Option<Self> {
        let admin = pg_admin_url()?;
        let name = format!("relais_test_{}", uuid::Uuid::now_v7().simple());
        let mut c = sqlx::PgConnection::connect(&admin)
            .await
            .expect("PostgreSQL admin");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut c)
            .await
            .expect("create database");
        let mut url = url::Url::parse(&admin).unwrap();
        url.set_path(&name);
        Some(Self {
            url: url.to_string(),
            sqlite_path: None,
            pg_admin: Some((admin, name)),
        })
    }

    pub async fn store(&self) -> Store {
        let s = Store::connect(&self.url).await.expect("connect");
        s.migrate().await.expect("migrate");
        s
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(p) = &self.sqlite_path {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", p.display()));
            }
        }
        if let Some((admin, name)) = self.pg_admin.take() {
            // Dropped from a plain thread: the test's runtime may be gone.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async {
                        if let Ok(mut c) = sqlx::PgConnection::connect(&admin).await {
                            let _ = sqlx::query(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .execute(&mut c)
                            .await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

pub struct TestApp {
    pub base: String,
    pub services: Services,
    pub store: Store,
    pub clock: Arc<FixedClock>,
    /// Where the file notifier writes the codes sent to persons.
    pub notifications: PathBuf,
    pub _db: TestDatabase,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

/// Starts relais on port 0 with the demo data. Returns `None` when a
/// PostgreSQL test is skipped outside CI.
pub async fn spawn_app(opts: Options) -> Option<TestApp> {
    spawn_app_with(opts, WebConfig::default()).await
}

/// Like [`spawn_app`], with the web layer's settings given.
pub async fn spawn_app_with(opts: Options, web: WebConfig) -> Option<TestApp> {
    let db = if opts.postgres {
        TestDatabase::postgres().await?
    } else {
        TestDatabase::sqlite().await
    };
    let store = db.store().await.with_vault(test_vault());
    store
        .check_keys(chrono::Utc::now())
        .await
        .expect("data keys");
    let clock = Arc::new(FixedClock::new(chrono::Utc::now()));
    let notifications =
        std::env::temp_dir().join(format!("relais-notify-{}.jsonl", uuid::Uuid::now_v7()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // Built like `relais serve` builds it, with a fixed clock and the
    // notifications written to a file.
    let app = relais::Application::build(
        listener,
        relais::Parts {
            store: store.clone(),
            clock: clock.clone(),
            config: ServiceConfig {
                require_totp: opts.require_totp,
                public_url: format!("http://{addr}"),
                ..ServiceConfig::default()
            },
            notifier: Arc::new(relais_service::notify::FileNotifier::new(&notifications)),
        },
        web,
    );
    let services = app.services().clone();
    if !opts.empty {
        services.ensure_demo().await.expect("demo data");
    }
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run(async {
        let _ = rx.await;
    }));
    Some(TestApp {
        base: format!("http://{addr}"),
        services,
        store,
        clock,
        notifications,
        _db: db,
        _shutdown: tx,
    })
}

/// Serves an existing database as `relais serve` would (system clock,
/// the given settings) until the test ends; returns its address.
pub async fn serve_store(store: Store, config: ServiceConfig) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = relais::Application::build(
        listener,
        relais::Parts {
            store,
            clock: Arc::new(relais_service::SystemClock),
            config,
            notifier: Arc::new(relais_service::notify::LogNotifier),
        },
        WebConfig::default(),
    );
    tokio::spawn(app.run(std::future::pending()));
    addr
}

/// One browser: a cookie jar, no automatic redirects.
pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
}

pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self.body.find(marker).expect("page has a CSRF field") + marker.len();
        self.body[start..start + 64].to_owned()
    }
    /// The text of the first element with this id (very small extractor).
    pub fn text_of_id(&self, id: &str) -> Option<String> {
        let marker = format!("id=\"{id}\"");
        let at = self.body.find(&marker)?;
        let open_end = at + self.body[at..].find('>')? + 1;
        let close = open_end + self.body[open_end..].find('<')?;
        Some(self.body[open_end..close].trim().to_owned())
    }
}

impl TestApp {
    pub fn browser(&self) -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: self.base.clone(),
        }
    }

    pub fn api(&self) -> reqwest::Client {
        reqwest::Client::new()
    }

    pub async fn journal_actions(&self, chain: &str) -> Vec<String> {
        self.services
            .recent_journal_actions(chain, 500)
            .await
            .unwrap()
    }
}

impl Browser {
    pub async fn get(&self, path: &str) -> Page {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        Page {
            status: r.status(),
            headers: r.headers().clone(),
            body: r.text().await.unwrap(),
        }
    }

    /// Posts a form with the CSRF token of `from` (a page of the same
    /// session).
    pub async fn post(&self, path: &str, csrf: &str, fields: &[(&str, &str)]) -> Page {
        let mut form: Vec<(&str, &str)> = vec![("csrf", csrf)];
        form.extend_from_slice(fields);
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .form(&form)
            .send()
            .await
            .unwrap();
        Page {
            status: r.status(),
            headers: r.headers().clone(),
            body: r.text().await.unwrap(),
        }
    }

    /// Opens `page` then submits its form to `action`.
    pub async fn submit(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let p = self.get(page).await;
        self.post(action, &p.csrf(), fields).await
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Page {
        self.submit(
            "/login",
            "/login",
            &[("email", email), ("password", password)],
        )
        .await
    }
}

/// The TOTP code of a base32 secret at a given time.
pub fn totp_code(secret_b32: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    let secret = totp_rs::Secret::Encoded(secret_b32.to_owned())
        .to_bytes()
        .unwrap();
    let t = totp_rs::TOTP::new_unchecked(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        secret,
        None,
        String::new(),
    );
    t.generate(at.timestamp() as u64)
}

impl TestApp {
    pub fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        use relais_service::Clock;
        self.clock.now()
    }
}

/// A token for an account.
pub async fn token(app: &TestApp, email: &str) -> String {
    app.services
        .cli_create_token(email, "test", None)
        .await
        .unwrap()
}

/// One JSON API call; the body is parsed when it is JSON.
pub async fn call(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
) -> (StatusCode, serde_json::Value) {
    let url = format!("{}{path}", app.base);
    let c = app.api();
    let mut req = match method {
        "GET" => c.get(url),
        "POST" => c.post(url),
        "PATCH" => c.patch(url),
        "PUT" => c.put(url),
        "DELETE" => c.delete(url),
        _ => panic!("method {method}"),
    }
    .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}
