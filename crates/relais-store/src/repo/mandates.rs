//! Mandates, their public look-ups, and a structure's policy.

macro_rules! repo_mandates {
    () => {
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
            lock_live_person_tx(&mut tx, m.person_id).await?;
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

        /// The columns of a list: those of [`MANDATE_COLS`] without the
        /// signature and the scan, which only the mandate's own page reads.
        const MANDATE_LIST_COLS: &str = "m.id, m.structure_id, m.person_id, m.categories, \
            m.revoked_categories, m.duration, m.starts_on, m.ends_on, m.consent, m.signed_at, \
            m.verification_code, m.revocation_secret, m.remote_code_hash, m.remote_code_expires, \
            m.remote_attempts, NULL AS signature_svg, NULL AS scan, m.scan_type, m.revoked_at, \
            m.revoke_reason, m.renewed_from, m.drawn_by, m.lang, m.created_at, m.updated_at";

        pub(crate) async fn list_mandates(
            pool: &Pool<Db>,
            structure_id: Uuid,
            f: &MandateFilter,
        ) -> Result<Vec<MandateListRow>, StoreError> {
            let mut q = Sql::new(format!(
                "SELECT {MANDATE_LIST_COLS}, {MANDATE_LIST} WHERE m.structure_id = "
            ));
            q.push_bind(structure_id);
            if let Some(p) = f.person_id {
                q.push(" AND m.person_id = ").push_bind(p);
            }
            if let Some(s) = &f.state {
                q.push(if s.revoked {
                    " AND m.revoked_at IS NOT NULL"
                } else {
                    " AND m.revoked_at IS NULL"
                });
                match s.signed {
                    Some(true) => {
                        q.push(" AND m.signed_at IS NOT NULL");
                    }
                    Some(false) => {
                        q.push(" AND m.signed_at IS NULL");
                    }
                    None => {}
                }
                if let Some(d) = s.ends_from {
                    q.push(" AND m.ends_on >= ").push_bind(d);
                }
                if let Some(d) = s.ends_before {
                    q.push(" AND m.ends_on < ").push_bind(d);
                }
            }
            if let Some(c) = &f.category {
                // Comma-separated codes: a code is named when `,code,` is
                // in the list between commas.
                let named = format!("%,{c},%");
                q.push(" AND (',' || m.categories || ',') LIKE ")
                    .push_bind(named.clone())
                    .push(" AND (',' || m.revoked_categories || ',') NOT LIKE ")
                    .push_bind(named);
            }
            if let Some(d) = f.ends_by {
                q.push(" AND m.ends_on <= ").push_bind(d);
            }
            match f.order {
                crate::MandateOrder::Newest(after) => {
                    if let Some((at, id)) = after {
                        q.push(" AND (m.created_at < ")
                            .push_bind(at)
                            .push(" OR (m.created_at = ")
                            .push_bind(at)
                            .push(" AND m.id < ")
                            .push_bind(id)
                            .push("))");
                    }
                    q.push(" ORDER BY m.created_at DESC, m.id DESC");
                }
                crate::MandateOrder::SoonestEnd(after) => {
                    if let Some((day, id)) = after {
                        q.push(" AND (m.ends_on > ")
                            .push_bind(day)
                            .push(" OR (m.ends_on = ")
                            .push_bind(day)
                            .push(" AND m.id > ")
                            .push_bind(id)
                            .push("))");
                    }
                    q.push(" ORDER BY m.ends_on, m.id");
                }
            }
            if let Some(n) = f.limit {
                q.push(" LIMIT ").push_bind(n);
            }
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
    };
}
