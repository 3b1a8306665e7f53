//! Statistics and exports.

use super::prelude::*;

impl Store {
    /// Requests created in `[from, to)`, of one structure or (`None`) of
    /// the whole instance.
    pub async fn stats_requests(
        &self,
        scope: Option<Uuid>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<StatsRequestRow>, StoreError> {
        dispatch!(self, read, stats_requests(scope, from, to))
    }

    /// The stats API's figures, aggregated by the database.
    pub async fn stats_aggregate(
        &self,
        scope: Option<Uuid>,
        own: Option<Uuid>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        key: StatsKey,
    ) -> Result<StatsAggregate, StoreError> {
        dispatch!(self, read, stats_aggregate(scope, own, from, to, key))
    }

    /// One person's requests, as statistics see them.
    pub async fn requests_of_person(
        &self,
        structure_id: Uuid,
        person_id: Uuid,
    ) -> Result<Vec<StatsRequestRow>, StoreError> {
        dispatch!(self, read, requests_of_person(structure_id, person_id))
    }

    pub async fn stats_interventions(
        &self,
        scope: Option<Uuid>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<StatsInterventionRow>, StoreError> {
        dispatch!(self, read, stats_interventions(scope, from, to))
    }

    pub async fn stats_follow_ups(
        &self,
        scope: Option<Uuid>,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<StatsFollowUpRow>, StoreError> {
        dispatch!(self, read, stats_follow_ups(scope, from, to))
    }

    pub async fn stats_mandates(
        &self,
        scope: Option<Uuid>,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<PersonMandateFactsRow>, StoreError> {
        dispatch!(self, read, stats_mandates(scope, from, to))
    }

    pub async fn stats_autonomy(
        &self,
        scope: Option<Uuid>,
        to: chrono::NaiveDate,
    ) -> Result<Vec<StatsAutonomyRow>, StoreError> {
        dispatch!(self, read, stats_autonomy(scope, to))
    }

    /// One page of the interventions export (keyset pagination).
    #[allow(clippy::too_many_arguments)]
    pub async fn export_interventions(
        &self,
        scope: Option<Uuid>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        after: Option<(DateTime<Utc>, Uuid)>,
        names: bool,
        limit: i64,
    ) -> Result<Vec<ExportInterventionRow>, StoreError> {
        dispatch!(
            self,
            read,
            export_interventions(scope, from, to, after, names, limit)
        )
    }
}
