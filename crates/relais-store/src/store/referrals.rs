//! Referrals.

use super::prelude::*;

impl Store {
    pub async fn insert_referral(
        &self,
        r: &ReferralRow,
        follow_up: Option<&FollowUpRow>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let r = &r.sealed(&self.vault)?;
        let f = follow_up.map(|f| f.sealed(&self.vault)).transpose()?;
        dispatch!(self, write, insert_referral(r, f.as_ref(), events, now))
    }

    /// Saves the status; closes the follow-up when `close_follow_up`.
    /// Only if the referral is still as `prior` (its status and
    /// `updated_at`): `false` when it changed meanwhile or is gone, and
    /// then nothing is written.
    pub async fn update_referral(
        &self,
        r: &ReferralRow,
        prior: &ReferralRow,
        close_follow_up: bool,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        dispatch!(
            self,
            write,
            update_referral(r, prior, close_follow_up, events, now)
        )
    }

    pub async fn referral_by_id(
        &self,
        structure_id: StructureId,
        id: ReferralId,
    ) -> Result<Option<ReferralListRow>, StoreError> {
        let mut row = dispatch!(self, read, referral_by_id(structure_id.0, id.0))?;
        row.open(&self.vault)?;
        Ok(row)
    }

    pub async fn referrals_of_request(
        &self,
        structure_id: StructureId,
        request_id: HelpRequestId,
    ) -> Result<Vec<ReferralListRow>, StoreError> {
        let mut rows = dispatch!(
            self,
            read,
            referrals_of_request(structure_id.0, request_id.0)
        )?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    pub async fn stats_referrals(
        &self,
        scope: Option<StructureId>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(String, Option<Uuid>, String, String)>, StoreError> {
        dispatch!(self, read, stats_referrals(scope.map(|i| i.0), from, to))
    }
}
