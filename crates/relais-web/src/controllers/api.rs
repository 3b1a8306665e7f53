//! The JSON API (`/api/v1`), authenticated with personal tokens sent as
//! `Authorization: Bearer …`.

use crate::context::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::i18n::Lang;
use crate::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::header::{ACCEPT_LANGUAGE, AUTHORIZATION};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::Json;
use relais_service::{Actor, ServiceError};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// The actor behind a valid bearer token, with the language to answer in.
pub struct ApiActor(pub Actor, pub Lang);

pub(crate) fn api_lang(parts: &Parts) -> Lang {
    parts
        .extensions
        .get::<Ctx>()
        .map(|c| c.lang)
        .or_else(|| {
            parts
                .headers
                .get(ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_default()
}

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let lang = api_lang(parts);
        // Already authenticated by the route's guard.
        if let Some(actor) = parts.extensions.get::<Actor>() {
            return Ok(ApiActor(actor.clone(), lang));
        }
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError(ServiceError::Unauthenticated))?;
        let actor = state.services.authenticate_token(token).await?;
        Ok(ApiActor(actor, lang))
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StructureOut {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
}

/// The account behind the token, in the structure the token belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeOut {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    /// One of `agent`, `mediator`, `supervisor`, `admin`.
    pub role: String,
    pub structure: StructureOut,
}

/// Who am I?
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The token's account and structure", body = MeOut),
        (status = 401, description = "Missing, invalid or revoked token", body = ErrorBody)
    )
)]
pub async fn me(ApiActor(actor, _): ApiActor) -> Json<MeOut> {
    Json(MeOut {
        id: actor.agent_id.0,
        email: actor.email,
        name: actor.name,
        role: actor.role.as_str().to_owned(),
        structure: StructureOut {
            id: actor.structure_id.0,
            slug: actor.structure_slug,
            name: actor.structure_name,
        },
    })
}

/// The OpenAPI 3.1 document of this API.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    responses((status = 200, description = "OpenAPI document", content_type = "application/json"))
)]
pub async fn openapi_json(State(_state): State<AppState>) -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        crate::openapi::document(),
    )
        .into_response()
}
