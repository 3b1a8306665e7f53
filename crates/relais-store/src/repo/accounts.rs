//! Accounts: sessions, one-time links, the sign-in throttle, joining, credential resets and API tokens.

macro_rules! repo_accounts {
    ($lock:literal) => {
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
    };
}
