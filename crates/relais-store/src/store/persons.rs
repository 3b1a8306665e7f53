//! Persons helped.

use super::prelude::*;

impl Store {
    pub async fn insert_person(
        &self,
        p: &PersonRow,
        autonomy: Option<&AutonomyRow>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let p = &p.sealed(&self.vault)?;
        dispatch!(self, write, insert_person(p, autonomy, events, now))
    }

    /// Changes a live person from their details as they are inside the
    /// write's transaction (see the repository's `update_person`): `change`
    /// gets them opened and gives the new details, or its refusal.
    pub async fn update_person<F, R>(
        &self,
        structure_id: StructureId,
        id: PersonId,
        now: DateTime<Utc>,
        change: F,
    ) -> Result<Result<(), R>, StoreError>
    where
        F: FnOnce(&PersonRow) -> Result<PersonChange, R>,
    {
        let vault = &self.vault;
        let change = |mut current: PersonRow| {
            current.open(vault)?;
            Ok(match change(&current) {
                Ok((p, autonomy, events)) => Ok((p.sealed(vault)?, autonomy, events)),
                Err(r) => Err(r),
            })
        };
        dispatch!(
            self,
            write,
            update_person(structure_id.0, id.0, now, change)
        )
    }

    pub async fn person_by_id(
        &self,
        structure_id: StructureId,
        id: PersonId,
    ) -> Result<Option<PersonRow>, StoreError> {
        let mut rows = dispatch!(self, read, person_by_id(structure_id.0, id.0))?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    /// Several persons of the structure in one read, in no particular
    /// order; ids of other structures are left out.
    pub async fn persons_by_ids(
        &self,
        structure_id: StructureId,
        ids: &[PersonId],
    ) -> Result<Vec<PersonRow>, StoreError> {
        let ids: Vec<Uuid> = ids.iter().map(|i| i.0).collect();
        let mut rows = dispatch!(self, read, persons_by_ids(structure_id.0, &ids))?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    /// The structure's persons revision: it changes with every write to
    /// its persons (for caches of the person search).
    pub async fn persons_revision(&self, structure_id: StructureId) -> Result<i64, StoreError> {
        dispatch!(self, read, persons_revision(structure_id.0))
    }

    pub async fn person_candidates(
        &self,
        structure_id: StructureId,
    ) -> Result<Vec<PersonCandidateRow>, StoreError> {
        dispatch!(self, read, person_candidates(structure_id.0))
    }

    pub async fn count_persons(&self, structure_id: StructureId) -> Result<i64, StoreError> {
        dispatch!(self, read, count_persons(structure_id.0))
    }

    pub async fn autonomy_of(&self, person_id: PersonId) -> Result<Vec<AutonomyRow>, StoreError> {
        dispatch!(self, read, autonomy_of(person_id.0))
    }

    pub async fn set_accounts(
        &self,
        person_id: PersonId,
        rows: &[PersonAccountRow],
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, set_accounts(person_id.0, rows, events, now))
    }

    pub async fn accounts_of(
        &self,
        person_id: PersonId,
    ) -> Result<Vec<PersonAccountRow>, StoreError> {
        dispatch!(self, read, accounts_of(person_id.0))
    }

    pub async fn merge_persons(
        &self,
        structure_id: StructureId,
        survivor: PersonId,
        absorbed: PersonId,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            merge_persons(structure_id.0, survivor.0, absorbed.0, events, now)
        )
    }
}
