//! Privacy: data keys and resealing, private notes, retention and anonymisation.

macro_rules! repo_privacy {
    () => {
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

        /// `SELECT id, column FROM table` where it holds a value: `table`
        /// and `column` come from [`crate::sealed::SEALED_COLUMNS`].
        fn sealed_column<'a>(table: &str, column: &str) -> Sql<'a> {
            let mut q = Sql::new("SELECT id, ");
            q.push(column).push(" FROM ").push(table);
            q.push(" WHERE ").push(column).push(" IS NOT NULL");
            q
        }

        /// The sealed values of one column, as (row id, value) text pairs.
        pub(crate) async fn sealed_texts(
            pool: &Pool<Db>,
            table: &str,
            column: &str,
        ) -> Result<Vec<(Uuid, String)>, StoreError> {
            Ok(sealed_column(table, column).build_query_as().fetch_all(pool).await?)
        }

        pub(crate) async fn sealed_blobs(
            pool: &Pool<Db>,
            table: &str,
            column: &str,
        ) -> Result<Vec<(Uuid, Vec<u8>)>, StoreError> {
            Ok(sealed_column(table, column).build_query_as().fetch_all(pool).await?)
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
                let mut q = Sql::new("UPDATE ");
                q.push(table).push(" SET ").push(column).push(" = ").push_bind(value);
                q.push(" WHERE id = ").push_bind(*id);
                q.build().execute(&mut *tx).await?;
            }
            for (table, column, id, value) in blobs {
                let mut q = Sql::new("UPDATE ");
                q.push(table).push(" SET ").push(column).push(" = ").push_bind(value);
                q.push(" WHERE id = ").push_bind(*id);
                q.build().execute(&mut *tx).await?;
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
            lock_live_person_tx(&mut tx, n.person_id).await?;
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
        /// The person's row is changed first (which locks it: a creation
        /// for them waits, then finds them gone); then `blockers` names,
        /// from their mandates as they are now, those that forbid it: when
        /// it names any, nothing is written and they are returned.
        pub(crate) async fn anonymise_person<F, G>(
            pool: &Pool<Db>,
            a: &Anonymisation,
            events: &[JournalEvent],
            now: DateTime<Utc>,
            blockers: F,
            bracket: G,
        ) -> Result<Vec<Uuid>, StoreError>
        where
            F: FnOnce(&[MandateFactsRow]) -> Vec<Uuid>,
            G: Fn(DateTime<Utc>) -> String,
        {
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
            let mandates = mandate_facts_of_person_tx(&mut tx, a.structure_id, a.person_id).await?;
            let blocking = blockers(&mandates);
            if !blocking.is_empty() {
                return Ok(blocking);
            }
            let requests: Vec<(Uuid, DateTime<Utc>)> = sqlx::query_as(
                "SELECT id, created_at FROM help_requests WHERE person_id = $1 AND structure_id = $2",
            )
            .bind(a.person_id)
            .bind(a.structure_id)
            .fetch_all(&mut *tx)
            .await?;
            for (request_id, made) in &requests {
                sqlx::query(
                    "UPDATE help_requests SET anon_age_bracket = COALESCE(anon_age_bracket, $1), \
                     anon_postcode = COALESCE(anon_postcode, $2), \
                     anon_commune = COALESCE(anon_commune, $3) WHERE id = $4",
                )
                .bind(bracket(*made))
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
            finish(tx, events, now).await?;
            Ok(Vec::new())
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
    };
}
