//! Generated data (the `demo`/`generate` commands): bulk loading of already
//! built rows, and the mark of a demonstration database.

macro_rules! repo_demo {
    () => {
        use crate::BulkBatch;

        /// Writes a generator batch in one transaction, with multi-row
        /// inserts (under both engines' parameter limits).
        pub(crate) async fn bulk_load(pool: &Pool<Db>, b: &BulkBatch) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            bulk_persons(&mut tx, &b.persons).await?;
            bulk_assessments(&mut tx, &b.assessments).await?;
            bulk_mandates(&mut tx, &b.mandates).await?;
            bulk_requests(&mut tx, &b.requests).await?;
            bulk_interventions(&mut tx, &b.interventions).await?;
            bulk_follow_ups(&mut tx, &b.follow_ups).await?;
            bulk_journal(&mut tx, &b.journal).await?;
            bulk_chains_and_counters(&mut tx, b).await?;
            let at = b.requests.iter().map(|r| (r.structure_id, r.created_at));
            let at = at.chain(b.interventions.iter().map(|i| (i.structure_id, i.occurred_at)));
            mark_stats_days_tx(&mut tx, at).await?;
            tx.commit().await?;
            Ok(())
        }

        async fn bulk_persons(tx: &mut Tx<'_>, rows: &[PersonRow]) -> Result<(), StoreError> {
            for chunk in rows.chunks(1000) {
                let mut q = Sql::new(format!("INSERT INTO persons ({PERSON_COLS}) "));
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
                q.build().execute(&mut **tx).await?;
            }
            Ok(())
        }

        async fn bulk_assessments(tx: &mut Tx<'_>, rows: &[AutonomyRow]) -> Result<(), StoreError> {
            for chunk in rows.chunks(2000) {
                let mut q = Sql::new(
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
                q.build().execute(&mut **tx).await?;
            }
            Ok(())
        }

        async fn bulk_mandates(tx: &mut Tx<'_>, rows: &[MandateRow]) -> Result<(), StoreError> {
            for chunk in rows.chunks(1000) {
                let mut q = Sql::new(
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
                q.build().execute(&mut **tx).await?;
            }
            Ok(())
        }

        async fn bulk_requests(tx: &mut Tx<'_>, rows: &[HelpRequestRow]) -> Result<(), StoreError> {
            for chunk in rows.chunks(1000) {
                let mut q = Sql::new(
                    "INSERT INTO help_requests (id, structure_id, reference, person_id, anon_age_bracket, \
                     anon_postcode, anon_commune, procedure, category, operator, channel, rights_at_risk, \
                     deadline, status, outcome, block_reason, submission_key, created_by, created_at, \
                     updated_at, closed_at, operator_key) ",
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
                        .push_bind(h.closed_at)
                        .push_bind(h.operator.as_deref().map(crate::repo::fold_key));
                });
                q.build().execute(&mut **tx).await?;
            }
            Ok(())
        }

        async fn bulk_interventions(tx: &mut Tx<'_>, rows: &[InterventionRow]) -> Result<(), StoreError> {
            for chunk in rows.chunks(2000) {
                let mut q = Sql::new(
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
                q.build().execute(&mut **tx).await?;
            }
            Ok(())
        }

        async fn bulk_follow_ups(tx: &mut Tx<'_>, rows: &[FollowUpRow]) -> Result<(), StoreError> {
            for chunk in rows.chunks(2000) {
                let mut q = Sql::new(
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
                q.build().execute(&mut **tx).await?;
            }
            Ok(())
        }

        async fn bulk_journal(tx: &mut Tx<'_>, rows: &[JournalRow]) -> Result<(), StoreError> {
            for chunk in rows.chunks(2000) {
                let mut q = Sql::new(
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
                q.build().execute(&mut **tx).await?;
            }
            Ok(())
        }

        /// The journal heads after the batch, the persons' list revisions
        /// and the request reference counters.
        async fn bulk_chains_and_counters(tx: &mut Tx<'_>, b: &BulkBatch) -> Result<(), StoreError> {
            for h in &b.heads {
                sqlx::query("UPDATE journal_heads SET seq = $1, hash = $2 WHERE chain = $3")
                    .bind(h.seq)
                    .bind(&h.hash)
                    .bind(&h.chain)
                    .execute(&mut **tx)
                    .await?;
            }
            let mut structures: Vec<Uuid> = b.persons.iter().map(|p| p.structure_id).collect();
            structures.sort();
            structures.dedup();
            for s in structures {
                bump_persons_revision(tx, s).await?;
            }
            for (structure, year, value) in &b.counters {
                sqlx::query(
                    "INSERT INTO counters (structure_id, name, year, value) VALUES ($1, 'help_request', $2, $3) \
                     ON CONFLICT (structure_id, name, year) DO UPDATE SET value = excluded.value",
                )
                .bind(structure)
                .bind(year)
                .bind(value)
                .execute(&mut **tx)
                .await?;
            }
            Ok(())
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
    };
}
