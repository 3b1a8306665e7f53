//! Places, the structure's own places and their exports, imports, and
//! referrals in the JSON API.

use super::api::ApiActor;
use super::api_input::{ApiJson, ApiQuery};
use super::Id;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use relais_domain::{FieldError, PlaceId, ReferralId};
use relais_service::places::{
    Format, ImportReport, OfferView, OwnPlaceInput, PlaceQuery as ServiceQuery, PlaceView,
};
use relais_service::referrals::{ReferralInput, ReferralView};
use relais_service::{Principal, ServiceError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PlaceQuery {
    /// The INSEE code of the person's commune.
    #[serde(default)]
    pub near: String,
    /// Words of the place's name or commune.
    #[serde(default)]
    pub q: String,
    /// A service code (`demarches`, `outils`, `insertion`, `securite`,
    /// `parentalite`, `loisirs`, `culture`, `acces`, `materiel`).
    #[serde(default)]
    pub service: String,
    /// A public code (`jeunes`, `etudiants`, `familles`, `seniors`,
    /// `femmes`, `surdite`, `handicap_moteur`, `handicap_mental`,
    /// `illettrisme`, `langues_anglais`, `langues_autres`,
    /// `deficience_visuelle`).
    #[serde(default)]
    pub public: String,
    /// `gratuit`, `gratuit_sous_condition` or `payant`.
    #[serde(default)]
    pub fee: String,
    /// A label code (`france_services`, `conseillers_numeriques`,
    /// `aidants_connect`…).
    #[serde(default)]
    pub label: String,
    /// Only places open now (by their opening hours).
    #[serde(default)]
    pub open_now: Option<bool>,
    /// At most this many results (1 to 100, default 20).
    #[serde(default)]
    pub limit: Option<i64>,
}

/// A place people can be referred to.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlaceOut {
    pub id: Uuid,
    /// `france-services`, `lmn`, `data-inclusion` or `relais` (the
    /// structure's own).
    pub source: String,
    pub name: String,
    pub siret: Option<String>,
    pub rna: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub commune: Option<String>,
    pub insee_code: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    /// OpenStreetMap `opening_hours` syntax.
    pub opening_hours: Option<String>,
    pub description: Option<String>,
    pub services: Vec<String>,
    pub publics: Vec<String>,
    pub fees: Vec<String>,
    pub labels: Vec<String>,
    pub access_modes: Vec<String>,
    pub support_modes: Vec<String>,
    /// The source's last update (unknown when it gave a placeholder).
    pub updated_on: Option<chrono::NaiveDate>,
    pub own: bool,
    /// From the commune's places, when coordinates allow.
    pub distance_km: Option<f64>,
    /// Open at the time of the search, by its hours (`null`: unknown).
    pub open_now: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlaceList {
    pub items: Vec<PlaceOut>,
}

/// A service a source publishes for a place.
#[derive(Debug, Serialize, ToSchema)]
pub struct OfferOut {
    pub name: String,
    pub description: Option<String>,
    pub services: Vec<String>,
    pub fees: Vec<String>,
    pub publics: Vec<String>,
    pub link: Option<String>,
}

/// A place with the services its source publishes apart.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlaceDetailOut {
    #[serde(flatten)]
    pub place: PlaceOut,
    pub offers: Vec<OfferOut>,
}

fn place_out(p: PlaceView, distance_km: Option<f64>, open_now: Option<bool>) -> PlaceOut {
    PlaceOut {
        id: p.id,
        source: p.source,
        name: p.name,
        siret: p.siret,
        rna: p.rna,
        address: p.address,
        postcode: p.postcode,
        commune: p.commune,
        insee_code: p.insee_code,
        latitude: p.latitude,
        longitude: p.longitude,
        phone: p.phone,
        email: p.email,
        website: p.website,
        opening_hours: p.opening_hours,
        description: p.description,
        services: p.services,
        publics: p.publics,
        fees: p.fees,
        labels: p.labels,
        access_modes: p.access_modes,
        support_modes: p.support_modes,
        updated_on: p.updated_on,
        own: p.own,
        distance_km,
        open_now,
    }
}

fn offer_out(o: OfferView) -> OfferOut {
    OfferOut {
        name: o.name,
        description: o.description,
        services: o.services,
        fees: o.fees,
        publics: o.publics,
        link: o.link,
    }
}

/// Places near a commune, nearest first, with filters.
#[utoipa::path(get, path = "/api/v1/places", tag = "places", security(("bearer" = [])),
    params(PlaceQuery),
    responses((status = 200, body = PlaceList), (status = 422, body = ErrorBody)))]
pub async fn list_places(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    ApiQuery(q): ApiQuery<PlaceQuery>,
) -> Result<Json<PlaceList>, ApiError> {
    let hits = state
        .services
        .places_near(
            &actor,
            &ServiceQuery {
                near: q.near,
                q: q.q,
                service: q.service,
                public: q.public,
                fee: q.fee,
                label: q.label,
                open_now: q.open_now.unwrap_or(false),
                limit: super::api_input::limit(q.limit, 20, 100)?,
            },
        )
        .await?;
    Ok(Json(PlaceList {
        items: hits
            .into_iter()
            .map(|h| place_out(h.place, h.distance_km, h.open_now))
            .collect(),
    }))
}

fn uuid(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw.trim()).map_err(|_| ApiError(ServiceError::NotFound))
}

/// One place, with the services its source publishes.
#[utoipa::path(get, path = "/api/v1/places/{id}", tag = "places", security(("bearer" = [])),
    params(("id" = String, Path, description = "The place's id")),
    responses((status = 200, body = PlaceDetailOut), (status = 404, body = ErrorBody)))]
pub async fn get_place(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    Id(id): Id<PlaceId>,
) -> Result<Json<PlaceDetailOut>, ApiError> {
    let p = state.services.place(&actor, id).await?;
    Ok(Json(PlaceDetailOut {
        place: place_out(p.place, None, None),
        offers: p.offers.into_iter().map(offer_out).collect(),
    }))
}

/// One of the structure's own places.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct OwnPlaceIn {
    pub name: String,
    pub siret: String,
    pub address: String,
    pub postcode: String,
    /// Taken from the postcode when empty.
    pub commune: String,
    /// Taken from the postcode when empty and the postcode names one commune.
    pub insee_code: String,
    pub phone: String,
    pub email: String,
    pub website: String,
    /// OpenStreetMap `opening_hours` syntax (`Mo-Fr 09:00-12:00`).
    pub opening_hours: String,
    pub description: String,
    pub services: Vec<String>,
    pub publics: Vec<String>,
    pub fees: Vec<String>,
    pub labels: Vec<String>,
    pub access_modes: Vec<String>,
    pub support_modes: Vec<String>,
}

impl From<OwnPlaceIn> for OwnPlaceInput {
    fn from(i: OwnPlaceIn) -> Self {
        OwnPlaceInput {
            name: i.name,
            siret: i.siret,
            address: i.address,
            postcode: i.postcode,
            commune: i.commune,
            insee_code: i.insee_code,
            phone: i.phone,
            email: i.email,
            website: i.website,
            opening_hours: i.opening_hours,
            description: i.description,
            services: i.services,
            publics: i.publics,
            fees: i.fees,
            labels: i.labels,
            access_modes: i.access_modes,
            support_modes: i.support_modes,
        }
    }
}

/// Records one of the structure's own places (supervisors, admins).
#[utoipa::path(post, path = "/api/v1/places", tag = "places", security(("bearer" = [])),
    request_body = OwnPlaceIn,
    responses((status = 201, body = PlaceDetailOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_place(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    ApiJson(input): ApiJson<OwnPlaceIn>,
) -> Result<(StatusCode, Json<PlaceDetailOut>), ApiError> {
    let id = state
        .services
        .save_own_place(&actor, None, &input.into())
        .await?;
    let p = state.services.place(&actor, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(PlaceDetailOut {
            place: place_out(p.place, None, None),
            offers: Vec::new(),
        }),
    ))
}

/// Changes one of the structure's own places (supervisors, admins); the
/// whole place is sent again.
#[utoipa::path(put, path = "/api/v1/places/{id}", tag = "places", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = OwnPlaceIn,
    responses((status = 200, body = PlaceDetailOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_place(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    Id(id): Id<PlaceId>,
    ApiJson(input): ApiJson<OwnPlaceIn>,
) -> Result<Json<PlaceDetailOut>, ApiError> {
    let id = state
        .services
        .save_own_place(&actor, Some(id), &input.into())
        .await?;
    let p = state.services.place(&actor, id).await?;
    Ok(Json(PlaceDetailOut {
        place: place_out(p.place, None, None),
        offers: Vec::new(),
    }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportPlacesQuery {
    /// `lmn` (CSV per the lieux de médiation numérique Table Schema),
    /// `data-inclusion` (v1 JSON) or `hsds` (Open Referral 3.0 JSON).
    #[serde(default)]
    pub format: String,
}

/// The structure's own places in an open standard.
#[utoipa::path(get, path = "/api/v1/exports/places", tag = "places", security(("bearer" = [])),
    params(ExportPlacesQuery),
    responses((status = 200, description = "The file", content_type = "application/json"), (status = 422, body = ErrorBody)))]
pub async fn export_places(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    ApiQuery(q): ApiQuery<ExportPlacesQuery>,
) -> Result<Response, ApiError> {
    let f = state
        .services
        .export_own_places(&actor, q.format.trim())
        .await?;
    Ok((
        [
            (CONTENT_TYPE, f.content_type.to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", f.filename),
            ),
        ],
        f.bytes,
    )
        .into_response())
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportPlacesQuery {
    /// `lmn`, `data-inclusion` or `france-services`.
    #[serde(default)]
    pub format: String,
}

/// One rejected row.
#[derive(Debug, Serialize, ToSchema)]
pub struct RejectedOut {
    /// `line` (CSV) or `item` (JSON).
    pub unit: String,
    pub line: u64,
    pub field: String,
    pub code: String,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportOut {
    pub format: String,
    pub rows: u64,
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: Vec<RejectedOut>,
    /// data·inclusion services, when the file had some: new, updated, unchanged.
    pub services: Option<[u64; 3]>,
    pub unknown_insee: u64,
    pub insee_completed: u64,
    pub placeholder_dates: u64,
    pub placeholder_pivots: u64,
    pub unread_hours: u64,
    pub placeholder_coordinates: u64,
    /// `field: term` → rows.
    pub unknown_terms: std::collections::BTreeMap<String, u64>,
}

impl From<ImportReport> for ImportOut {
    fn from(r: ImportReport) -> Self {
        ImportOut {
            format: r.format,
            rows: r.rows,
            new: r.new,
            updated: r.updated,
            unchanged: r.unchanged,
            rejected: r
                .rejected
                .into_iter()
                .map(|x| RejectedOut {
                    unit: x.unit.into(),
                    line: x.line,
                    field: x.field,
                    code: x.code.into(),
                    reason: x.reason,
                })
                .collect(),
            services: r.services.map(|s| [s.new, s.updated, s.unchanged]),
            unknown_insee: r.notes.unknown_insee,
            insee_completed: r.notes.insee_completed,
            placeholder_dates: r.notes.placeholder_dates,
            placeholder_pivots: r.notes.placeholder_pivots,
            unread_hours: r.notes.unread_hours,
            placeholder_coordinates: r.notes.placeholder_coordinates,
            unknown_terms: r.notes.unknown_terms,
        }
    }
}

/// Imports a file of places (instance administrators); the body is the file.
#[utoipa::path(post, path = "/api/v1/places/import", tag = "places", security(("bearer" = [])),
    params(ImportPlacesQuery),
    request_body(content = String, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import_places(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    ApiQuery(q): ApiQuery<ImportPlacesQuery>,
    body: Bytes,
) -> Result<Json<ImportOut>, ApiError> {
    let format =
        Format::parse(&q.format).ok_or(ApiError(ServiceError::Invalid(vec![FieldError::new(
            "format",
            "unknown_format",
        )])))?;
    let r = state
        .services
        .import_places(Principal::Agent(&actor), format, &body)
        .await?;
    Ok(Json(r.into()))
}

/// A referral.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralOut {
    pub id: Uuid,
    pub help_request_id: Uuid,
    pub place_id: Option<Uuid>,
    pub place_name: Option<String>,
    pub operator_id: Option<String>,
    pub operator_name: Option<String>,
    pub reason: Option<String>,
    /// `proposed`, `contacted`, `accepted`, `done` or `failed`.
    pub status: String,
    pub follow_up_id: Option<Uuid>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub closed_on: Option<chrono::NaiveDate>,
    /// The printable slip for the person.
    pub slip_url: String,
}

fn referral_out(r: ReferralView) -> ReferralOut {
    ReferralOut {
        slip_url: format!("/api/v1/referrals/{}/slip.pdf", r.id),
        id: r.id.0,
        help_request_id: r.help_request_id.0,
        place_id: r.place_id.map(|p| p.0),
        place_name: r.place_name,
        operator_id: r.operator_id,
        operator_name: r.operator_name,
        reason: r.reason,
        status: r.status.as_str().to_owned(),
        follow_up_id: r.follow_up_id.map(|f| f.0),
        created_at: r.created_at,
        updated_at: r.updated_at,
        closed_on: r.closed_on,
    }
}

/// A new referral.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct ReferralIn {
    pub help_request_id: String,
    /// A place of the directory, or…
    pub place_id: String,
    /// …an operator of the catalogue (its own channel).
    pub operator_id: String,
    /// Why the person is sent there (2 to 300 characters); on the slip.
    pub reason: String,
    /// A follow-up for the author on this day (YYYY-MM-DD), optional.
    pub follow_up_date: String,
    /// Confirms a reason that looks like a password is not one.
    pub confirm_secret: bool,
}

/// Refers the person of a request to a place or an operator's channel.
#[utoipa::path(post, path = "/api/v1/referrals", tag = "referrals", security(("bearer" = [])),
    request_body = ReferralIn,
    responses((status = 201, body = ReferralOut), (status = 422, body = ErrorBody)))]
pub async fn create_referral(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    ApiJson(i): ApiJson<ReferralIn>,
) -> Result<(StatusCode, Json<ReferralOut>), ApiError> {
    let r = state
        .services
        .create_referral(
            &actor,
            &ReferralInput {
                help_request_id: i.help_request_id,
                place_id: i.place_id,
                operator_id: i.operator_id,
                reason: i.reason,
                follow_up_date: i.follow_up_date,
                confirm_secret: i.confirm_secret,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(referral_out(r))))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReferralQuery {
    /// The request whose referrals are listed.
    #[serde(default)]
    pub help_request_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralList {
    pub items: Vec<ReferralOut>,
}

/// The referrals of a request, oldest first.
#[utoipa::path(get, path = "/api/v1/referrals", tag = "referrals", security(("bearer" = [])),
    params(ReferralQuery),
    responses((status = 200, body = ReferralList), (status = 404, body = ErrorBody)))]
pub async fn list_referrals(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    ApiQuery(q): ApiQuery<ReferralQuery>,
) -> Result<Json<ReferralList>, ApiError> {
    let rid = uuid(&q.help_request_id)?;
    // An unknown request, or another structure's, is not found.
    state
        .services
        .help_request(&actor, relais_domain::HelpRequestId(rid))
        .await?;
    let items = state
        .services
        .referrals_of_request(&actor, relais_domain::HelpRequestId(rid))
        .await?
        .into_iter()
        .map(referral_out)
        .collect();
    Ok(Json(ReferralList { items }))
}

/// Reads a referral.
#[utoipa::path(get, path = "/api/v1/referrals/{id}", tag = "referrals", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = ReferralOut), (status = 404, body = ErrorBody)))]
pub async fn get_referral(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    Id(id): Id<ReferralId>,
) -> Result<Json<ReferralOut>, ApiError> {
    let r = state.services.referral(&actor, id).await?;
    Ok(Json(referral_out(r)))
}

/// A new status.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct ReferralPatch {
    /// `proposed`, `contacted`, `accepted`, `done` or `failed`; `done`
    /// and `failed` close the referral and its follow-up.
    pub status: String,
}

/// Moves a referral to a new status.
#[utoipa::path(patch, path = "/api/v1/referrals/{id}", tag = "referrals", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = ReferralPatch,
    responses((status = 200, body = ReferralOut), (status = 404, body = ErrorBody), (status = 409, description = "Changed by someone else meanwhile (`conflict`, problem `changed_meanwhile`): read it again and retry", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch_referral(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    Id(id): Id<ReferralId>,
    ApiJson(p): ApiJson<ReferralPatch>,
) -> Result<Json<ReferralOut>, ApiError> {
    let r = state
        .services
        .update_referral(&actor, id, &p.status)
        .await?;
    Ok(Json(referral_out(r)))
}

/// The slip for the person (PDF): where to go, when, what to bring, why.
#[utoipa::path(get, path = "/api/v1/referrals/{id}/slip.pdf", tag = "referrals", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "PDF", content_type = "application/pdf"), (status = 404, body = ErrorBody)))]
pub async fn referral_slip(
    State(state): State<AppState>,
    ApiActor(actor, lang): ApiActor,
    Id(id): Id<ReferralId>,
) -> Result<Response, ApiError> {
    let slip = state.services.referral_slip(&actor, id).await?;
    let bytes = relais_present::pdf(crate::documents::referral_slip(&slip, lang))
        .await
        .map_err(|_| ApiError(ServiceError::Internal("document".into())))?;
    Ok(([(CONTENT_TYPE, "application/pdf")], bytes).into_response())
}
