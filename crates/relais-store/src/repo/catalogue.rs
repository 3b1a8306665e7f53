//! A structure's catalogue: procedure settings, local procedures and channels.

macro_rules! repo_catalogue {
    () => {
        // ---- a structure's catalogue -------------------------------------

        pub(crate) async fn procedure_settings_of(
            pool: &Pool<Db>,
            structure_id: Uuid,
        ) -> Result<Vec<ProcedureSettingRow>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT structure_id, procedure_id, hidden, local_note, updated_by, updated_at \
                 FROM procedure_settings WHERE structure_id = $1",
            )
            .bind(structure_id)
            .fetch_all(pool)
            .await?)
        }

        pub(crate) async fn save_procedure_settings(
            pool: &Pool<Db>,
            rows: &[ProcedureSettingRow],
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            for r in rows {
                sqlx::query(
                    "INSERT INTO procedure_settings (structure_id, procedure_id, hidden, \
                     local_note, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (structure_id, procedure_id) DO UPDATE SET \
                     hidden = excluded.hidden, local_note = excluded.local_note, \
                     updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                )
                .bind(r.structure_id)
                .bind(&r.procedure_id)
                .bind(r.hidden)
                .bind(&r.local_note)
                .bind(r.updated_by)
                .bind(r.updated_at)
                .execute(&mut *tx)
                .await?;
            }
            finish(tx, events, now).await
        }

        pub(crate) async fn local_procedures_of(
            pool: &Pool<Db>,
            structure_id: Uuid,
        ) -> Result<Vec<LocalProcedureRow>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT structure_id, id, title, category, operator, link, documents, tips, \
                 updated_by, updated_at FROM local_procedures WHERE structure_id = $1 ORDER BY title",
            )
            .bind(structure_id)
            .fetch_all(pool)
            .await?)
        }

        pub(crate) async fn save_local_procedure(
            pool: &Pool<Db>,
            r: &LocalProcedureRow,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO local_procedures (structure_id, id, title, category, operator, link, \
                 documents, tips, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (structure_id, id) DO UPDATE SET title = excluded.title, \
                 category = excluded.category, operator = excluded.operator, link = excluded.link, \
                 documents = excluded.documents, tips = excluded.tips, \
                 updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            )
            .bind(r.structure_id)
            .bind(&r.id)
            .bind(&r.title)
            .bind(&r.category)
            .bind(&r.operator)
            .bind(&r.link)
            .bind(&r.documents)
            .bind(&r.tips)
            .bind(r.updated_by)
            .bind(r.updated_at)
            .execute(&mut *tx)
            .await?;
            finish(tx, events, now).await
        }

        pub(crate) async fn delete_local_procedure(
            pool: &Pool<Db>,
            structure_id: Uuid,
            id: &str,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            let done = sqlx::query("DELETE FROM local_procedures WHERE structure_id = $1 AND id = $2")
                .bind(structure_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            finish(tx, events, now).await
        }

        pub(crate) async fn channels_of(
            pool: &Pool<Db>,
            structure_id: Uuid,
        ) -> Result<Vec<OperatorChannelRow>, StoreError> {
            Ok(sqlx::query_as(
                "SELECT structure_id, operator_id, partner_portal, pro_phone, email, local_contact, \
                 answer_delay, notes, updated_by, updated_at FROM operator_channels \
                 WHERE structure_id = $1 ORDER BY operator_id",
            )
            .bind(structure_id)
            .fetch_all(pool)
            .await?)
        }

        pub(crate) async fn save_channel(
            pool: &Pool<Db>,
            r: &OperatorChannelRow,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO operator_channels (structure_id, operator_id, partner_portal, pro_phone, \
                 email, local_contact, answer_delay, notes, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (structure_id, operator_id) DO UPDATE SET \
                 partner_portal = excluded.partner_portal, pro_phone = excluded.pro_phone, \
                 email = excluded.email, local_contact = excluded.local_contact, \
                 answer_delay = excluded.answer_delay, notes = excluded.notes, \
                 updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            )
            .bind(r.structure_id)
            .bind(&r.operator_id)
            .bind(&r.partner_portal)
            .bind(&r.pro_phone)
            .bind(&r.email)
            .bind(&r.local_contact)
            .bind(&r.answer_delay)
            .bind(&r.notes)
            .bind(r.updated_by)
            .bind(r.updated_at)
            .execute(&mut *tx)
            .await?;
            finish(tx, events, now).await
        }

        pub(crate) async fn delete_channel(
            pool: &Pool<Db>,
            structure_id: Uuid,
            operator_id: &str,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "DELETE FROM operator_channels WHERE structure_id = $1 AND operator_id = $2",
            )
            .bind(structure_id)
            .bind(operator_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            finish(tx, events, now).await
        }
    };
}
