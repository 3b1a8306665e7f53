//! The SQL of relais, written once and instantiated for each engine.
//!
//! Every write runs in one transaction together with its journal entries.
//! The only dialect difference so far is row locking of the journal head
//! (`FOR UPDATE` on PostgreSQL; SQLite serialises writers on one connection).

macro_rules! repository {
    ($db:ty, $lock:literal) => {
        use crate::error::StoreError;
        use crate::rows::*;
        use chrono::{DateTime, Utc};
        use relais_domain::journal::{entry_hash, journal_time, JournalEvent, GENESIS_HASH};
        use sqlx::{Pool, Transaction};
        use uuid::Uuid;

        type Db = $db;
        type Tx<'a> = Transaction<'a, Db>;

        /// Appends events to their chains inside the caller's transaction.
        pub(crate) async fn append_journal(
            tx: &mut Tx<'_>,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let at = journal_time(now);
            for ev in events {
                let chain = ev.chain();
                sqlx::query(
                    "INSERT INTO journal_heads (chain, seq, hash) VALUES ($1, 0, $2) \
                     ON CONFLICT (chain) DO NOTHING",
                )
                .bind(&chain)
                .bind(GENESIS_HASH)
                .execute(&mut **tx)
                .await?;
                let (seq, prev): (i64, String) = sqlx::query_as(concat!(
                    "SELECT seq, hash FROM journal_heads WHERE chain = $1",
                    $lock
                ))
                .bind(&chain)
                .fetch_one(&mut **tx)
                .await?;
                let seq = seq + 1;
                let details = ev.details.to_string();
                let hash = entry_hash(
                    &prev,
                    &chain,
                    seq,
                    at,
                    ev.actor_id,
                    ev.structure_id,
                    ev.action,
                    ev.object_type,
                    ev.object_id,
                    &details,
                );
                sqlx::query(
                    "INSERT INTO journal (chain, seq, at, actor_id, structure_id, action, \
                     object_type, object_id, details, prev_hash, hash) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(&chain)
                .bind(seq)
                .bind(at)
                .bind(ev.actor_id)
                .bind(ev.structure_id)
                .bind(ev.action)
                .bind(ev.object_type)
                .bind(ev.object_id)
                .bind(&details)
                .bind(&prev)
                .bind(&hash)
                .execute(&mut **tx)
                .await?;
                sqlx::query("UPDATE journal_heads SET seq = $1, hash = $2 WHERE chain = $3")
                    .bind(seq)
                    .bind(&hash)
                    .bind(&chain)
                    .execute(&mut **tx)
                    .await?;
            }
            Ok(())
        }

        async fn finish(
            mut tx: Tx<'_>,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            append_journal(&mut tx, events, now).await?;
            tx.commit().await?;
            Ok(())
        }

        pub(crate) async fn ping(pool: &Pool<Db>) -> Result<(), StoreError> {
            sqlx::query("SELECT 1").execute(pool).await?;
            Ok(())
        }

        pub(crate) async fn journal_only(
            pool: &Pool<Db>,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            finish(pool.begin().await?, events, now).await
        }

        // ---- structures -------------------------------------------------

        pub(crate) async fn insert_structure(
            pool: &Pool<Db>,
            s: &StructureRow,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO structures (id, name, slug, kind, siret, commune, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(s.id)
            .bind(&s.name)
            .bind(&s.slug)
            .bind(&s.kind)
            .bind(&s.siret)
            .bind(&s.commune)
            .bind(s.created_at)
            .execute(&mut *tx)
            .await?;
            finish(tx, events, now).await
        }

        const STRUCTURE_COLS: &str = "id, name, slug, kind, siret, commune, created_at";

        pub(crate) async fn structure_by_slug(
            pool: &Pool<Db>,
            slug: &str,
        ) -> Result<Option<StructureRow>, StoreError> {
            let sql = format!("SELECT {STRUCTURE_COLS} FROM structures WHERE slug = $1");
            Ok(sqlx::query_as(&sql).bind(slug).fetch_optional(pool).await?)
        }

        pub(crate) async fn structure_by_id(
            pool: &Pool<Db>,
            id: Uuid,
        ) -> Result<Option<StructureRow>, StoreError> {
            let sql = format!("SELECT {STRUCTURE_COLS} FROM structures WHERE id = $1");
            Ok(sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?)
        }

        pub(crate) async fn list_structures(
            pool: &Pool<Db>,
        ) -> Result<Vec<StructureRow>, StoreError> {
            let sql = format!("SELECT {STRUCTURE_COLS} FROM structures ORDER BY name, slug");
            Ok(sqlx::query_as(&sql).fetch_all(pool).await?)
        }

        // ---- agents and memberships --------------------------------------

        const AGENT_COLS: &str = "id, email, name, password_hash, totp_secret, totp_enabled, \
                                  totp_last_step, failed_logins, locked_until, created_at";

        async fn insert_agent_tx(tx: &mut Tx<'_>, a: &AgentRow) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO agents (id, email, name, password_hash, totp_secret, totp_enabled, \
                 totp_last_step, failed_logins, locked_until, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(a.id)
            .bind(&a.email)
            .bind(&a.name)
            .bind(&a.password_hash)
            .bind(&a.totp_secret)
            .bind(a.totp_enabled)
            .bind(a.totp_last_step)
            .bind(a.failed_logins)
            .bind(a.locked_until)
            .bind(a.created_at)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }

        async fn upsert_membership_tx(
            tx: &mut Tx<'_>,
            agent_id: Uuid,
            structure_id: Uuid,
            role: &str,
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO memberships (agent_id, structure_id, role, active, created_at) \
                 VALUES ($1, $2, $3, TRUE, $4) \
                 ON CONFLICT (agent_id, structure_id) DO UPDATE SET role = excluded.role, active = TRUE",
            )
            .bind(agent_id)
            .bind(structure_id)
            .bind(role)
            .bind(now)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }

        pub(crate) async fn insert_agent(
            pool: &Pool<Db>,
            a: &AgentRow,
            membership: Option<(Uuid, &str)>,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            insert_agent_tx(&mut tx, a).await?;
            if let Some((structure_id, role)) = membership {
                upsert_membership_tx(&mut tx, a.id, structure_id, role, now).await?;
            }
            finish(tx, events, now).await
        }

        pub(crate) async fn upsert_membership(
            pool: &Pool<Db>,
            agent_id: Uuid,
            structure_id: Uuid,
            role: &str,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            upsert_membership_tx(&mut tx, agent_id, structure_id, role, now).await?;
            finish(tx, events, now).await
        }

        pub(crate) async fn set_membership_active(
            pool: &Pool<Db>,
            agent_id: Uuid,
            structure_id: Uuid,
            active: bool,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE memberships SET active = $1 WHERE agent_id = $2 AND structure_id = $3",
            )
            .bind(active)
            .bind(agent_id)
            .bind(structure_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            if !active {
                // A deactivated member loses the sessions and tokens of that structure.
                sqlx::query("DELETE FROM sessions WHERE agent_id = $1 AND structure_id = $2")
                    .bind(agent_id)
                    .bind(structure_id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "UPDATE api_tokens SET revoked_at = $1 \
                     WHERE agent_id = $2 AND structure_id = $3 AND revoked_at IS NULL",
                )
                .bind(now)
                .bind(agent_id)
                .bind(structure_id)
                .execute(&mut *tx)
                .await?;
            }
            finish(tx, events, now).await
        }

        pub(crate) async fn agent_by_email(
            pool: &Pool<Db>,
            email: &str,
        ) -> Result<Option<AgentRow>, StoreError> {
            let sql = format!("SELECT {AGENT_COLS} FROM agents WHERE email = $1");
            Ok(sqlx::query_as(&sql).bind(email).fetch_optional(pool).await?)
        }

        pub(crate) async fn agent_by_id(
            pool: &Pool<Db>,
            id: Uuid,
        ) -> Result<Option<AgentRow>, StoreError> {
            let sql = format!("SELECT {AGENT_COLS} FROM agents WHERE id = $1");
            Ok(sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?)
        }

        pub(crate) async fn memberships_of(
            pool: &Pool<Db>,
            agent_id: Uuid,
        ) -> Result<Vec<MembershipRow>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT m.structure_id, s.slug, s.name AS structure_name, m.role, m.active \
                 FROM memberships m JOIN structures s ON s.id = m.structure_id \
                 WHERE m.agent_id = $1 ORDER BY s.name, s.slug",
            )
            .bind(agent_id)
            .fetch_all(pool)
            .await?)
        }

        pub(crate) async fn team_of(
            pool: &Pool<Db>,
            structure_id: Uuid,
        ) -> Result<Vec<TeamMemberRow>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT a.id AS agent_id, a.email, a.name, m.role, m.active, a.totp_enabled, \
                 (a.password_hash IS NOT NULL) AS has_password \
                 FROM memberships m JOIN agents a ON a.id = m.agent_id \
                 WHERE m.structure_id = $1 ORDER BY a.name, a.email",
            )
            .bind(structure_id)
            .fetch_all(pool)
            .await?)
        }

        pub(crate) async fn record_login(
            pool: &Pool<Db>,
            agent_id: Uuid,
            outcome: &LoginOutcome,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "UPDATE agents SET failed_logins = $1, locked_until = $2, \
                 totp_last_step = COALESCE($3, totp_last_step) WHERE id = $4",
            )
            .bind(outcome.failed_logins)
            .bind(outcome.locked_until)
            .bind(outcome.totp_last_step)
            .bind(agent_id)
            .execute(&mut *tx)
            .await?;
            finish(tx, events, now).await
        }

        pub(crate) async fn set_password(
            pool: &Pool<Db>,
            agent_id: Uuid,
            password_hash: &str,
            keep_session: Option<&str>,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "UPDATE agents SET password_hash = $1, failed_logins = 0, locked_until = NULL \
                 WHERE id = $2",
            )
            .bind(password_hash)
            .bind(agent_id)
            .execute(&mut *tx)
            .await?;
            // A new password closes every other session.
            sqlx::query("DELETE FROM sessions WHERE agent_id = $1 AND token_hash <> $2")
                .bind(agent_id)
                .bind(keep_session.unwrap_or(""))
                .execute(&mut *tx)
                .await?;
            finish(tx, events, now).await
        }

        pub(crate) async fn set_totp(
            pool: &Pool<Db>,
            agent_id: Uuid,
            secret: Option<&str>,
            enabled: bool,
            last_step: Option<i64>,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "UPDATE agents SET totp_secret = $1, totp_enabled = $2, totp_last_step = $3 \
                 WHERE id = $4",
            )
            .bind(secret)
            .bind(enabled)
            .bind(last_step)
            .bind(agent_id)
            .execute(&mut *tx)
            .await?;
            finish(tx, events, now).await
        }

        // ---- sessions ------------------------------------------------------

        const SESSION_COLS: &str =
            "token_hash, agent_id, structure_id, stage, csrf_token, created_at, last_seen_at";

        pub(crate) async fn insert_session(
            pool: &Pool<Db>,
            s: &SessionRow,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO sessions (token_hash, agent_id, structure_id, stage, csrf_token, \
                 created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&s.token_hash)
            .bind(s.agent_id)
            .bind(s.structure_id)
            .bind(&s.stage)
            .bind(&s.csrf_token)
            .bind(s.created_at)
            .bind(s.last_seen_at)
            .execute(&mut *tx)
            .await?;
            finish(tx, events, now).await
        }

        pub(crate) async fn session_by_hash(
            pool: &Pool<Db>,
            token_hash: &str,
        ) -> Result<Option<SessionRow>, StoreError> {
            let sql = format!("SELECT {SESSION_COLS} FROM sessions WHERE token_hash = $1");
            Ok(sqlx::query_as(&sql).bind(token_hash).fetch_optional(pool).await?)
        }

        pub(crate) async fn sessions_of(
            pool: &Pool<Db>,
            agent_id: Uuid,
        ) -> Result<Vec<SessionRow>, StoreError> {
            let sql = format!(
                "SELECT {SESSION_COLS} FROM sessions WHERE agent_id = $1 ORDER BY last_seen_at DESC"
            );
            Ok(sqlx::query_as(&sql).bind(agent_id).fetch_all(pool).await?)
        }

        /// Records activity on a session; not journaled (it is not a change
        /// of anything a person did).
        pub(crate) async fn touch_session(
            pool: &Pool<Db>,
            token_hash: &str,
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(token_hash)
                .execute(pool)
                .await?;
            Ok(())
        }

        pub(crate) async fn update_session(
            pool: &Pool<Db>,
            token_hash: &str,
            stage: &str,
            structure_id: Option<Uuid>,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "UPDATE sessions SET stage = $1, structure_id = $2, last_seen_at = $3 \
                 WHERE token_hash = $4",
            )
            .bind(stage)
            .bind(structure_id)
            .bind(now)
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
            finish(tx, events, now).await
        }

        pub(crate) async fn delete_session(
            pool: &Pool<Db>,
            token_hash: &str,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .execute(&mut *tx)
                .await?;
            finish(tx, events, now).await
        }

        pub(crate) async fn delete_sessions_of(
            pool: &Pool<Db>,
            agent_id: Uuid,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<u64, StoreError> {
            let mut tx = pool.begin().await?;
            let n = sqlx::query("DELETE FROM sessions WHERE agent_id = $1")
                .bind(agent_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            finish(tx, events, now).await?;
            Ok(n)
        }

        /// Removes sessions idle since `idle_before` or opened before
        /// `created_before`. Housekeeping: not journaled.
        pub(crate) async fn delete_expired_sessions(
            pool: &Pool<Db>,
            idle_before: DateTime<Utc>,
            created_before: DateTime<Utc>,
        ) -> Result<u64, StoreError> {
            Ok(
                sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
                    .bind(idle_before)
                    .bind(created_before)
                    .execute(pool)
                    .await?
                    .rows_affected(),
            )
        }

        /// Removes one-time links that expired before `before` (used or
        /// not): they hold an invitee's address and name. Housekeeping.
        pub(crate) async fn delete_expired_links(
            pool: &Pool<Db>,
            before: DateTime<Utc>,
        ) -> Result<u64, StoreError> {
            Ok(sqlx::query("DELETE FROM one_time_links WHERE expires_at < $1")
                .bind(before)
                .execute(pool)
                .await?
                .rows_affected())
        }

        // ---- one-time links ------------------------------------------------

        pub(crate) async fn insert_link(
            pool: &Pool<Db>,
            l: &OneTimeLinkRow,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO one_time_links (token_hash, kind, structure_id, agent_id, email, name, \
                 role, created_by, created_at, expires_at, used_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(&l.token_hash)
            .bind(&l.kind)
            .bind(l.structure_id)
            .bind(l.agent_id)
            .bind(&l.email)
            .bind(&l.name)
            .bind(&l.role)
            .bind(l.created_by)
            .bind(l.created_at)
            .bind(l.expires_at)
            .bind(l.used_at)
            .execute(&mut *tx)
            .await?;
            finish(tx, events, now).await
        }

        pub(crate) async fn link_by_hash(
            pool: &Pool<Db>,
            token_hash: &str,
        ) -> Result<Option<OneTimeLinkRow>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT token_hash, kind, structure_id, agent_id, email, name, role, created_by, \
                 created_at, expires_at, used_at FROM one_time_links WHERE token_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await?)
        }

        async fn use_link_tx(
            tx: &mut Tx<'_>,
            token_hash: &str,
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let done = sqlx::query(
                "UPDATE one_time_links SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
            )
            .bind(now)
            .bind(token_hash)
            .execute(&mut **tx)
            .await?;
            if done.rows_affected() == 1 {
                Ok(())
            } else {
                Err(StoreError::NotFound)
            }
        }

        /// Uses an invitation: creates the account and its membership.
        pub(crate) async fn accept_invite(
            pool: &Pool<Db>,
            token_hash: &str,
            agent: &AgentRow,
            structure_id: Uuid,
            role: &str,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            use_link_tx(&mut tx, token_hash, now).await?;
            insert_agent_tx(&mut tx, agent).await?;
            upsert_membership_tx(&mut tx, agent.id, structure_id, role, now).await?;
            finish(tx, events, now).await
        }

        /// Uses a password-reset link: sets the password, unlocks the
        /// account and closes its sessions.
        pub(crate) async fn accept_reset(
            pool: &Pool<Db>,
            token_hash: &str,
            agent_id: Uuid,
            password_hash: &str,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            use_link_tx(&mut tx, token_hash, now).await?;
            sqlx::query(
                "UPDATE agents SET password_hash = $1, failed_logins = 0, locked_until = NULL \
                 WHERE id = $2",
            )
            .bind(password_hash)
            .bind(agent_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM sessions WHERE agent_id = $1")
                .bind(agent_id)
                .execute(&mut *tx)
                .await?;
            finish(tx, events, now).await
        }

        // ---- API tokens ----------------------------------------------------

        const TOKEN_COLS: &str = "id, agent_id, structure_id, label, token_hash, created_at, \
                                  last_used_at, revoked_at";

        pub(crate) async fn insert_token(
            pool: &Pool<Db>,
            t: &ApiTokenRow,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO api_tokens (id, agent_id, structure_id, label, token_hash, created_at, \
                 last_used_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(t.id)
            .bind(t.agent_id)
            .bind(t.structure_id)
            .bind(&t.label)
            .bind(&t.token_hash)
            .bind(t.created_at)
            .bind(t.last_used_at)
            .bind(t.revoked_at)
            .execute(&mut *tx)
            .await?;
            finish(tx, events, now).await
        }

        pub(crate) async fn token_by_hash(
            pool: &Pool<Db>,
            token_hash: &str,
        ) -> Result<Option<ApiTokenRow>, StoreError> {
            let sql = format!("SELECT {TOKEN_COLS} FROM api_tokens WHERE token_hash = $1");
            Ok(sqlx::query_as(&sql).bind(token_hash).fetch_optional(pool).await?)
        }

        pub(crate) async fn tokens_of(
            pool: &Pool<Db>,
            agent_id: Uuid,
        ) -> Result<Vec<ApiTokenRow>, StoreError> {
            let sql = format!(
                "SELECT {TOKEN_COLS} FROM api_tokens WHERE agent_id = $1 ORDER BY created_at DESC"
            );
            Ok(sqlx::query_as(&sql).bind(agent_id).fetch_all(pool).await?)
        }

        pub(crate) async fn revoke_token(
            pool: &Pool<Db>,
            id: Uuid,
            agent_id: Uuid,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE api_tokens SET revoked_at = $1 \
                 WHERE id = $2 AND agent_id = $3 AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(id)
            .bind(agent_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            finish(tx, events, now).await
        }

        pub(crate) async fn touch_token(
            pool: &Pool<Db>,
            id: Uuid,
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(id)
                .execute(pool)
                .await?;
            Ok(())
        }

        // ---- journal ---------------------------------------------------------

        const JOURNAL_COLS: &str = "id, chain, seq, at, actor_id, structure_id, action, \
                                    object_type, object_id, details, prev_hash, hash";

        pub(crate) async fn journal_entries(
            pool: &Pool<Db>,
        ) -> Result<Vec<JournalRow>, StoreError> {
            let sql = format!("SELECT {JOURNAL_COLS} FROM journal ORDER BY chain, seq");
            Ok(sqlx::query_as(&sql).fetch_all(pool).await?)
        }

        pub(crate) async fn journal_recent(
            pool: &Pool<Db>,
            chain: &str,
            limit: i64,
        ) -> Result<Vec<JournalRow>, StoreError> {
            let sql = format!(
                "SELECT {JOURNAL_COLS} FROM journal WHERE chain = $1 ORDER BY seq DESC LIMIT $2"
            );
            Ok(sqlx::query_as(&sql).bind(chain).bind(limit).fetch_all(pool).await?)
        }

        pub(crate) async fn journal_heads(
            pool: &Pool<Db>,
        ) -> Result<Vec<JournalHeadRow>, StoreError> {
            Ok(
                sqlx::query_as("SELECT chain, seq, hash FROM journal_heads ORDER BY chain")
                    .fetch_all(pool)
                    .await?,
            )
        }
    };
}

pub(crate) mod sqlite {
    repository!(sqlx::Sqlite, "");
}

pub(crate) mod postgres {
    repository!(sqlx::Postgres, " FOR UPDATE");
}
