//! Mandates and the policy in the JSON API.

use super::api::ApiActor;
use super::api_input::{ApiJson, ApiQuery, InputError};
use super::Id;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use chrono::{DateTime, NaiveDate, Utc};
use relais_domain::mandate::{MandateState, Policy, PolicyInput};
use relais_domain::{FieldError, MandateId, PersonId, ProcedureCategory};
use relais_service::{
    MandateCursor, MandateInput, MandateListQuery, MandateView, Scan, ServiceError,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct MandateOut {
    pub id: Uuid,
    pub person_id: Uuid,
    /// Category codes the mandate covers now (revoked ones removed).
    pub categories: Vec<String>,
    pub revoked_categories: Vec<String>,
    /// `one_day`, `one_month`, `six_months`, `twelve_months`.
    pub duration: String,
    /// `paper`, `on_screen`, `remote`.
    pub consent: String,
    /// `pending`, `active`, `expired`, `revoked`.
    pub status: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub signed_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The public verification page (also in the document's QR code).
    pub verification_url: String,
    pub renewed_from: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

fn out(state: &AppState, m: &MandateView) -> MandateOut {
    MandateOut {
        id: m.id.0,
        person_id: m.person_id.0,
        categories: m
            .active_categories
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect(),
        revoked_categories: m
            .revoked_categories
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect(),
        duration: m.duration.as_str().to_owned(),
        consent: m.consent.as_str().to_owned(),
        status: m.state.as_str().to_owned(),
        starts_on: m.starts_on,
        ends_on: m.ends_on,
        signed_at: m.signed_at,
        revoked_at: m.revoked_at,
        verification_url: super::mandates::verify_url(state, &m.verification_code),
        renewed_from: m.renewed_from.map(|r| r.0),
        created_at: m.created_at,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MandateIn {
    pub person_id: Option<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub duration: String,
    #[serde(default)]
    pub consent: String,
    /// Language of the document: `fr` (default) or `en`.
    #[serde(default)]
    pub lang: String,
}

/// Draws up a mandate (waiting for its signature, or for the person's code
/// when `consent` is `remote`).
#[utoipa::path(post, path = "/api/v1/mandates", tag = "mandates", security(("bearer" = [])),
    request_body = MandateIn,
    responses((status = 201, body = MandateOut), (status = 422, body = ErrorBody)))]
pub async fn create_mandate(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    ApiJson(body): ApiJson<MandateIn>,
) -> Result<Response, ApiError> {
    let input = MandateInput {
        person_id: body.person_id.unwrap_or_default(),
        categories: body.categories,
        duration: body.duration,
        consent: body.consent,
        lang: body.lang,
    };
    let id = state.services.create_mandate(&actor, &input).await?;
    let m = state.services.mandate(&actor, id).await?;
    Ok((StatusCode::CREATED, Json(out(&state, &m))).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MandateQuery {
    #[serde(default)]
    pub person_id: String,
    /// `pending`, `active`, `expired` or `revoked`.
    #[serde(default)]
    pub status: String,
    /// A category code: the mandates that cover it (name it and have not
    /// revoked it).
    #[serde(default)]
    pub category: String,
    /// `true`: mandates in force that end within 30 days.
    #[serde(default)]
    pub ending_soon: String,
    /// The `next` value of the previous page.
    #[serde(default)]
    pub cursor: String,
    /// 1 to 200, default 50.
    #[serde(default)]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MandateList {
    /// Newest first.
    pub items: Vec<MandateOut>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next: Option<String>,
}

/// Lists the structure's mandates.
#[utoipa::path(get, path = "/api/v1/mandates", tag = "mandates", security(("bearer" = [])),
    params(MandateQuery), responses((status = 200, body = MandateList), (status = 422, body = ErrorBody)))]
pub async fn list_mandates(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    ApiQuery(q): ApiQuery<MandateQuery>,
) -> Result<Json<MandateList>, ApiError> {
    let invalid = |f: &'static str| {
        ApiError(ServiceError::Invalid(vec![FieldError::new(
            f,
            "invalid_choice",
        )]))
    };
    let person = match q.person_id.trim() {
        "" => None,
        p => Some(PersonId::parse(p).ok_or_else(|| invalid("person_id"))?),
    };
    let status = match q.status.trim() {
        "" => None,
        s => Some(MandateState::parse(s).map_err(|_| invalid("status"))?),
    };
    let category = match q.category.trim() {
        "" => None,
        c => Some(ProcedureCategory::parse(c).map_err(|_| invalid("category"))?),
    };
    let ending_soon = crate::ui::flag(&q.ending_soon).ok_or_else(|| invalid("ending_soon"))?;
    let after = match q.cursor.trim() {
        "" => None,
        c => Some(MandateCursor::parse(c).ok_or_else(|| invalid("cursor"))?),
    };
    let limit = super::api_input::limit(q.limit, 50, 200)?;
    let query = MandateListQuery {
        person_id: person,
        state: status,
        category,
        ending_soon,
        after,
    };
    let page = state
        .services
        .mandate_page(&actor, &query, Some(limit))
        .await?;
    Ok(Json(MandateList {
        items: page.items.iter().map(|m| out(&state, m)).collect(),
        next: page.next.map(|c| c.to_string()),
    }))
}

/// Reads a mandate.
#[utoipa::path(get, path = "/api/v1/mandates/{id}", tag = "mandates", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = MandateOut), (status = 404, body = ErrorBody)))]
pub async fn get_mandate(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    Id(id): Id<MandateId>,
) -> Result<Json<MandateOut>, ApiError> {
    let m = state.services.mandate(&actor, id).await?;
    Ok(Json(out(&state, &m)))
}

/// The mandate document (PDF): the person's copy, then the structure's.
#[utoipa::path(get, path = "/api/v1/mandates/{id}/document.pdf", tag = "mandates", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, description = "PDF", content_type = "application/pdf"), (status = 404, body = ErrorBody)))]
pub async fn mandate_document(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    Id(id): Id<MandateId>,
) -> Result<Response, ApiError> {
    let bytes = super::mandates::mandate_pdf(&state, &actor, id)
        .await
        .map_err(|e| match e {
            crate::error::WebError::Page(StatusCode::NOT_FOUND, _) => {
                ApiError(ServiceError::NotFound)
            }
            _ => ApiError(ServiceError::Internal("document".into())),
        })?;
    Ok(([(CONTENT_TYPE, "application/pdf")], bytes).into_response())
}

/// The signature of a paper mandate: the scan of the signed paper.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MandateSignIn {
    /// The scan of the signed paper (PDF, PNG or JPEG of at most 10 MB),
    /// base64. Required when the policy's `paper_scan_required` is true.
    #[serde(default)]
    pub scan: Option<String>,
}

/// Reads the optional body of a signature: empty, or a [`MandateSignIn`]
/// read as strictly as every other body (an object, known fields only).
fn sign_body(bytes: &[u8], lang: crate::i18n::Lang) -> Result<Option<Scan>, InputError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let body: MandateSignIn = super::api_input::parse_body(bytes, lang)?;
    let Some(b64) = body.scan else {
        return Ok(None);
    };
    let compact: String = b64.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|_| InputError {
            field: "scan".into(),
            code: "scan_bad_type",
            lang,
        })?;
    Ok(Some(Scan {
        bytes,
        content_type: String::new(),
    }))
}

/// Why a signature was refused: its body, or the use case.
pub enum SignError {
    Input(InputError),
    Api(ApiError),
}

impl From<InputError> for SignError {
    fn from(e: InputError) -> Self {
        SignError::Input(e)
    }
}

impl From<ServiceError> for SignError {
    fn from(e: ServiceError) -> Self {
        SignError::Api(e.into())
    }
}

impl From<ApiError> for SignError {
    fn from(e: ApiError) -> Self {
        SignError::Api(e)
    }
}

impl IntoResponse for SignError {
    fn into_response(self) -> Response {
        match self {
            SignError::Input(e) => e.into_response(),
            SignError::Api(e) => e.into_response(),
        }
    }
}

/// Records the paper signature, attested by the caller, with the scan of
/// the signed paper.
#[utoipa::path(post, path = "/api/v1/mandates/{id}/sign", tag = "mandates", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body(content = Option<MandateSignIn>, description = "optional: the scan of the signed paper"),
    responses((status = 200, body = MandateOut), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn sign_mandate(
    State(state): State<AppState>,
    ApiActor(actor, lang): ApiActor,
    Id(id): Id<MandateId>,
    body: axum::body::Bytes,
) -> Result<Json<MandateOut>, SignError> {
    let scan = sign_body(&body, lang)?;
    state.services.sign_mandate(&actor, id, scan, None).await?;
    let m = state.services.mandate(&actor, id).await?;
    Ok(Json(out(&state, &m)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeIn {
    /// Categories to revoke; absent or empty: the whole mandate.
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub reason: String,
}

/// Revokes a mandate, whole or for some categories.
#[utoipa::path(post, path = "/api/v1/mandates/{id}/revoke", tag = "mandates", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = RevokeIn,
    responses((status = 200, body = MandateOut), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn revoke_mandate(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    Id(id): Id<MandateId>,
    ApiJson(body): ApiJson<RevokeIn>,
) -> Result<Json<MandateOut>, ApiError> {
    state
        .services
        .revoke_mandate(&actor, id, &body.categories, &body.reason)
        .await?;
    let m = state.services.mandate(&actor, id).await?;
    Ok(Json(out(&state, &m)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenewIn {
    #[serde(default)]
    pub duration: String,
    #[serde(default)]
    pub consent: String,
}

/// Renews an active or recently expired mandate with a new consent.
#[utoipa::path(post, path = "/api/v1/mandates/{id}/renew", tag = "mandates", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = RenewIn,
    responses((status = 201, body = MandateOut), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn renew_mandate(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    Id(id): Id<MandateId>,
    ApiJson(body): ApiJson<RenewIn>,
) -> Result<Response, ApiError> {
    let new_id = state
        .services
        .renew_mandate(&actor, id, &body.duration, &body.consent)
        .await?;
    let m = state.services.mandate(&actor, new_id).await?;
    Ok((StatusCode::CREATED, Json(out(&state, &m))).into_response())
}

/// The policy as JSON.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyDoc {
    /// `required`, `recommended` or `not_required`, for `done_for`.
    pub mandate_rule: String,
    pub max_mandate_duration: String,
    /// Roles that may act `done_for`.
    pub done_for_roles: Vec<String>,
    pub require_privacy_notice: bool,
    pub retention_months: u32,
    /// Allowed modes per category code; a category absent allows every mode.
    #[schema(value_type = Object)]
    pub allowed_modes: std::collections::BTreeMap<String, Vec<String>>,
    pub charter: String,
    /// Who persons contact about their data (shown on the privacy notice).
    #[serde(default)]
    pub privacy_contact: String,
    /// How many days back an intervention may be dated (0 to 366; default 30).
    #[serde(default = "default_backdating")]
    pub max_backdating_days: u32,
    /// A paper mandate is activated only with a scan of the signed paper
    /// (default true).
    #[serde(default = "default_true")]
    pub paper_scan_required: bool,
}

fn default_backdating() -> u32 {
    Policy::default().max_backdating_days
}

fn default_true() -> bool {
    true
}

fn policy_doc(p: &Policy) -> PolicyDoc {
    PolicyDoc {
        mandate_rule: p.mandate_rule.as_str().into(),
        max_mandate_duration: p.max_mandate_duration.as_str().into(),
        done_for_roles: p
            .done_for_roles
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
        require_privacy_notice: p.require_privacy_notice,
        retention_months: p.retention_months,
        allowed_modes: p
            .allowed_modes
            .iter()
            .map(|(c, m)| {
                (
                    c.as_str().to_owned(),
                    m.iter().map(|x| x.as_str().to_owned()).collect(),
                )
            })
            .collect(),
        charter: p.charter.clone(),
        privacy_contact: p.privacy_contact.clone(),
        max_backdating_days: p.max_backdating_days,
        paper_scan_required: p.paper_scan_required,
    }
}

/// Reads the structure's intervention policy.
#[utoipa::path(get, path = "/api/v1/policy", tag = "mandates", security(("bearer" = [])),
    responses((status = 200, body = PolicyDoc)))]
pub async fn get_policy(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
) -> Result<Json<PolicyDoc>, ApiError> {
    let p = state.services.policy(&actor).await?;
    Ok(Json(policy_doc(&p)))
}

/// Replaces the structure's intervention policy (supervisors).
#[utoipa::path(put, path = "/api/v1/policy", tag = "mandates", security(("bearer" = [])),
    request_body = PolicyDoc,
    responses((status = 200, body = PolicyDoc), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_policy(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    ApiJson(body): ApiJson<PolicyDoc>,
) -> Result<Json<PolicyDoc>, ApiError> {
    let input = PolicyInput {
        mandate_rule: body.mandate_rule,
        max_mandate_duration: body.max_mandate_duration,
        done_for_roles: body.done_for_roles,
        allowed_modes: body.allowed_modes.into_iter().collect(),
        require_privacy_notice: body.require_privacy_notice,
        retention_months: Some(body.retention_months),
        max_backdating_days: Some(body.max_backdating_days),
        charter: body.charter,
        privacy_contact: body.privacy_contact,
        paper_scan_required: body.paper_scan_required,
    };
    let p = input
        .parse()
        .map_err(|e| ApiError(ServiceError::Invalid(e)))?;
    state.services.update_policy(&actor, p).await?;
    let p = state.services.policy(&actor).await?;
    Ok(Json(policy_doc(&p)))
}
