//! Mandates and policy.

use super::prelude::*;

impl Store {
    /// Counts one look-up of a mandate's public verification page.
    pub async fn count_mandate_lookup(
        &self,
        mandate_id: MandateId,
        day: chrono::NaiveDate,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, count_mandate_lookup(mandate_id.0, day))
    }

    /// Look-ups of a mandate's public page: the total and the last day.
    pub async fn mandate_lookups(
        &self,
        mandate_id: MandateId,
    ) -> Result<(i64, Option<chrono::NaiveDate>), StoreError> {
        dispatch!(self, read, mandate_lookups(mandate_id.0))
    }

    pub async fn insert_mandate(
        &self,
        m: &MandateRow,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let m = &m.sealed(&self.vault)?;
        dispatch!(self, write, insert_mandate(m, events, now))
    }

    /// Records a paper or on-screen signature if the mandate still waits
    /// for one (`false`: it does not, nothing written).
    #[allow(clippy::too_many_arguments)]
    pub async fn sign_mandate(
        &self,
        structure_id: StructureId,
        id: MandateId,
        consent: &str,
        signature_svg: Option<&str>,
        scan: Option<(&[u8], &str)>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut svg = signature_svg.map(str::to_owned);
        self.vault
            .seal_opt("mandates.signature_svg", id.0, &mut svg)?;
        let sealed_scan = match scan {
            Some((bytes, kind)) => {
                Some((self.vault.seal_bytes("mandates.scan", id.0, bytes)?, kind))
            }
            None => None,
        };
        let svg = svg.as_deref();
        let scan = sealed_scan.as_ref().map(|(b, k)| (b.as_slice(), *k));
        dispatch!(
            self,
            write,
            sign_mandate(structure_id.0, id.0, consent, svg, scan, events, now)
        )
    }

    /// Stores a new remote code if the mandate still waits for the person.
    pub async fn set_remote_code(
        &self,
        structure_id: StructureId,
        id: MandateId,
        code_hash: &str,
        expires: DateTime<Utc>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        dispatch!(
            self,
            write,
            set_remote_code(structure_id.0, id.0, code_hash, expires, events, now)
        )
    }

    /// Counts one remote code try atomically, then lets `decide` compare
    /// the code and say whether to sign (same transaction). `None`: the
    /// mandate no longer waits, or its tries are spent.
    pub async fn remote_try<F>(
        &self,
        id: MandateId,
        max_attempts: i64,
        now: DateTime<Utc>,
        decide: F,
    ) -> Result<Option<bool>, StoreError>
    where
        F: FnOnce(&RemoteTry) -> (bool, Vec<JournalEvent>) + Send,
    {
        dispatch!(self, write, remote_try(id.0, max_attempts, now, decide))
    }

    /// Revokes categories of a mandate, or all of it, if it is not revoked
    /// and its revoked categories are still `expected` (`false`: nothing
    /// written).
    #[allow(clippy::too_many_arguments)]
    pub async fn revoke_mandate(
        &self,
        structure_id: StructureId,
        id: MandateId,
        expected: &str,
        revoked_categories: &str,
        whole: bool,
        reason: Option<&str>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut reason = reason.map(str::to_owned);
        self.vault
            .seal_opt("mandates.revoke_reason", id.0, &mut reason)?;
        let reason = reason.as_deref();
        dispatch!(
            self,
            write,
            revoke_mandate(
                structure_id.0,
                id.0,
                expected,
                revoked_categories,
                whole,
                reason,
                events,
                now
            )
        )
    }

    /// Links a renewed mandate to the one it renews.
    pub async fn link_renewal(
        &self,
        structure_id: StructureId,
        id: MandateId,
        from: MandateId,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            link_renewal(structure_id.0, id.0, from.0, events, now)
        )
    }

    pub async fn mandate_by_id(
        &self,
        structure_id: StructureId,
        id: MandateId,
    ) -> Result<Option<MandateListRow>, StoreError> {
        let mut rows = dispatch!(self, read, mandate_by_id(structure_id.0, id.0))?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    pub async fn mandate_by_code(&self, code: &str) -> Result<Option<MandateListRow>, StoreError> {
        let mut rows = dispatch!(self, read, mandate_by_code(code))?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    /// The structure's mandates that pass `filter`, newest first, without
    /// their signature and scan.
    pub async fn list_mandates(
        &self,
        structure_id: StructureId,
        filter: &MandateFilter,
    ) -> Result<Vec<MandateListRow>, StoreError> {
        let mut rows = dispatch!(self, read, list_mandates(structure_id.0, filter))?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    pub async fn policy_of(&self, structure_id: StructureId) -> Result<Option<String>, StoreError> {
        dispatch!(self, read, policy_of(structure_id.0))
    }

    pub async fn save_policy(
        &self,
        structure_id: StructureId,
        body: &str,
        by: Option<AgentId>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            save_policy(structure_id.0, body, by.map(|i| i.0), events, now)
        )
    }
}
