//! The journal.

use super::prelude::*;

impl Store {
    /// Journals events that come with no other change (a refused sign-in).
    pub async fn journal_only(
        &self,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, journal_only(events, now))
    }

    pub async fn journal_entries(&self) -> Result<Vec<JournalRow>, StoreError> {
        dispatch!(self, read, journal_entries())
    }

    pub async fn journal_recent(
        &self,
        chain: &str,
        limit: i64,
    ) -> Result<Vec<JournalRow>, StoreError> {
        dispatch!(self, read, journal_recent(chain, limit))
    }

    pub async fn journal_of_object(
        &self,
        chain: &str,
        object_id: Uuid,
        limit: i64,
    ) -> Result<Vec<AccessRow>, StoreError> {
        dispatch!(self, read, journal_of_object(chain, object_id, limit))
    }

    pub async fn journal_heads(&self) -> Result<Vec<JournalHeadRow>, StoreError> {
        dispatch!(self, read, journal_heads())
    }
}
