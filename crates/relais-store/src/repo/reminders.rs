//! Reminders: agents' notifications and e-mails, calendar feeds, and reminders to the person.

macro_rules! repo_reminders {
    () => {
        // ---- reminders -----------------------------------------------------

        /// Follow-ups not done whose day has come, in every structure.
        pub(crate) async fn open_follow_ups_until(
            pool: &Pool<Db>,
            until: chrono::NaiveDate,
        ) -> Result<Vec<FollowUpListRow>, StoreError> {
            let sql = format!(
                "{FOLLOW_UP_SELECT} WHERE f.done = FALSE AND f.due_date <= $1 \
                 ORDER BY f.due_date, f.created_at"
            );
            Ok(sqlx::query_as(&sql).bind(until).fetch_all(pool).await?)
        }

        /// Inserts the reminders that do not exist yet; returns how many were
        /// new. The unique key (follow-up, day) makes concurrent runs safe.
        pub(crate) async fn insert_notifications(
            pool: &Pool<Db>,
            rows: &[NotificationRow],
            events: impl Fn(u64) -> Vec<JournalEvent>,
            now: DateTime<Utc>,
        ) -> Result<u64, StoreError> {
            let mut tx = pool.begin().await?;
            let mut created = 0;
            for n in rows {
                let done = sqlx::query(
                    "INSERT INTO notifications (id, structure_id, agent_id, follow_up_id, due_date, \
                     kind, created_at, read_at, email_status, email_attempts, email_next_at, \
                     email_claimed_at, email_error) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, 0, \
                     NULL, NULL, NULL) ON CONFLICT (follow_up_id, due_date) DO NOTHING",
                )
                .bind(n.id)
                .bind(n.structure_id)
                .bind(n.agent_id)
                .bind(n.follow_up_id)
                .bind(n.due_date)
                .bind(&n.kind)
                .bind(n.created_at)
                .bind(&n.email_status)
                .execute(&mut *tx)
                .await?;
                created += done.rows_affected();
            }
            if created > 0 {
                append_journal(&mut tx, &events(created), now).await?;
            }
            tx.commit().await?;
            Ok(created)
        }

        const NOTIFICATION_SELECT: &str = "SELECT n.id, n.structure_id, n.agent_id, \
            n.follow_up_id, n.due_date, n.kind, n.created_at, n.read_at, n.email_status, \
            n.email_attempts, n.email_next_at, n.email_claimed_at, n.email_error, \
            f.help_request_id, COALESCE(f.person_id, r.person_id) AS person_id, r.reference, \
            r.procedure, a.email AS agent_email FROM notifications n \
            JOIN follow_ups f ON f.id = n.follow_up_id \
            LEFT JOIN help_requests r ON r.id = f.help_request_id \
            JOIN agents a ON a.id = n.agent_id";

        pub(crate) async fn notifications_of(
            pool: &Pool<Db>,
            structure_id: Uuid,
            agent_id: Uuid,
            limit: i64,
        ) -> Result<Vec<NotificationListRow>, StoreError> {
            let sql = format!(
                "{NOTIFICATION_SELECT} WHERE n.structure_id = $1 AND n.agent_id = $2 \
                 ORDER BY (n.read_at IS NULL) DESC, n.due_date DESC, n.created_at DESC LIMIT $3"
            );
            Ok(sqlx::query_as(&sql)
                .bind(structure_id)
                .bind(agent_id)
                .bind(limit)
                .fetch_all(pool)
                .await?)
        }

        pub(crate) async fn count_unread_notifications(
            pool: &Pool<Db>,
            structure_id: Uuid,
            agent_id: Uuid,
        ) -> Result<i64, StoreError> {
            let (n,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM notifications WHERE structure_id = $1 AND agent_id = $2 \
                 AND read_at IS NULL",
            )
            .bind(structure_id)
            .bind(agent_id)
            .fetch_one(pool)
            .await?;
            Ok(n)
        }

        /// Marks one reminder (or all of them) as read.
        pub(crate) async fn mark_notifications_read(
            pool: &Pool<Db>,
            structure_id: Uuid,
            agent_id: Uuid,
            id: Option<Uuid>,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<u64, StoreError> {
            let mut tx = pool.begin().await?;
            let done = match id {
                Some(id) => sqlx::query(
                    "UPDATE notifications SET read_at = $1 WHERE structure_id = $2 \
                     AND agent_id = $3 AND id = $4 AND read_at IS NULL",
                )
                .bind(now)
                .bind(structure_id)
                .bind(agent_id)
                .bind(id)
                .execute(&mut *tx)
                .await?,
                None => sqlx::query(
                    "UPDATE notifications SET read_at = $1 WHERE structure_id = $2 \
                     AND agent_id = $3 AND read_at IS NULL",
                )
                .bind(now)
                .bind(structure_id)
                .bind(agent_id)
                .execute(&mut *tx)
                .await?,
            };
            finish(tx, events, now).await?;
            Ok(done.rows_affected())
        }

        /// E-mails ready to go (pending and due, or claimed long ago by a
        /// server that stopped).
        pub(crate) async fn emails_to_send(
            pool: &Pool<Db>,
            now: DateTime<Utc>,
            stale_before: DateTime<Utc>,
            limit: i64,
        ) -> Result<Vec<NotificationListRow>, StoreError> {
            let sql = format!(
                "{NOTIFICATION_SELECT} WHERE (n.email_status = 'pending' AND \
                 (n.email_next_at IS NULL OR n.email_next_at <= $1)) OR \
                 (n.email_status = 'sending' AND n.email_claimed_at < $2) \
                 ORDER BY n.created_at LIMIT $3"
            );
            Ok(sqlx::query_as(&sql)
                .bind(now)
                .bind(stale_before)
                .bind(limit)
                .fetch_all(pool)
                .await?)
        }

        /// Takes an e-mail for this server; false when another one has it.
        pub(crate) async fn claim_email(
            pool: &Pool<Db>,
            id: Uuid,
            now: DateTime<Utc>,
            stale_before: DateTime<Utc>,
        ) -> Result<bool, StoreError> {
            let done = sqlx::query(
                "UPDATE notifications SET email_status = 'sending', email_claimed_at = $1 \
                 WHERE id = $2 AND ((email_status = 'pending' AND \
                 (email_next_at IS NULL OR email_next_at <= $1)) OR \
                 (email_status = 'sending' AND email_claimed_at < $3))",
            )
            .bind(now)
            .bind(id)
            .bind(stale_before)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        }

        pub(crate) async fn finish_email(
            pool: &Pool<Db>,
            id: Uuid,
            status: &str,
            attempts: i64,
            next_at: Option<DateTime<Utc>>,
            error: Option<&str>,
        ) -> Result<(), StoreError> {
            sqlx::query(
                "UPDATE notifications SET email_status = $1, email_attempts = $2, \
                 email_next_at = $3, email_error = $4, email_claimed_at = NULL WHERE id = $5",
            )
            .bind(status)
            .bind(attempts)
            .bind(next_at)
            .bind(error)
            .bind(id)
            .execute(pool)
            .await?;
            Ok(())
        }

        /// (waiting, failed, last error) of the reminder e-mails, for admins.
        pub(crate) async fn email_backlog(
            pool: &Pool<Db>,
        ) -> Result<(i64, i64, Option<String>), StoreError> {
            let (waiting, failed): (i64, i64) = sqlx::query_as(
                "SELECT COALESCE(SUM(CASE WHEN email_status IN ('pending', 'sending') THEN 1 ELSE 0 END), 0), \
                 COALESCE(SUM(CASE WHEN email_status = 'failed' THEN 1 ELSE 0 END), 0) FROM notifications",
            )
            .fetch_one(pool)
            .await?;
            let last: Option<(Option<String>,)> = sqlx::query_as(
                "SELECT email_error FROM notifications WHERE email_error IS NOT NULL \
                 ORDER BY email_next_at DESC LIMIT 1",
            )
            .fetch_optional(pool)
            .await?;
            Ok((waiting, failed, last.and_then(|l| l.0)))
        }

        pub(crate) async fn set_calendar_feed(
            pool: &Pool<Db>,
            agent_id: Uuid,
            structure_id: Uuid,
            token_hash: Option<&str>,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM calendar_feeds WHERE agent_id = $1 AND structure_id = $2")
                .bind(agent_id)
                .bind(structure_id)
                .execute(&mut *tx)
                .await?;
            if let Some(h) = token_hash {
                sqlx::query(
                    "INSERT INTO calendar_feeds (agent_id, structure_id, token_hash, created_at) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(agent_id)
                .bind(structure_id)
                .bind(h)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            finish(tx, events, now).await
        }

        pub(crate) async fn calendar_feed_by_hash(
            pool: &Pool<Db>,
            token_hash: &str,
        ) -> Result<Option<(Uuid, Uuid, DateTime<Utc>)>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT agent_id, structure_id, created_at FROM calendar_feeds WHERE token_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await?)
        }

        pub(crate) async fn calendar_feed_of(
            pool: &Pool<Db>,
            agent_id: Uuid,
            structure_id: Uuid,
        ) -> Result<Option<DateTime<Utc>>, StoreError> {
            let row: Option<(DateTime<Utc>,)> = sqlx::query_as(
                "SELECT created_at FROM calendar_feeds WHERE agent_id = $1 AND structure_id = $2",
            )
            .bind(agent_id)
            .bind(structure_id)
            .fetch_optional(pool)
            .await?;
            Ok(row.map(|r| r.0))
        }

        // ---- reminders to the person ----------------------------------------

        pub(crate) async fn set_reminder_consent(
            pool: &Pool<Db>,
            person_id: Uuid,
            channel: Option<&str>,
            given_on: chrono::NaiveDate,
            by: Uuid,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            match channel {
                Some(c) => {
                    lock_live_person_tx(&mut tx, person_id).await?;
                    sqlx::query(
                        "INSERT INTO reminder_consents (person_id, channel, given_on, recorded_by, \
                         updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (person_id) DO UPDATE \
                         SET channel = excluded.channel, given_on = excluded.given_on, \
                         recorded_by = excluded.recorded_by, updated_at = excluded.updated_at",
                    )
                    .bind(person_id)
                    .bind(c)
                    .bind(given_on)
                    .bind(by)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                None => {
                    sqlx::query("DELETE FROM reminder_consents WHERE person_id = $1")
                        .bind(person_id)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(
                        "DELETE FROM person_reminders WHERE person_id = $1 AND status <> 'sent'",
                    )
                    .bind(person_id)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            finish(tx, events, now).await
        }

        pub(crate) async fn reminder_consent_of(
            pool: &Pool<Db>,
            person_id: Uuid,
        ) -> Result<Option<(String, chrono::NaiveDate)>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT channel, given_on FROM reminder_consents WHERE person_id = $1",
            )
            .bind(person_id)
            .fetch_optional(pool)
            .await?)
        }

        /// Queues a message to the person for each reminder created since
        /// they consented (once: keyed by the notification).
        pub(crate) async fn queue_person_reminders(
            pool: &Pool<Db>,
            events: impl Fn(u64) -> Vec<JournalEvent>,
            now: DateTime<Utc>,
        ) -> Result<u64, StoreError> {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "INSERT INTO person_reminders (notification_id, person_id, channel, status, \
                 attempts, created_at) SELECT n.id, c.person_id, c.channel, 'pending', 0, $1 \
                 FROM notifications n JOIN follow_ups f ON f.id = n.follow_up_id \
                 LEFT JOIN help_requests r ON r.id = f.help_request_id \
                 JOIN reminder_consents c ON c.person_id = COALESCE(f.person_id, r.person_id) \
                 WHERE n.created_at >= c.updated_at \
                 ON CONFLICT (notification_id) DO NOTHING",
            )
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let queued = done.rows_affected();
            if queued > 0 {
                append_journal(&mut tx, &events(queued), now).await?;
            }
            tx.commit().await?;
            Ok(queued)
        }

        pub(crate) async fn person_reminders_to_send(
            pool: &Pool<Db>,
            now: DateTime<Utc>,
            stale_before: DateTime<Utc>,
            limit: i64,
        ) -> Result<Vec<PersonReminderRow>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT m.notification_id, m.person_id, m.channel, m.status, m.attempts, \
                 n.due_date, r.procedure, p.email, p.phone, s.name AS structure_name \
                 FROM person_reminders m JOIN notifications n ON n.id = m.notification_id \
                 JOIN follow_ups f ON f.id = n.follow_up_id \
                 LEFT JOIN help_requests r ON r.id = f.help_request_id \
                 JOIN persons p ON p.id = m.person_id JOIN structures s ON s.id = n.structure_id \
                 WHERE (m.status = 'pending' AND (m.next_at IS NULL OR m.next_at <= $1)) \
                 OR (m.status = 'sending' AND m.claimed_at < $2) ORDER BY m.created_at LIMIT $3",
            )
            .bind(now)
            .bind(stale_before)
            .bind(limit)
            .fetch_all(pool)
            .await?)
        }

        pub(crate) async fn claim_person_reminder(
            pool: &Pool<Db>,
            id: Uuid,
            now: DateTime<Utc>,
            stale_before: DateTime<Utc>,
        ) -> Result<bool, StoreError> {
            let done = sqlx::query(
                "UPDATE person_reminders SET status = 'sending', claimed_at = $1 \
                 WHERE notification_id = $2 AND ((status = 'pending' AND \
                 (next_at IS NULL OR next_at <= $1)) OR (status = 'sending' AND claimed_at < $3))",
            )
            .bind(now)
            .bind(id)
            .bind(stale_before)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        }

        pub(crate) async fn finish_person_reminder(
            pool: &Pool<Db>,
            id: Uuid,
            status: &str,
            attempts: i64,
            next_at: Option<DateTime<Utc>>,
            error: Option<&str>,
        ) -> Result<(), StoreError> {
            sqlx::query(
                "UPDATE person_reminders SET status = $1, attempts = $2, next_at = $3, \
                 error = $4, claimed_at = NULL WHERE notification_id = $5",
            )
            .bind(status)
            .bind(attempts)
            .bind(next_at)
            .bind(error)
            .bind(id)
            .execute(pool)
            .await?;
            Ok(())
        }
    };
}
