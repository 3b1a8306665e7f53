//! Help requests, their interventions and follow-ups.

macro_rules! repo_requests {
    ($lock:literal) => {
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
                 updated_at, closed_at, operator_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
                 $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)",
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
            .bind(r.operator.as_deref().map(crate::repo::fold_key))
            .execute(&mut **tx)
            .await?;
            mark_stats_days_tx(tx, [(r.structure_id, r.created_at)]).await?;
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
            let mut q = Sql::new(
                "SELECT person_id, id, consent, verification_code, categories, revoked_categories, \
                 starts_on, ends_on, signed_at, revoked_at FROM mandates \
                 WHERE revoked_at IS NULL AND structure_id = ",
            );
            q.push_bind(structure_id);
            q.push(" AND ends_on >= ").push_bind(day);
            and_in(&mut q, "person_id", person_ids.iter().copied());
            q.push(" ORDER BY person_id, id");
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
            if let (Some(p), None) = (rows.request.person_id, &rows.new_person) {
                lock_live_person_tx(&mut tx, p).await?;
            }
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
            let mut q = Sql::new(format!(
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
                // Both sides folded alike (no accents, lower case); a
                // folded text holds no `%`, `_` or `\\` to escape.
                let needle = crate::repo::fold_key(o);
                q.push(" AND r.operator_key LIKE ").push_bind(format!("%{needle}%"));
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

        /// Replaces a request's details if it is still as `prior` (read
        /// again inside the transaction, locked on PostgreSQL): `Ok(false)`
        /// when it changed meanwhile, and then nothing is written. When the
        /// category changes, its done-for interventions and their mandates
        /// are read inside the transaction and `check` decides; a refusal
        /// writes nothing.
        pub(crate) async fn update_help_request<F, R>(
            pool: &Pool<Db>,
            prior: &HelpRequestRow,
            r: &HelpRequestRow,
            events: &[JournalEvent],
            now: DateTime<Utc>,
            check: F,
        ) -> Result<Result<bool, R>, StoreError>
        where
            F: FnOnce(&RequestBefore) -> Result<(), R>,
        {
            let mut tx = pool.begin().await?;
            let sql = format!(
                "SELECT {REQUEST_COLS} FROM help_requests r WHERE r.id = $1 AND r.structure_id = $2{}",
                $lock
            );
            let stored: Option<HelpRequestRow> = sqlx::query_as(&sql)
                .bind(r.id)
                .bind(r.structure_id)
                .fetch_optional(&mut *tx)
                .await?;
            let stored = stored.ok_or(StoreError::NotFound)?;
            if stored != *prior {
                return Ok(Ok(false));
            }
            let (category, person_id) = (stored.category, stored.person_id);
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
                 updated_at = $10, closed_at = $11, operator_key = $12 \
                 WHERE id = $13 AND structure_id = $14",
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
            .bind(r.operator.as_deref().map(crate::repo::fold_key))
            .bind(r.id)
            .bind(r.structure_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            if crate::repo::stats::counted_fields_differ(prior, r) {
                mark_request_stats_tx(&mut tx, r.id).await?;
            }
            finish(tx, events, now).await?;
            Ok(Ok(true))
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
            mark_stats_days_tx(tx, [(i.structure_id, i.occurred_at)]).await?;
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
                mark_request_stats_tx(&mut tx, r.id).await?;
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
            if let Some(p) = f.person_id {
                lock_live_person_tx(&mut tx, p).await?;
            }
            insert_follow_up_tx(&mut tx, f).await?;
            finish(tx, events, now).await
        }

        /// Saves a follow-up if `same` finds it as it was read (it is read
        /// again inside the transaction, sealed, locked on PostgreSQL):
        /// `false` when it changed meanwhile, and then nothing is written.
        pub(crate) async fn update_follow_up<F>(
            pool: &Pool<Db>,
            f: &FollowUpRow,
            events: &[JournalEvent],
            now: DateTime<Utc>,
            same: F,
        ) -> Result<bool, StoreError>
        where
            F: FnOnce(FollowUpRow) -> Result<bool, StoreError>,
        {
            let mut tx = pool.begin().await?;
            let stored: Option<FollowUpRow> = sqlx::query_as(concat!(
                "SELECT id, structure_id, help_request_id, person_id, assignee_id, due_date, \
                 reason, done, done_at, created_by, created_at FROM follow_ups \
                 WHERE id = $1 AND structure_id = $2",
                $lock
            ))
            .bind(f.id)
            .bind(f.structure_id)
            .fetch_optional(&mut *tx)
            .await?;
            if !same(stored.ok_or(StoreError::NotFound)?)? {
                return Ok(false);
            }
            sqlx::query(
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
            finish(tx, events, now).await?;
            Ok(true)
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

        // ---- search keys -----------------------------------------------------

        /// Up to `limit` requests whose operator has no search key yet
        /// (written before migration 0018).
        pub(crate) async fn operator_keys_missing(
            pool: &Pool<Db>,
            limit: i64,
        ) -> Result<Vec<(Uuid, String)>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT id, operator FROM help_requests \
                 WHERE operator IS NOT NULL AND operator_key IS NULL LIMIT $1",
            )
            .bind(limit)
            .fetch_all(pool)
            .await?)
        }

        /// Stores the operators' search keys (not journaled: derived data).
        pub(crate) async fn set_operator_keys(
            pool: &Pool<Db>,
            keys: &[(Uuid, String)],
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            for (id, key) in keys {
                sqlx::query("UPDATE help_requests SET operator_key = $1 WHERE id = $2")
                    .bind(key)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(())
        }
    };
}
