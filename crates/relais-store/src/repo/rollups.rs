//! Statistics roll-ups: the days a write made stale, the rebuild of one
//! structure's day, and the stats API's figures read from the roll-ups of
//! clean days plus the desk's rows of the others (see migration 0020).

/// Where a day is kept in `stats_person_years`: its year, the word
/// (`w0`…`w5`) and the bit of that word (63 bits per word).
pub(crate) fn person_year_bit(day: chrono::NaiveDate) -> (i64, usize, i64) {
    use chrono::Datelike;
    let n = day.ordinal0();
    (i64::from(day.year()), (n / 63) as usize, 1_i64 << (n % 63))
}

/// The words of `stats_person_years`.
pub(crate) const PERSON_YEAR_WORDS: [&str; 6] = ["w0", "w1", "w2", "w3", "w4", "w5"];

/// The bits of the days from `from` to `to` that are not live, per year.
pub(crate) fn person_year_masks(
    w: &crate::StatsWindow,
) -> std::collections::BTreeMap<i64, [i64; 6]> {
    let mut masks = std::collections::BTreeMap::new();
    let mut day = w.period.from;
    while day <= w.period.to {
        if !w.live.iter().any(|l| l.from <= day && day <= l.to) {
            let (year, word, bit) = person_year_bit(day);
            let m: &mut [i64; 6] = masks.entry(year).or_insert([0; 6]);
            m[word] |= bit;
        }
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    masks
}

macro_rules! repo_rollups {
    () => {
        /// Marks the (structure, Paris day) of each instant as stale.
        async fn mark_stats_days_tx(
            tx: &mut Tx<'_>,
            at: impl IntoIterator<Item = (Uuid, DateTime<Utc>)>,
        ) -> Result<(), StoreError> {
            let days: std::collections::BTreeSet<(Uuid, chrono::NaiveDate)> = at
                .into_iter()
                .map(|(s, t)| (s, relais_domain::period::paris_day(t)))
                .collect();
            let days: Vec<_> = days.into_iter().collect();
            for chunk in days.chunks(1000) {
                // `DO UPDATE`, not `DO NOTHING`: the mark's row stays locked
                // until the write commits, so that a rebuild of the day on
                // PostgreSQL waits for it and then reads it (a rebuild that
                // removed the mark first makes this write wait instead).
                let mut q = Sql::new("INSERT INTO stats_dirty (structure_id, day) ");
                q.push_values(chunk, |mut r, (structure_id, day)| {
                    r.push_bind(*structure_id).push_bind(*day);
                });
                q.push(" ON CONFLICT (structure_id, day) DO UPDATE SET day = excluded.day");
                q.build().execute(&mut **tx).await?;
            }
            Ok(())
        }

        /// Marks the days a request counts on: the day it was made and the
        /// days it was helped (its interventions are grouped by its state).
        async fn mark_request_stats_tx(tx: &mut Tx<'_>, request_id: Uuid) -> Result<(), StoreError> {
            let at: Vec<(Uuid, DateTime<Utc>)> = sqlx::query_as(
                "SELECT structure_id, created_at FROM help_requests WHERE id = $1 \
                 UNION ALL SELECT structure_id, occurred_at FROM interventions \
                 WHERE help_request_id = $1",
            )
            .bind(request_id)
            .fetch_all(&mut **tx)
            .await?;
            mark_stats_days_tx(tx, at).await
        }

        /// Marks the days every request of a person counts on.
        async fn mark_person_stats_tx(tx: &mut Tx<'_>, person_id: Uuid) -> Result<(), StoreError> {
            let at: Vec<(Uuid, DateTime<Utc>)> = sqlx::query_as(
                "SELECT structure_id, created_at FROM help_requests WHERE person_id = $1 \
                 UNION ALL SELECT i.structure_id, i.occurred_at FROM interventions i \
                 JOIN help_requests h ON h.id = i.help_request_id WHERE h.person_id = $1",
            )
            .bind(person_id)
            .fetch_all(&mut **tx)
            .await?;
            mark_stats_days_tx(tx, at).await
        }

        /// The stale days from `from` to `to` (one structure or any).
        pub(crate) async fn stats_dirty_days(
            pool: &Pool<Db>,
            scope: Option<Uuid>,
            from: chrono::NaiveDate,
            to: chrono::NaiveDate,
        ) -> Result<Vec<chrono::NaiveDate>, StoreError> {
            let mut q = Sql::new("SELECT DISTINCT day FROM stats_dirty WHERE TRUE");
            and_scope(&mut q, "structure_id", scope);
            and_between(&mut q, "day", from, to, true);
            q.push(" ORDER BY day");
            Ok(q.build_query_scalar().fetch_all(pool).await?)
        }

        /// Up to `limit` stale (structure, day) before `before`, by
        /// structure and day (so that a batch rebuilds many days of one
        /// structure at once).
        pub(crate) async fn stats_dirty_before(
            pool: &Pool<Db>,
            before: chrono::NaiveDate,
            limit: i64,
        ) -> Result<Vec<(Uuid, chrono::NaiveDate)>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT structure_id, day FROM stats_dirty WHERE day < $1 \
                 ORDER BY structure_id, day LIMIT $2",
            )
            .bind(before)
            .bind(limit)
            .fetch_all(pool)
            .await?)
        }

        /// Rewrites the roll-ups of some days of one structure from the
        /// desk's rows, and clears their marks, in one transaction, with a
        /// few statements that count all the days at once (grouped by
        /// day). The marks are removed first, so a write that commits
        /// meanwhile marks its day again rather than being lost; a day no
        /// longer marked (another node rebuilt it) is left alone.
        pub(crate) async fn rebuild_stats_days(
            pool: &Pool<Db>,
            structure_id: Uuid,
            days: &[chrono::NaiveDate],
        ) -> Result<(), StoreError> {
            if days.is_empty() {
                return Ok(());
            }
            let mut tx = pool.begin().await?;
            let mut q = Sql::new("DELETE FROM stats_dirty WHERE structure_id = ");
            q.push_bind(structure_id);
            and_in(&mut q, "day", days.iter().copied());
            q.push(" RETURNING day");
            let mut marked: Vec<chrono::NaiveDate> = q.build_query_scalar().fetch_all(&mut *tx).await?;
            if marked.is_empty() {
                // Rebuilt meanwhile (by another node): nothing to do.
                tx.rollback().await?;
                return Ok(());
            }
            marked.sort_unstable();
            clear_stats_days(&mut tx, structure_id, &marked).await?;
            let (from, _) = relais_domain::Period { from: marked[0], to: marked[0] }.bounds();
            let last = marked[marked.len() - 1];
            let (_, to) = relais_domain::Period { from: last, to: last }.bounds();
            let c = Counted {
                scope: Some(structure_id),
                own: None,
                from,
                to,
                by_day: true,
            };
            fill_stats_rollup(&mut tx, structure_id, &marked, c).await?;
            let mut q = Sql::new("");
            with_days(&mut q, &marked);
            q.push("INSERT INTO stats_person_days (structure_id, day, person_id) SELECT ");
            q.push_bind(structure_id).push(", t.day, t.person_id FROM (");
            stats_persons(&mut q, c);
            q.push(") t WHERE TRUE");
            q.build().execute(&mut *tx).await?;
            fill_person_years(&mut tx, structure_id, &marked).await?;
            let mut q = Sql::new("");
            with_days(&mut q, &marked);
            q.push(
                "INSERT INTO stats_mode_requests (structure_id, day, mode, help_request_id, \
                 request_at) SELECT DISTINCT ",
            );
            q.push_bind(structure_id).push(
                ", d.day, i.mode, i.help_request_id, h.created_at FROM d, interventions i \
                 JOIN help_requests h ON h.id = i.help_request_id WHERE ",
            );
            c.interventions(&mut q);
            q.build().execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(())
        }

        /// Removes the roll-ups of some days of a structure: the persons
        /// counted those days lose their bits (those counted again get
        /// them back), and the days' rows go.
        async fn clear_stats_days(
            tx: &mut Tx<'_>,
            structure_id: Uuid,
            days: &[chrono::NaiveDate],
        ) -> Result<(), StoreError> {
            let mut years: std::collections::BTreeMap<i64, ([i64; 6], Vec<chrono::NaiveDate>)> =
                std::collections::BTreeMap::new();
            for day in days {
                let (year, word, bit) = crate::repo::rollups::person_year_bit(*day);
                let e = years.entry(year).or_default();
                e.0[word] |= bit;
                e.1.push(*day);
            }
            for (year, (masks, of_year)) in years {
                // The persons first, then their rows by key: a semi-join
                // let PostgreSQL walk every person of the structure-year
                // and probe each of the days (seconds per batch when its
                // statistics still described empty roll-ups).
                let mut q = Sql::new("SELECT DISTINCT person_id FROM stats_person_days WHERE structure_id = ");
                q.push_bind(structure_id);
                and_in(&mut q, "day", of_year.iter().copied());
                let persons: Vec<Uuid> = q.build_query_scalar().fetch_all(&mut **tx).await?;
                for chunk in persons.chunks(1000) {
                    let mut q = Sql::new("UPDATE stats_person_years SET ");
                    for (n, (name, mask)) in
                        crate::repo::rollups::PERSON_YEAR_WORDS.iter().zip(masks).enumerate()
                    {
                        q.push(if n == 0 { "" } else { ", " });
                        q.push(*name).push(" = ").push(*name).push(" & ~").push_bind(mask);
                    }
                    q.push(" WHERE structure_id = ").push_bind(structure_id);
                    q.push(" AND year = ").push_bind(year);
                    and_in(&mut q, "person_id", chunk.iter().copied());
                    q.build().execute(&mut **tx).await?;
                }
            }
            for table in ["stats_rollup", "stats_person_days", "stats_mode_requests"] {
                let mut q = Sql::new("DELETE FROM ");
                q.push(table).push(" WHERE structure_id = ").push_bind(structure_id);
                and_in(&mut q, "day", days.iter().copied());
                q.build().execute(&mut **tx).await?;
            }
            Ok(())
        }

        /// Writes the `stats_rollup` rows of the days `c` counts by day:
        /// one grouped read of the requests and one of the interventions
        /// by day and every key at once (the finest grain), summed here
        /// into each dimension's rows and the totals.
        async fn fill_stats_rollup(
            tx: &mut Tx<'_>,
            structure_id: Uuid,
            days: &[chrono::NaiveDate],
            c: Counted,
        ) -> Result<(), StoreError> {
            // (day, dim, key) → (requests, interventions, minutes)
            let mut rows: std::collections::BTreeMap<(chrono::NaiveDate, &str, String), [i64; 3]> =
                std::collections::BTreeMap::new();
            // The requests have no mode: their keys stop before it.
            let mut add = |day, keys: &[String], counts: [i64; 3]| {
                let total = rows.entry((day, "total", String::new())).or_default();
                (0..3).for_each(|n| total[n] += counts[n]);
                for ((dim, _), key) in STATS_DIMS.iter().zip(keys) {
                    let r = rows.entry((day, *dim, key.clone())).or_default();
                    (0..3).for_each(|n| r[n] += counts[n]);
                }
            };
            let request_keys = STATS_DIMS.len() - 1;
            for (mode, from) in [
                (false, "help_requests h WHERE "),
                (true, "interventions i JOIN help_requests h ON h.id = i.help_request_id WHERE "),
            ] {
                let mut q = Sql::new("");
                with_days(&mut q, days);
                q.push("SELECT d.day");
                let keys = if mode { STATS_DIMS.len() } else { request_keys };
                for (_, key) in &STATS_DIMS[..keys] {
                    q.push(", ").push(stats_key(*key).unwrap_or("''"));
                }
                q.push(if mode {
                    ", COUNT(*), CAST(COALESCE(SUM(i.duration_minutes), 0) AS BIGINT) FROM d, "
                } else {
                    ", COUNT(*), CAST(0 AS BIGINT) FROM d, "
                });
                q.push(from);
                if mode {
                    c.interventions(&mut q);
                } else {
                    c.requests(&mut q);
                }
                q.push(" GROUP BY d.day");
                for n in 0..keys {
                    q.push(", ").push((n + 2).to_string());
                }
                for row in q.build().fetch_all(&mut **tx).await? {
                    use sqlx::Row;
                    let day: chrono::NaiveDate = row.try_get(0)?;
                    let mut key = Vec::with_capacity(keys);
                    for n in 0..keys {
                        key.push(row.try_get::<String, _>(n + 1)?);
                    }
                    let count: i64 = row.try_get(keys + 1)?;
                    let minutes: i64 = row.try_get(keys + 2)?;
                    let counts = if mode { [0, count, minutes] } else { [count, 0, 0] };
                    add(day, &key, counts);
                }
            }
            let rows: Vec<_> = rows.into_iter().collect();
            for chunk in rows.chunks(1000) {
                let mut q = Sql::new(
                    "INSERT INTO stats_rollup (structure_id, day, dim, key, requests, \
                     interventions, minutes) ",
                );
                q.push_values(chunk, |mut r, ((day, dim, key), [req, int, min])| {
                    r.push_bind(structure_id)
                        .push_bind(*day)
                        .push_bind(*dim)
                        .push_bind(key.as_str())
                        .push_bind(*req)
                        .push_bind(*int)
                        .push_bind(*min);
                });
                q.build().execute(&mut **tx).await?;
            }
            Ok(())
        }

        /// Sets the bits of the days' persons in `stats_person_years`
        /// (from `stats_person_days`, already written): a person's bits of
        /// a year are the sum of their days' distinct bits.
        async fn fill_person_years(
            tx: &mut Tx<'_>,
            structure_id: Uuid,
            days: &[chrono::NaiveDate],
        ) -> Result<(), StoreError> {
            let words = crate::repo::rollups::PERSON_YEAR_WORDS;
            let mut q = Sql::new("WITH b (day, year");
            for w in words {
                q.push(", ").push(w);
            }
            q.push(") AS (VALUES ");
            for (n, day) in days.iter().enumerate() {
                let (year, word, bit) = crate::repo::rollups::person_year_bit(*day);
                q.push(if n == 0 { "(" } else { ", (" });
                q.push_bind(*day).push(", ").push_bind(year);
                for w in 0..words.len() {
                    q.push(", ").push_bind(if w == word { bit } else { 0 });
                }
                q.push(")");
            }
            q.push(") INSERT INTO stats_person_years (structure_id, year, person_id");
            for w in words {
                q.push(", ").push(w);
            }
            q.push(") SELECT p.structure_id, b.year, p.person_id");
            for w in words {
                q.push(", CAST(SUM(b.").push(w).push(") AS BIGINT)");
            }
            // The days named again on `p`, so that both engines read the
            // structure's days by key (SQLite went through the instance
            // index, every structure's persons of each day).
            q.push(" FROM stats_person_days p JOIN b ON b.day = p.day WHERE p.structure_id = ");
            q.push_bind(structure_id);
            and_in(&mut q, "p.day", days.iter().copied());
            q.push(
                " GROUP BY p.structure_id, b.year, p.person_id \
                 ON CONFLICT (structure_id, year, person_id) DO UPDATE SET ",
            );
            for (n, w) in words.iter().enumerate() {
                q.push(if n == 0 { "" } else { ", " });
                q.push(*w).push(" = stats_person_years.").push(*w).push(" | excluded.").push(*w);
            }
            q.build().execute(&mut **tx).await?;
            Ok(())
        }

        /// What a roll-up row is kept for (`total` holds the totals). The
        /// mode comes last: requests have none, their keys stop before it.
        const STATS_DIMS: [(&str, StatsKey); 5] = [
            ("category", StatsKey::Category),
            ("operator", StatsKey::Operator),
            ("outcome", StatsKey::Outcome),
            ("channel", StatsKey::Channel),
            ("mode", StatsKey::Mode),
        ];

        /// `AND` the roll-up row `alias` is of a clean day of the period.
        fn and_clean(q: &mut Sql<'_>, alias: &str, w: &StatsWindow) {
            let day = format!("{alias}.day");
            q.push(" AND ").push(&day).push(" >= ").push_bind(w.period.from);
            q.push(" AND ").push(&day).push(" <= ").push_bind(w.period.to);
            if let Some(s) = w.scope {
                q.push(" AND ").push(alias).push(".structure_id = ").push_bind(s);
            }
            for l in &w.live {
                q.push(" AND NOT (").push(&day).push(" >= ").push_bind(l.from);
                q.push(" AND ").push(&day).push(" <= ").push_bind(l.to).push(")");
            }
        }

        /// The condition on `stats_person_years y` that a person was
        /// counted on a clean day of the window: their bits meet the
        /// clean days' masks of some year.
        fn persons_of_clean_days(q: &mut Sql<'_>, w: &StatsWindow) {
            let masks = crate::repo::rollups::person_year_masks(w);
            if masks.is_empty() {
                q.push("FALSE");
            } else {
                if let Some(s) = w.scope {
                    q.push("y.structure_id = ").push_bind(s).push(" AND ");
                }
                q.push("(FALSE");
                for (year, words) in masks {
                    q.push(" OR (y.year = ").push_bind(year).push(" AND (FALSE");
                    for (name, mask) in crate::repo::rollups::PERSON_YEAR_WORDS.iter().zip(words) {
                        if mask != 0 {
                            q.push(" OR (y.").push(*name).push(" & ").push_bind(mask).push(") <> 0");
                        }
                    }
                    q.push("))");
                }
                q.push(")");
            }
        }

        /// The stats API's figures of a period (one structure or all, no
        /// agent): the roll-ups of its clean days plus the desk's rows of
        /// its live days; distinct counts are made over both at once.
        pub(crate) async fn stats_from_rollups(
            pool: &Pool<Db>,
            w: &StatsWindow,
            key: StatsKey,
        ) -> Result<StatsAggregate, StoreError> {
            let mut conn = pool.acquire().await?;
            let dim = STATS_DIMS
                .iter()
                .find(|(_, k)| *k == key)
                .map_or("total", |(d, _)| *d);
            let mut q = Sql::new(
                "SELECT r.dim, r.key, CAST(COALESCE(SUM(r.requests), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(r.interventions), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(r.minutes), 0) AS BIGINT) FROM stats_rollup r \
                 WHERE r.dim IN ('total', ",
            );
            q.push_bind(dim).push(")");
            and_clean(&mut q, "r", w);
            q.push(" GROUP BY r.dim, r.key");
            let summed: Vec<(String, String, i64, i64, i64)> =
                q.build_query_as().fetch_all(&mut *conn).await?;
            let mut out = StatsAggregate::default();
            let mut by: std::collections::BTreeMap<String, (i64, i64, i64)> =
                std::collections::BTreeMap::new();
            for (d, k, r, n, m) in summed {
                if d == "total" {
                    out.total_requests += r;
                    out.total_interventions += n;
                    out.minutes += m;
                } else if d == dim {
                    let e = by.entry(k).or_default();
                    e.0 += r;
                    e.1 += n;
                    e.2 += m;
                }
            }
            let counted = |l: &relais_domain::Period| {
                let (from, to) = l.bounds();
                Counted {
                    scope: w.scope,
                    own: None,
                    from,
                    to,
                    by_day: false,
                }
            };
            let (start, end) = w.period.bounds();
            for l in &w.live {
                let c = counted(l);
                let (r, n, m) = stats_totals(&mut *conn, c).await?;
                out.total_requests += r;
                out.total_interventions += n;
                out.minutes += m;
                for (k, r) in stats_requests_by(&mut *conn, c, key).await? {
                    by.entry(k).or_default().0 += r;
                }
                for (k, n, m) in stats_interventions_by(&mut *conn, c, key).await? {
                    let e = by.entry(k).or_default();
                    e.1 += n;
                    e.2 += m;
                }
            }
            // Distinct persons, over the clean days (their bits) and the
            // live ones (the desk's rows).
            let mut q = Sql::new(
                "SELECT COUNT(DISTINCT t.person_id) FROM (\
                 SELECT y.person_id FROM stats_person_years y WHERE ",
            );
            persons_of_clean_days(&mut q, w);
            for l in &w.live {
                q.push(" UNION ");
                stats_persons(&mut q, counted(l));
            }
            q.push(") t");
            out.distinct_persons = q.build_query_scalar().fetch_one(&mut *conn).await?;
            if key == StatsKey::Mode {
                // A request counts once per mode over the whole period.
                let mut q = Sql::new(
                    "SELECT t.mode, COUNT(DISTINCT t.help_request_id) FROM (\
                     SELECT m.mode, m.help_request_id FROM stats_mode_requests m WHERE TRUE",
                );
                and_clean(&mut q, "m", w);
                and_between(&mut q, "m.request_at", start, end, false);
                for l in &w.live {
                    q.push(
                        " UNION ALL SELECT i.mode, i.help_request_id FROM interventions i \
                         JOIN help_requests h ON h.id = i.help_request_id WHERE ",
                    );
                    counted(l).interventions(&mut q);
                    and_between(&mut q, "h.created_at", start, end, false);
                }
                q.push(") t GROUP BY t.mode");
                let modes: Vec<(String, i64)> = q.build_query_as().fetch_all(&mut *conn).await?;
                for (k, r) in modes {
                    by.entry(k).or_default().0 = r;
                }
            }
            for (k, (r, n, m)) in by {
                if r > 0 {
                    out.requests_by.push((k.clone(), r));
                }
                if n > 0 {
                    out.interventions_by.push((k, n, m));
                }
            }
            Ok(out)
        }
    };
}
