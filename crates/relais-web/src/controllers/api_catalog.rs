//! The procedures catalogue and its operators in the JSON API.

use super::api::ApiActor;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::Json;
use chrono::NaiveDate;
use relais_service::catalog::{Operator, Procedure};
use relais_service::ServiceError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// An operator (CAF, CPAM, France Travail…).
#[derive(Debug, Serialize, ToSchema)]
pub struct OperatorOut {
    pub id: String,
    pub name: String,
    pub name_en: String,
    pub website: String,
    pub phone: Option<String>,
    /// `national` or `local`.
    pub scope: String,
}

impl From<&Operator> for OperatorOut {
    fn from(o: &Operator) -> Self {
        OperatorOut {
            id: o.id.clone(),
            name: o.name.clone(),
            name_en: o.name_en.clone(),
            website: o.website.clone(),
            phone: o.phone.clone(),
            scope: o.scope.clone(),
        }
    }
}

/// A procedure of the catalogue.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProcedureOut {
    pub id: String,
    pub title: String,
    pub title_en: String,
    /// Category code (`social`, `travail`, …).
    pub category: String,
    pub operator: OperatorOut,
    /// The procedure's page on service-public.fr.
    pub service_public: String,
    pub documents: Vec<String>,
    pub documents_en: Vec<String>,
    pub tips: String,
    pub tips_en: String,
    /// The day the entry was last checked.
    pub checked_on: NaiveDate,
    pub sources: Vec<String>,
    /// The deadline rule, when the procedure recurs (`kind` and its figures).
    #[schema(value_type = Option<Object>)]
    pub deadline: Option<serde_json::Value>,
}

fn procedure_out(state: &AppState, p: &Procedure) -> ProcedureOut {
    let c = state.services.catalog();
    ProcedureOut {
        id: p.id.clone(),
        title: p.title.clone(),
        title_en: p.title_en.clone(),
        category: p.category.as_str().to_owned(),
        operator: c
            .operator(&p.operator)
            .map(OperatorOut::from)
            .unwrap_or_else(|| OperatorOut {
                id: p.operator.clone(),
                name: p.operator.clone(),
                name_en: p.operator.clone(),
                website: String::new(),
                phone: None,
                scope: "national".into(),
            }),
        service_public: p.service_public.clone(),
        documents: p.documents.clone(),
        documents_en: p.documents_en.clone(),
        tips: p.tips.clone(),
        tips_en: p.tips_en.clone(),
        checked_on: p.checked_on,
        sources: p.sources.clone(),
        deadline: p
            .deadline
            .as_ref()
            .and_then(|d| serde_json::to_value(d).ok()),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProcedureList {
    pub items: Vec<ProcedureOut>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ProcedureQuery {
    /// Words of the title, the operator or the category (accents ignored).
    #[serde(default)]
    pub q: String,
}

/// The procedures of the catalogue, optionally searched.
#[utoipa::path(get, path = "/api/v1/procedures", tag = "catalogue", security(("bearer" = [])),
    params(ProcedureQuery), responses((status = 200, body = ProcedureList), (status = 401, body = ErrorBody)))]
pub async fn list_procedures(
    State(state): State<AppState>,
    ApiActor(_actor, _lang): ApiActor,
    Query(q): Query<ProcedureQuery>,
) -> Json<ProcedureList> {
    let items = state
        .services
        .catalog()
        .search(&q.q)
        .into_iter()
        .map(|p| procedure_out(&state, p))
        .collect();
    Json(ProcedureList { items })
}

/// One procedure.
#[utoipa::path(get, path = "/api/v1/procedures/{id}", tag = "catalogue", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = ProcedureOut), (status = 404, body = ErrorBody)))]
pub async fn get_procedure(
    State(state): State<AppState>,
    ApiActor(_actor, lang): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<ProcedureOut>, ApiError> {
    state
        .services
        .catalog()
        .procedure(&id)
        .map(|p| Json(procedure_out(&state, p)))
        .ok_or(ApiError(ServiceError::NotFound, lang))
}

/// The operators behind the procedures.
#[utoipa::path(get, path = "/api/v1/operators", tag = "catalogue", security(("bearer" = [])),
    responses((status = 200, body = [OperatorOut]), (status = 401, body = ErrorBody)))]
pub async fn list_operators(
    State(state): State<AppState>,
    ApiActor(_actor, _lang): ApiActor,
) -> Json<Vec<OperatorOut>> {
    Json(
        state
            .services
            .catalog()
            .operators
            .iter()
            .map(OperatorOut::from)
            .collect(),
    )
}

/// A reminder of the caller's inbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationOut {
    pub id: uuid::Uuid,
    pub follow_up_id: uuid::Uuid,
    pub help_request_id: Option<uuid::Uuid>,
    pub reference: Option<String>,
    pub due_date: NaiveDate,
    /// `due` or `overdue`.
    pub kind: String,
    pub read: bool,
    /// `none`, `pending`, `sending`, `sent` or `failed`.
    pub email_status: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// The caller's reminders (due and overdue follow-ups), unread first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "catalogue", security(("bearer" = [])),
    responses((status = 200, body = [NotificationOut]), (status = 401, body = ErrorBody)))]
pub async fn list_notifications(
    State(state): State<AppState>,
    ApiActor(actor, lang): ApiActor,
) -> Result<Json<Vec<NotificationOut>>, ApiError> {
    let items = state
        .services
        .inbox(&actor)
        .await
        .map_err(|e| ApiError(e, lang))?;
    Ok(Json(
        items
            .into_iter()
            .map(|n| NotificationOut {
                id: n.notification.id,
                follow_up_id: n.notification.follow_up_id,
                help_request_id: n.help_request_id,
                reference: n.reference,
                due_date: n.notification.due_date,
                kind: n.notification.kind,
                read: n.notification.read_at.is_some(),
                email_status: n.notification.email_status,
                created_at: n.notification.created_at,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReadIn {
    /// One reminder; absent: all of them.
    #[serde(default)]
    pub id: Option<uuid::Uuid>,
}

/// Marks one reminder, or all, as read; answers how many changed.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "catalogue", security(("bearer" = [])),
    request_body = ReadIn, responses((status = 200, body = Object), (status = 401, body = ErrorBody)))]
pub async fn read_notifications(
    State(state): State<AppState>,
    ApiActor(actor, lang): ApiActor,
    super::api_desk::ApiJson(body): super::api_desk::ApiJson<ReadIn>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let n = state
        .services
        .mark_reminders_read(&actor, body.id)
        .await
        .map_err(|e| ApiError(e, lang))?;
    Ok(Json(serde_json::json!({ "read": n })))
}
