//! The procedures catalogue and its operators in the JSON API.

use super::api::ApiActor;
use super::api_input::ApiQuery;
use super::Id;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use chrono::NaiveDate;
use relais_domain::FieldError;
use relais_service::catalog::{Operator, Procedure};
use relais_service::{ChannelInput, LocalProcedureInput, ServiceError, StructureProcedure};
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
    /// The structure's own note about the procedure.
    pub local_note: String,
    /// Added by the structure, not shipped with relais.
    pub local: bool,
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
        local_note: String::new(),
        local: false,
    }
}

fn structure_procedure_out(state: &AppState, p: StructureProcedure) -> ProcedureOut {
    if let Some(shipped) = state
        .services
        .catalog()
        .procedure(&p.id)
        .filter(|_| !p.local)
    {
        let mut out = procedure_out(state, shipped);
        out.local_note = p.local_note;
        return out;
    }
    ProcedureOut {
        operator: OperatorOut {
            id: String::new(),
            name: p.operator.clone(),
            name_en: p.operator.clone(),
            website: String::new(),
            phone: None,
            scope: "local".into(),
        },
        id: p.id,
        title: p.title,
        title_en: p.title_en,
        category: p.category,
        service_public: p.link,
        documents: p.documents,
        documents_en: p.documents_en,
        tips: p.tips,
        tips_en: p.tips_en,
        checked_on: p.checked_on,
        sources: vec![],
        deadline: None,
        local_note: p.local_note,
        local: true,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProcedureList {
    pub items: Vec<ProcedureOut>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProcedureQuery {
    /// Words of the title, the operator or the category (accents ignored).
    #[serde(default)]
    pub q: String,
}

/// The procedures of the structure's catalogue (shipped ones it did not
/// hide, with its notes, and its own), optionally searched.
#[utoipa::path(get, path = "/api/v1/procedures", tag = "catalogue", security(("bearer" = [])),
    params(ProcedureQuery), responses((status = 200, body = ProcedureList), (status = 401, body = ErrorBody)))]
pub async fn list_procedures(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    ApiQuery(q): ApiQuery<ProcedureQuery>,
) -> Result<Json<ProcedureList>, ApiError> {
    let items = state
        .services
        .search_structure_procedures(&actor, &q.q)
        .await?
        .into_iter()
        .map(|p| structure_procedure_out(&state, p))
        .collect();
    Ok(Json(ProcedureList { items }))
}

/// One procedure.
#[utoipa::path(get, path = "/api/v1/procedures/{id}", tag = "catalogue", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = ProcedureOut), (status = 404, body = ErrorBody)))]
pub async fn get_procedure(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<ProcedureOut>, ApiError> {
    state
        .services
        .structure_procedures(&actor, true)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .map(|p| Json(structure_procedure_out(&state, p)))
        .ok_or(ApiError(ServiceError::NotFound))
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
    ApiActor(actor, _): ApiActor,
) -> Result<Json<Vec<NotificationOut>>, ApiError> {
    let items = state.services.inbox(&actor).await?;
    Ok(Json(
        items
            .into_iter()
            .map(|n| NotificationOut {
                id: n.notification.id.0,
                follow_up_id: n.notification.follow_up_id.0,
                help_request_id: n.help_request_id.map(|r| r.0),
                reference: n.reference,
                due_date: n.notification.due_date,
                kind: n.notification.kind.as_str().to_owned(),
                read: n.notification.read_at.is_some(),
                email_status: n.notification.email_status.as_str().to_owned(),
                created_at: n.notification.created_at,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
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
    ApiActor(actor, _): ApiActor,
    super::api_input::ApiJson(body): super::api_input::ApiJson<ReadIn>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let n = state
        .services
        .mark_reminders_read(&actor, body.id.map(relais_domain::NotificationId))
        .await?;
    Ok(Json(serde_json::json!({ "read": n })))
}

/// A procedure the structure adds to its catalogue.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalProcedureIn {
    pub title: String,
    /// Category code.
    pub category: String,
    /// Who runs it (free text, e.g. "Mairie de Démoville").
    pub operator: String,
    /// https link to its page, if any.
    #[serde(default)]
    pub link: String,
    #[serde(default)]
    pub documents: Vec<String>,
    #[serde(default)]
    pub tips: String,
}

fn local_input(b: LocalProcedureIn) -> LocalProcedureInput {
    LocalProcedureInput {
        title: b.title,
        category: b.category,
        operator: b.operator,
        link: b.link,
        documents: b.documents.join("\n"),
        tips: b.tips,
    }
}

/// Adds a procedure to the structure's catalogue (supervisors, admins).
#[utoipa::path(post, path = "/api/v1/procedures", tag = "catalogue", security(("bearer" = [])),
    request_body = LocalProcedureIn,
    responses((status = 201, body = ProcedureOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_local_procedure(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    super::api_input::ApiJson(body): super::api_input::ApiJson<LocalProcedureIn>,
) -> Result<(axum::http::StatusCode, Json<ProcedureOut>), ApiError> {
    let id = state
        .services
        .save_local_procedure(&actor, None, &local_input(body))
        .await?;
    let p = state
        .services
        .structure_procedures(&actor, true)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(ApiError(ServiceError::NotFound))?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(structure_procedure_out(&state, p)),
    ))
}

/// Removes one of the structure's own procedures.
#[utoipa::path(delete, path = "/api/v1/procedures/{id}", tag = "catalogue", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_local_procedure(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<String>,
) -> Result<axum::http::StatusCode, ApiError> {
    state.services.delete_local_procedure(&actor, &id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcedureSettingIn {
    /// Leave the shipped procedure out of the structure's picker.
    #[serde(default)]
    pub hidden: bool,
    /// The structure's own note, shown with the procedure.
    #[serde(default)]
    pub local_note: String,
}

/// Hides a shipped procedure, or gives it a local note (supervisors, admins).
#[utoipa::path(put, path = "/api/v1/procedures/{id}/settings", tag = "catalogue", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ProcedureSettingIn,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_procedure_settings(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<String>,
    super::api_input::ApiJson(body): super::api_input::ApiJson<ProcedureSettingIn>,
) -> Result<axum::http::StatusCode, ApiError> {
    state
        .services
        .set_procedure_setting(&actor, &id, body.hidden, &body.local_note)
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// How the structure reaches an operator as a partner.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelDoc {
    /// Set by the server from the path.
    #[serde(default)]
    pub operator_id: String,
    /// https address of the partner portal.
    #[serde(default)]
    pub partner_portal: String,
    #[serde(default)]
    pub pro_phone: String,
    #[serde(default)]
    pub email: String,
    /// A named counterpart at the local office.
    #[serde(default)]
    pub local_contact: String,
    /// Typical answer delay, in words ("10 jours ouvrés").
    #[serde(default)]
    pub answer_delay: String,
    #[serde(default)]
    pub notes: String,
}

fn channel_doc(c: relais_service::views::OperatorChannel) -> ChannelDoc {
    ChannelDoc {
        operator_id: c.operator_id,
        partner_portal: c.partner_portal,
        pro_phone: c.pro_phone,
        email: c.email,
        local_contact: c.local_contact,
        answer_delay: c.answer_delay,
        notes: c.notes,
    }
}

/// The structure's partner channels, one entry per operator that has some.
#[utoipa::path(get, path = "/api/v1/channels", tag = "catalogue", security(("bearer" = [])),
    responses((status = 200, body = [ChannelDoc]), (status = 401, body = ErrorBody)))]
pub async fn list_channels(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
) -> Result<Json<Vec<ChannelDoc>>, ApiError> {
    Ok(Json(
        state
            .services
            .channels(&actor)
            .await?
            .into_iter()
            .map(channel_doc)
            .collect(),
    ))
}

/// Sets the structure's channels for an operator (supervisors, admins).
#[utoipa::path(put, path = "/api/v1/operators/{id}/channels", tag = "catalogue", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ChannelDoc,
    responses((status = 200, body = ChannelDoc), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_channel(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<String>,
    super::api_input::ApiJson(body): super::api_input::ApiJson<ChannelDoc>,
) -> Result<Json<ChannelDoc>, ApiError> {
    let row = state
        .services
        .save_channel(
            &actor,
            &id,
            &ChannelInput {
                partner_portal: body.partner_portal,
                pro_phone: body.pro_phone,
                email: body.email,
                local_contact: body.local_contact,
                answer_delay: body.answer_delay,
                notes: body.notes,
            },
        )
        .await?;
    Ok(Json(channel_doc(row)))
}

/// Removes the structure's channels for an operator.
#[utoipa::path(delete, path = "/api/v1/operators/{id}/channels", tag = "catalogue", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_channel(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    Path(id): Path<String>,
) -> Result<axum::http::StatusCode, ApiError> {
    state.services.delete_channel(&actor, &id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReminderConsentIn {
    /// `email`, `sms`, or `none` to withdraw. The person's address or phone
    /// must be on file; record it only once the person has agreed.
    pub channel: String,
}

/// Records (or withdraws) the person's consent to receive reminders.
#[utoipa::path(put, path = "/api/v1/persons/{id}/reminder-consent", tag = "catalogue",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path)), request_body = ReminderConsentIn,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_reminder_consent(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    Id(id): Id<relais_domain::PersonId>,
    super::api_input::ApiJson(body): super::api_input::ApiJson<ReminderConsentIn>,
) -> Result<axum::http::StatusCode, ApiError> {
    state
        .services
        .set_reminder_consent(&actor, id, &body.channel)
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CommuneQuery {
    /// A postcode (`69001`), an INSEE code (`2A004`) or a name
    /// (`saint-etienne`; accents and case forgiven).
    #[serde(default)]
    pub q: String,
    /// At most this many results (1 to 50, default 20).
    #[serde(default)]
    pub limit: Option<i64>,
}

/// A département or a région.
#[derive(Debug, Serialize, ToSchema)]
pub struct AreaOut {
    pub code: String,
    pub name: String,
}

/// A commune of the official list (COG).
#[derive(Debug, Serialize, ToSchema)]
pub struct CommuneOut {
    pub insee_code: String,
    pub name: String,
    /// `commune` or `arrondissement` (Paris, Lyon, Marseille).
    pub kind: String,
    pub postcodes: Vec<String>,
    pub departement: AreaOut,
    pub region: AreaOut,
    pub population: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommuneList {
    pub items: Vec<CommuneOut>,
    /// The edition of the official list.
    pub source: String,
}

/// Communes by postcode, INSEE code or name, from the official list
/// shipped with relais.
#[utoipa::path(get, path = "/api/v1/communes", tag = "catalogue", security(("bearer" = [])),
    params(CommuneQuery),
    responses((status = 200, body = CommuneList), (status = 422, body = ErrorBody)))]
pub async fn list_communes(
    ApiActor(_actor, _): ApiActor,
    ApiQuery(q): ApiQuery<CommuneQuery>,
) -> Result<Json<CommuneList>, ApiError> {
    if q.q.trim().is_empty() {
        return Err(ApiError(FieldError::new("q", "required").into()));
    }
    let limit = super::api_input::limit(q.limit, 20, 50)?;
    let list = relais_service::communes::Communes::shipped();
    let area = |a: &relais_service::communes::Area| AreaOut {
        code: a.code.clone(),
        name: a.name.clone(),
    };
    Ok(Json(CommuneList {
        items: list
            .search(&q.q, limit)
            .into_iter()
            .map(|c| CommuneOut {
                insee_code: c.insee_code.clone(),
                name: c.name.clone(),
                kind: c.kind.to_owned(),
                postcodes: c.postcodes.clone(),
                departement: area(&c.departement),
                region: area(&c.region),
                population: c.population,
            })
            .collect(),
        source: list.source.clone(),
    }))
}
