//! Structures (the services that use relais).

macro_rules! repo_structures {
    () => {
        // ---- structures -------------------------------------------------

        pub(crate) async fn insert_structure(
            pool: &Pool<Db>,
            s: &StructureRow,
            events: &[JournalEvent],
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO structures (id, name, slug, kind, siret, commune, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(s.id)
            .bind(&s.name)
            .bind(&s.slug)
            .bind(&s.kind)
            .bind(&s.siret)
            .bind(&s.commune)
            .bind(s.created_at)
            .execute(&mut *tx)
            .await?;
            finish(tx, events, now).await
        }

        const STRUCTURE_COLS: &str = "id, name, slug, kind, siret, commune, created_at";

        pub(crate) async fn structure_by_slug(
            pool: &Pool<Db>,
            slug: &str,
        ) -> Result<Option<StructureRow>, StoreError> {
            let sql = format!("SELECT {STRUCTURE_COLS} FROM structures WHERE slug = $1");
            Ok(sqlx::query_as(&sql).bind(slug).fetch_optional(pool).await?)
        }

        pub(crate) async fn structure_by_id(
            pool: &Pool<Db>,
            id: Uuid,
        ) -> Result<Option<StructureRow>, StoreError> {
            let sql = format!("SELECT {STRUCTURE_COLS} FROM structures WHERE id = $1");
            Ok(sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?)
        }

        pub(crate) async fn list_structures(
            pool: &Pool<Db>,
        ) -> Result<Vec<StructureRow>, StoreError> {
            let sql = format!("SELECT {STRUCTURE_COLS} FROM structures ORDER BY name, slug");
            Ok(sqlx::query_as(&sql).fetch_all(pool).await?)
        }
    };
}
