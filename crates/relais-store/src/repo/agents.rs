//! Agents and their memberships of structures.

macro_rules! repo_agents {
    () => {
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

        /// An account and its memberships in one statement: each row is
        /// the account with one of its memberships (or with none).
        pub(crate) async fn agent_with_memberships(
            pool: &Pool<Db>,
            id: Uuid,
        ) -> Result<Option<(AgentRow, Vec<MembershipRow>)>, StoreError> {
            use sqlx::{FromRow, Row};
            let cols: Vec<String> = AGENT_COLS
                .split(',')
                .map(str::trim)
                .map(|c| format!("a.{c} AS {c}"))
                .collect();
            let sql = format!(
                "SELECT {}, m.structure_id AS m_structure_id, s.slug AS m_slug, \
                 s.name AS m_structure_name, m.role AS m_role, m.active AS m_active \
                 FROM agents a LEFT JOIN memberships m ON m.agent_id = a.id \
                 LEFT JOIN structures s ON s.id = m.structure_id \
                 WHERE a.id = $1 ORDER BY s.name, s.slug",
                cols.join(", ")
            );
            let rows = sqlx::query(&sql).bind(id).fetch_all(pool).await?;
            let Some(first) = rows.first() else {
                return Ok(None);
            };
            let agent = AgentRow::from_row(first)?;
            let mut memberships = Vec::new();
            for r in &rows {
                if let Some(structure_id) = r.try_get::<Option<Uuid>, _>("m_structure_id")? {
                    memberships.push(MembershipRow {
                        structure_id,
                        slug: r.try_get("m_slug")?,
                        structure_name: r.try_get("m_structure_name")?,
                        role: r.try_get("m_role")?,
                        active: r.try_get("m_active")?,
                    });
                }
            }
            Ok(Some((agent, memberships)))
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
    };
}
