//! Generated data (demonstration and load generator).

use super::prelude::*;

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
}
