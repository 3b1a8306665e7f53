//! Structures.

use super::prelude::*;

impl Store {
    pub async fn insert_structure(
        &self,
        s: &StructureRow,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, insert_structure(s, events, now))
    }

    pub async fn structure_by_slug(&self, slug: &str) -> Result<Option<StructureRow>, StoreError> {
        dispatch!(self, read, structure_by_slug(slug))
    }

    pub async fn structure_by_id(
        &self,
        id: StructureId,
    ) -> Result<Option<StructureRow>, StoreError> {
        dispatch!(self, read, structure_by_id(id.0))
    }

    pub async fn list_structures(&self) -> Result<Vec<StructureRow>, StoreError> {
        dispatch!(self, read, list_structures())
    }
}
