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
