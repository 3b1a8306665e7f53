//! Statistics in the JSON API: the dashboard's figures, the exports and
//! the monthly report. Same use cases as the pages.

use super::api::ApiActor;
use super::api_input::{ApiJson, ApiQuery};
use super::exports::{self, InterventionsAsk};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use axum::Json;
use chrono::NaiveDate;
use relais_service::{Dashboard, DashboardQuery};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DashboardParams {
    /// First day, YYYY-MM-DD.
    #[serde(default)]
    pub from: String,
    /// Last day, included, YYYY-MM-DD.
    #[serde(default)]
    pub to: String,
    /// An agent's id (supervisors and admins).
    #[serde(default)]
    pub agent: String,
    /// A channel code (`walk_in`, `phone`…).
    #[serde(default)]
    pub channel: String,
    /// A category code (`social`, `travail`…).
    #[serde(default)]
    pub category: String,
    /// `structure` (default) or `instance` (admins).
    #[serde(default)]
    pub scope: String,
}

impl DashboardParams {
    fn query(&self) -> DashboardQuery {
        DashboardQuery {
            from: self.from.clone(),
            to: self.to.clone(),
            agent: self.agent.clone(),
            channel: self.channel.clone(),
            category: self.category.clone(),
            scope: self.scope.clone(),
        }
    }
}

/// One line of a statistics table.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatRowOut {
    pub key: String,
    pub requests: u64,
    pub interventions: u64,
    pub persons: u64,
    pub minutes: i64,
    /// Referrals (the `referral` table).
    pub referrals: u64,
}

/// A statistics table; `measures` lists the columns that matter, the
/// first being the one charts draw.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatTableOut {
    pub id: String,
    pub measures: Vec<String>,
    pub rows: Vec<StatRowOut>,
}

/// Every figure of the dashboard.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardOut {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// `own`, `structure` or `instance`.
    pub scope: String,
    pub requests: u64,
    pub interventions: u64,
    pub distinct_persons: u64,
    pub new_persons: u64,
    pub minutes: i64,
    pub done_for: u64,
    pub done_with: u64,
    pub taught: u64,
    pub done_for_under_mandate: u64,
    pub urgent_requests: u64,
    pub missed_deadlines: u64,
    pub overdue_follow_ups: u64,
    pub tables: Vec<StatTableOut>,
}

fn code<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

impl From<Dashboard> for DashboardOut {
    fn from(d: Dashboard) -> Self {
        DashboardOut {
            from: d.from,
            to: d.to,
            scope: code(&d.scope),
            requests: d.requests,
            interventions: d.interventions,
            distinct_persons: d.distinct_persons,
            new_persons: d.new_persons,
            minutes: d.minutes,
            done_for: d.done_for,
            done_with: d.done_with,
            taught: d.taught,
            done_for_under_mandate: d.done_for_under_mandate,
            urgent_requests: d.urgent_requests,
            missed_deadlines: d.missed_deadlines,
            overdue_follow_ups: d.overdue_follow_ups,
            tables: d
                .tables
                .into_iter()
                .map(|t| StatTableOut {
                    id: t.id.to_owned(),
                    measures: t.measures.iter().map(code).collect(),
                    rows: t
                        .rows
                        .into_iter()
                        .map(|r| StatRowOut {
                            key: r.key,
                            requests: r.requests,
                            interventions: r.interventions,
                            persons: r.persons,
                            minutes: r.minutes,
                            referrals: r.referrals,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// The dashboard's figures for a period and filters. Supervisors: their
/// structure; agents and mediators: their own activity; admins may ask
/// for the whole instance.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "statistics", security(("bearer" = [])),
    params(DashboardParams),
    responses((status = 200, body = DashboardOut), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn dashboard(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    ApiQuery(q): ApiQuery<DashboardParams>,
) -> ApiResult<Json<DashboardOut>> {
    let d = state.services.dashboard(&actor, &q.query()).await?;
    Ok(Json(d.into()))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportStatsParams {
    /// First day, YYYY-MM-DD.
    #[serde(default)]
    pub from: String,
    /// Last day, included, YYYY-MM-DD.
    #[serde(default)]
    pub to: String,
    /// An agent's id (supervisors and admins).
    #[serde(default)]
    pub agent: String,
    /// A channel code.
    #[serde(default)]
    pub channel: String,
    /// A category code.
    #[serde(default)]
    pub category: String,
    /// `structure` (default) or `instance` (admins).
    #[serde(default)]
    pub scope: String,
    /// A table (`category`, `operator`, `mode`, `outcome`, `block_reason`,
    /// `channel`, `month`, `age_bracket`, `commune`, `repeat_visits`,
    /// `autonomy`) or `all` (XLSX and ODS: every table and the key figures).
    #[serde(default)]
    pub table: String,
    /// `csv` (French: `;`, decimal comma, dd/mm/yyyy, BOM), `csv-rfc4180`,
    /// `xlsx` or `ods`.
    #[serde(default)]
    pub format: String,
}

/// A statistics table, or all of them, as a file.
#[utoipa::path(get, path = "/api/v1/exports/stats", tag = "statistics", security(("bearer" = [])),
    params(ExportStatsParams),
    responses((status = 200, description = "The file", content_type = "text/csv"),
        (status = 403, description = "`scope=instance` without the admin role, or another agent's figures for an agent", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn export_stats(
    State(state): State<AppState>,
    ApiActor(actor, lang): ApiActor,
    ApiQuery(q): ApiQuery<ExportStatsParams>,
) -> ApiResult<Response> {
    let filters = DashboardQuery {
        from: q.from,
        to: q.to,
        agent: q.agent,
        channel: q.channel,
        category: q.category,
        scope: q.scope,
    };
    Ok(exports::stats_tables(&state, &actor, lang, filters, &q.table, &q.format).await?)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportInterventionsParams {
    /// First day, YYYY-MM-DD.
    #[serde(default)]
    pub from: String,
    /// Last day, included, YYYY-MM-DD.
    #[serde(default)]
    pub to: String,
    /// `structure` (default) or `instance` (admins).
    #[serde(default)]
    pub scope: String,
    /// `csv`, `csv-rfc4180`, `xlsx` or `ods`.
    #[serde(default)]
    pub format: String,
}

/// The interventions of a period, without names. Streams.
#[utoipa::path(get, path = "/api/v1/exports/interventions", tag = "statistics",
    security(("bearer" = [])), params(ExportInterventionsParams),
    responses((status = 200, description = "The file", content_type = "text/csv"),
        (status = 403, description = "`scope=instance` without the admin role, or another agent's figures for an agent", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn export_interventions(
    State(state): State<AppState>,
    ApiActor(actor, lang): ApiActor,
    ApiQuery(q): ApiQuery<ExportInterventionsParams>,
) -> ApiResult<Response> {
    let ask = InterventionsAsk {
        from: q.from,
        to: q.to,
        scope: q.scope,
        format: q.format,
        names: false,
        reason: String::new(),
    };
    Ok(exports::interventions(&state, &actor, lang, ask).await?)
}

/// An interventions export asked with a body; with names, a reason.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportInterventionsIn {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub format: String,
    /// Include the persons' names (supervisors and admins).
    #[serde(default)]
    pub names: bool,
    /// Why names are needed, 10 to 500 characters; journaled.
    #[serde(default)]
    pub reason: String,
}

/// The interventions of a period; with `names`, the reason is journaled.
#[utoipa::path(post, path = "/api/v1/exports/interventions", tag = "statistics",
    security(("bearer" = [])), request_body = ExportInterventionsIn,
    responses((status = 200, description = "The file", content_type = "text/csv"),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn export_interventions_with_names(
    State(state): State<AppState>,
    ApiActor(actor, lang): ApiActor,
    ApiJson(b): ApiJson<ExportInterventionsIn>,
) -> ApiResult<Response> {
    let ask = InterventionsAsk {
        from: b.from,
        to: b.to,
        scope: b.scope,
        format: b.format,
        names: b.names,
        reason: b.reason,
    };
    Ok(exports::interventions(&state, &actor, lang, ask).await?)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TerritoryParams {
    /// First day, YYYY-MM-DD.
    #[serde(default)]
    pub from: String,
    /// Last day, included, YYYY-MM-DD.
    #[serde(default)]
    pub to: String,
    /// `structure` (default) or `instance` (admins).
    #[serde(default)]
    pub scope: String,
    /// Counts under this are suppressed (default 5, from 2 to 1000).
    #[serde(default)]
    pub threshold: String,
    /// `json` (default), `csv`, `csv-rfc4180`, `xlsx` or `ods`.
    #[serde(default)]
    pub format: String,
}

/// The aggregated, anonymous territory export: interventions by month ×
/// category × mode × outcome, requests and persons by commune; counts
/// under the threshold are `null` (JSON) or marked as suppressed.
#[utoipa::path(get, path = "/api/v1/exports/territory", tag = "statistics",
    security(("bearer" = [])), params(TerritoryParams),
    responses((status = 200, description = "The tables"), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn export_territory(
    State(state): State<AppState>,
    ApiActor(actor, lang): ApiActor,
    ApiQuery(q): ApiQuery<TerritoryParams>,
) -> ApiResult<Response> {
    let format = if q.format.trim().is_empty() {
        "json"
    } else {
        q.format.as_str()
    };
    Ok(exports::territory(
        &state,
        &actor,
        lang,
        &q.from,
        &q.to,
        &q.scope,
        &q.threshold,
        format,
    )
    .await?)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MonthlyReportParams {
    /// The month, YYYY-MM (default: this month).
    #[serde(default)]
    pub month: String,
}

/// The monthly activity report of the structure, as PDF (supervisors).
#[utoipa::path(get, path = "/api/v1/reports/monthly", tag = "statistics",
    security(("bearer" = [])), params(MonthlyReportParams),
    responses((status = 200, description = "The PDF", content_type = "application/pdf"),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn monthly_report(
    State(state): State<AppState>,
    ApiActor(actor, lang): ApiActor,
    ApiQuery(q): ApiQuery<MonthlyReportParams>,
) -> ApiResult<Response> {
    Ok(exports::monthly_report(&state, &actor, lang, &q.month).await?)
}
