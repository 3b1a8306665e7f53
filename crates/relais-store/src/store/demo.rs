//! Generated data (demonstration and load generator), behind the `demo`
//! feature: rows built by the caller, written in bulk.

use super::prelude::*;

/// Rows written together in one transaction by `relais gen`.
#[derive(Debug, Clone, Default)]
pub struct BulkBatch {
    pub persons: Vec<PersonRow>,
    pub assessments: Vec<AutonomyRow>,
    pub mandates: Vec<MandateRow>,
    pub requests: Vec<HelpRequestRow>,
    pub interventions: Vec<InterventionRow>,
    pub follow_ups: Vec<FollowUpRow>,
    /// Entries whose chain position and hash the caller computed (`id`
    /// is not written).
    pub journal: Vec<JournalRow>,
    /// The journal heads after this batch.
    pub heads: Vec<JournalHeadRow>,
    /// (structure, year, last number) of request references.
    pub counters: Vec<(Uuid, i64, i64)>,
}

impl BulkBatch {
    pub fn rows(&self) -> usize {
        self.persons.len()
            + self.assessments.len()
            + self.mandates.len()
            + self.requests.len()
            + self.interventions.len()
            + self.follow_ups.len()
            + self.journal.len()
    }
}

impl Store {
    /// Writes a generator batch in one transaction; sealed columns are
    /// sealed here as for every other write.
    pub async fn bulk_load(&self, mut batch: BulkBatch) -> Result<(), StoreError> {
        for m in &mut batch.mandates {
            m.seal(&self.vault)?;
        }
        for f in &mut batch.follow_ups {
            f.seal(&self.vault)?;
        }
        for p in &mut batch.persons {
            p.seal(&self.vault)?;
        }
        for i in &mut batch.interventions {
            i.seal(&self.vault)?;
        }
        dispatch!(self, write, bulk_load(&batch))
    }

    /// Drops the secondary indexes of `tables` (not those of primary
    /// keys and unique constraints) and returns their definitions, as the
    /// database itself states them, for `create_indexes`: a bulk load
    /// then appends rows instead of updating every index of every row
    /// (`relais gen` into an empty database only).
    pub async fn drop_indexes(&self, tables: &[&str]) -> Result<Vec<String>, StoreError> {
        let mut defs = Vec::new();
        match &self.engine {
            Engine::Sqlite { write, .. } => {
                let mut c = write.acquire().await?;
                for table in tables {
                    // An index a constraint makes has no SQL of its own.
                    let found: Vec<(String, String)> = sqlx::query_as(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'index' \
                         AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
                    )
                    .bind(*table)
                    .fetch_all(&mut *c)
                    .await?;
                    for (name, sql) in found {
                        sqlx::query(&format!("DROP INDEX \"{name}\""))
                            .execute(&mut *c)
                            .await?;
                        defs.push(sql);
                    }
                }
            }
            Engine::Postgres(pool) => {
                for table in tables {
                    let found: Vec<(String, String)> = sqlx::query_as(
                        "SELECT i.relname::text, pg_get_indexdef(x.indexrelid) FROM pg_index x \
                         JOIN pg_class i ON i.oid = x.indexrelid \
                         JOIN pg_class t ON t.oid = x.indrelid \
                         WHERE t.relname = $1 AND t.relnamespace = current_schema()::regnamespace \
                         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) \
                         ORDER BY i.relname",
                    )
                    .bind(*table)
                    .fetch_all(pool)
                    .await?;
                    for (name, sql) in found {
                        sqlx::query(&format!("DROP INDEX \"{name}\""))
                            .execute(pool)
                            .await?;
                        defs.push(sql);
                    }
                }
            }
        }
        Ok(defs)
    }

    /// Creates the indexes `drop_indexes` returned.
    pub async fn create_indexes(&self, defs: &[String]) -> Result<(), StoreError> {
        match &self.engine {
            Engine::Sqlite { write, .. } => {
                let mut c = write.acquire().await?;
                for sql in defs {
                    sqlx::query(sql).execute(&mut *c).await?;
                }
            }
            Engine::Postgres(pool) => {
                // The sort of an index build has this much memory (the
                // server's default is 64 MB).
                let mut c = pool.acquire().await?;
                sqlx::query("SET maintenance_work_mem = '512MB'")
                    .execute(&mut *c)
                    .await?;
                for sql in defs {
                    sqlx::query(sql).execute(&mut *c).await?;
                }
                sqlx::query("RESET maintenance_work_mem")
                    .execute(&mut *c)
                    .await?;
            }
        }
        Ok(())
    }

    /// Whether the database is a demonstration one (marked so, or made of
    /// the demonstration structure alone); an empty one is marked first.
    pub async fn claim_demo(
        &self,
        demo_slug: &str,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        dispatch!(self, write, claim_demo(demo_slug, events, now))
    }
}
