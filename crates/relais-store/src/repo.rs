//! The SQL of relais, written once and instantiated for each engine.
//!
//! Every write runs in one transaction together with its journal entries.
//! The only dialect difference so far is row locking (`FOR UPDATE` on
//! PostgreSQL; SQLite serialises writers on one connection): of the journal
//! head, and of the request and mandates a write relies on.

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

        /// The `WHERE` start that limits statistics to one structure (none
        /// for the whole instance), and the number of the next parameter.
        fn scope_condition(column: &str, scope: Option<Uuid>) -> (String, usize) {
            match scope {
                Some(_) => (format!("{column} = $1 AND"), 2),
                None => (String::new(), 1),
            }
        }

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

        /// Counts one look-up of a mandate's public page (not journaled).
        pub(crate) async fn count_mandate_lookup(
            pool: &Pool<Db>,
            mandate_id: Uuid,
            day: chrono::NaiveDate,
        ) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO mandate_lookups (mandate_id, day, count) VALUES ($1, $2, 1) \
                 ON CONFLICT (mandate_id, day) DO UPDATE SET count = mandate_lookups.count + 1",
            )
            .bind(mandate_id)
            .bind(day)
            .execute(pool)
            .await?;
            Ok(())
        }

        /// How often a mandate's public page was opened, and the last day.
        pub(crate) async fn mandate_lookups(
            pool: &Pool<Db>,
            mandate_id: Uuid,
        ) -> Result<(i64, Option<chrono::NaiveDate>), StoreError> {
            let row: (Option<i64>, Option<chrono::NaiveDate>) = sqlx::query_as(
                "SELECT CAST(SUM(count) AS BIGINT), MAX(day) FROM mandate_lookups \
                 WHERE mandate_id = $1",
            )
            .bind(mandate_id)
            .fetch_one(pool)
            .await?;
            Ok((row.0.unwrap_or(0), row.1))
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
            // Reset links granted before were granted for fewer structures.
            sqlx::query(
                "UPDATE one_time_links SET used_at = $1 \
                 WHERE agent_id = $2 AND kind = 'reset' AND used_at IS NULL",
            )
            .bind(now)
            .bind(agent_id)
            .execute(&mut *tx)
            .await?;
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
            clear_throttles_tx(&mut tx, agent_id).await?;
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
            clear_throttles_tx(&mut tx, agent_id).await?;
            sqlx::query("DELETE FROM sessions WHERE agent_id = $1")
                .bind(agent_id)
                .execute(&mut *tx)
                .await?;
            finish(tx, events, now).await
        }

        // ---- sign-in throttle, joining, credential resets -------------------

        async fn clear_throttles_tx(tx: &mut Tx<'_>, agent_id: Uuid) -> Result<(), StoreError> {
            sqlx::query("DELETE FROM login_throttles WHERE agent_id = $1")
                .bind(agent_id)
                .execute(&mut **tx)
                .await?;
            Ok(())
        }

        /// Counts one sign-in attempt from `address` on an account *before*
        /// its password or code is checked, unless that address must still
        /// wait. The increment is one conditional `UPDATE … RETURNING`
        /// (a row lock on PostgreSQL, the single writer on SQLite), so
        /// parallel attempts are all counted. Returns the number of
        /// consecutive failures this attempt would make, or `None` when the
        /// address is held back (then nothing is counted).
        pub(crate) async fn reserve_login_attempt(
            pool: &Pool<Db>,
            agent_id: Uuid,
            address: &str,
            events_if_throttled: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<Option<i64>, StoreError> {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO login_throttles (agent_id, address, failures, blocked_until, \
                 updated_at) VALUES ($1, $2, 0, NULL, $3) \
                 ON CONFLICT (agent_id, address) DO NOTHING",
            )
            .bind(agent_id)
            .bind(address)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let counted: Option<(i64,)> = sqlx::query_as(
                "UPDATE login_throttles SET failures = failures + 1, updated_at = $3 \
                 WHERE agent_id = $1 AND address = $2 \
                 AND (blocked_until IS NULL OR blocked_until <= $3) RETURNING failures",
            )
            .bind(agent_id)
            .bind(address)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((failures,)) = counted else {
                finish(tx, events_if_throttled, now).await?;
                return Ok(None);
            };
            let wait = relais_domain::account::throttle_seconds(failures);
            if wait > 0 {
                sqlx::query(
                    "UPDATE login_throttles SET blocked_until = $3 \
                     WHERE agent_id = $1 AND address = $2",
                )
                .bind(agent_id)
                .bind(address)
                .bind(now + chrono::Duration::seconds(wait))
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(Some(failures))
        }

        /// Forgets the failures of one address on an account (its sign-in
        /// completed).
        pub(crate) async fn clear_login_throttle(
            pool: &Pool<Db>,
            agent_id: Uuid,
            address: &str,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM login_throttles WHERE agent_id = $1 AND address = $2")
                .bind(agent_id)
                .bind(address)
                .execute(&mut *tx)
                .await?;
            finish(tx, events, now).await
        }

        /// Gives back the attempt a right password took while a code is
        /// still to come: its count and the wait it set are undone, the
        /// failures before it stay.
        pub(crate) async fn release_login_attempt(
            pool: &Pool<Db>,
            agent_id: Uuid,
            address: &str,
        ) -> Result<(), StoreError> {
            sqlx::query(
                "UPDATE login_throttles SET blocked_until = NULL, \
                 failures = CASE WHEN failures > 0 THEN failures - 1 ELSE 0 END \
                 WHERE agent_id = $1 AND address = $2",
            )
            .bind(agent_id)
            .bind(address)
            .execute(pool)
            .await?;
            Ok(())
        }

        pub(crate) async fn login_throttle(
            pool: &Pool<Db>,
            agent_id: Uuid,
            address: &str,
        ) -> Result<Option<LoginThrottleRow>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT agent_id, address, failures, blocked_until, updated_at \
                 FROM login_throttles WHERE agent_id = $1 AND address = $2",
            )
            .bind(agent_id)
            .bind(address)
            .fetch_optional(pool)
            .await?)
        }

        /// Housekeeping: forgets throttles untouched since `before`.
        pub(crate) async fn delete_stale_throttles(
            pool: &Pool<Db>,
            before: DateTime<Utc>,
        ) -> Result<u64, StoreError> {
            Ok(sqlx::query("DELETE FROM login_throttles WHERE updated_at < $1")
                .bind(before)
                .execute(pool)
                .await?
                .rows_affected())
        }

        /// Accepts a second-factor code of time step `step` once: the step
        /// only moves forward (a conditional update, so two parallel uses
        /// of one code cannot both pass), and the address's failures are
        /// forgotten. False when the step was already used.
        pub(crate) async fn accept_totp_step(
            pool: &Pool<Db>,
            agent_id: Uuid,
            step: i64,
            address: &str,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<bool, StoreError> {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE agents SET totp_last_step = $1 \
                 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
            )
            .bind(step)
            .bind(agent_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                return Ok(false);
            }
            sqlx::query("DELETE FROM login_throttles WHERE agent_id = $1 AND address = $2")
                .bind(agent_id)
                .bind(address)
                .execute(&mut *tx)
                .await?;
            finish(tx, events, now).await?;
            Ok(true)
        }

        pub(crate) async fn last_structure_of(
            pool: &Pool<Db>,
            agent_id: Uuid,
        ) -> Result<Option<Uuid>, StoreError> {
            let row: Option<(Option<Uuid>,)> =
                sqlx::query_as("SELECT last_structure_id FROM agents WHERE id = $1")
                    .bind(agent_id)
                    .fetch_optional(pool)
                    .await?;
            Ok(row.and_then(|r| r.0))
        }

        /// Moves a session to another structure and remembers it as the
        /// account's last used one.
        pub(crate) async fn switch_structure(
            pool: &Pool<Db>,
            token_hash: &str,
            agent_id: Uuid,
            structure_id: Uuid,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "UPDATE sessions SET structure_id = $1, last_seen_at = $2 \
                 WHERE token_hash = $3 AND agent_id = $4",
            )
            .bind(structure_id)
            .bind(now)
            .bind(token_hash)
            .bind(agent_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE agents SET last_structure_id = $1 WHERE id = $2")
                .bind(structure_id)
                .bind(agent_id)
                .execute(&mut *tx)
                .await?;
            finish(tx, events, now).await
        }

        /// Takes the account's row lock (PostgreSQL) so that membership
        /// changes and credential resets of one account run one at a time.
        async fn lock_agent_tx(tx: &mut Tx<'_>, agent_id: Uuid) -> Result<(), StoreError> {
            let found: Option<(Uuid,)> =
                sqlx::query_as(concat!("SELECT id FROM agents WHERE id = $1", $lock))
                    .bind(agent_id)
                    .fetch_optional(&mut **tx)
                    .await?;
            found.map(|_| ()).ok_or(StoreError::NotFound)
        }

        async fn memberships_tx(
            tx: &mut Tx<'_>,
            agent_id: Uuid,
        ) -> Result<Vec<MembershipRow>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT m.structure_id, s.slug, s.name AS structure_name, m.role, m.active \
                 FROM memberships m JOIN structures s ON s.id = m.structure_id \
                 WHERE m.agent_id = $1 ORDER BY s.name, s.slug",
            )
            .bind(agent_id)
            .fetch_all(&mut **tx)
            .await?)
        }

        /// Inserts a password-reset link for `l.agent_id` only if `allowed`
        /// says yes for the memberships of the creator and of the account,
        /// read under the account's lock in the same transaction. False
        /// (nothing written) when refused.
        pub(crate) async fn insert_reset_link(
            pool: &Pool<Db>,
            l: &OneTimeLinkRow,
            allowed: &(dyn Fn(&[MembershipRow], &[MembershipRow]) -> bool + Sync),
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<bool, StoreError> {
            let (Some(agent_id), Some(creator)) = (l.agent_id, l.created_by) else {
                return Err(StoreError::NotFound);
            };
            let mut tx = pool.begin().await?;
            lock_agent_tx(&mut tx, agent_id).await?;
            let mine = memberships_tx(&mut tx, creator).await?;
            let theirs = memberships_tx(&mut tx, agent_id).await?;
            if !allowed(&mine, &theirs) {
                return Ok(false);
            }
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
            finish(tx, events, now).await?;
            Ok(true)
        }

        /// Uses a join link: the account becomes a member of the inviting
        /// structure. Reset links still pending for the account are voided
        /// in the same transaction: they were granted for fewer structures.
        /// `Conflict` when the account already belongs to the structure.
        #[allow(clippy::too_many_arguments)]
        pub(crate) async fn accept_join(
            pool: &Pool<Db>,
            token_hash: &str,
            agent_id: Uuid,
            structure_id: Uuid,
            role: &str,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            lock_agent_tx(&mut tx, agent_id).await?;
            use_link_tx(&mut tx, token_hash, now).await?;
            let inserted = sqlx::query(
                "INSERT INTO memberships (agent_id, structure_id, role, active, created_at) \
                 VALUES ($1, $2, $3, TRUE, $4) ON CONFLICT (agent_id, structure_id) DO NOTHING",
            )
            .bind(agent_id)
            .bind(structure_id)
            .bind(role)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() != 1 {
                return Err(StoreError::Conflict("memberships".into()));
            }
            sqlx::query(
                "UPDATE one_time_links SET used_at = $1 \
                 WHERE agent_id = $2 AND kind = 'reset' AND used_at IS NULL",
            )
            .bind(now)
            .bind(agent_id)
            .execute(&mut *tx)
            .await?;
            finish(tx, events, now).await
        }

        /// Uses a link without anything else (a declined invitation).
        pub(crate) async fn use_link(
            pool: &Pool<Db>,
            token_hash: &str,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            use_link_tx(&mut tx, token_hash, now).await?;
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

        // ---- persons -------------------------------------------------------

        const PERSON_COLS: &str = "id, structure_id, first_name, last_name, usual_name, birth_date, \
            birth_year, phone, email, postcode, commune, insee_code, preferred_language, notes, \
            privacy_notice_on, equipment, search_key, phone_digits, merged_into, created_by, \
            created_at, updated_at, keep_until, keep_reason, anonymised_at";

        /// Bumps the structure's persons revision, which tells caches of
        /// the person search that something changed (in the same
        /// transaction as the change).
        async fn bump_persons_revision(tx: &mut Tx<'_>, structure_id: Uuid) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO counters (structure_id, name, year, value) VALUES ($1, 'persons', 0, 1) \
                 ON CONFLICT (structure_id, name, year) DO UPDATE SET value = counters.value + 1",
            )
            .bind(structure_id)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }

        /// The structure's persons revision (0 before any person write).
        pub(crate) async fn persons_revision(pool: &Pool<Db>, structure_id: Uuid) -> Result<i64, StoreError> {
            let row: Option<(i64,)> = sqlx::query_as(
                "SELECT value FROM counters WHERE structure_id = $1 AND name = 'persons' AND year = 0",
            )
            .bind(structure_id)
            .fetch_optional(pool)
            .await?;
            Ok(row.map(|r| r.0).unwrap_or(0))
        }

        async fn insert_person_tx(tx: &mut Tx<'_>, p: &PersonRow) -> Result<(), StoreError> {
            let sql = format!(
                "INSERT INTO persons ({PERSON_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
                 $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)"
            );
            sqlx::query(&sql)
                .bind(p.id)
                .bind(p.structure_id)
                .bind(&p.first_name)
                .bind(&p.last_name)
                .bind(&p.usual_name)
                .bind(p.birth_date)
                .bind(p.birth_year)
                .bind(&p.phone)
                .bind(&p.email)
                .bind(&p.postcode)
                .bind(&p.commune)
                .bind(&p.insee_code)
                .bind(&p.preferred_language)
                .bind(&p.notes)
                .bind(p.privacy_notice_on)
                .bind(&p.equipment)
                .bind(&p.search_key)
                .bind(&p.phone_digits)
                .bind(p.merged_into)
                .bind(p.created_by)
                .bind(p.created_at)
                .bind(p.updated_at)
                .bind(p.keep_until)
                .bind(&p.keep_reason)
                .bind(p.anonymised_at)
                .execute(&mut **tx)
                .await?;
            bump_persons_revision(tx, p.structure_id).await?;
            Ok(())
        }

        pub(crate) async fn insert_person(
            pool: &Pool<Db>,
            p: &PersonRow,
            autonomy: Option<&AutonomyRow>,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            insert_person_tx(&mut tx, p).await?;
            if let Some(a) = autonomy {
                insert_autonomy_tx(&mut tx, a).await?;
            }
            finish(tx, events, now).await
        }

        pub(crate) async fn update_person(
            pool: &Pool<Db>,
            p: &PersonRow,
            autonomy: Option<&AutonomyRow>,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE persons SET first_name = $1, last_name = $2, usual_name = $3, \
                 birth_date = $4, birth_year = $5, phone = $6, email = $7, postcode = $8, \
                 commune = $9, insee_code = $10, preferred_language = $11, notes = $12, \
                 privacy_notice_on = $13, equipment = $14, search_key = $15, phone_digits = $16, \
                 updated_at = $17 WHERE id = $18 AND structure_id = $19",
            )
            .bind(&p.first_name)
            .bind(&p.last_name)
            .bind(&p.usual_name)
            .bind(p.birth_date)
            .bind(p.birth_year)
            .bind(&p.phone)
            .bind(&p.email)
            .bind(&p.postcode)
            .bind(&p.commune)
            .bind(&p.insee_code)
            .bind(&p.preferred_language)
            .bind(&p.notes)
            .bind(p.privacy_notice_on)
            .bind(&p.equipment)
            .bind(&p.search_key)
            .bind(&p.phone_digits)
            .bind(p.updated_at)
            .bind(p.id)
            .bind(p.structure_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            if let Some(a) = autonomy {
                insert_autonomy_tx(&mut tx, a).await?;
            }
            bump_persons_revision(&mut tx, p.structure_id).await?;
            finish(tx, events, now).await
        }

        pub(crate) async fn person_by_id(
            pool: &Pool<Db>,
            structure_id: Uuid,
            id: Uuid,
        ) -> Result<Option<PersonRow>, StoreError> {
            let sql = format!(
                "SELECT {PERSON_COLS} FROM persons WHERE id = $1 AND structure_id = $2"
            );
            Ok(sqlx::query_as(&sql)
                .bind(id)
                .bind(structure_id)
                .fetch_optional(pool)
                .await?)
        }

        pub(crate) async fn person_candidates(
            pool: &Pool<Db>,
            structure_id: Uuid,
        ) -> Result<Vec<PersonCandidateRow>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT id, first_name, last_name, usual_name, birth_year, commune, search_key, \
                 phone_digits FROM persons WHERE structure_id = $1 AND merged_into IS NULL \
                 AND anonymised_at IS NULL",
            )
            .bind(structure_id)
            .fetch_all(pool)
            .await?)
        }

        pub(crate) async fn count_persons(
            pool: &Pool<Db>,
            structure_id: Uuid,
        ) -> Result<i64, StoreError> {
            let (n,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM persons WHERE structure_id = $1 AND merged_into IS NULL",
            )
            .bind(structure_id)
            .fetch_one(pool)
            .await?;
            Ok(n)
        }

        async fn insert_autonomy_tx(tx: &mut Tx<'_>, a: &AutonomyRow) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO autonomy_assessments (id, person_id, level, assessed_on, agent_id, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(a.id)
            .bind(a.person_id)
            .bind(&a.level)
            .bind(a.assessed_on)
            .bind(a.agent_id)
            .bind(a.created_at)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }

        pub(crate) async fn autonomy_of(
            pool: &Pool<Db>,
            person_id: Uuid,
        ) -> Result<Vec<AutonomyRow>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT id, person_id, level, assessed_on, agent_id, created_at \
                 FROM autonomy_assessments WHERE person_id = $1 ORDER BY assessed_on, created_at",
            )
            .bind(person_id)
            .fetch_all(pool)
            .await?)
        }

        pub(crate) async fn set_accounts(
            pool: &Pool<Db>,
            person_id: Uuid,
            rows: &[PersonAccountRow],
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            for r in rows {
                sqlx::query(
                    "INSERT INTO person_accounts (person_id, kind, has_account, can_sign_in, \
                     recovery, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (person_id, kind) DO UPDATE SET has_account = excluded.has_account, \
                     can_sign_in = excluded.can_sign_in, recovery = excluded.recovery, \
                     updated_at = excluded.updated_at",
                )
                .bind(person_id)
                .bind(&r.kind)
                .bind(&r.has_account)
                .bind(&r.can_sign_in)
                .bind(&r.recovery)
                .bind(r.updated_at)
                .execute(&mut *tx)
                .await?;
            }
            finish(tx, events, now).await
        }

        pub(crate) async fn accounts_of(
            pool: &Pool<Db>,
            person_id: Uuid,
        ) -> Result<Vec<PersonAccountRow>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT person_id, kind, has_account, can_sign_in, recovery, updated_at \
                 FROM person_accounts WHERE person_id = $1",
            )
            .bind(person_id)
            .fetch_all(pool)
            .await?)
        }

        /// Moves everything of `absorbed` to `survivor` and marks `absorbed`
        /// as merged.
        pub(crate) async fn merge_persons(
            pool: &Pool<Db>,
            structure_id: Uuid,
            survivor: Uuid,
            absorbed: Uuid,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE persons SET merged_into = $1, updated_at = $2 \
                 WHERE id = $3 AND structure_id = $4 AND merged_into IS NULL",
            )
            .bind(survivor)
            .bind(now)
            .bind(absorbed)
            .bind(structure_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            for sql in [
                "UPDATE help_requests SET person_id = $1 WHERE person_id = $2",
                "UPDATE follow_ups SET person_id = $1 WHERE person_id = $2",
                "UPDATE referrals SET person_id = $1 WHERE person_id = $2",
                "UPDATE autonomy_assessments SET person_id = $1 WHERE person_id = $2",
            ] {
                sqlx::query(sql).bind(survivor).bind(absorbed).execute(&mut *tx).await?;
            }
            sqlx::query(
                "INSERT INTO person_accounts (person_id, kind, has_account, can_sign_in, recovery, \
                 updated_at) SELECT $1, kind, has_account, can_sign_in, recovery, updated_at \
                 FROM person_accounts WHERE person_id = $2 \
                 ON CONFLICT (person_id, kind) DO NOTHING",
            )
            .bind(survivor)
            .bind(absorbed)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM person_accounts WHERE person_id = $1")
                .bind(absorbed)
                .execute(&mut *tx)
                .await?;
            bump_persons_revision(&mut tx, structure_id).await?;
            finish(tx, events, now).await
        }

        // ---- help requests ---------------------------------------------------

        const REQUEST_COLS: &str = "r.id, r.structure_id, r.reference, r.person_id, \
            r.anon_age_bracket, r.anon_postcode, r.anon_commune, r.procedure, r.category, \
            r.operator, r.channel, r.rights_at_risk, r.deadline, r.status, r.outcome, \
            r.block_reason, r.submission_key, r.created_by, r.created_at, r.updated_at, r.closed_at";

        async fn insert_request_tx(
            tx: &mut Tx<'_>,
            r: &HelpRequestRow,
            year: i32,
        ) -> Result<String, StoreError> {
            let year = i64::from(year);
            let (n,): (i64,) = sqlx::query_as(
                "INSERT INTO counters (structure_id, name, year, value) VALUES ($1, 'help_request', $2, 1) \
                 ON CONFLICT (structure_id, name, year) DO UPDATE SET value = counters.value + 1 \
                 RETURNING value",
            )
            .bind(r.structure_id)
            .bind(year)
            .fetch_one(&mut **tx)
            .await?;
            let reference = relais_domain::desk::request_reference(year as i32, n);
            sqlx::query(
                "INSERT INTO help_requests (id, structure_id, reference, person_id, anon_age_bracket, \
                 anon_postcode, anon_commune, procedure, category, operator, channel, rights_at_risk, \
                 deadline, status, outcome, block_reason, submission_key, created_by, created_at, \
                 updated_at, closed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
                 $13, $14, $15, $16, $17, $18, $19, $20, $21)",
            )
            .bind(r.id)
            .bind(r.structure_id)
            .bind(&reference)
            .bind(r.person_id)
            .bind(&r.anon_age_bracket)
            .bind(&r.anon_postcode)
            .bind(&r.anon_commune)
            .bind(&r.procedure)
            .bind(&r.category)
            .bind(&r.operator)
            .bind(&r.channel)
            .bind(r.rights_at_risk)
            .bind(r.deadline)
            .bind(&r.status)
            .bind(&r.outcome)
            .bind(&r.block_reason)
            .bind(&r.submission_key)
            .bind(r.created_by)
            .bind(r.created_at)
            .bind(r.updated_at)
            .bind(r.closed_at)
            .execute(&mut **tx)
            .await?;
            Ok(reference)
        }

        /// The mandates of a person, read inside the caller's transaction
        /// and locked until it ends on PostgreSQL (SQLite's single writer
        /// serialises), in a fixed order.
        async fn mandate_facts_of_person_tx(
            tx: &mut Tx<'_>,
            structure_id: Uuid,
            person_id: Uuid,
        ) -> Result<Vec<MandateFactsRow>, StoreError> {
            Ok(sqlx::query_as(concat!(
                "SELECT id, consent, verification_code, categories, revoked_categories, starts_on, \
                 ends_on, signed_at, revoked_at FROM mandates WHERE structure_id = $1 AND person_id = $2 ORDER BY id",
                $lock
            ))
            .bind(structure_id)
            .bind(person_id)
            .fetch_all(&mut **tx)
            .await?)
        }

        /// The mandates of these persons that are neither revoked nor
        /// ended before `day`, in one query (what their badges are made of).
        pub(crate) async fn current_mandates_of_persons(
            pool: &Pool<Db>,
            structure_id: Uuid,
            person_ids: &[Uuid],
            day: chrono::NaiveDate,
        ) -> Result<Vec<PersonMandateFactsRow>, StoreError> {
            if person_ids.is_empty() {
                return Ok(Vec::new());
            }
            let mut q = sqlx::QueryBuilder::<Db>::new(
                "SELECT person_id, id, consent, verification_code, categories, revoked_categories, \
                 starts_on, ends_on, signed_at, revoked_at FROM mandates \
                 WHERE revoked_at IS NULL AND structure_id = ",
            );
            q.push_bind(structure_id);
            q.push(" AND ends_on >= ").push_bind(day);
            q.push(" AND person_id IN (");
            let mut ids = q.separated(", ");
            for id in person_ids {
                ids.push_bind(*id);
            }
            q.push(") ORDER BY person_id, id");
            Ok(q.build_query_as().fetch_all(pool).await?)
        }

        async fn mandate_facts_tx(
            tx: &mut Tx<'_>,
            structure_id: Uuid,
            id: Uuid,
        ) -> Result<Option<MandateFactsRow>, StoreError> {
            Ok(sqlx::query_as(concat!(
                "SELECT id, consent, verification_code, categories, revoked_categories, starts_on, \
                 ends_on, signed_at, revoked_at FROM mandates WHERE structure_id = $1 AND id = $2",
                $lock
            ))
            .bind(structure_id)
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?)
        }

        /// Writes a whole desk intake (new person, request, first
        /// intervention, follow-up) in one transaction; returns the
        /// request's reference. The first intervention's coverage is
        /// decided by `check` inside the transaction, on the person's
        /// mandates as they are then; a refusal writes nothing.
        pub(crate) async fn insert_intake<F, R>(
            pool: &Pool<Db>,
            rows: &IntakeRows,
            events: &[JournalEvent],
            now: DateTime<Utc>,
            check: F,
        ) -> Result<Result<String, R>, StoreError>
        where
            F: FnOnce(&Coverage) -> Result<Covered, R>,
        {
            let mut tx = pool.begin().await?;
            let mut events = events.to_vec();
            let mut intervention = rows.intervention.clone();
            if let Some(i) = intervention.as_mut() {
                let mandates = match (rows.request.person_id, &rows.new_person) {
                    (Some(p), None) => {
                        mandate_facts_of_person_tx(&mut tx, rows.request.structure_id, p).await?
                    }
                    _ => Vec::new(),
                };
                let coverage = Coverage {
                    category: rows.request.category.clone(),
                    person_id: rows.request.person_id,
                    mandates,
                };
                match check(&coverage) {
                    Ok((mandate, more)) => {
                        i.mandate_id = mandate;
                        events.extend(more);
                    }
                    Err(r) => return Ok(Err(r)),
                }
            }
            if let Some(p) = &rows.new_person {
                insert_person_tx(&mut tx, p).await?;
            }
            if let Some(a) = &rows.autonomy {
                insert_autonomy_tx(&mut tx, a).await?;
            }
            let reference = insert_request_tx(&mut tx, &rows.request, rows.reference_year).await?;
            if let Some(i) = &intervention {
                insert_intervention_tx(&mut tx, i).await?;
            }
            if let Some(f) = &rows.follow_up {
                insert_follow_up_tx(&mut tx, f).await?;
            }
            finish(tx, &events, now).await?;
            Ok(Ok(reference))
        }

        pub(crate) async fn request_by_submission_key(
            pool: &Pool<Db>,
            structure_id: Uuid,
            key: &str,
        ) -> Result<Option<HelpRequestRow>, StoreError> {
            let sql = format!(
                "SELECT {REQUEST_COLS} FROM help_requests r \
                 WHERE r.structure_id = $1 AND r.submission_key = $2"
            );
            Ok(sqlx::query_as(&sql)
                .bind(structure_id)
                .bind(key)
                .fetch_optional(pool)
                .await?)
        }

        pub(crate) async fn help_request_by_id(
            pool: &Pool<Db>,
            structure_id: Uuid,
            id: Uuid,
        ) -> Result<Option<HelpRequestListRow>, StoreError> {
            let sql = format!(
                "SELECT {REQUEST_COLS}, p.first_name AS person_first_name, \
                 p.last_name AS person_last_name FROM help_requests r \
                 LEFT JOIN persons p ON p.id = r.person_id \
                 WHERE r.id = $1 AND r.structure_id = $2"
            );
            Ok(sqlx::query_as(&sql)
                .bind(id)
                .bind(structure_id)
                .fetch_optional(pool)
                .await?)
        }

        pub(crate) async fn list_help_requests(
            pool: &Pool<Db>,
            structure_id: Uuid,
            f: &RequestFilter,
            limit: i64,
            offset: i64,
        ) -> Result<Vec<HelpRequestListRow>, StoreError> {
            let mut q = sqlx::QueryBuilder::<Db>::new(format!(
                "SELECT {REQUEST_COLS}, p.first_name AS person_first_name, \
                 p.last_name AS person_last_name FROM help_requests r \
                 LEFT JOIN persons p ON p.id = r.person_id WHERE r.structure_id = "
            ));
            q.push_bind(structure_id);
            if let Some(s) = &f.status {
                q.push(" AND r.status = ").push_bind(s.clone());
            }
            if f.open_only {
                // The closed statuses are the domain's decision.
                q.push(" AND r.status NOT IN (");
                let mut codes = q.separated(", ");
                for c in relais_domain::RequestStatus::closed_codes() {
                    codes.push_bind(c);
                }
                q.push(")");
            }
            if let Some(c) = &f.category {
                q.push(" AND r.category = ").push_bind(c.clone());
            }
            if let Some(o) = &f.operator {
                let pattern = o
                    .to_lowercase()
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                q.push(" AND LOWER(r.operator) LIKE ")
                    .push_bind(format!("%{pattern}%"))
                    .push(" ESCAPE '\\'");
            }
            if let Some(a) = f.agent_id {
                q.push(" AND (r.created_by = ")
                    .push_bind(a)
                    .push(" OR EXISTS (SELECT 1 FROM interventions i WHERE i.help_request_id = r.id AND i.agent_id = ")
                    .push_bind(a)
                    .push("))");
            }
            if let Some(from) = f.from {
                q.push(" AND r.created_at >= ").push_bind(from);
            }
            if let Some(to) = f.to {
                q.push(" AND r.created_at < ").push_bind(to);
            }
            if let Some(u) = f.rights_at_risk {
                q.push(" AND r.rights_at_risk = ").push_bind(u);
            }
            if let Some(p) = f.person_id {
                q.push(" AND r.person_id = ").push_bind(p);
            }
            if let Some((from, to)) = f.deadline_between {
                q.push(" AND r.deadline >= ")
                    .push_bind(from)
                    .push(" AND r.deadline <= ")
                    .push_bind(to);
            }
            q.push(" ORDER BY r.created_at DESC, r.id DESC LIMIT ")
                .push_bind(limit)
                .push(" OFFSET ")
                .push_bind(offset);
            Ok(q.build_query_as().fetch_all(pool).await?)
        }

        /// The request's category and person, locked until the end of the
        /// caller's transaction on PostgreSQL.
        async fn request_before_tx(
            tx: &mut Tx<'_>,
            structure_id: Uuid,
            id: Uuid,
        ) -> Result<(String, Option<Uuid>), StoreError> {
            let row: Option<(String, Option<Uuid>)> = sqlx::query_as(concat!(
                "SELECT category, person_id FROM help_requests WHERE id = $1 AND structure_id = $2",
                $lock
            ))
            .bind(id)
            .bind(structure_id)
            .fetch_optional(&mut **tx)
            .await?;
            row.ok_or(StoreError::NotFound)
        }

        /// Replaces a request's details. When the category changes, its
        /// done-for interventions and their mandates are read inside the
        /// transaction and `check` decides; a refusal writes nothing.
        pub(crate) async fn update_help_request<F, R>(
            pool: &Pool<Db>,
            r: &HelpRequestRow,
            events: &[JournalEvent],
            now: DateTime<Utc>,
            check: F,
        ) -> Result<Result<(), R>, StoreError>
        where
            F: FnOnce(&RequestBefore) -> Result<(), R>,
        {
            let mut tx = pool.begin().await?;
            let (category, person_id) = request_before_tx(&mut tx, r.structure_id, r.id).await?;
            let mut done_for = Vec::new();
            if category != r.category {
                let done: Vec<(Uuid, DateTime<Utc>, String, Option<Uuid>)> = sqlx::query_as(
                    "SELECT id, occurred_at, mode, mandate_id FROM interventions \
                     WHERE help_request_id = $1 AND structure_id = $2 AND mode = 'done_for' \
                     ORDER BY id",
                )
                .bind(r.id)
                .bind(r.structure_id)
                .fetch_all(&mut *tx)
                .await?;
                for (id, occurred_at, mode, mandate_id) in done {
                    let mandate = match mandate_id {
                        Some(m) => mandate_facts_tx(&mut tx, r.structure_id, m).await?,
                        None => None,
                    };
                    done_for.push(DoneForFacts {
                        intervention_id: id,
                        occurred_at,
                        mode,
                        mandate,
                    });
                }
            }
            let before = RequestBefore {
                category,
                person_id,
                done_for,
            };
            if let Err(refused) = check(&before) {
                return Ok(Err(refused));
            }
            let done = sqlx::query(
                "UPDATE help_requests SET procedure = $1, category = $2, operator = $3, channel = $4, \
                 rights_at_risk = $5, deadline = $6, status = $7, outcome = $8, block_reason = $9, \
                 updated_at = $10, closed_at = $11 WHERE id = $12 AND structure_id = $13",
            )
            .bind(&r.procedure)
            .bind(&r.category)
            .bind(&r.operator)
            .bind(&r.channel)
            .bind(r.rights_at_risk)
            .bind(r.deadline)
            .bind(&r.status)
            .bind(&r.outcome)
            .bind(&r.block_reason)
            .bind(r.updated_at)
            .bind(r.closed_at)
            .bind(r.id)
            .bind(r.structure_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            finish(tx, events, now).await?;
            Ok(Ok(()))
        }

        pub(crate) async fn count_help_requests(
            pool: &Pool<Db>,
            structure_id: Uuid,
        ) -> Result<i64, StoreError> {
            let (n,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM help_requests WHERE structure_id = $1")
                    .bind(structure_id)
                    .fetch_one(pool)
                    .await?;
            Ok(n)
        }

        // ---- interventions ---------------------------------------------------

        async fn insert_intervention_tx(tx: &mut Tx<'_>, i: &InterventionRow) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO interventions (id, structure_id, help_request_id, agent_id, occurred_at, \
                 duration_minutes, mode, place, summary, next_step, mandate_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(i.id)
            .bind(i.structure_id)
            .bind(i.help_request_id)
            .bind(i.agent_id)
            .bind(i.occurred_at)
            .bind(i.duration_minutes)
            .bind(&i.mode)
            .bind(&i.place)
            .bind(&i.summary)
            .bind(&i.next_step)
            .bind(i.mandate_id)
            .bind(i.created_at)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }

        /// Adds an intervention and, when given, the request's new state.
        /// Its coverage is decided by `check` inside the transaction, on
        /// the request's category and the person's mandates as they are
        /// then (locked on PostgreSQL), so that no use of a mandate can
        /// follow its revocation; a refusal writes nothing.
        pub(crate) async fn insert_intervention<F, R>(
            pool: &Pool<Db>,
            i: &InterventionRow,
            request: Option<&HelpRequestRow>,
            events: &[JournalEvent],
            now: DateTime<Utc>,
            check: F,
        ) -> Result<Result<(), R>, StoreError>
        where
            F: FnOnce(&Coverage) -> Result<Covered, R>,
        {
            let mut tx = pool.begin().await?;
            let (category, person_id) =
                request_before_tx(&mut tx, i.structure_id, i.help_request_id).await?;
            let mandates = match person_id {
                Some(p) => mandate_facts_of_person_tx(&mut tx, i.structure_id, p).await?,
                None => Vec::new(),
            };
            let coverage = Coverage {
                category,
                person_id,
                mandates,
            };
            let (mandate, more) = match check(&coverage) {
                Ok(c) => c,
                Err(r) => return Ok(Err(r)),
            };
            let mut events = events.to_vec();
            events.extend(more);
            let i = InterventionRow {
                mandate_id: mandate,
                ..i.clone()
            };
            insert_intervention_tx(&mut tx, &i).await?;
            if let Some(r) = request {
                sqlx::query(
                    "UPDATE help_requests SET status = $1, outcome = $2, block_reason = $3, \
                     updated_at = $4, closed_at = $5 WHERE id = $6 AND structure_id = $7",
                )
                .bind(&r.status)
                .bind(&r.outcome)
                .bind(&r.block_reason)
                .bind(r.updated_at)
                .bind(r.closed_at)
                .bind(r.id)
                .bind(r.structure_id)
                .execute(&mut *tx)
                .await?;
            }
            finish(tx, &events, now).await?;
            Ok(Ok(()))
        }

        const INTERVENTION_COLS: &str = "i.id, i.structure_id, i.help_request_id, i.agent_id, \
            i.occurred_at, i.duration_minutes, i.mode, i.place, i.summary, i.next_step, i.mandate_id, \
            i.created_at";

        pub(crate) async fn interventions_of_request(
            pool: &Pool<Db>,
            structure_id: Uuid,
            request_id: Uuid,
        ) -> Result<Vec<InterventionListRow>, StoreError> {
            let sql = format!(
                "SELECT {INTERVENTION_COLS}, a.name AS agent_name FROM interventions i \
                 LEFT JOIN agents a ON a.id = i.agent_id \
                 WHERE i.help_request_id = $1 AND i.structure_id = $2 ORDER BY i.occurred_at, i.id"
            );
            Ok(sqlx::query_as(&sql)
                .bind(request_id)
                .bind(structure_id)
                .fetch_all(pool)
                .await?)
        }

        pub(crate) async fn interventions_of_person(
            pool: &Pool<Db>,
            structure_id: Uuid,
            person_id: Uuid,
        ) -> Result<Vec<InterventionListRow>, StoreError> {
            let sql = format!(
                "SELECT {INTERVENTION_COLS}, a.name AS agent_name FROM interventions i \
                 JOIN help_requests r ON r.id = i.help_request_id \
                 LEFT JOIN agents a ON a.id = i.agent_id \
                 WHERE r.person_id = $1 AND i.structure_id = $2 ORDER BY i.occurred_at, i.id"
            );
            Ok(sqlx::query_as(&sql)
                .bind(person_id)
                .bind(structure_id)
                .fetch_all(pool)
                .await?)
        }

        // ---- follow-ups ------------------------------------------------------

        async fn insert_follow_up_tx(tx: &mut Tx<'_>, f: &FollowUpRow) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO follow_ups (id, structure_id, help_request_id, person_id, assignee_id, \
                 due_date, reason, done, done_at, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(f.id)
            .bind(f.structure_id)
            .bind(f.help_request_id)
            .bind(f.person_id)
            .bind(f.assignee_id)
            .bind(f.due_date)
            .bind(&f.reason)
            .bind(f.done)
            .bind(f.done_at)
            .bind(f.created_by)
            .bind(f.created_at)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }

        pub(crate) async fn insert_follow_up(
            pool: &Pool<Db>,
            f: &FollowUpRow,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            insert_follow_up_tx(&mut tx, f).await?;
            finish(tx, events, now).await
        }

        pub(crate) async fn update_follow_up(
            pool: &Pool<Db>,
            f: &FollowUpRow,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE follow_ups SET assignee_id = $1, due_date = $2, reason = $3, done = $4, \
                 done_at = $5 WHERE id = $6 AND structure_id = $7",
            )
            .bind(f.assignee_id)
            .bind(f.due_date)
            .bind(&f.reason)
            .bind(f.done)
            .bind(f.done_at)
            .bind(f.id)
            .bind(f.structure_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            finish(tx, events, now).await
        }

        const FOLLOW_UP_SELECT: &str = "SELECT f.id, f.structure_id, f.help_request_id, \
            f.person_id, f.assignee_id, f.due_date, f.reason, f.done, f.done_at, f.created_by, \
            f.created_at, r.reference, r.procedure, p.first_name AS person_first_name, \
            p.last_name AS person_last_name, a.name AS assignee_name FROM follow_ups f \
            LEFT JOIN help_requests r ON r.id = f.help_request_id \
            LEFT JOIN persons p ON p.id = COALESCE(f.person_id, r.person_id) \
            LEFT JOIN agents a ON a.id = f.assignee_id";

        pub(crate) async fn follow_up_by_id(
            pool: &Pool<Db>,
            structure_id: Uuid,
            id: Uuid,
        ) -> Result<Option<FollowUpListRow>, StoreError> {
            let sql = format!("{FOLLOW_UP_SELECT} WHERE f.id = $1 AND f.structure_id = $2");
            Ok(sqlx::query_as(&sql)
                .bind(id)
                .bind(structure_id)
                .fetch_optional(pool)
                .await?)
        }

        /// Open follow-ups of an agent due on or before `until`.
        pub(crate) async fn follow_ups_due(
            pool: &Pool<Db>,
            structure_id: Uuid,
            assignee_id: Uuid,
            until: chrono::NaiveDate,
        ) -> Result<Vec<FollowUpListRow>, StoreError> {
            let sql = format!(
                "{FOLLOW_UP_SELECT} WHERE f.structure_id = $1 AND f.assignee_id = $2 \
                 AND f.done = FALSE AND f.due_date <= $3 ORDER BY f.due_date, f.created_at"
            );
            Ok(sqlx::query_as(&sql)
                .bind(structure_id)
                .bind(assignee_id)
                .bind(until)
                .fetch_all(pool)
                .await?)
        }

        /// The structure's overdue open follow-ups (due before `before`)
        /// assigned to other members than `except`, oldest first, at most
        /// `limit`; with how many there are in all.
        pub(crate) async fn team_overdue_follow_ups(
            pool: &Pool<Db>,
            structure_id: Uuid,
            except: Uuid,
            before: chrono::NaiveDate,
            limit: i64,
        ) -> Result<(i64, Vec<FollowUpListRow>), StoreError> {
            const WHERE: &str = "WHERE f.structure_id = $1 AND f.done = FALSE \
                 AND f.due_date < $2 AND f.assignee_id <> $3";
            let (count,): (i64,) =
                sqlx::query_as(&format!("SELECT COUNT(*) FROM follow_ups f {WHERE}"))
                    .bind(structure_id)
                    .bind(before)
                    .bind(except)
                    .fetch_one(pool)
                    .await?;
            let rows = sqlx::query_as(&format!(
                "{FOLLOW_UP_SELECT} {WHERE} ORDER BY f.due_date, f.created_at LIMIT $4"
            ))
            .bind(structure_id)
            .bind(before)
            .bind(except)
            .bind(limit)
            .fetch_all(pool)
            .await?;
            Ok((count, rows))
        }

        pub(crate) async fn follow_ups_of_person(
            pool: &Pool<Db>,
            structure_id: Uuid,
            person_id: Uuid,
        ) -> Result<Vec<FollowUpListRow>, StoreError> {
            let sql = format!(
                "{FOLLOW_UP_SELECT} WHERE f.structure_id = $1 AND f.id IN \
                 (SELECT id FROM follow_ups WHERE person_id = $2 \
                 UNION SELECT f2.id FROM follow_ups f2 \
                 JOIN help_requests r2 ON r2.id = f2.help_request_id WHERE r2.person_id = $2) \
                 ORDER BY f.done, f.due_date"
            );
            Ok(sqlx::query_as(&sql)
                .bind(structure_id)
                .bind(person_id)
                .fetch_all(pool)
                .await?)
        }

        pub(crate) async fn follow_ups_of_request(
            pool: &Pool<Db>,
            structure_id: Uuid,
            request_id: Uuid,
        ) -> Result<Vec<FollowUpListRow>, StoreError> {
            let sql = format!(
                "{FOLLOW_UP_SELECT} WHERE f.structure_id = $1 AND f.help_request_id = $2 \
                 ORDER BY f.done, f.due_date"
            );
            Ok(sqlx::query_as(&sql)
                .bind(structure_id)
                .bind(request_id)
                .fetch_all(pool)
                .await?)
        }

        // ---- mandates and policy ---------------------------------------------

        const MANDATE_COLS: &str = "m.id, m.structure_id, m.person_id, m.categories, \
            m.revoked_categories, m.duration, m.starts_on, m.ends_on, m.consent, m.signed_at, \
            m.verification_code, m.revocation_secret, m.remote_code_hash, m.remote_code_expires, \
            m.remote_attempts, m.signature_svg, m.scan, m.scan_type, m.revoked_at, m.revoke_reason, \
            m.renewed_from, m.drawn_by, m.lang, m.created_at, m.updated_at";

        const MANDATE_LIST: &str = "p.first_name AS person_first_name, \
            p.last_name AS person_last_name, s.name AS structure_name FROM mandates m \
            JOIN persons p ON p.id = m.person_id JOIN structures s ON s.id = m.structure_id";

        pub(crate) async fn insert_mandate(
            pool: &Pool<Db>,
            m: &MandateRow,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO mandates (id, structure_id, person_id, categories, revoked_categories, \
                 duration, starts_on, ends_on, consent, signed_at, verification_code, \
                 revocation_secret, remote_code_hash, remote_code_expires, remote_attempts, \
                 signature_svg, scan, scan_type, revoked_at, revoke_reason, renewed_from, drawn_by, \
                 lang, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
                 $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)",
            )
            .bind(m.id)
            .bind(m.structure_id)
            .bind(m.person_id)
            .bind(&m.categories)
            .bind(&m.revoked_categories)
            .bind(&m.duration)
            .bind(m.starts_on)
            .bind(m.ends_on)
            .bind(&m.consent)
            .bind(m.signed_at)
            .bind(&m.verification_code)
            .bind(&m.revocation_secret)
            .bind(&m.remote_code_hash)
            .bind(m.remote_code_expires)
            .bind(m.remote_attempts)
            .bind(&m.signature_svg)
            .bind(&m.scan)
            .bind(&m.scan_type)
            .bind(m.revoked_at)
            .bind(&m.revoke_reason)
            .bind(m.renewed_from)
            .bind(m.drawn_by)
            .bind(&m.lang)
            .bind(m.created_at)
            .bind(m.updated_at)
            .execute(&mut *tx)
            .await?;
            finish(tx, events, now).await
        }

        /// Records a signature (paper or on screen) if the mandate is still
        /// waiting for one: `false` when it is not (signed or revoked
        /// meanwhile), and then nothing is written.
        #[allow(clippy::too_many_arguments)]
        pub(crate) async fn sign_mandate(
            pool: &Pool<Db>,
            structure_id: Uuid,
            id: Uuid,
            consent: &str,
            signature_svg: Option<&str>,
            scan: Option<(&[u8], &str)>,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<bool, StoreError> {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE mandates SET signed_at = $1, signature_svg = $2, scan = $3, scan_type = $4, \
                 updated_at = $1 WHERE id = $5 AND structure_id = $6 AND consent = $7 \
                 AND signed_at IS NULL AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(signature_svg)
            .bind(scan.map(|s| s.0))
            .bind(scan.map(|s| s.1))
            .bind(id)
            .bind(structure_id)
            .bind(consent)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Ok(false);
            }
            finish(tx, events, now).await?;
            Ok(true)
        }

        /// Stores a new remote consent code (its tries start over) if the
        /// mandate still waits for the person: `false` when it does not.
        pub(crate) async fn set_remote_code(
            pool: &Pool<Db>,
            structure_id: Uuid,
            id: Uuid,
            code_hash: &str,
            expires: DateTime<Utc>,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<bool, StoreError> {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE mandates SET remote_code_hash = $1, remote_code_expires = $2, \
                 remote_attempts = 0, updated_at = $3 WHERE id = $4 AND structure_id = $5 \
                 AND consent = 'remote' AND signed_at IS NULL AND revoked_at IS NULL",
            )
            .bind(code_hash)
            .bind(expires)
            .bind(now)
            .bind(id)
            .bind(structure_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Ok(false);
            }
            finish(tx, events, now).await?;
            Ok(true)
        }

        /// One try of a remote consent code: the try is counted first, in
        /// one conditional `UPDATE … RETURNING` (none when the mandate no
        /// longer waits or its tries are spent: `None`, nothing written).
        /// `decide` then compares the code; when it says so the mandate is
        /// signed in the same transaction, with its journal entries.
        pub(crate) async fn remote_try<F>(
            pool: &Pool<Db>,
            id: Uuid,
            max_attempts: i64,
            now: DateTime<Utc>,
            decide: F,
        ) -> Result<Option<bool>, StoreError>
        where
            F: FnOnce(&RemoteTry) -> (bool, Vec<JournalEvent>),
        {
            let mut tx = pool.begin().await?;
            let counted: Option<RemoteTry> = sqlx::query_as(
                "UPDATE mandates SET remote_attempts = remote_attempts + 1, updated_at = $1 \
                 WHERE id = $2 AND consent = 'remote' AND signed_at IS NULL AND revoked_at IS NULL \
                 AND remote_attempts < $3 \
                 RETURNING remote_attempts, remote_code_hash, remote_code_expires",
            )
            .bind(now)
            .bind(id)
            .bind(max_attempts)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(counted) = counted else {
                return Ok(None);
            };
            let (sign, events) = decide(&counted);
            if sign {
                sqlx::query(
                    "UPDATE mandates SET signed_at = $1, remote_code_hash = NULL, updated_at = $1 \
                     WHERE id = $2 AND signed_at IS NULL AND revoked_at IS NULL",
                )
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            finish(tx, &events, now).await?;
            Ok(Some(sign))
        }

        /// Revokes categories of a mandate (all of them: `revoked_at` is
        /// set), if it is not revoked and its revoked categories are still
        /// `expected`: `false` otherwise, and nothing is written. A
        /// revocation is never undone: no statement clears `revoked_at`.
        #[allow(clippy::too_many_arguments)]
        pub(crate) async fn revoke_mandate(
            pool: &Pool<Db>,
            structure_id: Uuid,
            id: Uuid,
            expected: &str,
            revoked_categories: &str,
            whole: bool,
            reason: Option<&str>,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<bool, StoreError> {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE mandates SET revoked_categories = $1, revoked_at = $2, revoke_reason = $3, \
                 updated_at = $4 WHERE id = $5 AND structure_id = $6 AND revoked_at IS NULL \
                 AND revoked_categories = $7",
            )
            .bind(revoked_categories)
            .bind(whole.then_some(now))
            .bind(reason)
            .bind(now)
            .bind(id)
            .bind(structure_id)
            .bind(expected)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Ok(false);
            }
            finish(tx, events, now).await?;
            Ok(true)
        }

        /// Links a renewed mandate to the one it renews (once).
        pub(crate) async fn link_renewal(
            pool: &Pool<Db>,
            structure_id: Uuid,
            id: Uuid,
            from: Uuid,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE mandates SET renewed_from = $1, updated_at = $2 \
                 WHERE id = $3 AND structure_id = $4 AND renewed_from IS NULL",
            )
            .bind(from)
            .bind(now)
            .bind(id)
            .bind(structure_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            finish(tx, events, now).await
        }

        pub(crate) async fn mandate_by_id(
            pool: &Pool<Db>,
            structure_id: Uuid,
            id: Uuid,
        ) -> Result<Option<MandateListRow>, StoreError> {
            let sql = format!("SELECT {MANDATE_COLS}, {MANDATE_LIST} WHERE m.id = $1 AND m.structure_id = $2");
            Ok(sqlx::query_as(&sql).bind(id).bind(structure_id).fetch_optional(pool).await?)
        }

        /// The public verification page looks a mandate up by its code,
        /// across structures.
        pub(crate) async fn mandate_by_code(
            pool: &Pool<Db>,
            code: &str,
        ) -> Result<Option<MandateListRow>, StoreError> {
            let sql = format!("SELECT {MANDATE_COLS}, {MANDATE_LIST} WHERE m.verification_code = $1");
            Ok(sqlx::query_as(&sql).bind(code).fetch_optional(pool).await?)
        }

        pub(crate) async fn list_mandates(
            pool: &Pool<Db>,
            structure_id: Uuid,
            person_id: Option<Uuid>,
            ending_between: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
        ) -> Result<Vec<MandateListRow>, StoreError> {
            let mut q = sqlx::QueryBuilder::<Db>::new(format!(
                "SELECT {MANDATE_COLS}, {MANDATE_LIST} WHERE m.structure_id = "
            ));
            q.push_bind(structure_id);
            if let Some(p) = person_id {
                q.push(" AND m.person_id = ").push_bind(p);
            }
            if let Some((from, to)) = ending_between {
                q.push(" AND m.revoked_at IS NULL AND m.signed_at IS NOT NULL AND m.ends_on >= ")
                    .push_bind(from)
                    .push(" AND m.ends_on <= ")
                    .push_bind(to);
            }
            q.push(" ORDER BY m.created_at DESC LIMIT 500");
            Ok(q.build_query_as().fetch_all(pool).await?)
        }

        pub(crate) async fn policy_of(
            pool: &Pool<Db>,
            structure_id: Uuid,
        ) -> Result<Option<String>, StoreError> {
            let row: Option<(String,)> = sqlx::query_as("SELECT body FROM policies WHERE structure_id = $1")
                .bind(structure_id)
                .fetch_optional(pool)
                .await?;
            Ok(row.map(|r| r.0))
        }

        pub(crate) async fn save_policy(
            pool: &Pool<Db>,
            structure_id: Uuid,
            body: &str,
            by: Option<Uuid>,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO policies (structure_id, body, updated_by, updated_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (structure_id) DO UPDATE SET body = excluded.body, \
                 updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            )
            .bind(structure_id)
            .bind(body)
            .bind(by)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            finish(tx, events, now).await
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

        /// The journal lines about one object of a structure, newest first.
        pub(crate) async fn journal_of_object(
            pool: &Pool<Db>,
            chain: &str,
            object_id: Uuid,
            limit: i64,
        ) -> Result<Vec<AccessRow>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT j.at, j.action, a.name AS actor_name FROM journal j \
                 LEFT JOIN agents a ON a.id = j.actor_id \
                 WHERE j.chain = $1 AND j.object_id = $2 ORDER BY j.id DESC LIMIT $3",
            )
            .bind(chain)
            .bind(object_id)
            .bind(limit)
            .fetch_all(pool)
            .await?)
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
        /// Marks the database as a demonstration one when it holds nothing
        /// but the demonstration structure and its members (an empty
        /// database included), journaling the mark; then tells whether it
        /// is one. One transaction.
        pub(crate) async fn claim_demo(
            pool: &Pool<Db>,
            demo_slug: &str,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<bool, StoreError> {
            let mut tx = pool.begin().await?;
            let marked = sqlx::query(
                "INSERT INTO instance_flags (name, set_at) SELECT 'demo', $1 \
                 WHERE NOT EXISTS (SELECT 1 FROM structures WHERE slug <> $2) \
                 AND NOT EXISTS (SELECT 1 FROM agents a WHERE NOT EXISTS ( \
                     SELECT 1 FROM memberships m JOIN structures s ON s.id = m.structure_id \
                     WHERE m.agent_id = a.id AND s.slug = $2)) \
                 ON CONFLICT (name) DO NOTHING",
            )
            .bind(now)
            .bind(demo_slug)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            let flags: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM instance_flags WHERE name = 'demo'")
                    .fetch_one(&mut *tx)
                    .await?;
            if marked {
                append_journal(&mut tx, events, now).await?;
            }
            tx.commit().await?;
            Ok(flags > 0)
        }

        // ---- privacy -------------------------------------------------------

        /// The ids of the data keys that sealed what the database holds.
        pub(crate) async fn data_keys(pool: &Pool<Db>) -> Result<Vec<String>, StoreError> {
            let rows: Vec<(String,)> =
                sqlx::query_as("SELECT key_id FROM data_keys ORDER BY key_id")
                    .fetch_all(pool)
                    .await?;
            Ok(rows.into_iter().map(|r| r.0).collect())
        }

        pub(crate) async fn add_data_key(
            pool: &Pool<Db>,
            key_id: &str,
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO data_keys (key_id, added_at) VALUES ($1, $2) \
                 ON CONFLICT (key_id) DO NOTHING",
            )
            .bind(key_id)
            .bind(now)
            .execute(pool)
            .await?;
            Ok(())
        }

        /// The sealed values of one column, as (row id, value) text pairs.
        pub(crate) async fn sealed_texts(
            pool: &Pool<Db>,
            table: &str,
            column: &str,
        ) -> Result<Vec<(Uuid, String)>, StoreError> {
            let sql = format!("SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL");
            Ok(sqlx::query_as(&sql).fetch_all(pool).await?)
        }

        pub(crate) async fn sealed_blobs(
            pool: &Pool<Db>,
            table: &str,
            column: &str,
        ) -> Result<Vec<(Uuid, Vec<u8>)>, StoreError> {
            let sql = format!("SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL");
            Ok(sqlx::query_as(&sql).fetch_all(pool).await?)
        }

        /// Writes re-sealed values back and records which keys remain, in
        /// one transaction.
        pub(crate) async fn reseal(
            pool: &Pool<Db>,
            texts: &[(&str, &str, Uuid, String)],
            blobs: &[(&str, &str, Uuid, Vec<u8>)],
            key_id: &str,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            for (table, column, id, value) in texts {
                let sql = format!("UPDATE {table} SET {column} = $1 WHERE id = $2");
                sqlx::query(&sql).bind(value).bind(*id).execute(&mut *tx).await?;
            }
            for (table, column, id, value) in blobs {
                let sql = format!("UPDATE {table} SET {column} = $1 WHERE id = $2");
                sqlx::query(&sql).bind(value).bind(*id).execute(&mut *tx).await?;
            }
            sqlx::query("DELETE FROM data_keys WHERE key_id <> $1")
                .bind(key_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO data_keys (key_id, added_at) VALUES ($1, $2) \
                 ON CONFLICT (key_id) DO NOTHING",
            )
            .bind(key_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            finish(tx, events, now).await
        }

        pub(crate) async fn insert_private_note(
            pool: &Pool<Db>,
            n: &PrivateNoteRow,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO private_notes (id, structure_id, person_id, author_id, body, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(n.id)
            .bind(n.structure_id)
            .bind(n.person_id)
            .bind(n.author_id)
            .bind(&n.body)
            .bind(n.created_at)
            .execute(&mut *tx)
            .await?;
            finish(tx, events, now).await
        }

        /// The private notes one author wrote about one person.
        pub(crate) async fn private_notes_of(
            pool: &Pool<Db>,
            structure_id: Uuid,
            person_id: Uuid,
            author_id: Uuid,
        ) -> Result<Vec<PrivateNoteRow>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT id, structure_id, person_id, author_id, body, created_at FROM private_notes \
                 WHERE structure_id = $1 AND person_id = $2 AND author_id = $3 \
                 ORDER BY created_at DESC",
            )
            .bind(structure_id)
            .bind(person_id)
            .bind(author_id)
            .fetch_all(pool)
            .await?)
        }

        pub(crate) async fn count_private_notes(
            pool: &Pool<Db>,
            structure_id: Uuid,
            person_id: Uuid,
        ) -> Result<i64, StoreError> {
            let (n,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM private_notes WHERE structure_id = $1 AND person_id = $2",
            )
            .bind(structure_id)
            .bind(person_id)
            .fetch_one(pool)
            .await?;
            Ok(n)
        }

        pub(crate) async fn delete_private_note(
            pool: &Pool<Db>,
            structure_id: Uuid,
            id: Uuid,
            author_id: Uuid,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "DELETE FROM private_notes WHERE id = $1 AND structure_id = $2 AND author_id = $3",
            )
            .bind(id)
            .bind(structure_id)
            .bind(author_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            finish(tx, events, now).await
        }

        /// The files of a structure that are not anonymised yet, with the
        /// dates of their last activity.
        pub(crate) async fn retention_rows(
            pool: &Pool<Db>,
            structure_id: Uuid,
        ) -> Result<Vec<RetentionRow>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT p.id, p.first_name, p.last_name, p.updated_at, p.keep_until, \
                 (SELECT MAX(h.updated_at) FROM help_requests h WHERE h.person_id = p.id) \
                   AS last_request, \
                 (SELECT MAX(i.occurred_at) FROM interventions i \
                   JOIN help_requests h ON h.id = i.help_request_id WHERE h.person_id = p.id) \
                   AS last_intervention, \
                 (SELECT MAX(m.ends_on) FROM mandates m WHERE m.person_id = p.id) \
                   AS last_mandate_end, p.merged_into \
                 FROM persons p WHERE p.structure_id = $1 \
                 AND p.anonymised_at IS NULL ORDER BY p.last_name, p.first_name",
            )
            .bind(structure_id)
            .fetch_all(pool)
            .await?)
        }

        pub(crate) async fn keep_person(
            pool: &Pool<Db>,
            structure_id: Uuid,
            person_id: Uuid,
            until: chrono::NaiveDate,
            reason: &str,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE persons SET keep_until = $1, keep_reason = $2 \
                 WHERE id = $3 AND structure_id = $4 AND anonymised_at IS NULL",
            )
            .bind(until)
            .bind(reason)
            .bind(person_id)
            .bind(structure_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            finish(tx, events, now).await
        }

        /// Removes what identifies a person and keeps what statistics need.
        pub(crate) async fn anonymise_person(
            pool: &Pool<Db>,
            a: &Anonymisation,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE persons SET first_name = '', last_name = '', usual_name = NULL, \
                 birth_date = NULL, birth_year = NULL, phone = NULL, email = NULL, \
                 insee_code = NULL, preferred_language = NULL, notes = NULL, equipment = '', \
                 search_key = '', phone_digits = '', keep_until = NULL, keep_reason = NULL, \
                 anonymised_at = $1, updated_at = $1 \
                 WHERE id = $2 AND structure_id = $3 AND anonymised_at IS NULL",
            )
            .bind(now)
            .bind(a.person_id)
            .bind(a.structure_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            for (request_id, bracket) in &a.requests {
                sqlx::query(
                    "UPDATE help_requests SET anon_age_bracket = COALESCE(anon_age_bracket, $1), \
                     anon_postcode = COALESCE(anon_postcode, $2), \
                     anon_commune = COALESCE(anon_commune, $3) WHERE id = $4",
                )
                .bind(bracket)
                .bind(&a.postcode)
                .bind(&a.commune)
                .bind(*request_id)
                .execute(&mut *tx)
                .await?;
            }
            for sql in [
                "UPDATE interventions SET summary = NULL, next_step = NULL WHERE help_request_id \
                 IN (SELECT id FROM help_requests WHERE person_id = $1)",
                "UPDATE referrals SET reason = NULL, person_id = NULL, follow_up_id = NULL \
                 WHERE help_request_id IN (SELECT id FROM help_requests WHERE person_id = $1) \
                 OR person_id = $1",
                "DELETE FROM follow_ups WHERE person_id = $1 OR help_request_id \
                 IN (SELECT id FROM help_requests WHERE person_id = $1)",
                "UPDATE mandates SET signature_svg = NULL, scan = NULL, scan_type = NULL, \
                 revoke_reason = NULL, remote_code_hash = NULL, revocation_secret = '' \
                 WHERE person_id = $1",
                "DELETE FROM private_notes WHERE person_id = $1",
                "DELETE FROM person_accounts WHERE person_id = $1",
                "DELETE FROM person_reminders WHERE person_id = $1",
                "DELETE FROM reminder_consents WHERE person_id = $1",
            ] {
                sqlx::query(sql).bind(a.person_id).execute(&mut *tx).await?;
            }
            bump_persons_revision(&mut tx, a.structure_id).await?;
            finish(tx, events, now).await
        }

        /// Forgets remote consent codes that expired before `before`.
        pub(crate) async fn clear_spent_codes(
            pool: &Pool<Db>,
            before: DateTime<Utc>,
        ) -> Result<u64, StoreError> {
            let done = sqlx::query(
                "UPDATE mandates SET remote_code_hash = NULL \
                 WHERE remote_code_hash IS NOT NULL AND remote_code_expires < $1",
            )
            .bind(before)
            .execute(pool)
            .await?;
            Ok(done.rows_affected())
        }

        pub(crate) async fn stats_requests(
            pool: &Pool<Db>,
            scope: Option<Uuid>,
            from: DateTime<Utc>,
            to: DateTime<Utc>,
        ) -> Result<Vec<StatsRequestRow>, StoreError> {
            let (cond, n) = scope_condition("h.structure_id", scope);
            let sql = format!(
                "SELECT h.id, h.category, h.operator, h.channel, h.created_by, h.status, h.outcome, \
                 h.created_at, h.person_id, \
                 p.birth_year, p.commune AS person_commune, h.anon_age_bracket, h.anon_commune, \
                 h.rights_at_risk, h.deadline, h.block_reason, h.closed_at, \
                 p.created_at AS person_created_at, p.insee_code AS person_insee, \
                 p.postcode AS person_postcode, h.anon_postcode \
                 FROM help_requests h LEFT JOIN persons p ON p.id = h.person_id \
                 WHERE {cond} h.created_at >= ${n} AND h.created_at < ${}",
                n + 1
            );
            let mut q = sqlx::query_as(&sql);
            if let Some(s) = scope {
                q = q.bind(s);
            }
            Ok(q.bind(from).bind(to).fetch_all(pool).await?)
        }

        /// The stats API's figures, aggregated by the database: requests
        /// created and interventions given in `[from, to)`, of one structure
        /// or all, of one agent's activity or all, grouped by `key`.
        pub(crate) async fn stats_aggregate(
            pool: &Pool<Db>,
            scope: Option<Uuid>,
            own: Option<Uuid>,
            from: DateTime<Utc>,
            to: DateTime<Utc>,
            key: StatsKey,
        ) -> Result<StatsAggregate, StoreError> {
            #[derive(Clone, Copy)]
            enum B {
                U(Uuid),
                T(DateTime<Utc>),
            }
            // Conditions with `?`, numbered at the end; their binds in order.
            let mut req = String::from("h.created_at >= ? AND h.created_at < ?");
            let mut req_b = vec![B::T(from), B::T(to)];
            let mut int = String::from("i.occurred_at >= ? AND i.occurred_at < ?");
            let mut int_b = vec![B::T(from), B::T(to)];
            if let Some(s) = scope {
                req.push_str(" AND h.structure_id = ?");
                req_b.push(B::U(s));
                int.push_str(" AND i.structure_id = ?");
                int_b.push(B::U(s));
            }
            if let Some(me) = own {
                req.push_str(
                    " AND (h.created_by = ? OR EXISTS (SELECT 1 FROM interventions i2 \
                     WHERE i2.help_request_id = h.id AND i2.agent_id = ? \
                     AND i2.occurred_at >= ? AND i2.occurred_at < ?))",
                );
                req_b.extend([B::U(me), B::U(me), B::T(from), B::T(to)]);
                int.push_str(" AND i.agent_id = ?");
                int_b.push(B::U(me));
            }
            fn numbered(sql: &str) -> String {
                let mut out = String::with_capacity(sql.len() + 16);
                let mut n = 0;
                for c in sql.chars() {
                    if c == '?' {
                        n += 1;
                        out.push_str(&format!("${n}"));
                    } else {
                        out.push(c);
                    }
                }
                out
            }
            macro_rules! run {
                ($ty:ty, $sql:expr, $binds:expr) => {{
                    let sql = numbered(&$sql);
                    let mut q = sqlx::query_as::<_, $ty>(&sql);
                    for b in $binds.iter() {
                        q = match *b {
                            B::U(u) => q.bind(u),
                            B::T(t) => q.bind(t),
                        };
                    }
                    q.fetch_all(pool).await?
                }};
            }
            let req_key = match key {
                StatsKey::Category => Some("h.category"),
                StatsKey::Operator => Some("COALESCE(h.operator, '')"),
                StatsKey::Outcome => Some("COALESCE(h.outcome, h.status)"),
                StatsKey::Channel => Some("h.channel"),
                StatsKey::Mode => Some("i.mode"),
                StatsKey::Nothing => None,
            };
            let mut out = StatsAggregate::default();
            let (n,): (i64,) = run!((i64,), format!("SELECT COUNT(*) FROM help_requests h WHERE {req}"), req_b)
                .into_iter()
                .next()
                .unwrap_or((0,));
            out.total_requests = n;
            let (n, m): (i64, i64) = run!(
                (i64, i64),
                format!(
                    "SELECT COUNT(*), CAST(COALESCE(SUM(i.duration_minutes), 0) AS BIGINT) FROM interventions i \
                     WHERE {int}"
                ),
                int_b
            )
            .into_iter()
            .next()
            .unwrap_or((0, 0));
            out.total_interventions = n;
            out.minutes = m;
            let both: Vec<B> = req_b.iter().chain(int_b.iter()).copied().collect();
            let (n,): (i64,) = run!(
                (i64,),
                format!(
                    "SELECT COUNT(*) FROM (SELECT h.person_id FROM help_requests h \
                     WHERE {req} AND h.person_id IS NOT NULL \
                     UNION SELECT h.person_id FROM interventions i \
                     JOIN help_requests h ON h.id = i.help_request_id \
                     WHERE {int} AND h.person_id IS NOT NULL) t"
                ),
                both
            )
            .into_iter()
            .next()
            .unwrap_or((0,));
            out.distinct_persons = n;
            if let Some(k) = req_key {
                out.requests_by = if key == StatsKey::Mode {
                    // A request counts once in each mode it was helped in.
                    let binds: Vec<B> = int_b.iter().chain(req_b.iter()).copied().collect();
                    run!(
                        (String, i64),
                        format!(
                            "SELECT i.mode, COUNT(DISTINCT i.help_request_id) FROM interventions i \
                             JOIN help_requests h ON h.id = i.help_request_id \
                             WHERE {int} AND {req} GROUP BY i.mode"
                        ),
                        binds
                    )
                } else {
                    run!(
                        (String, i64),
                        format!("SELECT {k}, COUNT(*) FROM help_requests h WHERE {req} GROUP BY 1"),
                        req_b
                    )
                };
                out.interventions_by = run!(
                    (String, i64, i64),
                    format!(
                        "SELECT {k}, COUNT(*), CAST(COALESCE(SUM(i.duration_minutes), 0) AS BIGINT) \
                         FROM interventions i JOIN help_requests h ON h.id = i.help_request_id \
                         WHERE {int} GROUP BY 1"
                    ),
                    int_b
                );
            }
            Ok(out)
        }

        /// One person's requests, as statistics see them.
        pub(crate) async fn requests_of_person(
            pool: &Pool<Db>,
            structure_id: Uuid,
            person_id: Uuid,
        ) -> Result<Vec<StatsRequestRow>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT h.id, h.category, h.operator, h.channel, h.created_by, h.status, h.outcome, \
                 h.created_at, h.person_id, \
                 p.birth_year, p.commune AS person_commune, h.anon_age_bracket, h.anon_commune, \
                 h.rights_at_risk, h.deadline, h.block_reason, h.closed_at, \
                 p.created_at AS person_created_at, p.insee_code AS person_insee, \
                 p.postcode AS person_postcode, h.anon_postcode \
                 FROM help_requests h LEFT JOIN persons p ON p.id = h.person_id \
                 WHERE h.person_id = $1 AND h.structure_id = $2",
            )
            .bind(person_id)
            .bind(structure_id)
            .fetch_all(pool)
            .await?)
        }

        pub(crate) async fn stats_interventions(
            pool: &Pool<Db>,
            scope: Option<Uuid>,
            from: DateTime<Utc>,
            to: DateTime<Utc>,
        ) -> Result<Vec<StatsInterventionRow>, StoreError> {
            let (cond, n) = scope_condition("i.structure_id", scope);
            let sql = format!(
                "SELECT i.id, i.mode, i.duration_minutes, i.occurred_at, i.agent_id, i.help_request_id, \
                 h.person_id, h.category, h.operator, h.channel, h.status, h.outcome \
                 FROM interventions i JOIN help_requests h ON h.id = i.help_request_id \
                 WHERE {cond} i.occurred_at >= ${n} AND i.occurred_at < ${}",
                n + 1
            );
            let mut q = sqlx::query_as(&sql);
            if let Some(s) = scope {
                q = q.bind(s);
            }
            Ok(q.bind(from).bind(to).fetch_all(pool).await?)
        }

        /// Follow-ups due from `from` to `to` (days, both included).
        pub(crate) async fn stats_follow_ups(
            pool: &Pool<Db>,
            scope: Option<Uuid>,
            from: chrono::NaiveDate,
            to: chrono::NaiveDate,
        ) -> Result<Vec<StatsFollowUpRow>, StoreError> {
            let (cond, n) = scope_condition("f.structure_id", scope);
            let sql = format!(
                "SELECT f.due_date, f.done, f.done_at, f.assignee_id, h.category, h.channel \
                 FROM follow_ups f LEFT JOIN help_requests h ON h.id = f.help_request_id \
                 WHERE {cond} f.due_date >= ${n} AND f.due_date <= ${}",
                n + 1
            );
            let mut q = sqlx::query_as(&sql);
            if let Some(s) = scope {
                q = q.bind(s);
            }
            Ok(q.bind(from).bind(to).fetch_all(pool).await?)
        }

        /// Signed mandates that were in force some day from `from` to `to`.
        pub(crate) async fn stats_mandates(
            pool: &Pool<Db>,
            scope: Option<Uuid>,
            from: chrono::NaiveDate,
            to: chrono::NaiveDate,
        ) -> Result<Vec<StatsMandateRow>, StoreError> {
            let (cond, n) = scope_condition("structure_id", scope);
            let sql = format!(
                "SELECT person_id, categories, starts_on, ends_on, signed_at, revoked_at \
                 FROM mandates WHERE {cond} signed_at IS NOT NULL \
                 AND starts_on <= ${} AND ends_on >= ${n}",
                n + 1
            );
            let mut q = sqlx::query_as(&sql);
            if let Some(s) = scope {
                q = q.bind(s);
            }
            Ok(q.bind(from).bind(to).fetch_all(pool).await?)
        }

        /// Autonomy assessments made up to `to`, in assessment order.
        pub(crate) async fn stats_autonomy(
            pool: &Pool<Db>,
            scope: Option<Uuid>,
            to: chrono::NaiveDate,
        ) -> Result<Vec<StatsAutonomyRow>, StoreError> {
            let (cond, n) = scope_condition("p.structure_id", scope);
            let sql = format!(
                "SELECT a.person_id, a.level, a.assessed_on, a.created_at \
                 FROM autonomy_assessments a JOIN persons p ON p.id = a.person_id \
                 WHERE {cond} a.assessed_on <= ${n} \
                 ORDER BY a.person_id, a.assessed_on, a.created_at, a.id"
            );
            let mut q = sqlx::query_as(&sql);
            if let Some(s) = scope {
                q = q.bind(s);
            }
            Ok(q.bind(to).fetch_all(pool).await?)
        }

        /// One page of the interventions export, in (time, id) order after
        /// `after`. Names are selected only when `names` is set.
        pub(crate) async fn export_interventions(
            pool: &Pool<Db>,
            scope: Option<Uuid>,
            from: DateTime<Utc>,
            to: DateTime<Utc>,
            after: Option<(DateTime<Utc>, Uuid)>,
            names: bool,
            limit: i64,
        ) -> Result<Vec<ExportInterventionRow>, StoreError> {
            let (cond, n) = scope_condition("i.structure_id", scope);
            let name_cols = if names {
                "p.first_name, p.last_name"
            } else {
                "CAST(NULL AS TEXT) AS first_name, CAST(NULL AS TEXT) AS last_name"
            };
            let keyset = if after.is_some() {
                format!(
                    "AND (i.occurred_at > ${a} OR (i.occurred_at = ${a} AND i.id > ${b}))",
                    a = n + 2,
                    b = n + 3
                )
            } else {
                String::new()
            };
            let sql = format!(
                "SELECT i.id, i.occurred_at, i.duration_minutes, i.mode, i.place, i.agent_id, \
                 a.name AS agent_name, h.reference, h.procedure, h.category, h.operator, h.channel, \
                 h.rights_at_risk, h.status, h.outcome, h.block_reason, h.created_by, \
                 p.birth_year, p.commune AS person_commune, h.anon_age_bracket, h.anon_commune, \
                 {name_cols} \
                 FROM interventions i JOIN help_requests h ON h.id = i.help_request_id \
                 LEFT JOIN persons p ON p.id = h.person_id \
                 LEFT JOIN agents a ON a.id = i.agent_id \
                 WHERE {cond} i.occurred_at >= ${n} AND i.occurred_at < ${} {keyset} \
                 ORDER BY i.occurred_at, i.id LIMIT {limit}",
                n + 1
            );
            let mut q = sqlx::query_as(&sql);
            if let Some(s) = scope {
                q = q.bind(s);
            }
            q = q.bind(from).bind(to);
            if let Some((at, id)) = after {
                q = q.bind(at).bind(id);
            }
            Ok(q.fetch_all(pool).await?)
        }

        /// Writes a generator batch in one transaction, with multi-row
        /// inserts (under both engines' parameter limits).
        pub(crate) async fn bulk_load(pool: &Pool<Db>, b: &BulkBatch) -> Result<(), StoreError> {
            use sqlx::QueryBuilder;
            let mut tx = pool.begin().await?;
            for chunk in b.persons.chunks(1000) {
                let mut q = QueryBuilder::<Db>::new(format!("INSERT INTO persons ({PERSON_COLS}) "));
                q.push_values(chunk, |mut r, p| {
                    r.push_bind(p.id)
                        .push_bind(p.structure_id)
                        .push_bind(&p.first_name)
                        .push_bind(&p.last_name)
                        .push_bind(&p.usual_name)
                        .push_bind(p.birth_date)
                        .push_bind(p.birth_year)
                        .push_bind(&p.phone)
                        .push_bind(&p.email)
                        .push_bind(&p.postcode)
                        .push_bind(&p.commune)
                        .push_bind(&p.insee_code)
                        .push_bind(&p.preferred_language)
                        .push_bind(&p.notes)
                        .push_bind(p.privacy_notice_on)
                        .push_bind(&p.equipment)
                        .push_bind(&p.search_key)
                        .push_bind(&p.phone_digits)
                        .push_bind(p.merged_into)
                        .push_bind(p.created_by)
                        .push_bind(p.created_at)
                        .push_bind(p.updated_at)
                        .push_bind(p.keep_until)
                        .push_bind(&p.keep_reason)
                        .push_bind(p.anonymised_at);
                });
                q.build().execute(&mut *tx).await?;
            }
            for chunk in b.assessments.chunks(2000) {
                let mut q = QueryBuilder::<Db>::new(
                    "INSERT INTO autonomy_assessments (id, person_id, level, assessed_on, agent_id, created_at) ",
                );
                q.push_values(chunk, |mut r, a| {
                    r.push_bind(a.id)
                        .push_bind(a.person_id)
                        .push_bind(&a.level)
                        .push_bind(a.assessed_on)
                        .push_bind(a.agent_id)
                        .push_bind(a.created_at);
                });
                q.build().execute(&mut *tx).await?;
            }
            for chunk in b.mandates.chunks(1000) {
                let mut q = QueryBuilder::<Db>::new(
                    "INSERT INTO mandates (id, structure_id, person_id, categories, revoked_categories, \
                     duration, starts_on, ends_on, consent, signed_at, verification_code, \
                     revocation_secret, remote_code_hash, remote_code_expires, remote_attempts, \
                     signature_svg, scan, scan_type, revoked_at, revoke_reason, renewed_from, drawn_by, \
                     lang, created_at, updated_at) ",
                );
                q.push_values(chunk, |mut r, m| {
                    r.push_bind(m.id)
                        .push_bind(m.structure_id)
                        .push_bind(m.person_id)
                        .push_bind(&m.categories)
                        .push_bind(&m.revoked_categories)
                        .push_bind(&m.duration)
                        .push_bind(m.starts_on)
                        .push_bind(m.ends_on)
                        .push_bind(&m.consent)
                        .push_bind(m.signed_at)
                        .push_bind(&m.verification_code)
                        .push_bind(&m.revocation_secret)
                        .push_bind(&m.remote_code_hash)
                        .push_bind(m.remote_code_expires)
                        .push_bind(m.remote_attempts)
                        .push_bind(&m.signature_svg)
                        .push_bind(&m.scan)
                        .push_bind(&m.scan_type)
                        .push_bind(m.revoked_at)
                        .push_bind(&m.revoke_reason)
                        .push_bind(m.renewed_from)
                        .push_bind(m.drawn_by)
                        .push_bind(&m.lang)
                        .push_bind(m.created_at)
                        .push_bind(m.updated_at);
                });
                q.build().execute(&mut *tx).await?;
            }
            for chunk in b.requests.chunks(1000) {
                let mut q = QueryBuilder::<Db>::new(
                    "INSERT INTO help_requests (id, structure_id, reference, person_id, anon_age_bracket, \
                     anon_postcode, anon_commune, procedure, category, operator, channel, rights_at_risk, \
                     deadline, status, outcome, block_reason, submission_key, created_by, created_at, \
                     updated_at, closed_at) ",
                );
                q.push_values(chunk, |mut r, h| {
                    r.push_bind(h.id)
                        .push_bind(h.structure_id)
                        .push_bind(&h.reference)
                        .push_bind(h.person_id)
                        .push_bind(&h.anon_age_bracket)
                        .push_bind(&h.anon_postcode)
                        .push_bind(&h.anon_commune)
                        .push_bind(&h.procedure)
                        .push_bind(&h.category)
                        .push_bind(&h.operator)
                        .push_bind(&h.channel)
                        .push_bind(h.rights_at_risk)
                        .push_bind(h.deadline)
                        .push_bind(&h.status)
                        .push_bind(&h.outcome)
                        .push_bind(&h.block_reason)
                        .push_bind(&h.submission_key)
                        .push_bind(h.created_by)
                        .push_bind(h.created_at)
                        .push_bind(h.updated_at)
                        .push_bind(h.closed_at);
                });
                q.build().execute(&mut *tx).await?;
            }
            for chunk in b.interventions.chunks(2000) {
                let mut q = QueryBuilder::<Db>::new(
                    "INSERT INTO interventions (id, structure_id, help_request_id, agent_id, occurred_at, \
                     duration_minutes, mode, place, summary, next_step, mandate_id, created_at) ",
                );
                q.push_values(chunk, |mut r, i| {
                    r.push_bind(i.id)
                        .push_bind(i.structure_id)
                        .push_bind(i.help_request_id)
                        .push_bind(i.agent_id)
                        .push_bind(i.occurred_at)
                        .push_bind(i.duration_minutes)
                        .push_bind(&i.mode)
                        .push_bind(&i.place)
                        .push_bind(&i.summary)
                        .push_bind(&i.next_step)
                        .push_bind(i.mandate_id)
                        .push_bind(i.created_at);
                });
                q.build().execute(&mut *tx).await?;
            }
            for chunk in b.follow_ups.chunks(2000) {
                let mut q = QueryBuilder::<Db>::new(
                    "INSERT INTO follow_ups (id, structure_id, help_request_id, person_id, assignee_id, \
                     due_date, reason, done, done_at, created_by, created_at) ",
                );
                q.push_values(chunk, |mut r, f| {
                    r.push_bind(f.id)
                        .push_bind(f.structure_id)
                        .push_bind(f.help_request_id)
                        .push_bind(f.person_id)
                        .push_bind(f.assignee_id)
                        .push_bind(f.due_date)
                        .push_bind(&f.reason)
                        .push_bind(f.done)
                        .push_bind(f.done_at)
                        .push_bind(f.created_by)
                        .push_bind(f.created_at);
                });
                q.build().execute(&mut *tx).await?;
            }
            for chunk in b.journal.chunks(2000) {
                let mut q = QueryBuilder::<Db>::new(
                    "INSERT INTO journal (chain, seq, at, actor_id, structure_id, action, \
                     object_type, object_id, details, prev_hash, hash) ",
                );
                q.push_values(chunk, |mut r, j| {
                    r.push_bind(&j.chain)
                        .push_bind(j.seq)
                        .push_bind(j.at)
                        .push_bind(j.actor_id)
                        .push_bind(j.structure_id)
                        .push_bind(&j.action)
                        .push_bind(&j.object_type)
                        .push_bind(j.object_id)
                        .push_bind(&j.details)
                        .push_bind(&j.prev_hash)
                        .push_bind(&j.hash);
                });
                q.build().execute(&mut *tx).await?;
            }
            for h in &b.heads {
                sqlx::query("UPDATE journal_heads SET seq = $1, hash = $2 WHERE chain = $3")
                    .bind(h.seq)
                    .bind(&h.hash)
                    .bind(&h.chain)
                    .execute(&mut *tx)
                    .await?;
            }
            let mut structures: Vec<Uuid> = b.persons.iter().map(|p| p.structure_id).collect();
            structures.sort();
            structures.dedup();
            for s in structures {
                bump_persons_revision(&mut tx, s).await?;
            }
            for (structure, year, value) in &b.counters {
                sqlx::query(
                    "INSERT INTO counters (structure_id, name, year, value) VALUES ($1, 'help_request', $2, $3) \
                     ON CONFLICT (structure_id, name, year) DO UPDATE SET value = excluded.value",
                )
                .bind(structure)
                .bind(year)
                .bind(value)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        }

        // ---- places ---------------------------------------------------------

        /// Inserts new places and services and updates those whose content
        /// changed, in one transaction with its journal entries.
        pub(crate) async fn upsert_places(
            pool: &Pool<Db>,
            places: &[PlaceRow],
            offers: &[PlaceOfferRow],
            events: impl Fn(UpsertCounts, UpsertCounts) -> Vec<JournalEvent>,
            now: DateTime<Utc>,
        ) -> Result<(UpsertCounts, UpsertCounts), StoreError> {
            let mut tx = pool.begin().await?;
            let mut counts = UpsertCounts::default();
            for p in places {
                let key = (p.source.as_str(), p.source_id.as_str(), p.content_hash.as_str());
                if !count_change(&mut tx, "places", key, &mut counts).await? {
                    continue;
                }
                // One statement for new and changed places; the id stays.
                upsert_place_tx(&mut tx, p).await?;
            }
            let mut offer_counts = UpsertCounts::default();
            for o in offers {
                let key = (o.source.as_str(), o.source_id.as_str(), o.content_hash.as_str());
                if count_change(&mut tx, "place_offers", key, &mut offer_counts).await? {
                    upsert_offer_tx(&mut tx, o).await?;
                }
            }
            append_journal(&mut tx, &events(counts, offer_counts), now).await?;
            tx.commit().await?;
            Ok((counts, offer_counts))
        }

        async fn count_change(
            tx: &mut Tx<'_>,
            table: &str,
            (source, source_id, hash): (&str, &str, &str),
            counts: &mut UpsertCounts,
        ) -> Result<bool, StoreError> {
            let sql = format!("SELECT content_hash FROM {table} WHERE source = $1 AND source_id = $2");
            let existing: Option<(String,)> = sqlx::query_as(&sql)
                .bind(source)
                .bind(source_id)
                .fetch_optional(&mut **tx)
                .await?;
            Ok(match existing {
                Some((h,)) if h == hash => {
                    counts.unchanged += 1;
                    false
                }
                Some(_) => {
                    counts.updated += 1;
                    true
                }
                None => {
                    counts.new += 1;
                    true
                }
            })
        }

        async fn upsert_place_tx(tx: &mut Tx<'_>, p: &PlaceRow) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO places (id, source, source_id, name, siret, address, postcode, \
                 commune, insee_code, latitude, longitude, phone, email, website, \
                 opening_hours, services, labels, access_modes, updated_on, content_hash, \
                 imported_at, rna, publics, fees, support_modes, description, structure_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
                 $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27) \
                 ON CONFLICT (source, source_id) DO UPDATE SET name = excluded.name, \
                 siret = excluded.siret, address = excluded.address, \
                 postcode = excluded.postcode, commune = excluded.commune, \
                 insee_code = excluded.insee_code, latitude = excluded.latitude, \
                 longitude = excluded.longitude, phone = excluded.phone, \
                 email = excluded.email, website = excluded.website, \
                 opening_hours = excluded.opening_hours, services = excluded.services, \
                 labels = excluded.labels, access_modes = excluded.access_modes, \
                 updated_on = excluded.updated_on, content_hash = excluded.content_hash, \
                 imported_at = excluded.imported_at, rna = excluded.rna, \
                 publics = excluded.publics, fees = excluded.fees, \
                 support_modes = excluded.support_modes, description = excluded.description, \
                 structure_id = excluded.structure_id",
            )
            .bind(p.id)
            .bind(&p.source)
            .bind(&p.source_id)
            .bind(&p.name)
            .bind(&p.siret)
            .bind(&p.address)
            .bind(&p.postcode)
            .bind(&p.commune)
            .bind(&p.insee_code)
            .bind(p.latitude)
            .bind(p.longitude)
            .bind(&p.phone)
            .bind(&p.email)
            .bind(&p.website)
            .bind(&p.opening_hours)
            .bind(&p.services)
            .bind(&p.labels)
            .bind(&p.access_modes)
            .bind(p.updated_on)
            .bind(&p.content_hash)
            .bind(p.imported_at)
            .bind(&p.rna)
            .bind(&p.publics)
            .bind(&p.fees)
            .bind(&p.support_modes)
            .bind(&p.description)
            .bind(p.structure_id)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }

        /// Saves one of the structure's own places (source `relais`).
        pub(crate) async fn save_own_place(
            pool: &Pool<Db>,
            p: &PlaceRow,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            upsert_place_tx(&mut tx, p).await?;
            finish(tx, events, now).await
        }

        async fn upsert_offer_tx(tx: &mut Tx<'_>, o: &PlaceOfferRow) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO place_offers (id, source, source_id, structure_ref, name, \
                 description, kinds, thematiques, services, fees, publics, link, \
                 content_hash, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
                 $10, $11, $12, $13, $14) ON CONFLICT (source, source_id) DO UPDATE SET \
                 structure_ref = excluded.structure_ref, name = excluded.name, \
                 description = excluded.description, kinds = excluded.kinds, \
                 thematiques = excluded.thematiques, services = excluded.services, \
                 fees = excluded.fees, publics = excluded.publics, link = excluded.link, \
                 content_hash = excluded.content_hash, imported_at = excluded.imported_at",
            )
            .bind(o.id)
            .bind(&o.source)
            .bind(&o.source_id)
            .bind(&o.structure_ref)
            .bind(&o.name)
            .bind(&o.description)
            .bind(&o.kinds)
            .bind(&o.thematiques)
            .bind(&o.services)
            .bind(&o.fees)
            .bind(&o.publics)
            .bind(&o.link)
            .bind(&o.content_hash)
            .bind(o.imported_at)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }

        /// The services a source publishes for one of its structures.
        pub(crate) async fn offers_of(
            pool: &Pool<Db>,
            source: &str,
            structure_ref: &str,
        ) -> Result<Vec<PlaceOfferRow>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT id, source, source_id, structure_ref, name, description, kinds, \
                 thematiques, services, fees, publics, link, content_hash, imported_at \
                 FROM place_offers WHERE source = $1 AND structure_ref = $2 ORDER BY name",
            )
            .bind(source)
            .bind(structure_ref)
            .fetch_all(pool)
            .await?)
        }

        /// The structure's own places.
        pub(crate) async fn own_places(
            pool: &Pool<Db>,
            structure_id: Uuid,
        ) -> Result<Vec<PlaceRow>, StoreError> {
            let sql =
                format!("SELECT {PLACE_COLS} FROM places WHERE structure_id = $1 ORDER BY name");
            Ok(sqlx::query_as(&sql)
                .bind(structure_id)
                .fetch_all(pool)
                .await?)
        }

        // ---- referrals -------------------------------------------------------

        const REFERRAL_SELECT: &str = "SELECT r.id, r.structure_id, r.help_request_id, \
            r.person_id, r.place_id, r.operator_id, r.reason, r.status, r.follow_up_id, \
            r.created_by, r.created_at, r.updated_at, r.closed_on, p.name AS place_name \
            FROM referrals r LEFT JOIN places p ON p.id = r.place_id";

        /// A referral and, when asked, its follow-up, in one transaction.
        pub(crate) async fn insert_referral(
            pool: &Pool<Db>,
            r: &ReferralRow,
            follow_up: Option<&FollowUpRow>,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            if let Some(f) = follow_up {
                insert_follow_up_tx(&mut tx, f).await?;
            }
            sqlx::query(
                "INSERT INTO referrals (id, structure_id, help_request_id, person_id, place_id, \
                 operator_id, reason, status, follow_up_id, created_by, created_at, updated_at, \
                 closed_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(r.id)
            .bind(r.structure_id)
            .bind(r.help_request_id)
            .bind(r.person_id)
            .bind(r.place_id)
            .bind(&r.operator_id)
            .bind(&r.reason)
            .bind(&r.status)
            .bind(r.follow_up_id)
            .bind(r.created_by)
            .bind(r.created_at)
            .bind(r.updated_at)
            .bind(r.closed_on)
            .execute(&mut *tx)
            .await?;
            finish(tx, events, now).await
        }

        /// A new status (and the follow-up done when the referral is over).
        pub(crate) async fn update_referral(
            pool: &Pool<Db>,
            r: &ReferralRow,
            close_follow_up: bool,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE referrals SET status = $1, updated_at = $2, closed_on = $3 \
                 WHERE id = $4 AND structure_id = $5",
            )
            .bind(&r.status)
            .bind(r.updated_at)
            .bind(r.closed_on)
            .bind(r.id)
            .bind(r.structure_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            if let (true, Some(f)) = (close_follow_up, r.follow_up_id) {
                sqlx::query(
                    "UPDATE follow_ups SET done = TRUE, done_at = $1 WHERE id = $2 AND done = FALSE",
                )
                .bind(now)
                .bind(f)
                .execute(&mut *tx)
                .await?;
            }
            finish(tx, events, now).await
        }

        pub(crate) async fn referral_by_id(
            pool: &Pool<Db>,
            structure_id: Uuid,
            id: Uuid,
        ) -> Result<Option<ReferralListRow>, StoreError> {
            let sql = format!("{REFERRAL_SELECT} WHERE r.structure_id = $1 AND r.id = $2");
            Ok(sqlx::query_as(&sql)
                .bind(structure_id)
                .bind(id)
                .fetch_optional(pool)
                .await?)
        }

        pub(crate) async fn referrals_of_request(
            pool: &Pool<Db>,
            structure_id: Uuid,
            request_id: Uuid,
        ) -> Result<Vec<ReferralListRow>, StoreError> {
            let sql = format!(
                "{REFERRAL_SELECT} WHERE r.structure_id = $1 AND r.help_request_id = $2 \
                 ORDER BY r.created_at"
            );
            Ok(sqlx::query_as(&sql)
                .bind(structure_id)
                .bind(request_id)
                .fetch_all(pool)
                .await?)
        }

        /// Referrals made from `from` to `to`, by status.
        pub(crate) async fn stats_referrals(
            pool: &Pool<Db>,
            scope: Option<Uuid>,
            from: DateTime<Utc>,
            to: DateTime<Utc>,
        ) -> Result<Vec<(String, Option<Uuid>, String, String)>, StoreError> {
            let (cond, n) = scope_condition("f.structure_id", scope);
            let sql = format!(
                "SELECT f.status, f.created_by, h.category, h.channel FROM referrals f \
                 JOIN help_requests h ON h.id = f.help_request_id \
                 WHERE {cond} f.created_at >= ${n} AND f.created_at < ${}",
                n + 1
            );
            let mut q = sqlx::query_as(&sql);
            if let Some(s) = scope {
                q = q.bind(s);
            }
            Ok(q.bind(from).bind(to).fetch_all(pool).await?)
        }

        const PLACE_COLS: &str = "id, source, source_id, name, siret, address, postcode, commune, \
            insee_code, latitude, longitude, phone, email, website, opening_hours, services, labels, \
            access_modes, updated_on, content_hash, imported_at, rna, publics, fees, support_modes, \
            description, structure_id";

        /// Places whose INSEE code or postcode starts with `prefix` (a
        /// département), or every place when it is empty.
        pub(crate) async fn places_in(
            pool: &Pool<Db>,
            prefix: &str,
        ) -> Result<Vec<PlaceRow>, StoreError> {
            let sql = format!(
                "SELECT {PLACE_COLS} FROM places WHERE insee_code LIKE $1 OR postcode LIKE $1 \
                 ORDER BY name"
            );
            Ok(sqlx::query_as(&sql)
                .bind(format!("{prefix}%"))
                .fetch_all(pool)
                .await?)
        }

        pub(crate) async fn place_by_id(
            pool: &Pool<Db>,
            id: Uuid,
        ) -> Result<Option<PlaceRow>, StoreError> {
            let sql = format!("SELECT {PLACE_COLS} FROM places WHERE id = $1");
            Ok(sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?)
        }

        // ---- reminders -----------------------------------------------------

        /// Follow-ups not done whose day has come, in every structure.
        pub(crate) async fn open_follow_ups_until(
            pool: &Pool<Db>,
            until: chrono::NaiveDate,
        ) -> Result<Vec<FollowUpListRow>, StoreError> {
            let sql = format!(
                "{FOLLOW_UP_SELECT} WHERE f.done = FALSE AND f.due_date <= $1 \
                 ORDER BY f.due_date, f.created_at"
            );
            Ok(sqlx::query_as(&sql).bind(until).fetch_all(pool).await?)
        }

        /// Inserts the reminders that do not exist yet; returns how many were
        /// new. The unique key (follow-up, day) makes concurrent runs safe.
        pub(crate) async fn insert_notifications(
            pool: &Pool<Db>,
            rows: &[NotificationRow],
            events: impl Fn(u64) -> Vec<JournalEvent>,
            now: DateTime<Utc>,
        ) -> Result<u64, StoreError> {
            let mut tx = pool.begin().await?;
            let mut created = 0;
            for n in rows {
                let done = sqlx::query(
                    "INSERT INTO notifications (id, structure_id, agent_id, follow_up_id, due_date, \
                     kind, created_at, read_at, email_status, email_attempts, email_next_at, \
                     email_claimed_at, email_error) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, 0, \
                     NULL, NULL, NULL) ON CONFLICT (follow_up_id, due_date) DO NOTHING",
                )
                .bind(n.id)
                .bind(n.structure_id)
                .bind(n.agent_id)
                .bind(n.follow_up_id)
                .bind(n.due_date)
                .bind(&n.kind)
                .bind(n.created_at)
                .bind(&n.email_status)
                .execute(&mut *tx)
                .await?;
                created += done.rows_affected();
            }
            if created > 0 {
                append_journal(&mut tx, &events(created), now).await?;
            }
            tx.commit().await?;
            Ok(created)
        }

        const NOTIFICATION_SELECT: &str = "SELECT n.id, n.structure_id, n.agent_id, \
            n.follow_up_id, n.due_date, n.kind, n.created_at, n.read_at, n.email_status, \
            n.email_attempts, n.email_next_at, n.email_claimed_at, n.email_error, \
            f.help_request_id, COALESCE(f.person_id, r.person_id) AS person_id, r.reference, \
            r.procedure, a.email AS agent_email FROM notifications n \
            JOIN follow_ups f ON f.id = n.follow_up_id \
            LEFT JOIN help_requests r ON r.id = f.help_request_id \
            JOIN agents a ON a.id = n.agent_id";

        pub(crate) async fn notifications_of(
            pool: &Pool<Db>,
            structure_id: Uuid,
            agent_id: Uuid,
            limit: i64,
        ) -> Result<Vec<NotificationListRow>, StoreError> {
            let sql = format!(
                "{NOTIFICATION_SELECT} WHERE n.structure_id = $1 AND n.agent_id = $2 \
                 ORDER BY (n.read_at IS NULL) DESC, n.due_date DESC, n.created_at DESC LIMIT $3"
            );
            Ok(sqlx::query_as(&sql)
                .bind(structure_id)
                .bind(agent_id)
                .bind(limit)
                .fetch_all(pool)
                .await?)
        }

        pub(crate) async fn count_unread_notifications(
            pool: &Pool<Db>,
            structure_id: Uuid,
            agent_id: Uuid,
        ) -> Result<i64, StoreError> {
            let (n,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM notifications WHERE structure_id = $1 AND agent_id = $2 \
                 AND read_at IS NULL",
            )
            .bind(structure_id)
            .bind(agent_id)
            .fetch_one(pool)
            .await?;
            Ok(n)
        }

        /// Marks one reminder (or all of them) as read.
        pub(crate) async fn mark_notifications_read(
            pool: &Pool<Db>,
            structure_id: Uuid,
            agent_id: Uuid,
            id: Option<Uuid>,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<u64, StoreError> {
            let mut tx = pool.begin().await?;
            let done = match id {
                Some(id) => sqlx::query(
                    "UPDATE notifications SET read_at = $1 WHERE structure_id = $2 \
                     AND agent_id = $3 AND id = $4 AND read_at IS NULL",
                )
                .bind(now)
                .bind(structure_id)
                .bind(agent_id)
                .bind(id)
                .execute(&mut *tx)
                .await?,
                None => sqlx::query(
                    "UPDATE notifications SET read_at = $1 WHERE structure_id = $2 \
                     AND agent_id = $3 AND read_at IS NULL",
                )
                .bind(now)
                .bind(structure_id)
                .bind(agent_id)
                .execute(&mut *tx)
                .await?,
            };
            finish(tx, events, now).await?;
            Ok(done.rows_affected())
        }

        /// E-mails ready to go (pending and due, or claimed long ago by a
        /// server that stopped).
        pub(crate) async fn emails_to_send(
            pool: &Pool<Db>,
            now: DateTime<Utc>,
            stale_before: DateTime<Utc>,
            limit: i64,
        ) -> Result<Vec<NotificationListRow>, StoreError> {
            let sql = format!(
                "{NOTIFICATION_SELECT} WHERE (n.email_status = 'pending' AND \
                 (n.email_next_at IS NULL OR n.email_next_at <= $1)) OR \
                 (n.email_status = 'sending' AND n.email_claimed_at < $2) \
                 ORDER BY n.created_at LIMIT $3"
            );
            Ok(sqlx::query_as(&sql)
                .bind(now)
                .bind(stale_before)
                .bind(limit)
                .fetch_all(pool)
                .await?)
        }

        /// Takes an e-mail for this server; false when another one has it.
        pub(crate) async fn claim_email(
            pool: &Pool<Db>,
            id: Uuid,
            now: DateTime<Utc>,
            stale_before: DateTime<Utc>,
        ) -> Result<bool, StoreError> {
            let done = sqlx::query(
                "UPDATE notifications SET email_status = 'sending', email_claimed_at = $1 \
                 WHERE id = $2 AND ((email_status = 'pending' AND \
                 (email_next_at IS NULL OR email_next_at <= $1)) OR \
                 (email_status = 'sending' AND email_claimed_at < $3))",
            )
            .bind(now)
            .bind(id)
            .bind(stale_before)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        }

        pub(crate) async fn finish_email(
            pool: &Pool<Db>,
            id: Uuid,
            status: &str,
            attempts: i64,
            next_at: Option<DateTime<Utc>>,
            error: Option<&str>,
        ) -> Result<(), StoreError> {
            sqlx::query(
                "UPDATE notifications SET email_status = $1, email_attempts = $2, \
                 email_next_at = $3, email_error = $4, email_claimed_at = NULL WHERE id = $5",
            )
            .bind(status)
            .bind(attempts)
            .bind(next_at)
            .bind(error)
            .bind(id)
            .execute(pool)
            .await?;
            Ok(())
        }

        /// (waiting, failed, last error) of the reminder e-mails, for admins.
        pub(crate) async fn email_backlog(
            pool: &Pool<Db>,
        ) -> Result<(i64, i64, Option<String>), StoreError> {
            let (waiting, failed): (i64, i64) = sqlx::query_as(
                "SELECT COALESCE(SUM(CASE WHEN email_status IN ('pending', 'sending') THEN 1 ELSE 0 END), 0), \
                 COALESCE(SUM(CASE WHEN email_status = 'failed' THEN 1 ELSE 0 END), 0) FROM notifications",
            )
            .fetch_one(pool)
            .await?;
            let last: Option<(Option<String>,)> = sqlx::query_as(
                "SELECT email_error FROM notifications WHERE email_error IS NOT NULL \
                 ORDER BY email_next_at DESC LIMIT 1",
            )
            .fetch_optional(pool)
            .await?;
            Ok((waiting, failed, last.and_then(|l| l.0)))
        }

        pub(crate) async fn set_calendar_feed(
            pool: &Pool<Db>,
            agent_id: Uuid,
            structure_id: Uuid,
            token_hash: Option<&str>,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM calendar_feeds WHERE agent_id = $1 AND structure_id = $2")
                .bind(agent_id)
                .bind(structure_id)
                .execute(&mut *tx)
                .await?;
            if let Some(h) = token_hash {
                sqlx::query(
                    "INSERT INTO calendar_feeds (agent_id, structure_id, token_hash, created_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(agent_id)
                .bind(structure_id)
                .bind(h)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            finish(tx, events, now).await
        }

        pub(crate) async fn calendar_feed_by_hash(
            pool: &Pool<Db>,
            token_hash: &str,
        ) -> Result<Option<(Uuid, Uuid, DateTime<Utc>)>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT agent_id, structure_id, created_at FROM calendar_feeds WHERE token_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await?)
        }

        pub(crate) async fn calendar_feed_of(
            pool: &Pool<Db>,
            agent_id: Uuid,
            structure_id: Uuid,
        ) -> Result<Option<DateTime<Utc>>, StoreError> {
            let row: Option<(DateTime<Utc>,)> = sqlx::query_as(
                "SELECT created_at FROM calendar_feeds WHERE agent_id = $1 AND structure_id = $2",
            )
            .bind(agent_id)
            .bind(structure_id)
            .fetch_optional(pool)
            .await?;
            Ok(row.map(|r| r.0))
        }
        // ---- a structure's catalogue -------------------------------------

        pub(crate) async fn procedure_settings_of(
            pool: &Pool<Db>,
            structure_id: Uuid,
        ) -> Result<Vec<ProcedureSettingRow>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT structure_id, procedure_id, hidden, local_note, updated_by, updated_at \
                 FROM procedure_settings WHERE structure_id = $1",
            )
            .bind(structure_id)
            .fetch_all(pool)
            .await?)
        }

        pub(crate) async fn save_procedure_settings(
            pool: &Pool<Db>,
            rows: &[ProcedureSettingRow],
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            for r in rows {
                sqlx::query(
                    "INSERT INTO procedure_settings (structure_id, procedure_id, hidden, \
                     local_note, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (structure_id, procedure_id) DO UPDATE SET \
                     hidden = excluded.hidden, local_note = excluded.local_note, \
                     updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                )
                .bind(r.structure_id)
                .bind(&r.procedure_id)
                .bind(r.hidden)
                .bind(&r.local_note)
                .bind(r.updated_by)
                .bind(r.updated_at)
                .execute(&mut *tx)
                .await?;
            }
            finish(tx, events, now).await
        }

        pub(crate) async fn local_procedures_of(
            pool: &Pool<Db>,
            structure_id: Uuid,
        ) -> Result<Vec<LocalProcedureRow>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT structure_id, id, title, category, operator, link, documents, tips, \
                 updated_by, updated_at FROM local_procedures WHERE structure_id = $1 ORDER BY title",
            )
            .bind(structure_id)
            .fetch_all(pool)
            .await?)
        }

        pub(crate) async fn save_local_procedure(
            pool: &Pool<Db>,
            r: &LocalProcedureRow,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO local_procedures (structure_id, id, title, category, operator, link, \
                 documents, tips, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (structure_id, id) DO UPDATE SET title = excluded.title, \
                 category = excluded.category, operator = excluded.operator, link = excluded.link, \
                 documents = excluded.documents, tips = excluded.tips, \
                 updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            )
            .bind(r.structure_id)
            .bind(&r.id)
            .bind(&r.title)
            .bind(&r.category)
            .bind(&r.operator)
            .bind(&r.link)
            .bind(&r.documents)
            .bind(&r.tips)
            .bind(r.updated_by)
            .bind(r.updated_at)
            .execute(&mut *tx)
            .await?;
            finish(tx, events, now).await
        }

        pub(crate) async fn delete_local_procedure(
            pool: &Pool<Db>,
            structure_id: Uuid,
            id: &str,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            let done = sqlx::query("DELETE FROM local_procedures WHERE structure_id = $1 AND id = $2")
                .bind(structure_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            finish(tx, events, now).await
        }

        pub(crate) async fn channels_of(
            pool: &Pool<Db>,
            structure_id: Uuid,
        ) -> Result<Vec<OperatorChannelRow>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT structure_id, operator_id, partner_portal, pro_phone, email, local_contact, \
                 answer_delay, notes, updated_by, updated_at FROM operator_channels \
                 WHERE structure_id = $1 ORDER BY operator_id",
            )
            .bind(structure_id)
            .fetch_all(pool)
            .await?)
        }

        pub(crate) async fn save_channel(
            pool: &Pool<Db>,
            r: &OperatorChannelRow,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO operator_channels (structure_id, operator_id, partner_portal, pro_phone, \
                 email, local_contact, answer_delay, notes, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (structure_id, operator_id) DO UPDATE SET \
                 partner_portal = excluded.partner_portal, pro_phone = excluded.pro_phone, \
                 email = excluded.email, local_contact = excluded.local_contact, \
                 answer_delay = excluded.answer_delay, notes = excluded.notes, \
                 updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            )
            .bind(r.structure_id)
            .bind(&r.operator_id)
            .bind(&r.partner_portal)
            .bind(&r.pro_phone)
            .bind(&r.email)
            .bind(&r.local_contact)
            .bind(&r.answer_delay)
            .bind(&r.notes)
            .bind(r.updated_by)
            .bind(r.updated_at)
            .execute(&mut *tx)
            .await?;
            finish(tx, events, now).await
        }

        pub(crate) async fn delete_channel(
            pool: &Pool<Db>,
            structure_id: Uuid,
            operator_id: &str,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "DELETE FROM operator_channels WHERE structure_id = $1 AND operator_id = $2",
            )
            .bind(structure_id)
            .bind(operator_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            finish(tx, events, now).await
        }
        // ---- reminders to the person ----------------------------------------

        pub(crate) async fn set_reminder_consent(
            pool: &Pool<Db>,
            person_id: Uuid,
            channel: Option<&str>,
            given_on: chrono::NaiveDate,
            by: Uuid,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            match channel {
                Some(c) => {
                    sqlx::query(
                        "INSERT INTO reminder_consents (person_id, channel, given_on, recorded_by, \
                         updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (person_id) DO UPDATE \
                         SET channel = excluded.channel, given_on = excluded.given_on, \
                         recorded_by = excluded.recorded_by, updated_at = excluded.updated_at",
                    )
                    .bind(person_id)
                    .bind(c)
                    .bind(given_on)
                    .bind(by)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                None => {
                    sqlx::query("DELETE FROM reminder_consents WHERE person_id = $1")
                        .bind(person_id)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(
                        "DELETE FROM person_reminders WHERE person_id = $1 AND status <> 'sent'",
                    )
                    .bind(person_id)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            finish(tx, events, now).await
        }

        pub(crate) async fn reminder_consent_of(
            pool: &Pool<Db>,
            person_id: Uuid,
        ) -> Result<Option<(String, chrono::NaiveDate)>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT channel, given_on FROM reminder_consents WHERE person_id = $1",
            )
            .bind(person_id)
            .fetch_optional(pool)
            .await?)
        }

        /// Queues a message to the person for each reminder created since
        /// they consented (once: keyed by the notification).
        pub(crate) async fn queue_person_reminders(
            pool: &Pool<Db>,
            events: impl Fn(u64) -> Vec<JournalEvent>,
            now: DateTime<Utc>,
        ) -> Result<u64, StoreError> {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "INSERT INTO person_reminders (notification_id, person_id, channel, status, \
                 attempts, created_at) SELECT n.id, c.person_id, c.channel, 'pending', 0, $1 \
                 FROM notifications n JOIN follow_ups f ON f.id = n.follow_up_id \
                 LEFT JOIN help_requests r ON r.id = f.help_request_id \
                 JOIN reminder_consents c ON c.person_id = COALESCE(f.person_id, r.person_id) \
                 WHERE n.created_at >= c.updated_at \
                 ON CONFLICT (notification_id) DO NOTHING",
            )
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let queued = done.rows_affected();
            if queued > 0 {
                append_journal(&mut tx, &events(queued), now).await?;
            }
            tx.commit().await?;
            Ok(queued)
        }

        pub(crate) async fn person_reminders_to_send(
            pool: &Pool<Db>,
            now: DateTime<Utc>,
            stale_before: DateTime<Utc>,
            limit: i64,
        ) -> Result<Vec<PersonReminderRow>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT m.notification_id, m.person_id, m.channel, m.status, m.attempts, \
                 n.due_date, r.procedure, p.email, p.phone, s.name AS structure_name \
                 FROM person_reminders m JOIN notifications n ON n.id = m.notification_id \
                 JOIN follow_ups f ON f.id = n.follow_up_id \
                 LEFT JOIN help_requests r ON r.id = f.help_request_id \
                 JOIN persons p ON p.id = m.person_id JOIN structures s ON s.id = n.structure_id \
                 WHERE (m.status = 'pending' AND (m.next_at IS NULL OR m.next_at <= $1)) \
                 OR (m.status = 'sending' AND m.claimed_at < $2) ORDER BY m.created_at LIMIT $3",
            )
            .bind(now)
            .bind(stale_before)
            .bind(limit)
            .fetch_all(pool)
            .await?)
        }

        pub(crate) async fn claim_person_reminder(
            pool: &Pool<Db>,
            id: Uuid,
            now: DateTime<Utc>,
            stale_before: DateTime<Utc>,
        ) -> Result<bool, StoreError> {
            let done = sqlx::query(
                "UPDATE person_reminders SET status = 'sending', claimed_at = $1 \
                 WHERE notification_id = $2 AND ((status = 'pending' AND \
                 (next_at IS NULL OR next_at <= $1)) OR (status = 'sending' AND claimed_at < $3))",
            )
            .bind(now)
            .bind(id)
            .bind(stale_before)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        }

        pub(crate) async fn finish_person_reminder(
            pool: &Pool<Db>,
            id: Uuid,
            status: &str,
            attempts: i64,
            next_at: Option<DateTime<Utc>>,
            error: Option<&str>,
        ) -> Result<(), StoreError> {
            sqlx::query(
                "UPDATE person_reminders SET status = $1, attempts = $2, next_at = $3, \
                 error = $4, claimed_at = NULL WHERE notification_id = $5",
            )
            .bind(status)
            .bind(attempts)
            .bind(next_at)
            .bind(error)
            .bind(id)
            .execute(pool)
            .await?;
            Ok(())
        }
    };
}

pub(crate) mod sqlite {
    repository!(sqlx::Sqlite, "");
}

pub(crate) mod postgres {
    repository!(sqlx::Postgres, " FOR UPDATE");
}
