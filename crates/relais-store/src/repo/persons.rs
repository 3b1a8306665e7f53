//! Persons helped, their autonomy and their online accounts.

macro_rules! repo_persons {
    ($lock:literal) => {
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

        /// Locks a live person (neither anonymised nor merged) until the
        /// caller's transaction ends, so that an erasure or a merge waits for
        /// what is being created for them, or the creation sees them gone:
        /// `NotFound` then, and the caller writes nothing. Taken before any
        /// other lock of the transaction (the journal head comes last).
        async fn lock_live_person_tx(tx: &mut Tx<'_>, person_id: Uuid) -> Result<(), StoreError> {
            let row: Option<(Uuid,)> = sqlx::query_as(concat!(
                "SELECT id FROM persons WHERE id = $1 AND anonymised_at IS NULL \
                 AND merged_into IS NULL",
                $lock
            ))
            .bind(person_id)
            .fetch_optional(&mut **tx)
            .await?;
            row.map(|_| ()).ok_or(StoreError::NotFound)
        }

        /// Changes a live person from their details as read, locked, inside
        /// the transaction: `change` gets them (sealed fields opened by
        /// `open`) and gives the new details, a new autonomy assessment and
        /// the journal entries, or its refusal (nothing written). Two changes
        /// at once are thus applied one after the other, neither lost, and
        /// an erased or merged person is never written back (`NotFound`).
        pub(crate) async fn update_person<F, R>(
            pool: &Pool<Db>,
            structure_id: Uuid,
            id: Uuid,
            now: DateTime<Utc>,
            change: F,
        ) -> Result<Result<(), R>, StoreError>
        where
            F: FnOnce(PersonRow) -> Result<Result<PersonChange, R>, StoreError>,
        {
            let mut tx = pool.begin().await?;
            let sql = format!(
                "SELECT {PERSON_COLS} FROM persons WHERE id = $1 AND structure_id = $2 \
                 AND anonymised_at IS NULL AND merged_into IS NULL{}",
                $lock
            );
            let current: Option<PersonRow> = sqlx::query_as(&sql)
                .bind(id)
                .bind(structure_id)
                .fetch_optional(&mut *tx)
                .await?;
            let current = current.ok_or(StoreError::NotFound)?;
            let (p, autonomy, events) = match change(current)? {
                Ok(c) => c,
                Err(r) => return Ok(Err(r)),
            };
            let done = sqlx::query(
                "UPDATE persons SET first_name = $1, last_name = $2, usual_name = $3, \
                 birth_date = $4, birth_year = $5, phone = $6, email = $7, postcode = $8, \
                 commune = $9, insee_code = $10, preferred_language = $11, notes = $12, \
                 privacy_notice_on = $13, equipment = $14, search_key = $15, phone_digits = $16, \
                 updated_at = $17 WHERE id = $18 AND structure_id = $19 \
                 AND anonymised_at IS NULL AND merged_into IS NULL",
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
            .bind(id)
            .bind(structure_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            if let Some(a) = &autonomy {
                insert_autonomy_tx(&mut tx, a).await?;
            }
            bump_persons_revision(&mut tx, structure_id).await?;
            finish(tx, &events, now).await?;
            Ok(Ok(()))
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

        /// Several persons of a structure in one statement (a page of
        /// search results), in no particular order.
        pub(crate) async fn persons_by_ids(
            pool: &Pool<Db>,
            structure_id: Uuid,
            ids: &[Uuid],
        ) -> Result<Vec<PersonRow>, StoreError> {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let mut q = Sql::new(format!("SELECT {PERSON_COLS} FROM persons WHERE structure_id = "));
            q.push_bind(structure_id);
            and_in(&mut q, "id", ids.iter().copied());
            Ok(q.build_query_as().fetch_all(pool).await?)
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
        /// as merged. Both are locked first, in a fixed order, and must be
        /// live (neither merged nor anonymised) inside the transaction: of
        /// two merges at once, one into the other, the second finds its
        /// survivor or its absorbed person gone and writes nothing
        /// (`NotFound`), so no merge ever makes a cycle.
        pub(crate) async fn merge_persons(
            pool: &Pool<Db>,
            structure_id: Uuid,
            survivor: Uuid,
            absorbed: Uuid,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            let (first, second) = if survivor < absorbed {
                (survivor, absorbed)
            } else {
                (absorbed, survivor)
            };
            for id in [first, second] {
                lock_live_person_tx(&mut tx, id).await?;
            }
            let done = sqlx::query(
                "UPDATE persons SET merged_into = $1, updated_at = $2 \
                 WHERE id = $3 AND structure_id = $4 AND merged_into IS NULL \
                 AND anonymised_at IS NULL",
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
            // The absorbed person's days count one person fewer, or none.
            mark_person_stats_tx(&mut tx, absorbed).await?;
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
    };
}
