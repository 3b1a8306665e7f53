//! Privacy in the JSON API: private notes, subject access, erasure,
//! retention, and the period's figures. Same use cases as the pages.

use super::api::ApiActor;
use super::api_input::{ApiJson, ApiQuery};
use super::Id;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use relais_domain::{PersonId, PrivateNoteId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

type ApiResult<T> = Result<T, ApiError>;

/// A note readable by its author only.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrivateNoteOut {
    pub id: Uuid,
    pub person_id: Uuid,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrivateNoteIn {
    pub body: String,
    /// Save a text the credential guard flagged, after checking it holds no
    /// password.
    #[serde(default)]
    pub confirm_secret: bool,
}

fn note_out(n: relais_service::views::PrivateNote) -> PrivateNoteOut {
    PrivateNoteOut {
        id: n.id.0,
        person_id: n.person_id.0,
        body: n.body,
        created_at: n.created_at,
    }
}

/// The caller's own private notes about a person (nobody else's).
#[utoipa::path(get, path = "/api/v1/persons/{id}/private-notes", tag = "privacy",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = [PrivateNoteOut]), (status = 404, body = ErrorBody)))]
pub async fn list_private_notes(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    Id(id): Id<PersonId>,
) -> ApiResult<Json<Vec<PrivateNoteOut>>> {
    let notes = state.services.private_notes(&actor, id).await?;
    Ok(Json(notes.into_iter().map(note_out).collect()))
}

/// Writes a private note about a person.
#[utoipa::path(post, path = "/api/v1/persons/{id}/private-notes", tag = "privacy",
    security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = PrivateNoteIn,
    responses((status = 201, body = PrivateNoteOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_private_note(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    Id(id): Id<PersonId>,
    ApiJson(body): ApiJson<PrivateNoteIn>,
) -> ApiResult<Response> {
    let n = state
        .services
        .add_private_note(&actor, id, &body.body, body.confirm_secret)
        .await?;
    Ok((StatusCode::CREATED, Json(note_out(n))).into_response())
}

/// Deletes one of the caller's private notes.
#[utoipa::path(delete, path = "/api/v1/persons/{id}/private-notes/{note}", tag = "privacy",
    security(("bearer" = [])), params(("id" = Uuid, Path), ("note" = Uuid, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_private_note(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    Id((id, note)): Id<(PersonId, PrivateNoteId)>,
) -> ApiResult<StatusCode> {
    state.services.delete_private_note(&actor, id, note).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Everything relais holds about a person (supervisors and admins);
/// journaled.
#[utoipa::path(get, path = "/api/v1/persons/{id}/subject-access", tag = "privacy",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, description = "The subject-access file: person, digital_accounts, autonomy, requests, interventions, follow_ups, mandates, access_history, private_notes (a count)"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn subject_access(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    Id(id): Id<PersonId>,
) -> ApiResult<Json<relais_service::SubjectAccess>> {
    Ok(Json(
        state.services.subject_access(&actor, id, "json").await?,
    ))
}

/// Erases a person's file on their request (anonymised now). 409
/// `erasure_blocked` lists the mandates in force, to revoke first.
#[utoipa::path(post, path = "/api/v1/persons/{id}/erase", tag = "privacy",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn erase(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    Id(id): Id<PersonId>,
) -> ApiResult<StatusCode> {
    state.services.erase_person(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeepIn {
    /// Keep the file until this day (YYYY-MM-DD).
    pub until: String,
    pub reason: String,
}

/// Keeps a file past the retention period (supervisors and admins).
#[utoipa::path(post, path = "/api/v1/persons/{id}/keep", tag = "privacy",
    security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = KeepIn,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn keep(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    Id(id): Id<PersonId>,
    ApiJson(body): ApiJson<KeepIn>,
) -> ApiResult<StatusCode> {
    state
        .services
        .keep_file(&actor, id, &body.until, &body.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A file due for anonymisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct RetentionOut {
    pub person_id: Uuid,
    pub last_activity: NaiveDate,
    pub due_on: NaiveDate,
    pub keep_until: Option<NaiveDate>,
}

/// Files to be anonymised within 30 days (supervisors and admins).
#[utoipa::path(get, path = "/api/v1/retention", tag = "privacy", security(("bearer" = [])),
    responses((status = 200, body = [RetentionOut]), (status = 403, body = ErrorBody)))]
pub async fn retention(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
) -> ApiResult<Json<Vec<RetentionOut>>> {
    let (_, items) = state.services.upcoming_anonymisations(&actor).await?;
    Ok(Json(
        items
            .into_iter()
            .map(|i| RetentionOut {
                person_id: i.person_id.0,
                last_activity: i.last_activity,
                due_on: i.due_on,
                keep_until: i.keep_until,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First day (YYYY-MM-DD); default: 1 January of this year.
    pub from: Option<String>,
    /// Last day, included (YYYY-MM-DD); default: today.
    pub to: Option<String>,
}

/// Figures of a period: counts by category, outcome, age bracket, commune
/// and mode, minutes given (supervisors and admins). No names.
#[utoipa::path(get, path = "/api/v1/statistics", tag = "privacy", security(("bearer" = [])),
    params(PeriodQuery),
    responses((status = 200, description = "requests, interventions, minutes, by_category, by_outcome, by_age_bracket, by_commune, by_mode"),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn statistics(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> ApiResult<Json<relais_service::Statistics>> {
    Ok(Json(
        state
            .services
            .statistics(&actor, q.from.as_deref(), q.to.as_deref())
            .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// First day, YYYY-MM-DD.
    #[serde(default)]
    pub from: String,
    /// Last day, included, YYYY-MM-DD.
    #[serde(default)]
    pub to: String,
    /// `category` (default), `operator`, `mode`, `outcome`, `channel` or `month`.
    #[serde(default)]
    pub group_by: String,
    /// `structure` (default) or `instance` (admins).
    #[serde(default)]
    pub scope: String,
}

/// One group of the figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsGroupOut {
    pub key: String,
    pub requests: u64,
    pub interventions: u64,
    pub minutes: i64,
}

/// The figures of a period, grouped by one dimension.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsOut {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub total_requests: u64,
    pub total_interventions: u64,
    pub distinct_persons: u64,
    pub minutes: i64,
    pub groups: Vec<StatsGroupOut>,
}

/// Requests created and interventions given in a period (Paris days, both
/// included), grouped. Supervisors and admins: the structure; other roles:
/// their own activity. An empty period gives zeros.
#[utoipa::path(get, path = "/api/v1/stats", tag = "privacy", security(("bearer" = [])),
    params(StatsQuery),
    responses((status = 200, body = StatsOut),
        (status = 403, description = "`scope=instance` without the admin role", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn stats(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Json<StatsOut>> {
    let r = state
        .services
        .stats(&actor, &q.from, &q.to, &q.group_by, &q.scope)
        .await?;
    Ok(Json(StatsOut {
        from: r.from,
        to: r.to,
        total_requests: r.total_requests,
        total_interventions: r.total_interventions,
        distinct_persons: r.distinct_persons,
        minutes: r.minutes,
        groups: r
            .groups
            .into_iter()
            .map(|g| StatsGroupOut {
                key: g.key,
                requests: g.requests,
                interventions: g.interventions,
                minutes: g.minutes,
            })
            .collect(),
    }))
}
