//! The storage contract: the same cases run on SQLite and on PostgreSQL.
//!
//! PostgreSQL cases use a throw-away database on the server named by
//! `RELAIS_TEST_POSTGRES` (an admin URL such as
//! `postgres://postgres@127.0.0.1:5432/postgres`). Without it they are
//! skipped with a message, except in CI (`CI=true`) where they fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cases;
mod schema;
mod search;

use relais_store::Store;
use sqlx::Connection;
use std::path::PathBuf;

pub struct TestDb {
    pub store: Store,
    sqlite_path: Option<PathBuf>,
    pg: Option<(String, String)>,
}

impl TestDb {
    async fn cleanup(self) {
        self.store.close().await;
        if let Some(p) = self.sqlite_path {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", p.display()));
            }
        }
        if let Some((admin, name)) = self.pg {
            if let Ok(mut c) = sqlx::PgConnection::connect(&admin).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut c)
                    .await;
            }
        }
    }
}

pub async fn sqlite() -> TestDb {
    let path = std::env::temp_dir().join(format!("relais-contract-{}.db", uuid::Uuid::now_v7()));
    let store = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("open sqlite");
    store.migrate().await.expect("migrate sqlite");
    TestDb {
        store,
        sqlite_path: Some(path),
        pg: None,
    }
}

pub async fn postgres() -> Option<TestDb> {
    let Ok(admin) = std::env::var("RELAIS_TEST_POSTGRES") else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!(
                "RELAIS_TEST_POSTGRES is required in CI: the PostgreSQL suite cannot be skipped"
            );
        }
        eprintln!("SKIP: RELAIS_TEST_POSTGRES not set; PostgreSQL contract case skipped");
        return None;
    };
    let name = format!("relais_test_{}", uuid::Uuid::now_v7().simple());
    let mut c = sqlx::PgConnection::connect(&admin)
        .await
        .expect("connect to the PostgreSQL admin URL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut c)
        .await
        .expect("create the throw-away database");
    let mut url = url::Url::parse(&admin).expect("admin URL");
    url.set_path(&name);
    let store = Store::connect(url.as_str()).await.expect("open postgres");
    store.migrate().await.expect("migrate postgres");
    Some(TestDb {
        store,
        sqlite_path: None,
        pg: Some((admin, name)),
    })
}

macro_rules! contract {
    ($($case:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let db = super::sqlite().await;
                    super::cases::$case(&db.store).await;
                    db.cleanup().await;
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let Some(db) = super::postgres().await else { return };
                    super::cases::$case(&db.store).await;
                    db.cleanup().await;
                }
            )*
        }
    };
}

contract!(
    migrations_are_idempotent,
    structures_round_trip_and_slugs_are_unique,
    agents_memberships_and_team,
    sessions_live_and_expire,
    api_tokens_are_found_by_hash_and_revoked_once,
    one_time_links_are_used_once,
    journal_chains_verify,
    journal_refuses_update_and_delete,
    concurrent_writers_keep_the_chain_intact,
    failed_write_leaves_no_journal_entry,
    intake_is_one_transaction_with_numbered_references,
    request_lists_filter_and_page,
    merging_moves_the_history,
    operator_search_ignores_case_and_accents,
    search_keys_missing_are_filled_once,
);
