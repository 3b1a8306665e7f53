//! The storage contract: one `Store`, backed by SQLite or PostgreSQL.

use crate::error::StoreError;
use crate::repo;
use crate::rows::*;
use crate::sealed::{Sealed, SEALED_COLUMNS};
use crate::vault::Vault;
use chrono::{DateTime, Utc};
use relais_domain::journal::JournalEvent;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

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
        let write = SqlitePoolOptions::new()
            .max_connections(1)
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
                sqlx::query("ANALYZE").execute(write).await?;
            }
            Engine::Postgres(pool) => {
                sqlx::query("ANALYZE").execute(pool).await?;
            }
        }
        Ok(())
    }

    /// Lets SQLite refresh its planner statistics where they are missing
    /// or stale (cheap; done at start). PostgreSQL's autovacuum does it.
    pub async fn optimize(&self) -> Result<(), StoreError> {
        if let Engine::Sqlite { write, .. } = &self.engine {
            sqlx::query("PRAGMA optimize=0x10002")
                .execute(write)
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

    /// Applies the pending migrations of the engine's dialect.
    ///
    /// On PostgreSQL, a database that is already up to date is left alone
    /// without taking the migrator's steps (which create its table): so the
    /// server may run as a role that owns no table and may create none,
    /// while the owner role runs `relais migrate`.
    pub async fn migrate(&self) -> Result<(), StoreError> {
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

    /// Counts one look-up of a mandate's public verification page.
    pub async fn count_mandate_lookup(
        &self,
        mandate_id: Uuid,
        day: chrono::NaiveDate,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, count_mandate_lookup(mandate_id, day))
    }

    /// Look-ups of a mandate's public page: the total and the last day.
    pub async fn mandate_lookups(
        &self,
        mandate_id: Uuid,
    ) -> Result<(i64, Option<chrono::NaiveDate>), StoreError> {
        dispatch!(self, read, mandate_lookups(mandate_id))
    }

    /// Journals events that come with no other change (a refused sign-in).
    pub async fn journal_only(
        &self,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, journal_only(events, now))
    }

    // ---- structures ----

    pub async fn insert_structure(
        &self,
        s: &StructureRow,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, insert_structure(s, events, now))
    }

    pub async fn structure_by_slug(&self, slug: &str) -> Result<Option<StructureRow>, StoreError> {
        dispatch!(self, read, structure_by_slug(slug))
    }

    pub async fn structure_by_id(&self, id: Uuid) -> Result<Option<StructureRow>, StoreError> {
        dispatch!(self, read, structure_by_id(id))
    }

    pub async fn list_structures(&self) -> Result<Vec<StructureRow>, StoreError> {
        dispatch!(self, read, list_structures())
    }

    // ---- agents ----

    pub async fn insert_agent(
        &self,
        a: &AgentRow,
        membership: Option<(Uuid, &str)>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let a = &a.sealed(&self.vault)?;
        dispatch!(self, write, insert_agent(a, membership, events, now))
    }

    pub async fn upsert_membership(
        &self,
        agent_id: Uuid,
        structure_id: Uuid,
        role: &str,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            upsert_membership(agent_id, structure_id, role, events, now)
        )
    }

    pub async fn set_membership_active(
        &self,
        agent_id: Uuid,
        structure_id: Uuid,
        active: bool,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            set_membership_active(agent_id, structure_id, active, events, now)
        )
    }

    pub async fn agent_by_email(&self, email: &str) -> Result<Option<AgentRow>, StoreError> {
        let mut rows = dispatch!(self, read, agent_by_email(email))?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    pub async fn agent_by_id(&self, id: Uuid) -> Result<Option<AgentRow>, StoreError> {
        let mut rows = dispatch!(self, read, agent_by_id(id))?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    pub async fn memberships_of(&self, agent_id: Uuid) -> Result<Vec<MembershipRow>, StoreError> {
        dispatch!(self, read, memberships_of(agent_id))
    }

    pub async fn team_of(&self, structure_id: Uuid) -> Result<Vec<TeamMemberRow>, StoreError> {
        dispatch!(self, read, team_of(structure_id))
    }

    pub async fn record_login(
        &self,
        agent_id: Uuid,
        outcome: &LoginOutcome,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, record_login(agent_id, outcome, events, now))
    }

    pub async fn set_password(
        &self,
        agent_id: Uuid,
        password_hash: &str,
        keep_session: Option<&str>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            set_password(agent_id, password_hash, keep_session, events, now)
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn set_totp(
        &self,
        agent_id: Uuid,
        secret: Option<&str>,
        enabled: bool,
        last_step: Option<i64>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let sealed = match secret {
            Some(t) => Some(self.vault.seal("agents.totp_secret", agent_id, t)?),
            None => None,
        };
        let secret = sealed.as_deref();
        dispatch!(
            self,
            write,
            set_totp(agent_id, secret, enabled, last_step, events, now)
        )
    }

    // ---- sessions ----

    pub async fn insert_session(
        &self,
        s: &SessionRow,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, insert_session(s, events, now))
    }

    pub async fn session_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<SessionRow>, StoreError> {
        dispatch!(self, read, session_by_hash(token_hash))
    }

    pub async fn sessions_of(&self, agent_id: Uuid) -> Result<Vec<SessionRow>, StoreError> {
        dispatch!(self, read, sessions_of(agent_id))
    }

    pub async fn touch_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, touch_session(token_hash, now))
    }

    pub async fn update_session(
        &self,
        token_hash: &str,
        stage: &str,
        structure_id: Option<Uuid>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            update_session(token_hash, stage, structure_id, events, now)
        )
    }

    pub async fn delete_session(
        &self,
        token_hash: &str,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, delete_session(token_hash, events, now))
    }

    pub async fn delete_sessions_of(
        &self,
        agent_id: Uuid,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        dispatch!(self, write, delete_sessions_of(agent_id, events, now))
    }

    pub async fn delete_expired_sessions(
        &self,
        idle_before: DateTime<Utc>,
        created_before: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        dispatch!(
            self,
            write,
            delete_expired_sessions(idle_before, created_before)
        )
    }

    pub async fn delete_expired_links(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        dispatch!(self, write, delete_expired_links(before))
    }

    // ---- one-time links ----

    pub async fn insert_link(
        &self,
        l: &OneTimeLinkRow,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, insert_link(l, events, now))
    }

    pub async fn link_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<OneTimeLinkRow>, StoreError> {
        dispatch!(self, read, link_by_hash(token_hash))
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn accept_invite(
        &self,
        token_hash: &str,
        agent: &AgentRow,
        structure_id: Uuid,
        role: &str,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            accept_invite(token_hash, agent, structure_id, role, events, now)
        )
    }

    pub async fn accept_reset(
        &self,
        token_hash: &str,
        agent_id: Uuid,
        password_hash: &str,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            accept_reset(token_hash, agent_id, password_hash, events, now)
        )
    }

    // ---- sign-in throttle, joining, credential resets ----

    /// Counts an attempt from `address` before it is checked; `None` when
    /// the address must still wait (then `events_if_throttled` are
    /// journaled and nothing is counted).
    pub async fn reserve_login_attempt(
        &self,
        agent_id: Uuid,
        address: &str,
        events_if_throttled: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, StoreError> {
        dispatch!(
            self,
            write,
            reserve_login_attempt(agent_id, address, events_if_throttled, now)
        )
    }

    pub async fn clear_login_throttle(
        &self,
        agent_id: Uuid,
        address: &str,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            clear_login_throttle(agent_id, address, events, now)
        )
    }

    pub async fn release_login_attempt(
        &self,
        agent_id: Uuid,
        address: &str,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, release_login_attempt(agent_id, address))
    }

    pub async fn login_throttle(
        &self,
        agent_id: Uuid,
        address: &str,
    ) -> Result<Option<LoginThrottleRow>, StoreError> {
        dispatch!(self, read, login_throttle(agent_id, address))
    }

    pub async fn delete_stale_throttles(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        dispatch!(self, write, delete_stale_throttles(before))
    }

    pub async fn accept_totp_step(
        &self,
        agent_id: Uuid,
        step: i64,
        address: &str,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        dispatch!(
            self,
            write,
            accept_totp_step(agent_id, step, address, events, now)
        )
    }

    pub async fn last_structure_of(&self, agent_id: Uuid) -> Result<Option<Uuid>, StoreError> {
        dispatch!(self, read, last_structure_of(agent_id))
    }

    pub async fn switch_structure(
        &self,
        token_hash: &str,
        agent_id: Uuid,
        structure_id: Uuid,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            switch_structure(token_hash, agent_id, structure_id, events, now)
        )
    }

    /// Inserts a reset link only if `allowed` accepts the memberships of
    /// its creator and of the account, read in the same transaction under
    /// the account's lock. False when refused.
    pub async fn insert_reset_link(
        &self,
        l: &OneTimeLinkRow,
        allowed: &(dyn Fn(&[MembershipRow], &[MembershipRow]) -> bool + Sync),
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        dispatch!(self, write, insert_reset_link(l, allowed, events, now))
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn accept_join(
        &self,
        token_hash: &str,
        agent_id: Uuid,
        structure_id: Uuid,
        role: &str,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            accept_join(token_hash, agent_id, structure_id, role, events, now)
        )
    }

    pub async fn use_link(
        &self,
        token_hash: &str,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, use_link(token_hash, events, now))
    }

    // ---- API tokens ----

    pub async fn insert_token(
        &self,
        t: &ApiTokenRow,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, insert_token(t, events, now))
    }

    pub async fn token_by_hash(&self, token_hash: &str) -> Result<Option<ApiTokenRow>, StoreError> {
        dispatch!(self, read, token_by_hash(token_hash))
    }

    pub async fn tokens_of(&self, agent_id: Uuid) -> Result<Vec<ApiTokenRow>, StoreError> {
        dispatch!(self, read, tokens_of(agent_id))
    }

    pub async fn revoke_token(
        &self,
        id: Uuid,
        agent_id: Uuid,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, revoke_token(id, agent_id, events, now))
    }

    pub async fn touch_token(&self, id: Uuid, now: DateTime<Utc>) -> Result<(), StoreError> {
        dispatch!(self, write, touch_token(id, now))
    }

    // ---- help desk ----

    pub async fn insert_person(
        &self,
        p: &PersonRow,
        autonomy: Option<&AutonomyRow>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let p = &p.sealed(&self.vault)?;
        dispatch!(self, write, insert_person(p, autonomy, events, now))
    }

    pub async fn update_person(
        &self,
        p: &PersonRow,
        autonomy: Option<&AutonomyRow>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let p = &p.sealed(&self.vault)?;
        dispatch!(self, write, update_person(p, autonomy, events, now))
    }

    pub async fn person_by_id(
        &self,
        structure_id: Uuid,
        id: Uuid,
    ) -> Result<Option<PersonRow>, StoreError> {
        let mut rows = dispatch!(self, read, person_by_id(structure_id, id))?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    /// The structure's persons revision: it changes with every write to
    /// its persons (for caches of the person search).
    pub async fn persons_revision(&self, structure_id: Uuid) -> Result<i64, StoreError> {
        dispatch!(self, read, persons_revision(structure_id))
    }

    pub async fn person_candidates(
        &self,
        structure_id: Uuid,
    ) -> Result<Vec<PersonCandidateRow>, StoreError> {
        dispatch!(self, read, person_candidates(structure_id))
    }

    pub async fn count_persons(&self, structure_id: Uuid) -> Result<i64, StoreError> {
        dispatch!(self, read, count_persons(structure_id))
    }

    pub async fn autonomy_of(&self, person_id: Uuid) -> Result<Vec<AutonomyRow>, StoreError> {
        dispatch!(self, read, autonomy_of(person_id))
    }

    pub async fn set_accounts(
        &self,
        person_id: Uuid,
        rows: &[PersonAccountRow],
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, set_accounts(person_id, rows, events, now))
    }

    pub async fn accounts_of(&self, person_id: Uuid) -> Result<Vec<PersonAccountRow>, StoreError> {
        dispatch!(self, read, accounts_of(person_id))
    }

    pub async fn merge_persons(
        &self,
        structure_id: Uuid,
        survivor: Uuid,
        absorbed: Uuid,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            merge_persons(structure_id, survivor, absorbed, events, now)
        )
    }

    /// Writes a desk intake as it is (its intervention's mandate as given):
    /// for generated and imported data.
    pub async fn insert_intake(
        &self,
        rows: &IntakeRows,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let mandate = rows.intervention.as_ref().and_then(|i| i.mandate_id);
        let written = self
            .record_intake(rows, events, now, |_| {
                Ok::<Covered, std::convert::Infallible>((mandate, Vec::new()))
            })
            .await?;
        match written {
            Ok(reference) => Ok(reference),
            Err(never) => match never {},
        }
    }

    /// Writes a desk intake; `check` decides the first intervention's
    /// coverage inside the transaction (see [`Coverage`]). Its refusal is
    /// given back and nothing is written.
    pub async fn record_intake<F, R>(
        &self,
        rows: &IntakeRows,
        events: &[JournalEvent],
        now: DateTime<Utc>,
        check: F,
    ) -> Result<Result<String, R>, StoreError>
    where
        F: FnOnce(&Coverage) -> Result<Covered, R> + Send,
        R: Send,
    {
        let mut rows = rows.clone();
        rows.new_person.seal(&self.vault)?;
        rows.intervention.seal(&self.vault)?;
        rows.follow_up.seal(&self.vault)?;
        let rows = &rows;
        dispatch!(self, write, insert_intake(rows, events, now, check))
    }

    pub async fn request_by_submission_key(
        &self,
        structure_id: Uuid,
        key: &str,
    ) -> Result<Option<HelpRequestRow>, StoreError> {
        dispatch!(self, read, request_by_submission_key(structure_id, key))
    }

    pub async fn help_request_by_id(
        &self,
        structure_id: Uuid,
        id: Uuid,
    ) -> Result<Option<HelpRequestListRow>, StoreError> {
        dispatch!(self, read, help_request_by_id(structure_id, id))
    }

    pub async fn list_help_requests(
        &self,
        structure_id: Uuid,
        filter: &RequestFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<HelpRequestListRow>, StoreError> {
        dispatch!(
            self,
            read,
            list_help_requests(structure_id, filter, limit, offset)
        )
    }

    /// Replaces a request's details; when its category changes, `check`
    /// judges its done-for interventions inside the transaction (see
    /// [`RequestBefore`]). Its refusal is given back and nothing is written.
    pub async fn update_help_request<F, R>(
        &self,
        r: &HelpRequestRow,
        events: &[JournalEvent],
        now: DateTime<Utc>,
        check: F,
    ) -> Result<Result<(), R>, StoreError>
    where
        F: FnOnce(&RequestBefore) -> Result<(), R> + Send,
        R: Send,
    {
        dispatch!(self, write, update_help_request(r, events, now, check))
    }

    pub async fn count_help_requests(&self, structure_id: Uuid) -> Result<i64, StoreError> {
        dispatch!(self, read, count_help_requests(structure_id))
    }

    /// Adds an intervention (and the request's new state); `check` decides
    /// its coverage inside the transaction (see [`Coverage`]). Its refusal
    /// is given back and nothing is written.
    pub async fn insert_intervention<F, R>(
        &self,
        i: &InterventionRow,
        request: Option<&HelpRequestRow>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
        check: F,
    ) -> Result<Result<(), R>, StoreError>
    where
        F: FnOnce(&Coverage) -> Result<Covered, R> + Send,
        R: Send,
    {
        let i = &i.sealed(&self.vault)?;
        dispatch!(
            self,
            write,
            insert_intervention(i, request, events, now, check)
        )
    }

    pub async fn interventions_of_request(
        &self,
        structure_id: Uuid,
        request_id: Uuid,
    ) -> Result<Vec<InterventionListRow>, StoreError> {
        let mut rows = dispatch!(
            self,
            read,
            interventions_of_request(structure_id, request_id)
        )?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    pub async fn interventions_of_person(
        &self,
        structure_id: Uuid,
        person_id: Uuid,
    ) -> Result<Vec<InterventionListRow>, StoreError> {
        let mut rows = dispatch!(self, read, interventions_of_person(structure_id, person_id))?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    pub async fn insert_follow_up(
        &self,
        f: &FollowUpRow,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let f = &f.sealed(&self.vault)?;
        dispatch!(self, write, insert_follow_up(f, events, now))
    }

    pub async fn update_follow_up(
        &self,
        f: &FollowUpRow,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let f = &f.sealed(&self.vault)?;
        dispatch!(self, write, update_follow_up(f, events, now))
    }

    pub async fn follow_up_by_id(
        &self,
        structure_id: Uuid,
        id: Uuid,
    ) -> Result<Option<FollowUpListRow>, StoreError> {
        let mut rows = dispatch!(self, read, follow_up_by_id(structure_id, id))?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    pub async fn follow_ups_due(
        &self,
        structure_id: Uuid,
        assignee_id: Uuid,
        until: chrono::NaiveDate,
    ) -> Result<Vec<FollowUpListRow>, StoreError> {
        let mut rows = dispatch!(self, read, follow_ups_due(structure_id, assignee_id, until))?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    /// The structure's overdue follow-ups assigned to others than
    /// `except` (at most `limit`), and how many there are.
    pub async fn team_overdue_follow_ups(
        &self,
        structure_id: Uuid,
        except: Uuid,
        before: chrono::NaiveDate,
        limit: i64,
    ) -> Result<(i64, Vec<FollowUpListRow>), StoreError> {
        let (count, mut rows) = dispatch!(
            self,
            read,
            team_overdue_follow_ups(structure_id, except, before, limit)
        )?;
        rows.open(&self.vault)?;
        Ok((count, rows))
    }

    /// The mandates of these persons neither revoked nor ended before
    /// `day`, in one query.
    pub async fn current_mandates_of_persons(
        &self,
        structure_id: Uuid,
        person_ids: &[Uuid],
        day: chrono::NaiveDate,
    ) -> Result<Vec<PersonMandateFactsRow>, StoreError> {
        dispatch!(
            self,
            read,
            current_mandates_of_persons(structure_id, person_ids, day)
        )
    }

    pub async fn follow_ups_of_person(
        &self,
        structure_id: Uuid,
        person_id: Uuid,
    ) -> Result<Vec<FollowUpListRow>, StoreError> {
        let mut rows = dispatch!(self, read, follow_ups_of_person(structure_id, person_id))?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    pub async fn follow_ups_of_request(
        &self,
        structure_id: Uuid,
        request_id: Uuid,
    ) -> Result<Vec<FollowUpListRow>, StoreError> {
        let mut rows = dispatch!(self, read, follow_ups_of_request(structure_id, request_id))?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    // ---- mandates and policy ----

    pub async fn insert_mandate(
        &self,
        m: &MandateRow,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let m = &m.sealed(&self.vault)?;
        dispatch!(self, write, insert_mandate(m, events, now))
    }

    /// Records a paper or on-screen signature if the mandate still waits
    /// for one (`false`: it does not, nothing written).
    #[allow(clippy::too_many_arguments)]
    pub async fn sign_mandate(
        &self,
        structure_id: Uuid,
        id: Uuid,
        consent: &str,
        signature_svg: Option<&str>,
        scan: Option<(&[u8], &str)>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut svg = signature_svg.map(str::to_owned);
        self.vault
            .seal_opt("mandates.signature_svg", id, &mut svg)?;
        let sealed_scan = match scan {
            Some((bytes, kind)) => Some((self.vault.seal_bytes("mandates.scan", id, bytes)?, kind)),
            None => None,
        };
        let svg = svg.as_deref();
        let scan = sealed_scan.as_ref().map(|(b, k)| (b.as_slice(), *k));
        dispatch!(
            self,
            write,
            sign_mandate(structure_id, id, consent, svg, scan, events, now)
        )
    }

    /// Stores a new remote code if the mandate still waits for the person.
    pub async fn set_remote_code(
        &self,
        structure_id: Uuid,
        id: Uuid,
        code_hash: &str,
        expires: DateTime<Utc>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        dispatch!(
            self,
            write,
            set_remote_code(structure_id, id, code_hash, expires, events, now)
        )
    }

    /// Counts one remote code try atomically, then lets `decide` compare
    /// the code and say whether to sign (same transaction). `None`: the
    /// mandate no longer waits, or its tries are spent.
    pub async fn remote_try<F>(
        &self,
        id: Uuid,
        max_attempts: i64,
        now: DateTime<Utc>,
        decide: F,
    ) -> Result<Option<bool>, StoreError>
    where
        F: FnOnce(&RemoteTry) -> (bool, Vec<JournalEvent>) + Send,
    {
        dispatch!(self, write, remote_try(id, max_attempts, now, decide))
    }

    /// Revokes categories of a mandate, or all of it, if it is not revoked
    /// and its revoked categories are still `expected` (`false`: nothing
    /// written).
    #[allow(clippy::too_many_arguments)]
    pub async fn revoke_mandate(
        &self,
        structure_id: Uuid,
        id: Uuid,
        expected: &str,
        revoked_categories: &str,
        whole: bool,
        reason: Option<&str>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut reason = reason.map(str::to_owned);
        self.vault
            .seal_opt("mandates.revoke_reason", id, &mut reason)?;
        let reason = reason.as_deref();
        dispatch!(
            self,
            write,
            revoke_mandate(
                structure_id,
                id,
                expected,
                revoked_categories,
                whole,
                reason,
                events,
                now
            )
        )
    }

    /// Links a renewed mandate to the one it renews.
    pub async fn link_renewal(
        &self,
        structure_id: Uuid,
        id: Uuid,
        from: Uuid,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            link_renewal(structure_id, id, from, events, now)
        )
    }

    pub async fn mandate_by_id(
        &self,
        structure_id: Uuid,
        id: Uuid,
    ) -> Result<Option<MandateListRow>, StoreError> {
        let mut rows = dispatch!(self, read, mandate_by_id(structure_id, id))?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    pub async fn mandate_by_code(&self, code: &str) -> Result<Option<MandateListRow>, StoreError> {
        let mut rows = dispatch!(self, read, mandate_by_code(code))?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    pub async fn list_mandates(
        &self,
        structure_id: Uuid,
        person_id: Option<Uuid>,
        ending_between: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    ) -> Result<Vec<MandateListRow>, StoreError> {
        let mut rows = dispatch!(
            self,
            read,
            list_mandates(structure_id, person_id, ending_between)
        )?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    pub async fn policy_of(&self, structure_id: Uuid) -> Result<Option<String>, StoreError> {
        dispatch!(self, read, policy_of(structure_id))
    }

    pub async fn save_policy(
        &self,
        structure_id: Uuid,
        body: &str,
        by: Option<Uuid>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            save_policy(structure_id, body, by, events, now)
        )
    }

    // ---- journal ----

    pub async fn journal_entries(&self) -> Result<Vec<JournalRow>, StoreError> {
        dispatch!(self, read, journal_entries())
    }

    pub async fn journal_recent(
        &self,
        chain: &str,
        limit: i64,
    ) -> Result<Vec<JournalRow>, StoreError> {
        dispatch!(self, read, journal_recent(chain, limit))
    }

    pub async fn journal_of_object(
        &self,
        chain: &str,
        object_id: Uuid,
        limit: i64,
    ) -> Result<Vec<AccessRow>, StoreError> {
        dispatch!(self, read, journal_of_object(chain, object_id, limit))
    }

    pub async fn journal_heads(&self) -> Result<Vec<JournalHeadRow>, StoreError> {
        dispatch!(self, read, journal_heads())
    }

    /// Whether the database is a demonstration one (marked so, or made of
    /// the demonstration structure alone); an empty one is marked first.
    pub async fn claim_demo(
        &self,
        demo_slug: &str,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        dispatch!(self, write, claim_demo(demo_slug, events, now))
    }

    // ---- privacy ----

    /// Checks that every key the database was sealed with is configured,
    /// then records the current key as in use. Run at start-up.
    pub async fn check_keys(&self, now: DateTime<Utc>) -> Result<(), StoreError> {
        let ids: Vec<String> = dispatch!(self, read, data_keys())?;
        let unknown: Vec<String> = ids.into_iter().filter(|id| !self.vault.knows(id)).collect();
        if !unknown.is_empty() {
            return Err(StoreError::UnknownKeys(unknown));
        }
        dispatch!(self, write, add_data_key(self.vault.current_id(), now))
    }

    /// The ids of the data keys the database holds values under.
    pub async fn data_keys(&self) -> Result<Vec<String>, StoreError> {
        dispatch!(self, read, data_keys())
    }

    /// Re-seals every encrypted value under the current key, in one
    /// transaction; a value without the envelope stops it (nothing written). Returns how many
    /// values were re-sealed.
    pub async fn rotate_keys(
        &self,
        events: impl FnOnce(u64) -> Vec<JournalEvent>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let v = &*self.vault;
        let mut texts = Vec::new();
        let mut blobs = Vec::new();
        for &(table, column, bytes) in SEALED_COLUMNS {
            let place = format!("{table}.{column}");
            if bytes {
                let rows: Vec<(Uuid, Vec<u8>)> =
                    dispatch!(self, write, sealed_blobs(table, column))?;
                for (id, stored) in rows {
                    if Vault::key_id_of(&stored).as_deref() == Some(v.current_id()) {
                        continue;
                    }
                    let plain = v.open_bytes(&place, id, &stored)?;
                    blobs.push((table, column, id, v.seal_bytes(&place, id, &plain)?));
                }
            } else {
                let rows: Vec<(Uuid, String)> =
                    dispatch!(self, write, sealed_texts(table, column))?;
                for (id, stored) in rows {
                    // An anonymised mandate's empty secret holds nothing.
                    if stored.is_empty() && column == "revocation_secret" {
                        continue;
                    }
                    if Vault::key_id_of(stored.as_bytes()).as_deref() == Some(v.current_id()) {
                        continue;
                    }
                    let plain = v.open(&place, id, &stored)?;
                    texts.push((table, column, id, v.seal(&place, id, &plain)?));
                }
            }
        }
        let count = (texts.len() + blobs.len()) as u64;
        let events = events(count);
        dispatch!(
            self,
            write,
            reseal(&texts, &blobs, v.current_id(), &events, now)
        )?;
        Ok(count)
    }

    pub async fn insert_private_note(
        &self,
        n: &PrivateNoteRow,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let n = &n.sealed(&self.vault)?;
        dispatch!(self, write, insert_private_note(n, events, now))
    }

    pub async fn private_notes_of(
        &self,
        structure_id: Uuid,
        person_id: Uuid,
        author_id: Uuid,
    ) -> Result<Vec<PrivateNoteRow>, StoreError> {
        let mut rows = dispatch!(
            self,
            read,
            private_notes_of(structure_id, person_id, author_id)
        )?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    pub async fn count_private_notes(
        &self,
        structure_id: Uuid,
        person_id: Uuid,
    ) -> Result<usize, StoreError> {
        let n: i64 = dispatch!(self, read, count_private_notes(structure_id, person_id))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    pub async fn delete_private_note(
        &self,
        structure_id: Uuid,
        id: Uuid,
        author_id: Uuid,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            delete_private_note(structure_id, id, author_id, events, now)
        )
    }

    pub async fn retention_rows(
        &self,
        structure_id: Uuid,
    ) -> Result<Vec<RetentionRow>, StoreError> {
        dispatch!(self, read, retention_rows(structure_id))
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn keep_person(
        &self,
        structure_id: Uuid,
        person_id: Uuid,
        until: chrono::NaiveDate,
        reason: &str,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let reason = self.vault.seal("persons.keep_reason", person_id, reason)?;
        dispatch!(
            self,
            write,
            keep_person(structure_id, person_id, until, &reason, events, now)
        )
    }

    pub async fn anonymise_person(
        &self,
        a: &Anonymisation,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, anonymise_person(a, events, now))
    }

    pub async fn clear_spent_codes(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        dispatch!(self, write, clear_spent_codes(before))
    }

    /// Requests created in `[from, to)`, of one structure or (`None`) of
    /// the whole instance.
    pub async fn stats_requests(
        &self,
        scope: Option<Uuid>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<StatsRequestRow>, StoreError> {
        dispatch!(self, read, stats_requests(scope, from, to))
    }

    /// The stats API's figures, aggregated by the database.
    pub async fn stats_aggregate(
        &self,
        scope: Option<Uuid>,
        own: Option<Uuid>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        key: StatsKey,
    ) -> Result<StatsAggregate, StoreError> {
        dispatch!(self, read, stats_aggregate(scope, own, from, to, key))
    }

    /// One person's requests, as statistics see them.
    pub async fn requests_of_person(
        &self,
        structure_id: Uuid,
        person_id: Uuid,
    ) -> Result<Vec<StatsRequestRow>, StoreError> {
        dispatch!(self, read, requests_of_person(structure_id, person_id))
    }

    pub async fn stats_interventions(
        &self,
        scope: Option<Uuid>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<StatsInterventionRow>, StoreError> {
        dispatch!(self, read, stats_interventions(scope, from, to))
    }

    pub async fn stats_follow_ups(
        &self,
        scope: Option<Uuid>,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<StatsFollowUpRow>, StoreError> {
        dispatch!(self, read, stats_follow_ups(scope, from, to))
    }

    pub async fn stats_mandates(
        &self,
        scope: Option<Uuid>,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<StatsMandateRow>, StoreError> {
        dispatch!(self, read, stats_mandates(scope, from, to))
    }

    pub async fn stats_autonomy(
        &self,
        scope: Option<Uuid>,
        to: chrono::NaiveDate,
    ) -> Result<Vec<StatsAutonomyRow>, StoreError> {
        dispatch!(self, read, stats_autonomy(scope, to))
    }

    /// One page of the interventions export (keyset pagination).
    #[allow(clippy::too_many_arguments)]
    pub async fn export_interventions(
        &self,
        scope: Option<Uuid>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        after: Option<(DateTime<Utc>, Uuid)>,
        names: bool,
        limit: i64,
    ) -> Result<Vec<ExportInterventionRow>, StoreError> {
        dispatch!(
            self,
            read,
            export_interventions(scope, from, to, after, names, limit)
        )
    }

    /// Writes a generator batch in one transaction; sealed columns are
    /// sealed here as for every other write.
    pub async fn bulk_load(&self, mut batch: BulkBatch) -> Result<(), StoreError> {
        for m in &mut batch.mandates {
            m.seal(&self.vault)?;
        }
        for f in &mut batch.follow_ups {
            f.seal(&self.vault)?;
        }
        for p in &mut batch.persons {
            p.seal(&self.vault)?;
        }
        for i in &mut batch.interventions {
            i.seal(&self.vault)?;
        }
        dispatch!(self, write, bulk_load(&batch))
    }

    // ---- places ----

    /// Saves imported places and services: new ones inserted, changed
    /// ones updated, in one transaction; (places, services) counts.
    pub async fn upsert_places(
        &self,
        places: &[PlaceRow],
        offers: &[PlaceOfferRow],
        events: impl Fn(UpsertCounts, UpsertCounts) -> Vec<JournalEvent>,
        now: DateTime<Utc>,
    ) -> Result<(UpsertCounts, UpsertCounts), StoreError> {
        dispatch!(self, write, upsert_places(places, offers, events, now))
    }

    pub async fn places_in(&self, prefix: &str) -> Result<Vec<PlaceRow>, StoreError> {
        dispatch!(self, read, places_in(prefix))
    }

    pub async fn place_by_id(&self, id: Uuid) -> Result<Option<PlaceRow>, StoreError> {
        dispatch!(self, read, place_by_id(id))
    }

    pub async fn save_own_place(
        &self,
        place: &PlaceRow,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, save_own_place(place, events, now))
    }

    pub async fn own_places(&self, structure_id: Uuid) -> Result<Vec<PlaceRow>, StoreError> {
        dispatch!(self, read, own_places(structure_id))
    }

    pub async fn offers_of(
        &self,
        source: &str,
        structure_ref: &str,
    ) -> Result<Vec<PlaceOfferRow>, StoreError> {
        dispatch!(self, read, offers_of(source, structure_ref))
    }

    // ---- referrals ----

    pub async fn insert_referral(
        &self,
        r: &ReferralRow,
        follow_up: Option<&FollowUpRow>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let r = &r.sealed(&self.vault)?;
        let f = follow_up.map(|f| f.sealed(&self.vault)).transpose()?;
        dispatch!(self, write, insert_referral(r, f.as_ref(), events, now))
    }

    /// Saves the status; closes the follow-up when `close_follow_up`.
    pub async fn update_referral(
        &self,
        r: &ReferralRow,
        close_follow_up: bool,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            update_referral(r, close_follow_up, events, now)
        )
    }

    pub async fn referral_by_id(
        &self,
        structure_id: Uuid,
        id: Uuid,
    ) -> Result<Option<ReferralListRow>, StoreError> {
        let mut row = dispatch!(self, read, referral_by_id(structure_id, id))?;
        row.open(&self.vault)?;
        Ok(row)
    }

    pub async fn referrals_of_request(
        &self,
        structure_id: Uuid,
        request_id: Uuid,
    ) -> Result<Vec<ReferralListRow>, StoreError> {
        let mut rows = dispatch!(self, read, referrals_of_request(structure_id, request_id))?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    pub async fn stats_referrals(
        &self,
        scope: Option<Uuid>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(String, Option<Uuid>, String, String)>, StoreError> {
        dispatch!(self, read, stats_referrals(scope, from, to))
    }

    // ---- reminders ----

    pub async fn open_follow_ups_until(
        &self,
        until: chrono::NaiveDate,
    ) -> Result<Vec<FollowUpListRow>, StoreError> {
        let mut rows = dispatch!(self, read, open_follow_ups_until(until))?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    pub async fn insert_notifications(
        &self,
        rows: &[NotificationRow],
        events: impl Fn(u64) -> Vec<JournalEvent>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        dispatch!(self, write, insert_notifications(rows, events, now))
    }

    pub async fn notifications_of(
        &self,
        structure_id: Uuid,
        agent_id: Uuid,
        limit: i64,
    ) -> Result<Vec<NotificationListRow>, StoreError> {
        dispatch!(self, read, notifications_of(structure_id, agent_id, limit))
    }

    pub async fn count_unread_notifications(
        &self,
        structure_id: Uuid,
        agent_id: Uuid,
    ) -> Result<i64, StoreError> {
        dispatch!(
            self,
            read,
            count_unread_notifications(structure_id, agent_id)
        )
    }

    pub async fn mark_notifications_read(
        &self,
        structure_id: Uuid,
        agent_id: Uuid,
        id: Option<Uuid>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        dispatch!(
            self,
            write,
            mark_notifications_read(structure_id, agent_id, id, events, now)
        )
    }

    pub async fn emails_to_send(
        &self,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<NotificationListRow>, StoreError> {
        dispatch!(self, read, emails_to_send(now, stale_before, limit))
    }

    pub async fn claim_email(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        dispatch!(self, write, claim_email(id, now, stale_before))
    }

    pub async fn finish_email(
        &self,
        id: Uuid,
        status: &str,
        attempts: i64,
        next_at: Option<DateTime<Utc>>,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            finish_email(id, status, attempts, next_at, error)
        )
    }

    pub async fn email_backlog(&self) -> Result<(i64, i64, Option<String>), StoreError> {
        dispatch!(self, read, email_backlog())
    }

    pub async fn set_calendar_feed(
        &self,
        agent_id: Uuid,
        structure_id: Uuid,
        token_hash: Option<&str>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            set_calendar_feed(agent_id, structure_id, token_hash, events, now)
        )
    }

    pub async fn calendar_feed_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<(Uuid, Uuid, DateTime<Utc>)>, StoreError> {
        dispatch!(self, read, calendar_feed_by_hash(token_hash))
    }

    pub async fn calendar_feed_of(
        &self,
        agent_id: Uuid,
        structure_id: Uuid,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        dispatch!(self, read, calendar_feed_of(agent_id, structure_id))
    }

    // ---- a structure's catalogue ----

    pub async fn procedure_settings_of(
        &self,
        structure_id: Uuid,
    ) -> Result<Vec<ProcedureSettingRow>, StoreError> {
        dispatch!(self, read, procedure_settings_of(structure_id))
    }

    /// Saves the settings of several procedures in one transaction.
    pub async fn save_procedure_settings(
        &self,
        rows: &[ProcedureSettingRow],
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, save_procedure_settings(rows, events, now))
    }

    pub async fn local_procedures_of(
        &self,
        structure_id: Uuid,
    ) -> Result<Vec<LocalProcedureRow>, StoreError> {
        dispatch!(self, read, local_procedures_of(structure_id))
    }

    pub async fn save_local_procedure(
        &self,
        r: &LocalProcedureRow,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, save_local_procedure(r, events, now))
    }

    pub async fn delete_local_procedure(
        &self,
        structure_id: Uuid,
        id: &str,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            delete_local_procedure(structure_id, id, events, now)
        )
    }

    pub async fn channels_of(
        &self,
        structure_id: Uuid,
    ) -> Result<Vec<OperatorChannelRow>, StoreError> {
        dispatch!(self, read, channels_of(structure_id))
    }

    pub async fn save_channel(
        &self,
        r: &OperatorChannelRow,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, save_channel(r, events, now))
    }

    pub async fn delete_channel(
        &self,
        structure_id: Uuid,
        operator_id: &str,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            delete_channel(structure_id, operator_id, events, now)
        )
    }

    // ---- reminders to the person ----

    #[allow(clippy::too_many_arguments)]
    pub async fn set_reminder_consent(
        &self,
        person_id: Uuid,
        channel: Option<&str>,
        given_on: chrono::NaiveDate,
        by: Uuid,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            set_reminder_consent(person_id, channel, given_on, by, events, now)
        )
    }

    pub async fn reminder_consent_of(
        &self,
        person_id: Uuid,
    ) -> Result<Option<(String, chrono::NaiveDate)>, StoreError> {
        dispatch!(self, read, reminder_consent_of(person_id))
    }

    pub async fn queue_person_reminders(
        &self,
        events: impl Fn(u64) -> Vec<JournalEvent>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        dispatch!(self, write, queue_person_reminders(events, now))
    }

    pub async fn person_reminders_to_send(
        &self,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<PersonReminderRow>, StoreError> {
        dispatch!(
            self,
            read,
            person_reminders_to_send(now, stale_before, limit)
        )
    }

    pub async fn claim_person_reminder(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        dispatch!(self, write, claim_person_reminder(id, now, stale_before))
    }

    pub async fn finish_person_reminder(
        &self,
        id: Uuid,
        status: &str,
        attempts: i64,
        next_at: Option<DateTime<Utc>>,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            finish_person_reminder(id, status, attempts, next_at, error)
        )
    }
}
