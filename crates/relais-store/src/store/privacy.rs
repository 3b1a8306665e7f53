//! Privacy: data keys, private notes, retention, anonymisation.

use super::prelude::*;

impl Store {
    /// Checks that every key the database was sealed with is configured,
    /// then records the current key as in use. Run at start-up.
    pub async fn check_keys(&self, now: DateTime<Utc>) -> Result<(), StoreError> {
        let ids: Vec<String> = dispatch!(self, read, data_keys())?;
        let unknown: Vec<String> = ids.into_iter().filter(|id| !self.vault.knows(id)).collect();
        if !unknown.is_empty() {
            return Err(StoreError::UnknownKeys(unknown));
        }
        dispatch!(self, write, add_data_key(self.vault.current_id(), now))
    }

    /// The ids of the data keys the database holds values under.
    pub async fn data_keys(&self) -> Result<Vec<String>, StoreError> {
        dispatch!(self, read, data_keys())
    }

    /// Re-seals every encrypted value under the current key, in one
    /// transaction; a value without the envelope stops it (nothing written). Returns how many
    /// values were re-sealed.
    pub async fn rotate_keys(
        &self,
        events: impl FnOnce(u64) -> Vec<JournalEvent>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let v = &*self.vault;
        let mut texts = Vec::new();
        let mut blobs = Vec::new();
        for &(table, column, bytes) in SEALED_COLUMNS {
            let place = format!("{table}.{column}");
            if bytes {
                let rows: Vec<(Uuid, Vec<u8>)> =
                    dispatch!(self, write, sealed_blobs(table, column))?;
                for (id, stored) in rows {
                    if Vault::key_id_of(&stored).as_deref() == Some(v.current_id()) {
                        continue;
                    }
                    let plain = v.open_bytes(&place, id, &stored)?;
                    blobs.push((table, column, id, v.seal_bytes(&place, id, &plain)?));
                }
            } else {
                let rows: Vec<(Uuid, String)> =
                    dispatch!(self, write, sealed_texts(table, column))?;
                for (id, stored) in rows {
                    // An anonymised mandate's empty secret holds nothing.
                    if stored.is_empty() && column == "revocation_secret" {
                        continue;
                    }
                    if Vault::key_id_of(stored.as_bytes()).as_deref() == Some(v.current_id()) {
                        continue;
                    }
                    let plain = v.open(&place, id, &stored)?;
                    texts.push((table, column, id, v.seal(&place, id, &plain)?));
                }
            }
        }
        let count = (texts.len() + blobs.len()) as u64;
        let events = events(count);
        dispatch!(
            self,
            write,
            reseal(&texts, &blobs, v.current_id(), &events, now)
        )?;
        Ok(count)
    }

    pub async fn insert_private_note(
        &self,
        n: &PrivateNoteRow,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let n = &n.sealed(&self.vault)?;
        dispatch!(self, write, insert_private_note(n, events, now))
    }

    pub async fn private_notes_of(
        &self,
        structure_id: StructureId,
        person_id: PersonId,
        author_id: AgentId,
    ) -> Result<Vec<PrivateNoteRow>, StoreError> {
        let mut rows = dispatch!(
            self,
            read,
            private_notes_of(structure_id.0, person_id.0, author_id.0)
        )?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    pub async fn count_private_notes(
        &self,
        structure_id: StructureId,
        person_id: PersonId,
    ) -> Result<usize, StoreError> {
        let n: i64 = dispatch!(self, read, count_private_notes(structure_id.0, person_id.0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    pub async fn delete_private_note(
        &self,
        structure_id: StructureId,
        id: PrivateNoteId,
        author_id: AgentId,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            delete_private_note(structure_id.0, id.0, author_id.0, events, now)
        )
    }

    pub async fn retention_rows(
        &self,
        structure_id: StructureId,
    ) -> Result<Vec<RetentionRow>, StoreError> {
        dispatch!(self, read, retention_rows(structure_id.0))
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn keep_person(
        &self,
        structure_id: StructureId,
        person_id: PersonId,
        until: chrono::NaiveDate,
        reason: &str,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let reason = self
            .vault
            .seal("persons.keep_reason", person_id.0, reason)?;
        dispatch!(
            self,
            write,
            keep_person(structure_id.0, person_id.0, until, &reason, events, now)
        )
    }

    /// Anonymises a person unless `blockers` names mandates that forbid
    /// it, judged inside the transaction; returns those (nothing written).
    /// Each of the person's requests, as the transaction finds them (one
    /// made meanwhile included), keeps the age bracket `bracket` gives for
    /// the time it was made.
    pub async fn anonymise_person<F, G>(
        &self,
        a: &Anonymisation,
        events: &[JournalEvent],
        now: DateTime<Utc>,
        blockers: F,
        bracket: G,
    ) -> Result<Vec<Uuid>, StoreError>
    where
        F: FnOnce(&[MandateFactsRow]) -> Vec<Uuid>,
        G: Fn(DateTime<Utc>) -> String,
    {
        dispatch!(
            self,
            write,
            anonymise_person(a, events, now, blockers, bracket)
        )
    }

    pub async fn clear_spent_codes(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        dispatch!(self, write, clear_spent_codes(before))
    }
}
