//! Statistics and exports: read-only aggregates over a period.

macro_rules! repo_stats {
    ($lock:literal) => {
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
    };
}
