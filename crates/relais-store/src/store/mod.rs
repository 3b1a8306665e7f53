//! The storage contract: one `Store`, backed by SQLite or PostgreSQL.

use crate::error::StoreError;
use crate::repo;
use crate::vault::Vault;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A handle on the database. Cloning is cheap (pools are shared). It holds
/// the data keys: encrypted fields are sealed on the way in and opened on
/// the way out (see [`crate::sealed`]).
///
/// Its methods take the typed ids of [`relais_domain::ids`], so that a
/// person id cannot be passed where a structure id is expected. The SQL
/// (`crate::repo`) binds plain `Uuid`s, unwrapped at this boundary: the
/// ids stay free of sqlx, and both engines bind the same values as before.
#[derive(Clone, Debug)]
pub struct Store {
    engine: Engine,
    vault: Arc<Vault>,
}

#[derive(Clone, Debug)]
pub enum Engine {
    /// SQLite: readers share a pool; every write goes through a single
    /// connection so that writers never race for the database lock.
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
    },
    Postgres(PgPool),
}

/// Runs the same repository function on whichever engine backs the store.
macro_rules! dispatch {
    ($self:expr, $side:ident, $f:ident ( $($arg:expr),* $(,)? )) => {
        match &$self.engine {
            Engine::Sqlite { $side, .. } => repo::sqlite::$f($side, $($arg),*).await,
            Engine::Postgres(pool) => repo::postgres::$f(pool, $($arg),*).await,
        }
    };
}

mod accounts;
mod agents;
mod catalogue;
#[cfg(feature = "demo")]
mod demo;
mod journal;
mod mandates;
mod persons;
mod places;
mod privacy;
mod referrals;
mod reminders;
mod requests;
mod stats;
mod structures;

#[cfg(feature = "demo")]
pub use demo::BulkBatch;

/// What every area's `impl Store` block uses.
mod prelude {
    pub(super) use super::{Engine, Store};
    pub(super) use crate::error::StoreError;
    pub(super) use crate::repo;
    pub(super) use crate::rows::*;
    pub(super) use crate::sealed::{Sealed, SEALED_COLUMNS};
    pub(super) use crate::vault::Vault;
    pub(super) use chrono::{DateTime, Utc};
    pub(super) use relais_domain::ids::*;
    pub(super) use relais_domain::journal::JournalEvent;
    pub(super) use uuid::Uuid;
}

/// Whether every PostgreSQL migration is applied, with the same checksum.
async fn postgres_up_to_date(pool: &PgPool) -> Result<bool, StoreError> {
    let table: Option<String> = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations')::text")
        .fetch_one(pool)
        .await?;
    if table.is_none() {
        return Ok(false);
    }
    let applied: Vec<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT version, checksum FROM _sqlx_migrations WHERE success")
            .fetch_all(pool)
            .await?;
    Ok(POSTGRES_MIGRATIONS
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .all(|m| {
            applied
                .iter()
                .any(|(v, c)| *v == m.version && c.as_slice() == &*m.checksum)
        }))
}

/// Creates a missing SQLite database file readable and writable by its
/// owner only (0600, whatever the umask), before SQLite opens it. SQLite
/// gives its `-wal` and `-shm` files the mode of the database file. An
/// existing file keeps the mode its operator gave it.
fn create_private_file(path: &std::path::Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let created = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path);
        match created {
            Ok(file) => file
                .set_permissions(std::fs::Permissions::from_mode(0o600))
                .map_err(|e| StoreError::Connect(e.to_string())),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(StoreError::Connect(format!(
                "cannot create {}: {e}",
                path.display()
            ))),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

impl Store {
    /// Opens the database named by `url` (`sqlite://path` or
    /// `postgres://…`), creating a SQLite file when it is missing.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            "sqlite" => Self::connect_sqlite(url).await,
            "postgres" | "postgresql" => Self::connect_postgres(url).await,
            _ => Err(StoreError::UnsupportedUrl),
        }
    }

    async fn connect_sqlite(url: &str) -> Result<Store, StoreError> {
        if url.contains(":memory:") || url.contains("mode=memory") {
            return Err(StoreError::Connect(
                "in-memory SQLite is not supported: give a file path".into(),
            ));
        }
        let options =
            SqliteConnectOptions::from_str(url).map_err(|e| StoreError::Connect(e.to_string()))?;
        create_private_file(options.get_filename())?;
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // 8 MiB of page cache per connection (the default is 2 MiB).
            .pragma("cache_size", "-8192")
            .pragma("temp_store", "memory");
        // The one writer is never recycled: it holds no server state, and
        // a widened cache (`widen_write_cache`) stays with it.
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .max_lifetime(None)
            .idle_timeout(None)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await
            .map_err(|e| StoreError::Connect(e.to_string()))?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.read_only(false))
            .await
            .map_err(|e| StoreError::Connect(e.to_string()))?;
        Ok(Store::new(Engine::Sqlite { read, write }))
    }

    async fn connect_postgres(url: &str) -> Result<Store, StoreError> {
        let options =
            PgConnectOptions::from_str(url).map_err(|e| StoreError::Connect(e.to_string()))?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Connect(e.to_string()))?;
        Ok(Store::new(Engine::Postgres(pool)))
    }

    fn new(engine: Engine) -> Store {
        Store {
            engine,
            vault: Arc::new(Vault::demo()),
        }
    }

    /// Refreshes the query planner's statistics (after a bulk load).
    pub async fn analyze(&self) -> Result<(), StoreError> {
        match &self.engine {
            Engine::Sqlite { write, .. } => {
                // A sample of each index, as at start (`optimize`): a full
                // analysis of a national dataset took three minutes.
                let mut c = write.acquire().await?;
                sqlx::query("PRAGMA analysis_limit=1000")
                    .execute(&mut *c)
                    .await?;
                sqlx::query("ANALYZE").execute(&mut *c).await?;
            }
            Engine::Postgres(pool) => {
                sqlx::query("ANALYZE").execute(pool).await?;
            }
        }
        Ok(())
    }

    /// Gives SQLite's writer a page cache of `mib` MiB (8 MiB otherwise),
    /// for bulk writes (`relais gen`): inserts into large random-keyed
    /// indexes then hit memory instead of the file. PostgreSQL: nothing.
    pub async fn widen_write_cache(&self, mib: u32) -> Result<(), StoreError> {
        if let Engine::Sqlite { write, .. } = &self.engine {
            let kib = i64::from(mib) * 1024;
            sqlx::query(&format!("PRAGMA cache_size=-{kib}"))
                .execute(write)
                .await?;
        }
        Ok(())
    }

    /// Lets SQLite refresh its planner statistics where they are missing
    /// or stale (done at start). PostgreSQL's autovacuum does it. The
    /// analysis reads a sample of each index (`analysis_limit`), not the
    /// whole table: on a département database a full analysis of the
    /// tables it chose took the start from about 0.2 to 1.7 s.
    pub async fn optimize(&self) -> Result<(), StoreError> {
        if let Engine::Sqlite { write, .. } = &self.engine {
            let mut c = write.acquire().await?;
            sqlx::query("PRAGMA analysis_limit=1000")
                .execute(&mut *c)
                .await?;
            sqlx::query("PRAGMA optimize=0x10002")
                .execute(&mut *c)
                .await?;
        }
        Ok(())
    }

    /// Uses these data keys (the demonstration key until then).
    pub fn with_vault(mut self, vault: Vault) -> Store {
        self.vault = Arc::new(vault);
        self
    }

    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    /// The engine and its pools, for tests that look at the raw tables.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn backend(&self) -> Backend {
        match self.engine {
            Engine::Sqlite { .. } => Backend::Sqlite,
            Engine::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the pending migrations of the engine's dialect, then fills
    /// the search keys that rows written before them lack.
    ///
    /// On PostgreSQL, a database that is already up to date is left alone
    /// without taking the migrator's steps (which create its table): so the
    /// server may run as a role that owns no table and may create none,
    /// while the owner role runs `relais migrate`.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.run_migrations().await?;
        self.fill_search_keys().await?;
        Ok(())
    }

    async fn run_migrations(&self) -> Result<(), StoreError> {
        match &self.engine {
            Engine::Sqlite { write, .. } => SQLITE_MIGRATIONS
                .run(write)
                .await
                .map_err(|e| StoreError::Migrate(e.to_string())),
            Engine::Postgres(pool) => {
                if postgres_up_to_date(pool).await? {
                    return Ok(());
                }
                POSTGRES_MIGRATIONS.run(pool).await.map_err(|e| {
                    StoreError::Migrate(format!(
                        "{e} (run `relais migrate` as the role that owns the tables)"
                    ))
                })
            }
        }
    }

    pub async fn close(&self) {
        match &self.engine {
            Engine::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Engine::Postgres(pool) => pool.close().await,
        }
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        dispatch!(self, read, ping())
    }
}
