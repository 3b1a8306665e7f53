//! Both dialects' migrations build the same schema: the same tables, with
//! the same column names, and the same indexes (by name).

use relais_store::{Engine, Store};
use std::collections::BTreeSet;

/// `table`, `table.column` and `index:name` lines of a migrated database
/// (the migrator's own table and the indexes that back a primary key or a
/// unique constraint, which each engine names its own way, left out).
async fn schema_of(store: &Store) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    match store.engine() {
        Engine::Sqlite { read, .. } => {
            let tables: Vec<(String,)> = sqlx::query_as(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
            )
            .fetch_all(read)
            .await
            .unwrap();
            for (t,) in tables {
                let cols: Vec<(String,)> = sqlx::query_as("SELECT name FROM pragma_table_info($1)")
                    .bind(&t)
                    .fetch_all(read)
                    .await
                    .unwrap();
                out.extend(cols.into_iter().map(|(c,)| format!("{t}.{c}")));
                out.insert(t);
            }
            let indexes: Vec<(String,)> = sqlx::query_as(
                "SELECT name FROM sqlite_master WHERE type = 'index' \
                 AND name NOT LIKE 'sqlite_autoindex_%'",
            )
            .fetch_all(read)
            .await
            .unwrap();
            out.extend(indexes.into_iter().map(|(i,)| format!("index:{i}")));
        }
        Engine::Postgres(pool) => {
            let cols: Vec<(String, String)> = sqlx::query_as(
                "SELECT c.table_name::text, c.column_name::text FROM information_schema.columns c \
                 JOIN information_schema.tables t ON t.table_schema = c.table_schema \
                 AND t.table_name = c.table_name \
                 WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' \
                 AND c.table_name <> '_sqlx_migrations'",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            for (t, c) in cols {
                out.insert(format!("{t}.{c}"));
                out.insert(t);
            }
            let indexes: Vec<(String,)> = sqlx::query_as(
                "SELECT c.relname::text FROM pg_index x \
                 JOIN pg_class c ON c.oid = x.indexrelid \
                 JOIN pg_class tb ON tb.oid = x.indrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = 'public' AND tb.relname <> '_sqlx_migrations' \
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            out.extend(indexes.into_iter().map(|(i,)| format!("index:{i}")));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_schemas_match() {
    let Some(pg) = crate::postgres().await else {
        return;
    };
    let lite = crate::sqlite().await;
    let (a, b) = (schema_of(&lite.store).await, schema_of(&pg.store).await);
    lite.cleanup().await;
    pg.cleanup().await;
    assert!(a.iter().any(|l| l == "help_requests.operator_key"), "{a:?}");
    let only_sqlite: Vec<&String> = a.difference(&b).collect();
    let only_postgres: Vec<&String> = b.difference(&a).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "only on SQLite: {only_sqlite:?}\nonly on PostgreSQL: {only_postgres:?}"
    );
    println!("{} tables, columns and indexes alike", a.len());
}
