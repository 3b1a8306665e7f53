//! Referrals of a request to a place.

macro_rules! repo_referrals {
    () => {
        // ---- referrals -------------------------------------------------------

        const REFERRAL_SELECT: &str = "SELECT r.id, r.structure_id, r.help_request_id, \
            r.person_id, r.place_id, r.operator_id, r.reason, r.status, r.follow_up_id, \
            r.created_by, r.created_at, r.updated_at, r.closed_on, p.name AS place_name \
            FROM referrals r LEFT JOIN places p ON p.id = r.place_id";

        /// A referral and, when asked, its follow-up, in one transaction.
        pub(crate) async fn insert_referral(
            pool: &Pool<Db>,
            r: &ReferralRow,
            follow_up: Option<&FollowUpRow>,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            if let Some(p) = r.person_id {
                lock_live_person_tx(&mut tx, p).await?;
            }
            if let Some(f) = follow_up {
                insert_follow_up_tx(&mut tx, f).await?;
            }
            sqlx::query(
                "INSERT INTO referrals (id, structure_id, help_request_id, person_id, place_id, \
                 operator_id, reason, status, follow_up_id, created_by, created_at, updated_at, \
                 closed_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(r.id)
            .bind(r.structure_id)
            .bind(r.help_request_id)
            .bind(r.person_id)
            .bind(r.place_id)
            .bind(&r.operator_id)
            .bind(&r.reason)
            .bind(&r.status)
            .bind(r.follow_up_id)
            .bind(r.created_by)
            .bind(r.created_at)
            .bind(r.updated_at)
            .bind(r.closed_on)
            .execute(&mut *tx)
            .await?;
            finish(tx, events, now).await
        }

        /// A new status (and the follow-up done when the referral is over),
        /// only if the referral still has the status and `updated_at` it
        /// was read with: `false` when it changed meanwhile (or is gone),
        /// and then nothing is written.
        pub(crate) async fn update_referral(
            pool: &Pool<Db>,
            r: &ReferralRow,
            prior: &ReferralRow,
            close_follow_up: bool,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<bool, StoreError> {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE referrals SET status = $1, updated_at = $2, closed_on = $3 \
                 WHERE id = $4 AND structure_id = $5 AND status = $6 AND updated_at = $7",
            )
            .bind(&r.status)
            .bind(r.updated_at)
            .bind(r.closed_on)
            .bind(r.id)
            .bind(r.structure_id)
            .bind(&prior.status)
            .bind(prior.updated_at)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Ok(false);
            }
            if let (true, Some(f)) = (close_follow_up, r.follow_up_id) {
                sqlx::query(
                    "UPDATE follow_ups SET done = TRUE, done_at = $1 WHERE id = $2 AND done = FALSE",
                )
                .bind(now)
                .bind(f)
                .execute(&mut *tx)
                .await?;
            }
            finish(tx, events, now).await?;
            Ok(true)
        }

        pub(crate) async fn referral_by_id(
            pool: &Pool<Db>,
            structure_id: Uuid,
            id: Uuid,
        ) -> Result<Option<ReferralListRow>, StoreError> {
            let sql = format!("{REFERRAL_SELECT} WHERE r.structure_id = $1 AND r.id = $2");
            Ok(sqlx::query_as(&sql)
                .bind(structure_id)
                .bind(id)
                .fetch_optional(pool)
                .await?)
        }

        pub(crate) async fn referrals_of_request(
            pool: &Pool<Db>,
            structure_id: Uuid,
            request_id: Uuid,
        ) -> Result<Vec<ReferralListRow>, StoreError> {
            let sql = format!(
                "{REFERRAL_SELECT} WHERE r.structure_id = $1 AND r.help_request_id = $2 \
                 ORDER BY r.created_at"
            );
            Ok(sqlx::query_as(&sql)
                .bind(structure_id)
                .bind(request_id)
                .fetch_all(pool)
                .await?)
        }

        /// Referrals made from `from` to `to`, by status.
        pub(crate) async fn stats_referrals(
            pool: &Pool<Db>,
            scope: Option<Uuid>,
            from: DateTime<Utc>,
            to: DateTime<Utc>,
        ) -> Result<Vec<(String, Option<Uuid>, String, String)>, StoreError> {
            let mut q = Sql::new(
                "SELECT f.status, f.created_by, h.category, h.channel FROM referrals f \
                 JOIN help_requests h ON h.id = f.help_request_id WHERE TRUE",
            );
            and_scope(&mut q, "f.structure_id", scope);
            and_between(&mut q, "f.created_at", from, to, false);
            Ok(q.build_query_as().fetch_all(pool).await?)
        }
    };
}
