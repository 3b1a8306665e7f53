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
    };
}
