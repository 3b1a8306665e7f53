//! Statistics and exports.

use super::prelude::*;

impl Store {
    /// Requests created in `[from, to)`, of one structure or (`None`) of
    /// the whole instance.
    pub async fn stats_requests(
        &self,
        scope: Option<StructureId>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<StatsRequestRow>, StoreError> {
        dispatch!(self, read, stats_requests(scope.map(|i| i.0), from, to))
    }

    /// The stats API's figures, aggregated by the database.
    pub async fn stats_aggregate(
        &self,
        scope: Option<StructureId>,
        own: Option<AgentId>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        key: StatsKey,
    ) -> Result<StatsAggregate, StoreError> {
        dispatch!(
            self,
            read,
            stats_aggregate(scope.map(|i| i.0), own.map(|i| i.0), from, to, key)
        )
    }

    /// The stats API's figures of a period read from roll-ups (clean
    /// days) and from the desk's rows (the window's live days).
    pub async fn stats_from_rollups(
        &self,
        window: &StatsWindow,
        key: StatsKey,
    ) -> Result<StatsAggregate, StoreError> {
        dispatch!(self, read, stats_from_rollups(window, key))
    }

    /// The days from `from` to `to` whose roll-ups are stale (of one
    /// structure, or of any).
    pub async fn stats_dirty_days(
        &self,
        scope: Option<StructureId>,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<chrono::NaiveDate>, StoreError> {
        dispatch!(self, read, stats_dirty_days(scope.map(|i| i.0), from, to))
    }

    /// Up to `limit` stale (structure, day) before `before`, by structure
    /// and day.
    pub async fn stats_dirty_before(
        &self,
        before: chrono::NaiveDate,
        limit: i64,
    ) -> Result<Vec<(StructureId, chrono::NaiveDate)>, StoreError> {
        let days: Vec<(uuid::Uuid, chrono::NaiveDate)> =
            dispatch!(self, read, stats_dirty_before(before, limit))?;
        Ok(days.into_iter().map(|(s, d)| (StructureId(s), d)).collect())
    }

    /// Rewrites the roll-ups of some (Paris) days of one structure and
    /// clears their marks, in one transaction.
    pub async fn rebuild_stats_days(
        &self,
        structure: StructureId,
        days: &[chrono::NaiveDate],
    ) -> Result<(), StoreError> {
        dispatch!(self, write, rebuild_stats_days(structure.0, days))
    }

    pub async fn stats_interventions(
        &self,
        scope: Option<StructureId>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<StatsInterventionRow>, StoreError> {
        dispatch!(
            self,
            read,
            stats_interventions(scope.map(|i| i.0), from, to)
        )
    }

    pub async fn stats_follow_ups(
        &self,
        scope: Option<StructureId>,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<StatsFollowUpRow>, StoreError> {
        dispatch!(self, read, stats_follow_ups(scope.map(|i| i.0), from, to))
    }

    pub async fn stats_mandates(
        &self,
        scope: Option<StructureId>,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<PersonMandateFactsRow>, StoreError> {
        dispatch!(self, read, stats_mandates(scope.map(|i| i.0), from, to))
    }

    pub async fn stats_autonomy(
        &self,
        scope: Option<StructureId>,
        to: chrono::NaiveDate,
    ) -> Result<Vec<StatsAutonomyRow>, StoreError> {
        dispatch!(self, read, stats_autonomy(scope.map(|i| i.0), to))
    }

    /// One page of the interventions export (keyset pagination).
    #[allow(clippy::too_many_arguments)]
    pub async fn export_interventions(
        &self,
        scope: Option<StructureId>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        after: Option<(DateTime<Utc>, InterventionId)>,
        names: bool,
        limit: i64,
    ) -> Result<Vec<ExportInterventionRow>, StoreError> {
        let after = after.map(|(at, id)| (at, id.0));
        dispatch!(
            self,
            read,
            export_interventions(scope.map(|i| i.0), from, to, after, names, limit)
        )
    }
}
