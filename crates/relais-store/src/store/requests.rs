//! Help requests, interventions and follow-ups.

use super::prelude::*;

impl Store {
    /// Writes a desk intake as it is (its intervention's mandate as given):
    /// for generated and imported data.
    pub async fn insert_intake(
        &self,
        rows: &IntakeRows,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let mandate = rows.intervention.as_ref().and_then(|i| i.mandate_id);
        let written = self
            .record_intake(rows, events, now, |_| {
                Ok::<Covered, std::convert::Infallible>((mandate, Vec::new()))
            })
            .await?;
        match written {
            Ok(reference) => Ok(reference),
            Err(never) => match never {},
        }
    }

    /// Writes a desk intake; `check` decides the first intervention's
    /// coverage inside the transaction (see [`Coverage`]). Its refusal is
    /// given back and nothing is written.
    pub async fn record_intake<F, R>(
        &self,
        rows: &IntakeRows,
        events: &[JournalEvent],
        now: DateTime<Utc>,
        check: F,
    ) -> Result<Result<String, R>, StoreError>
    where
        F: FnOnce(&Coverage) -> Result<Covered, R> + Send,
        R: Send,
    {
        let mut rows = rows.clone();
        rows.new_person.seal(&self.vault)?;
        rows.intervention.seal(&self.vault)?;
        rows.follow_up.seal(&self.vault)?;
        let rows = &rows;
        dispatch!(self, write, insert_intake(rows, events, now, check))
    }

    pub async fn request_by_submission_key(
        &self,
        structure_id: StructureId,
        key: &str,
    ) -> Result<Option<HelpRequestRow>, StoreError> {
        dispatch!(self, read, request_by_submission_key(structure_id.0, key))
    }

    pub async fn help_request_by_id(
        &self,
        structure_id: StructureId,
        id: HelpRequestId,
    ) -> Result<Option<HelpRequestListRow>, StoreError> {
        dispatch!(self, read, help_request_by_id(structure_id.0, id.0))
    }

    pub async fn list_help_requests(
        &self,
        structure_id: StructureId,
        filter: &RequestFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<HelpRequestListRow>, StoreError> {
        dispatch!(
            self,
            read,
            list_help_requests(structure_id.0, filter, limit, offset)
        )
    }

    /// Replaces a request's details if it is still as `prior`: `Ok(false)`
    /// when it changed meanwhile, and then nothing is written. When its
    /// category changes, `check` judges its done-for interventions inside
    /// the transaction (see [`RequestBefore`]). Its refusal is given back
    /// and nothing is written.
    pub async fn update_help_request<F, R>(
        &self,
        prior: &HelpRequestRow,
        r: &HelpRequestRow,
        events: &[JournalEvent],
        now: DateTime<Utc>,
        check: F,
    ) -> Result<Result<bool, R>, StoreError>
    where
        F: FnOnce(&RequestBefore) -> Result<(), R> + Send,
        R: Send,
    {
        dispatch!(
            self,
            write,
            update_help_request(prior, r, events, now, check)
        )
    }

    pub async fn count_help_requests(&self, structure_id: StructureId) -> Result<i64, StoreError> {
        dispatch!(self, read, count_help_requests(structure_id.0))
    }

    /// Adds an intervention (and the request's new state); `check` decides
    /// its coverage inside the transaction (see [`Coverage`]). Its refusal
    /// is given back and nothing is written.
    pub async fn insert_intervention<F, R>(
        &self,
        i: &InterventionRow,
        request: Option<&HelpRequestRow>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
        check: F,
    ) -> Result<Result<(), R>, StoreError>
    where
        F: FnOnce(&Coverage) -> Result<Covered, R> + Send,
        R: Send,
    {
        let i = &i.sealed(&self.vault)?;
        dispatch!(
            self,
            write,
            insert_intervention(i, request, events, now, check)
        )
    }

    pub async fn interventions_of_request(
        &self,
        structure_id: StructureId,
        request_id: HelpRequestId,
    ) -> Result<Vec<InterventionListRow>, StoreError> {
        let mut rows = dispatch!(
            self,
            read,
            interventions_of_request(structure_id.0, request_id.0)
        )?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    pub async fn interventions_of_person(
        &self,
        structure_id: StructureId,
        person_id: PersonId,
    ) -> Result<Vec<InterventionListRow>, StoreError> {
        let mut rows = dispatch!(
            self,
            read,
            interventions_of_person(structure_id.0, person_id.0)
        )?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    pub async fn insert_follow_up(
        &self,
        f: &FollowUpRow,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let f = &f.sealed(&self.vault)?;
        dispatch!(self, write, insert_follow_up(f, events, now))
    }

    /// Saves a follow-up if it is still as `prior` (as read, opened):
    /// `false` when it changed meanwhile, and then nothing is written.
    pub async fn update_follow_up(
        &self,
        prior: &FollowUpRow,
        f: &FollowUpRow,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let f = &f.sealed(&self.vault)?;
        let vault = &self.vault;
        let same = |mut stored: FollowUpRow| -> Result<bool, StoreError> {
            stored.open(vault)?;
            Ok(stored == *prior)
        };
        dispatch!(self, write, update_follow_up(f, events, now, same))
    }

    pub async fn follow_up_by_id(
        &self,
        structure_id: StructureId,
        id: FollowUpId,
    ) -> Result<Option<FollowUpListRow>, StoreError> {
        let mut rows = dispatch!(self, read, follow_up_by_id(structure_id.0, id.0))?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    pub async fn follow_ups_due(
        &self,
        structure_id: StructureId,
        assignee_id: AgentId,
        until: chrono::NaiveDate,
    ) -> Result<Vec<FollowUpListRow>, StoreError> {
        let mut rows = dispatch!(
            self,
            read,
            follow_ups_due(structure_id.0, assignee_id.0, until)
        )?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    /// The structure's overdue follow-ups assigned to others than
    /// `except` (at most `limit`), and how many there are.
    pub async fn team_overdue_follow_ups(
        &self,
        structure_id: StructureId,
        except: AgentId,
        before: chrono::NaiveDate,
        limit: i64,
    ) -> Result<(i64, Vec<FollowUpListRow>), StoreError> {
        let (count, mut rows) = dispatch!(
            self,
            read,
            team_overdue_follow_ups(structure_id.0, except.0, before, limit)
        )?;
        rows.open(&self.vault)?;
        Ok((count, rows))
    }

    /// The mandates of these persons neither revoked nor ended before
    /// `day`, in one query.
    pub async fn current_mandates_of_persons(
        &self,
        structure_id: StructureId,
        person_ids: &[PersonId],
        day: chrono::NaiveDate,
    ) -> Result<Vec<PersonMandateFactsRow>, StoreError> {
        let person_ids: Vec<Uuid> = person_ids.iter().map(|p| p.0).collect();
        let person_ids = &person_ids[..];
        dispatch!(
            self,
            read,
            current_mandates_of_persons(structure_id.0, person_ids, day)
        )
    }

    pub async fn follow_ups_of_person(
        &self,
        structure_id: StructureId,
        person_id: PersonId,
    ) -> Result<Vec<FollowUpListRow>, StoreError> {
        let mut rows = dispatch!(
            self,
            read,
            follow_ups_of_person(structure_id.0, person_id.0)
        )?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    pub async fn follow_ups_of_request(
        &self,
        structure_id: StructureId,
        request_id: HelpRequestId,
    ) -> Result<Vec<FollowUpListRow>, StoreError> {
        let mut rows = dispatch!(
            self,
            read,
            follow_ups_of_request(structure_id.0, request_id.0)
        )?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    /// Fills the search keys of the rows written before they were stored
    /// (migration 0018): folding is Rust's, SQL cannot do it alike on
    /// both engines. Idempotent; run by [`Store::migrate`].
    pub async fn fill_search_keys(&self) -> Result<u64, StoreError> {
        let mut filled = 0;
        loop {
            let missing = dispatch!(self, write, operator_keys_missing(500))?;
            if missing.is_empty() {
                return Ok(filled);
            }
            let keys: Vec<(Uuid, String)> = missing
                .into_iter()
                .map(|(id, operator)| (id, repo::fold_key(&operator)))
                .collect();
            dispatch!(self, write, set_operator_keys(&keys))?;
            filled += keys.len() as u64;
        }
    }
}
