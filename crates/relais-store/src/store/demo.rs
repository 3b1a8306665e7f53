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
