//! Statistics and exports: read-only aggregates over a period.

/// Whether a change of a request changes what the stats API counts of it
/// and of its interventions: the columns `stats_key` groups by (a request
/// never changes its structure, person, or creation time by an update).
pub(crate) fn counted_fields_differ(
    before: &crate::HelpRequestRow,
    after: &crate::HelpRequestRow,
) -> bool {
    let counted = |h: &crate::HelpRequestRow| {
        (
            h.category.clone(),
            h.operator.clone(),
            h.channel.clone(),
            h.status.clone(),
            h.outcome.clone(),
            h.person_id,
            h.created_at,
        )
    };
    counted(before) != counted(after)
}

macro_rules! repo_stats {
    () => {
        const STATS_REQUEST_SELECT: &str = "SELECT h.id, h.category, h.operator, h.channel, \
            h.created_by, h.status, h.outcome, h.created_at, h.person_id, \
            p.birth_year, p.commune AS person_commune, h.anon_age_bracket, h.anon_commune, \
            h.rights_at_risk, h.deadline, h.block_reason, h.closed_at, \
            p.created_at AS person_created_at, p.insee_code AS person_insee, \
            p.postcode AS person_postcode, h.anon_postcode \
            FROM help_requests h LEFT JOIN persons p ON p.id = h.person_id";

        pub(crate) async fn stats_requests(
            pool: &Pool<Db>,
            scope: Option<Uuid>,
            from: DateTime<Utc>,
            to: DateTime<Utc>,
        ) -> Result<Vec<StatsRequestRow>, StoreError> {
            let mut q = Sql::new(STATS_REQUEST_SELECT);
            q.push(" WHERE TRUE");
            and_scope(&mut q, "h.structure_id", scope);
            and_between(&mut q, "h.created_at", from, to, false);
            Ok(q.build_query_as().fetch_all(pool).await?)
        }

        /// What the stats API counts: one structure or all, one agent's
        /// activity or all, in `[from, to)`; and, when `by_day`, day by day:
        /// the query then has the days `d (day, start_at, end_at)` in its
        /// `FROM` (see `with_days`), selects `d.day` and groups by it.
        #[derive(Clone, Copy)]
        struct Counted {
            scope: Option<Uuid>,
            own: Option<Uuid>,
            from: DateTime<Utc>,
            to: DateTime<Utc>,
            by_day: bool,
        }

        impl Counted {
            /// The period's condition on `column`, and when `by_day` its
            /// day's.
            fn between(self, q: &mut Sql<'_>, column: &'static str) {
                and_between(q, column, self.from, self.to, false);
                if self.by_day {
                    q.push(" AND ").push(column).push(" >= d.start_at AND ");
                    q.push(column).push(" < d.end_at");
                }
            }

            /// `d.day, ` when counted day by day, for a `SELECT` list.
            fn day(self) -> &'static str {
                if self.by_day {
                    "d.day, "
                } else {
                    ""
                }
            }

            /// `d, ` when counted day by day, for a `FROM` list.
            fn days(self) -> &'static str {
                if self.by_day {
                    "d, "
                } else {
                    ""
                }
            }

            /// The conditions on `help_requests h`: created in the period,
            /// and (for one agent) created by them or helped by them in it.
            fn requests(self, q: &mut Sql<'_>) {
                q.push("TRUE");
                and_scope(q, "h.structure_id", self.scope);
                self.between(q, "h.created_at");
                if let Some(me) = self.own {
                    q.push(" AND (h.created_by = ").push_bind(me);
                    q.push(" OR EXISTS (SELECT 1 FROM interventions i2 WHERE i2.help_request_id = h.id");
                    q.push(" AND i2.agent_id = ").push_bind(me);
                    self.between(q, "i2.occurred_at");
                    q.push("))");
                }
            }

            /// The conditions on `interventions i`: given in the period
            /// (for one agent, by them).
            fn interventions(self, q: &mut Sql<'_>) {
                q.push("TRUE");
                and_scope(q, "i.structure_id", self.scope);
                self.between(q, "i.occurred_at");
                if let Some(me) = self.own {
                    q.push(" AND i.agent_id = ").push_bind(me);
                }
            }
        }

        /// `WITH d (day, start_at, end_at) AS (VALUES …) `: the Paris days
        /// a query counts by (see `Counted::by_day`).
        fn with_days(q: &mut Sql<'_>, days: &[chrono::NaiveDate]) {
            q.push("WITH d (day, start_at, end_at) AS (VALUES ");
            for (n, day) in days.iter().enumerate() {
                let (start, end) = relais_domain::Period { from: *day, to: *day }.bounds();
                q.push(if n == 0 { "(" } else { ", (" });
                q.push_bind(*day).push(", ").push_bind(start).push(", ").push_bind(end);
                q.push(")");
            }
            q.push(") ");
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
            let c = Counted {
                scope,
                own,
                from,
                to,
                by_day: false,
            };
            let mut conn = pool.acquire().await?;
            let mut out = StatsAggregate::default();
            (out.total_requests, out.total_interventions, out.minutes) =
                stats_totals(&mut *conn, c).await?;
            let mut q = Sql::new("SELECT COUNT(*) FROM (");
            stats_persons(&mut q, c);
            q.push(") t");
            out.distinct_persons = q.build_query_scalar().fetch_one(&mut *conn).await?;
            if key == StatsKey::Mode {
                out.requests_by = stats_mode_requests(&mut *conn, c).await?;
            } else if key != StatsKey::Nothing {
                out.requests_by = stats_requests_by(&mut *conn, c, key).await?;
            }
            out.interventions_by = stats_interventions_by(&mut *conn, c, key).await?;
            Ok(out)
        }

        /// Requests, interventions and minutes of what `c` counts.
        async fn stats_totals(
            conn: &mut DbConn,
            c: Counted,
        ) -> Result<(i64, i64, i64), StoreError> {
            let mut q = Sql::new("SELECT COUNT(*) FROM help_requests h WHERE ");
            c.requests(&mut q);
            let requests = q.build_query_scalar().fetch_one(&mut *conn).await?;
            let mut q = Sql::new(
                "SELECT COUNT(*), CAST(COALESCE(SUM(i.duration_minutes), 0) AS BIGINT) \
                 FROM interventions i WHERE ",
            );
            c.interventions(&mut q);
            let (interventions, minutes) = q.build_query_as().fetch_one(&mut *conn).await?;
            Ok((requests, interventions, minutes))
        }

        /// The persons `c` counts: who made a request or was helped
        /// (a query of one column, `person_id`, with duplicates removed;
        /// by day, of two: `day`, `person_id`).
        fn stats_persons(q: &mut Sql<'_>, c: Counted) {
            q.push("SELECT ").push(c.day()).push("h.person_id FROM ").push(c.days());
            q.push("help_requests h WHERE ");
            c.requests(q);
            q.push(" AND h.person_id IS NOT NULL UNION SELECT ").push(c.day());
            q.push("h.person_id FROM ").push(c.days()).push(
                "interventions i JOIN help_requests h ON h.id = i.help_request_id WHERE ",
            );
            c.interventions(q);
            q.push(" AND h.person_id IS NOT NULL");
        }

        /// The column a request or an intervention is grouped by.
        fn stats_key(key: StatsKey) -> Option<&'static str> {
            match key {
                StatsKey::Category => Some("h.category"),
                StatsKey::Operator => Some("COALESCE(h.operator, '')"),
                StatsKey::Outcome => Some("COALESCE(h.outcome, h.status)"),
                StatsKey::Channel => Some("h.channel"),
                StatsKey::Mode => Some("i.mode"),
                StatsKey::Nothing => None,
            }
        }

        /// Requests counted by `c`, by `key` (not the mode).
        async fn stats_requests_by(
            conn: &mut DbConn,
            c: Counted,
            key: StatsKey,
        ) -> Result<Vec<(String, i64)>, StoreError> {
            let Some(k) = stats_key(key).filter(|_| key != StatsKey::Mode) else {
                return Ok(Vec::new());
            };
            let mut q = Sql::new("SELECT ");
            q.push(k).push(", COUNT(*) FROM help_requests h WHERE ");
            c.requests(&mut q);
            q.push(" GROUP BY 1");
            Ok(q.build_query_as().fetch_all(&mut *conn).await?)
        }

        /// Requests counted by `c` and helped in it, by mode: a request
        /// counts once in each mode it was helped in.
        async fn stats_mode_requests(
            conn: &mut DbConn,
            c: Counted,
        ) -> Result<Vec<(String, i64)>, StoreError> {
            let mut q = Sql::new(
                "SELECT i.mode, COUNT(DISTINCT i.help_request_id) FROM interventions i \
                 JOIN help_requests h ON h.id = i.help_request_id WHERE ",
            );
            c.interventions(&mut q);
            q.push(" AND ");
            c.requests(&mut q);
            q.push(" GROUP BY i.mode");
            Ok(q.build_query_as().fetch_all(&mut *conn).await?)
        }

        /// Interventions and minutes counted by `c`, by `key` (grouped by
        /// their request's column, or by their own mode).
        async fn stats_interventions_by(
            conn: &mut DbConn,
            c: Counted,
            key: StatsKey,
        ) -> Result<Vec<(String, i64, i64)>, StoreError> {
            let Some(k) = stats_key(key) else {
                return Ok(Vec::new());
            };
            let mut q = Sql::new("SELECT ");
            q.push(k).push(
                ", COUNT(*), CAST(COALESCE(SUM(i.duration_minutes), 0) AS BIGINT) \
                 FROM interventions i JOIN help_requests h ON h.id = i.help_request_id WHERE ",
            );
            c.interventions(&mut q);
            q.push(" GROUP BY 1");
            Ok(q.build_query_as().fetch_all(&mut *conn).await?)
        }

        pub(crate) async fn stats_interventions(
            pool: &Pool<Db>,
            scope: Option<Uuid>,
            from: DateTime<Utc>,
            to: DateTime<Utc>,
        ) -> Result<Vec<StatsInterventionRow>, StoreError> {
            let mut q = Sql::new(
                "SELECT i.id, i.mode, i.duration_minutes, i.occurred_at, i.agent_id, i.help_request_id, \
                 i.mandate_id, h.person_id, h.category, h.operator, h.channel, h.status, h.outcome \
                 FROM interventions i JOIN help_requests h ON h.id = i.help_request_id WHERE TRUE",
            );
            and_scope(&mut q, "i.structure_id", scope);
            and_between(&mut q, "i.occurred_at", from, to, false);
            Ok(q.build_query_as().fetch_all(pool).await?)
        }

        /// Follow-ups due from `from` to `to` (days, both included).
        pub(crate) async fn stats_follow_ups(
            pool: &Pool<Db>,
            scope: Option<Uuid>,
            from: chrono::NaiveDate,
            to: chrono::NaiveDate,
        ) -> Result<Vec<StatsFollowUpRow>, StoreError> {
            let mut q = Sql::new(
                "SELECT f.due_date, f.done, f.done_at, f.assignee_id, h.category, h.channel \
                 FROM follow_ups f LEFT JOIN help_requests h ON h.id = f.help_request_id WHERE TRUE",
            );
            and_scope(&mut q, "f.structure_id", scope);
            and_between(&mut q, "f.due_date", from, to, true);
            Ok(q.build_query_as().fetch_all(pool).await?)
        }

        /// Signed mandates that were in force some day from `from` to `to`.
        pub(crate) async fn stats_mandates(
            pool: &Pool<Db>,
            scope: Option<Uuid>,
            from: chrono::NaiveDate,
            to: chrono::NaiveDate,
        ) -> Result<Vec<PersonMandateFactsRow>, StoreError> {
            let mut q = Sql::new(
                "SELECT person_id, id, consent, verification_code, categories, revoked_categories, \
                 starts_on, ends_on, signed_at, revoked_at \
                 FROM mandates WHERE signed_at IS NOT NULL",
            );
            and_scope(&mut q, "structure_id", scope);
            q.push(" AND starts_on <= ").push_bind(to);
            q.push(" AND ends_on >= ").push_bind(from);
            Ok(q.build_query_as().fetch_all(pool).await?)
        }

        /// Autonomy assessments made up to `to`, in assessment order.
        pub(crate) async fn stats_autonomy(
            pool: &Pool<Db>,
            scope: Option<Uuid>,
            to: chrono::NaiveDate,
        ) -> Result<Vec<StatsAutonomyRow>, StoreError> {
            let mut q = Sql::new(
                "SELECT a.person_id, a.level, a.assessed_on, a.created_at \
                 FROM autonomy_assessments a JOIN persons p ON p.id = a.person_id WHERE TRUE",
            );
            and_scope(&mut q, "p.structure_id", scope);
            q.push(" AND a.assessed_on <= ").push_bind(to);
            q.push(" ORDER BY a.person_id, a.assessed_on, a.created_at, a.id");
            Ok(q.build_query_as().fetch_all(pool).await?)
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
            let mut q = Sql::new(
                "SELECT i.id, i.occurred_at, i.duration_minutes, i.mode, i.place, i.agent_id, \
                 a.name AS agent_name, h.reference, h.procedure, h.category, h.operator, h.channel, \
                 h.rights_at_risk, h.status, h.outcome, h.block_reason, h.created_by, \
                 h.created_at AS request_created_at, \
                 p.birth_year, p.commune AS person_commune, h.anon_age_bracket, h.anon_commune, ",
            );
            q.push(if names {
                "p.first_name, p.last_name"
            } else {
                "CAST(NULL AS TEXT) AS first_name, CAST(NULL AS TEXT) AS last_name"
            });
            q.push(
                " FROM interventions i JOIN help_requests h ON h.id = i.help_request_id \
                 LEFT JOIN persons p ON p.id = h.person_id \
                 LEFT JOIN agents a ON a.id = i.agent_id WHERE TRUE",
            );
            and_scope(&mut q, "i.structure_id", scope);
            and_between(&mut q, "i.occurred_at", from, to, false);
            if let Some((at, id)) = after {
                q.push(" AND (i.occurred_at > ").push_bind(at);
                q.push(" OR (i.occurred_at = ").push_bind(at);
                q.push(" AND i.id > ").push_bind(id).push("))");
            }
            q.push(" ORDER BY i.occurred_at, i.id LIMIT ").push_bind(limit);
            Ok(q.build_query_as().fetch_all(pool).await?)
        }
    };
}
