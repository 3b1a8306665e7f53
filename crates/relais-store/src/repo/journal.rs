//! The hash-chained journal: appending events inside a write's transaction, and reading the chains back.

macro_rules! repo_journal {
    ($lock:literal) => {
        /// Appends events to their chains inside the caller's transaction.
        pub(crate) async fn append_journal(
            tx: &mut Tx<'_>,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let at = journal_time(now);
            for ev in events {
                let chain = ev.chain();
                sqlx::query(
                    "INSERT INTO journal_heads (chain, seq, hash) VALUES ($1, 0, $2) \
                     ON CONFLICT (chain) DO NOTHING",
                )
                .bind(&chain)
                .bind(GENESIS_HASH)
                .execute(&mut **tx)
                .await?;
                let (seq, prev): (i64, String) = sqlx::query_as(concat!(
                    "SELECT seq, hash FROM journal_heads WHERE chain = $1",
                    $lock
                ))
                .bind(&chain)
                .fetch_one(&mut **tx)
                .await?;
                let seq = seq + 1;
                let details = ev.details.to_string();
                let hash = entry_hash(
                    &prev,
                    &chain,
                    seq,
                    at,
                    ev.actor_id,
                    ev.structure_id,
                    ev.action,
                    ev.object_type,
                    ev.object_id,
                    &details,
                );
                sqlx::query(
                    "INSERT INTO journal (chain, seq, at, actor_id, structure_id, action, \
                     object_type, object_id, details, prev_hash, hash) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(&chain)
                .bind(seq)
                .bind(at)
                .bind(ev.actor_id)
                .bind(ev.structure_id)
                .bind(ev.action)
                .bind(ev.object_type)
                .bind(ev.object_id)
                .bind(&details)
                .bind(&prev)
                .bind(&hash)
                .execute(&mut **tx)
                .await?;
                sqlx::query("UPDATE journal_heads SET seq = $1, hash = $2 WHERE chain = $3")
                    .bind(seq)
                    .bind(&hash)
                    .bind(&chain)
                    .execute(&mut **tx)
                    .await?;
            }
            Ok(())
        }

        async fn finish(
            mut tx: Tx<'_>,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            append_journal(&mut tx, events, now).await?;
            tx.commit().await?;
            Ok(())
        }

        pub(crate) async fn journal_only(
            pool: &Pool<Db>,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            finish(pool.begin().await?, events, now).await
        }

        // ---- journal ---------------------------------------------------------

        const JOURNAL_COLS: &str = "id, chain, seq, at, actor_id, structure_id, action, \
                                    object_type, object_id, details, prev_hash, hash";

        pub(crate) async fn journal_entries(
            pool: &Pool<Db>,
        ) -> Result<Vec<JournalRow>, StoreError> {
            let sql = format!("SELECT {JOURNAL_COLS} FROM journal ORDER BY chain, seq");
            Ok(sqlx::query_as(&sql).fetch_all(pool).await?)
        }

        pub(crate) async fn journal_recent(
            pool: &Pool<Db>,
            chain: &str,
            limit: i64,
        ) -> Result<Vec<JournalRow>, StoreError> {
            let sql = format!(
                "SELECT {JOURNAL_COLS} FROM journal WHERE chain = $1 ORDER BY seq DESC LIMIT $2"
            );
            Ok(sqlx::query_as(&sql).bind(chain).bind(limit).fetch_all(pool).await?)
        }

        /// The journal lines about one object of a structure, newest first.
        pub(crate) async fn journal_of_object(
            pool: &Pool<Db>,
            chain: &str,
            object_id: Uuid,
            limit: i64,
        ) -> Result<Vec<AccessRow>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT j.at, j.action, a.name AS actor_name FROM journal j \
                 LEFT JOIN agents a ON a.id = j.actor_id \
                 WHERE j.chain = $1 AND j.object_id = $2 ORDER BY j.id DESC LIMIT $3",
            )
            .bind(chain)
            .bind(object_id)
            .bind(limit)
            .fetch_all(pool)
            .await?)
        }

        pub(crate) async fn journal_heads(
            pool: &Pool<Db>,
        ) -> Result<Vec<JournalHeadRow>, StoreError> {
            Ok(
                sqlx::query_as("SELECT chain, seq, hash FROM journal_heads ORDER BY chain")
                    .fetch_all(pool)
                    .await?,
            )
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
