//! The help desk in the JSON API: persons, help requests, interventions,
//! follow-ups. Same use cases as the pages.

use super::api::ApiActor;
use super::api_input::{present, ApiJson, ApiQuery, Flag, Text, TextList};
use super::Id;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use relais_domain::{FieldError, FollowUpId, HelpRequestId, PersonId};
use relais_service::views::{FollowUp, HelpRequest, Intervention, Person};
use relais_service::{
    FollowUpInput, IntakeInput, InterventionInput, ListInput, PersonChoice, PersonInput,
    RequestInput, ServiceError,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

type ApiResult<T> = Result<T, ApiError>;

// ---- persons ---------------------------------------------------------------

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonOut {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub usual_name: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub birth_year: Option<i64>,
    /// One of `under_18`, `18_24`, `25_39`, `40_59`, `60_69`, `70_plus`, `unknown`.
    pub age_bracket: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub postcode: Option<String>,
    pub commune: Option<String>,
    pub insee_code: Option<String>,
    pub preferred_language: Option<String>,
    pub notes: Option<String>,
    pub privacy_notice_on: Option<NaiveDate>,
    /// Codes among `smartphone`, `computer`, `tablet`, `internet_at_home`, `none`.
    pub equipment: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn person_out(p: &Person, year: i32) -> PersonOut {
    PersonOut {
        id: p.id.0,
        first_name: p.first_name.clone(),
        last_name: p.last_name.clone(),
        usual_name: p.usual_name.clone(),
        birth_date: p.birth_date,
        birth_year: p.birth_year,
        age_bracket: relais_domain::AgeBracket::of(
            p.birth_year.and_then(|y| i32::try_from(y).ok()),
            year,
        )
        .as_str()
        .to_owned(),
        phone: p.phone.clone(),
        email: p.email.clone(),
        postcode: p.postcode.clone(),
        commune: p.commune.clone(),
        insee_code: p.insee_code.clone(),
        preferred_language: p.preferred_language.clone(),
        notes: p.notes.clone(),
        privacy_notice_on: p.privacy_notice_on,
        equipment: p.equipment.iter().map(|e| e.as_str().to_owned()).collect(),
        created_at: p.created_at,
        updated_at: p.updated_at,
    }
}

/// A person to create or change. Every field is optional in a PATCH:
/// an absent field keeps its value, `null` clears it. Text fields take a
/// string or a number (read as its text).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"first_name": "Hélène", "last_name": "Lefèvre", "birth_year": 1961, "phone": "06 12 34 56 78"}))]
pub struct PersonIn {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub first_name: Option<Text>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub last_name: Option<Text>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub usual_name: Option<Text>,
    /// `yyyy-mm-dd`.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub birth_date: Option<Text>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i32>)]
    pub birth_year: Option<Text>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Text>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Text>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub postcode: Option<Text>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub commune: Option<Text>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub insee_code: Option<Text>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub preferred_language: Option<Text>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Text>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub privacy_notice_on: Option<Text>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<String>>)]
    pub equipment: Option<TextList>,
    /// A new autonomy assessment: `not_assessed`, `needs_full_guidance`,
    /// `autonomous_with_help`, `autonomous`.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub autonomy: Option<Text>,
    /// Create even though similar persons exist (answer 409 otherwise).
    /// POST only; ignored by PATCH.
    #[schema(value_type = Option<bool>)]
    pub confirm_new: Option<Flag>,
    /// Save notes that the credential guard flagged (`looks_like_secret`).
    #[schema(value_type = Option<bool>)]
    pub confirm_secret: Option<Flag>,
}

/// Applies the fields present in the body over `base` (`null` clears a
/// field; absent keeps it).
fn person_over(body: &PersonIn, mut base: PersonInput) -> PersonInput {
    macro_rules! set {
        ($($f:ident),*) => {
            $( if let Some(v) = &body.$f { base.$f = v.0.clone(); } )*
        };
    }
    set!(
        first_name,
        last_name,
        usual_name,
        birth_date,
        birth_year,
        phone,
        email,
        postcode,
        commune,
        insee_code,
        preferred_language,
        notes,
        privacy_notice_on,
        autonomy
    );
    if let Some(v) = body.confirm_secret {
        base.confirm_secret = v.0;
    }
    if let Some(list) = &body.equipment {
        base.equipment = list.0.clone();
    }
    base
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonList {
    pub items: Vec<PersonOut>,
    /// Always null: search results are not paginated (at most 50).
    #[schema(value_type = Option<String>)]
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PersonQuery {
    /// Name (accents and one typo forgiven), phone digits or birth year.
    #[serde(default)]
    pub q: String,
}

/// Creates a person.
#[utoipa::path(post, path = "/api/v1/persons", tag = "desk", security(("bearer" = [])),
    request_body = PersonIn,
    responses(
        (status = 201, body = PersonOut),
        (status = 409, description = "Similar persons exist (`similar_persons`); send `confirm_new: true` to create anyway", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn create_person(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    ApiJson(body): ApiJson<PersonIn>,
) -> ApiResult<Response> {
    let input = person_over(&body, PersonInput::default());
    let confirm_new = Flag::of(body.confirm_new);
    let id = state
        .services
        .create_person(&actor, &input, confirm_new)
        .await?;
    let p = state.services.person(&actor, id).await?;
    Ok((StatusCode::CREATED, Json(person_out(&p, year(&state)))).into_response())
}

fn year(state: &AppState) -> i32 {
    chrono::Datelike::year(&state.services.today())
}

/// Searches the structure's persons.
#[utoipa::path(get, path = "/api/v1/persons", tag = "desk", security(("bearer" = [])),
    params(PersonQuery),
    responses((status = 200, body = PersonList), (status = 401, body = ErrorBody)))]
pub async fn list_persons(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    ApiQuery(q): ApiQuery<PersonQuery>,
) -> ApiResult<Json<PersonList>> {
    let hits = state.services.search_persons(&actor, &q.q, 50).await?;
    let ids: Vec<PersonId> = hits.iter().map(|h| h.id).collect();
    let this_year = year(&state);
    let items = state
        .services
        .persons(&actor, &ids)
        .await?
        .iter()
        .map(|p| person_out(p, this_year))
        .collect();
    Ok(Json(PersonList { items, next: None }))
}

/// Reads a person.
#[utoipa::path(get, path = "/api/v1/persons/{id}", tag = "desk", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = PersonOut), (status = 404, body = ErrorBody)))]
pub async fn get_person(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    Id(id): Id<PersonId>,
) -> ApiResult<Json<PersonOut>> {
    let f = state.services.person_file(&actor, id).await?;
    Ok(Json(person_out(&f.person, year(&state))))
}

/// Changes a person: only the fields sent are changed.
#[utoipa::path(patch, path = "/api/v1/persons/{id}", tag = "desk", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = PersonIn,
    responses((status = 200, body = PersonOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch_person(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    Id(id): Id<PersonId>,
    ApiJson(body): ApiJson<PersonIn>,
) -> ApiResult<Json<PersonOut>> {
    // The fields sent go over the person as they are inside the write, so
    // that changes of other fields made meanwhile stay.
    state
        .services
        .patch_person(&actor, id, |current| {
            person_over(&body, PersonInput::from_person(current))
        })
        .await?;
    let p = state.services.person(&actor, id).await?;
    Ok(Json(person_out(&p, year(&state))))
}

// ---- help requests -------------------------------------------------------------

#[derive(Debug, Serialize, ToSchema)]
pub struct AnonymousOut {
    pub age_bracket: Option<String>,
    pub postcode: Option<String>,
    pub commune: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InterventionOut {
    pub id: Uuid,
    pub help_request_id: Uuid,
    pub agent_id: Option<Uuid>,
    pub occurred_at: DateTime<Utc>,
    pub duration_minutes: i64,
    /// `done_for`, `done_with`, `taught`, `referred` or `informed`.
    pub mode: String,
    /// `on_site`, `home`, `remote` or `other`.
    pub place: String,
    pub summary: Option<String>,
    pub next_step: Option<String>,
    /// For `done_for`: the mandate relied on.
    pub mandate_id: Option<Uuid>,
}

fn intervention_out(i: &Intervention) -> InterventionOut {
    InterventionOut {
        id: i.id.0,
        help_request_id: i.help_request_id.0,
        agent_id: i.agent_id.map(|a| a.0),
        occurred_at: i.occurred_at,
        duration_minutes: i.duration_minutes,
        mode: i.mode.as_str().to_owned(),
        place: i.place.as_str().to_owned(),
        summary: i.summary.clone(),
        next_step: i.next_step.clone(),
        mandate_id: i.mandate_id.map(|m| m.0),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpOut {
    pub id: Uuid,
    pub help_request_id: Option<Uuid>,
    pub person_id: Option<Uuid>,
    pub assignee_id: Uuid,
    pub due_date: NaiveDate,
    pub reason: String,
    pub done: bool,
    pub done_at: Option<DateTime<Utc>>,
}

fn follow_up_out(f: &FollowUp) -> FollowUpOut {
    FollowUpOut {
        id: f.id.0,
        help_request_id: f.help_request_id.map(|r| r.0),
        person_id: f.person_id.map(|p| p.0),
        assignee_id: f.assignee_id.0,
        due_date: f.due_date,
        reason: f.reason.clone(),
        done: f.done,
        done_at: f.done_at,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HelpRequestOut {
    pub id: Uuid,
    /// Human reference to quote on the phone, e.g. `D-2026-000123`.
    pub reference: String,
    pub person_id: Option<Uuid>,
    /// For an anonymous walk-in: what is known.
    pub anonymous: Option<AnonymousOut>,
    pub procedure: String,
    /// One of the 10 categories: `papiers`, `famille`, `social`, `travail`,
    /// `logement`, `transports`, `argent`, `justice`, `etranger`, `loisirs`.
    pub category: String,
    pub operator: Option<String>,
    /// `walk_in`, `appointment`, `phone`, `email`, `home_visit`, `remote`, `partner_referral`.
    pub channel: String,
    pub rights_at_risk: bool,
    pub deadline: Option<NaiveDate>,
    /// `open`, `waiting_for_person`, `waiting_for_operator`, `done`, `abandoned`, `referred`.
    pub status: String,
    /// `done`, `rights_opened`, `blocked`, `referred`.
    pub outcome: Option<String>,
    /// `no_identity`, `documents_missing`, `operator_unreachable`, `technical_failure`, `person_absent`, `other`.
    pub block_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// In single reads only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interventions: Option<Vec<InterventionOut>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follow_ups: Option<Vec<FollowUpOut>>,
}

fn request_out(r: &HelpRequest) -> HelpRequestOut {
    HelpRequestOut {
        id: r.id.0,
        reference: r.reference.clone(),
        person_id: r.person_id.map(|p| p.0),
        anonymous: r.person_id.is_none().then(|| AnonymousOut {
            age_bracket: r.anon_age_bracket.map(|b| b.as_str().to_owned()),
            postcode: r.anon_postcode.clone(),
            commune: r.anon_commune.clone(),
        }),
        procedure: r.procedure.clone(),
        category: r.category.as_str().to_owned(),
        operator: r.operator.clone(),
        channel: r.channel.as_str().to_owned(),
        rights_at_risk: r.rights_at_risk,
        deadline: r.deadline,
        status: r.status.as_str().to_owned(),
        outcome: r.outcome.map(|o| o.as_str().to_owned()),
        block_reason: r.block_reason.map(|b| b.as_str().to_owned()),
        created_at: r.created_at,
        updated_at: r.updated_at,
        closed_at: r.closed_at,
        interventions: None,
        follow_ups: None,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnonymousIn {
    #[schema(value_type = Option<String>)]
    pub age_bracket: Option<Text>,
    #[schema(value_type = Option<String>)]
    pub postcode: Option<Text>,
    #[schema(value_type = Option<String>)]
    pub commune: Option<Text>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InterventionIn {
    #[schema(value_type = Option<String>)]
    pub mode: Option<Text>,
    #[schema(value_type = Option<i64>)]
    pub duration_minutes: Option<Text>,
    #[schema(value_type = Option<String>)]
    pub place: Option<Text>,
    #[schema(value_type = Option<String>)]
    pub summary: Option<Text>,
    #[schema(value_type = Option<String>)]
    pub next_step: Option<Text>,
    /// RFC 3339, or `yyyy-mm-ddThh:mm` in Paris time; default now.
    #[schema(value_type = Option<String>)]
    pub occurred_at: Option<Text>,
    /// For `done_for`: the mandate relied on (default: the person's active
    /// mandate covering the category).
    pub mandate_id: Option<Uuid>,
    /// Save text that the credential guard flagged (`looks_like_secret`):
    /// the worker confirms it is not a password. Journaled.
    #[schema(value_type = Option<bool>)]
    pub confirm_secret: Option<Flag>,
    /// Optionally, the request's new status (and outcome) at the same time.
    #[schema(value_type = Option<String>)]
    pub status: Option<Text>,
    #[schema(value_type = Option<String>)]
    pub outcome: Option<Text>,
    #[schema(value_type = Option<String>)]
    pub block_reason: Option<Text>,
}

impl InterventionIn {
    fn input(&self) -> InterventionInput {
        InterventionInput {
            mode: Text::of(&self.mode),
            duration_minutes: Text::of(&self.duration_minutes),
            place: Text::of(&self.place),
            summary: Text::of(&self.summary),
            next_step: Text::of(&self.next_step),
            occurred_at: Text::of(&self.occurred_at),
            mandate_id: self.mandate_id.map(|m| m.to_string()).unwrap_or_default(),
            confirm_secret: Flag::of(self.confirm_secret),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpIn {
    pub help_request_id: Option<Uuid>,
    pub person_id: Option<Uuid>,
    /// `yyyy-mm-dd`.
    #[schema(value_type = Option<String>)]
    pub due_date: Option<Text>,
    #[schema(value_type = Option<String>)]
    pub reason: Option<Text>,
    /// Default: the token's agent.
    #[schema(value_type = Option<String>)]
    pub assignee_id: Option<Text>,
    /// PATCH only.
    pub done: Option<bool>,
    /// Save a reason that the credential guard flagged. Journaled.
    #[schema(value_type = Option<bool>)]
    pub confirm_secret: Option<Flag>,
}

impl FollowUpIn {
    fn input(&self) -> FollowUpInput {
        FollowUpInput {
            due_date: Text::of(&self.due_date),
            reason: Text::of(&self.reason),
            assignee_id: Text::of(&self.assignee_id),
            confirm_secret: Flag::of(self.confirm_secret),
        }
    }
}

/// A help request to record: for a person (`person_id`) or an anonymous
/// walk-in (`anonymous`), optionally with its first intervention and a
/// follow-up.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"person_id": "0192…", "procedure": "Actualisation mensuelle", "category": "travail", "operator": "France Travail", "channel": "walk_in", "status": "done", "intervention": {"mode": "done_with", "duration_minutes": 30}}))]
pub struct HelpRequestIn {
    pub person_id: Option<Uuid>,
    pub anonymous: Option<AnonymousIn>,
    #[schema(value_type = Option<String>)]
    pub procedure: Option<Text>,
    #[schema(value_type = Option<String>)]
    pub category: Option<Text>,
    #[schema(value_type = Option<String>)]
    pub operator: Option<Text>,
    #[schema(value_type = Option<String>)]
    pub channel: Option<Text>,
    #[schema(value_type = Option<bool>)]
    pub rights_at_risk: Option<Flag>,
    #[schema(value_type = Option<String>)]
    pub deadline: Option<Text>,
    #[schema(value_type = Option<String>)]
    pub status: Option<Text>,
    #[schema(value_type = Option<String>)]
    pub outcome: Option<Text>,
    #[schema(value_type = Option<String>)]
    pub block_reason: Option<Text>,
    pub intervention: Option<InterventionIn>,
    pub follow_up: Option<FollowUpIn>,
    /// A client-chosen key: sending the same key twice records once.
    pub submission_key: Option<String>,
}

impl HelpRequestIn {
    fn request(&self) -> RequestInput {
        RequestInput {
            procedure: Text::of(&self.procedure),
            category: Text::of(&self.category),
            operator: Text::of(&self.operator),
            channel: Text::of(&self.channel),
            rights_at_risk: Flag::of(self.rights_at_risk),
            deadline: Text::of(&self.deadline),
            status: Text::of(&self.status),
            outcome: Text::of(&self.outcome),
            block_reason: Text::of(&self.block_reason),
        }
    }
}

async fn request_json(
    state: &AppState,
    actor: &relais_service::Actor,
    id: HelpRequestId,
) -> ApiResult<HelpRequestOut> {
    let f = state.services.help_request(actor, id).await?;
    let mut out = request_out(&f.request.request);
    out.interventions = Some(
        f.interventions
            .iter()
            .map(|i| intervention_out(&i.intervention))
            .collect(),
    );
    out.follow_ups = Some(
        f.follow_ups
            .iter()
            .map(|x| follow_up_out(&x.follow_up))
            .collect(),
    );
    Ok(out)
}

/// Records a help request.
#[utoipa::path(post, path = "/api/v1/help-requests", tag = "desk", security(("bearer" = [])),
    request_body = HelpRequestIn,
    responses((status = 201, body = HelpRequestOut), (status = 200, description = "Already recorded with this submission_key", body = HelpRequestOut),
        (status = 409, description = "Refused by the intervention policy: `policy_refused` with a `reason`", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn create_help_request(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    ApiJson(body): ApiJson<HelpRequestIn>,
) -> ApiResult<Response> {
    let person = match (&body.person_id, &body.anonymous) {
        (Some(id), _) => PersonChoice::Existing(id.to_string()),
        (None, Some(a)) => PersonChoice::Anonymous {
            age_bracket: Text::of(&a.age_bracket),
            postcode: Text::of(&a.postcode),
            commune: Text::of(&a.commune),
        },
        (None, None) => PersonChoice::Existing(String::new()),
    };
    let input = IntakeInput {
        person,
        request: body.request(),
        intervention: body.intervention.as_ref().map(InterventionIn::input),
        follow_up: body.follow_up.as_ref().map(FollowUpIn::input),
        submission_key: body.submission_key.clone().unwrap_or_default(),
    };
    let r = state.services.record_intake(&actor, &input).await?;
    let out = request_json(&state, &actor, r.id).await?;
    let status = if r.repeated {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(out)).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HelpRequestQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub operator: String,
    /// Requests created or worked on by this agent.
    #[serde(default)]
    pub agent_id: String,
    /// `yyyy-mm-dd`, inclusive.
    #[serde(default)]
    pub from: String,
    /// `yyyy-mm-dd`, inclusive.
    #[serde(default)]
    pub to: String,
    /// `yes` or `no`: rights at risk.
    #[serde(default)]
    pub urgent: String,
    /// `true`: the token's agent's requests.
    #[serde(default)]
    pub mine: String,
    /// The `next` value of the previous page.
    #[serde(default)]
    pub cursor: String,
    /// 1 to 200, default 50.
    #[serde(default)]
    pub limit: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HelpRequestList {
    pub items: Vec<HelpRequestOut>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next: Option<String>,
}

/// Lists the structure's help requests, newest first.
#[utoipa::path(get, path = "/api/v1/help-requests", tag = "desk", security(("bearer" = [])),
    params(HelpRequestQuery),
    responses((status = 200, body = HelpRequestList), (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list_help_requests(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    ApiQuery(q): ApiQuery<HelpRequestQuery>,
) -> ApiResult<Json<HelpRequestList>> {
    let offset: i64 = if q.cursor.is_empty() {
        0
    } else {
        // A cursor is a position: a negative one is not one.
        q.cursor
            .parse()
            .ok()
            .filter(|n: &i64| *n >= 0)
            .ok_or_else(|| {
                ApiError(ServiceError::Invalid(vec![FieldError::new(
                    "cursor",
                    "invalid_choice",
                )]))
            })?
    };
    let invalid = |field: &'static str| {
        ApiError(ServiceError::Invalid(vec![FieldError::new(
            field,
            "invalid_choice",
        )]))
    };
    let limit: i64 = match q.limit.trim() {
        "" => 50,
        l => l
            .parse()
            .ok()
            .filter(|n| (1..=200).contains(n))
            .ok_or_else(|| invalid("limit"))?,
    };
    let mine = crate::ui::flag(&q.mine).ok_or_else(|| invalid("mine"))?;
    let input = ListInput {
        status: q.status,
        category: q.category,
        operator: q.operator,
        agent_id: q.agent_id,
        from: q.from,
        to: q.to,
        urgent: q.urgent,
        mine,
        open_only: false,
    };
    let (rows, more) = state
        .services
        .list_help_requests(&actor, &input, limit, offset)
        .await?;
    let n = rows.len() as i64;
    Ok(Json(HelpRequestList {
        items: rows.iter().map(|r| request_out(&r.request)).collect(),
        next: more.then(|| (offset + n).to_string()),
    }))
}

/// Reads a help request with its interventions and follow-ups.
#[utoipa::path(get, path = "/api/v1/help-requests/{id}", tag = "desk", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = HelpRequestOut), (status = 404, body = ErrorBody)))]
pub async fn get_help_request(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    Id(id): Id<HelpRequestId>,
) -> ApiResult<Json<HelpRequestOut>> {
    Ok(Json(request_json(&state, &actor, id).await?))
}

/// The fields of a help request a `PATCH` may change: an absent field
/// keeps its value, `null` clears it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HelpRequestPatch {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub procedure: Option<Text>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub category: Option<Text>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub operator: Option<Text>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub channel: Option<Text>,
    #[schema(value_type = Option<bool>)]
    pub rights_at_risk: Option<Flag>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub deadline: Option<Text>,
    /// A new status brings its own outcome unless one is sent.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub status: Option<Text>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub outcome: Option<Text>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub block_reason: Option<Text>,
}

/// Changes a help request: only the fields sent are changed. `outcome`
/// and `block_reason` follow the status rules.
#[utoipa::path(patch, path = "/api/v1/help-requests/{id}", tag = "desk", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = HelpRequestPatch,
    responses((status = 200, body = HelpRequestOut), (status = 404, body = ErrorBody), (status = 409, description = "Changed by someone else meanwhile (`conflict`, problem `changed_meanwhile`): read it again and retry", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch_help_request(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    Id(id): Id<HelpRequestId>,
    ApiJson(body): ApiJson<HelpRequestPatch>,
) -> ApiResult<Json<HelpRequestOut>> {
    // Applied by the use case to the request as it reads it (again if it
    // changed meanwhile), so that concurrent patches of other fields stay.
    let change = |input: &mut RequestInput| {
        let set = |field: &mut String, v: &Option<Text>| {
            if let Some(v) = v {
                *field = v.0.clone();
            }
        };
        set(&mut input.procedure, &body.procedure);
        set(&mut input.category, &body.category);
        set(&mut input.operator, &body.operator);
        set(&mut input.channel, &body.channel);
        set(&mut input.deadline, &body.deadline);
        if body.status.is_some() {
            // A new status brings its own outcome unless one is sent.
            input.outcome.clear();
            input.block_reason.clear();
        }
        set(&mut input.status, &body.status);
        set(&mut input.outcome, &body.outcome);
        set(&mut input.block_reason, &body.block_reason);
        if let Some(v) = &body.rights_at_risk {
            input.rights_at_risk = v.0;
        }
    };
    state
        .services
        .update_help_request(&actor, id, change)
        .await?;
    Ok(Json(request_json(&state, &actor, id).await?))
}

/// Records an intervention on a help request.
#[utoipa::path(post, path = "/api/v1/help-requests/{id}/interventions", tag = "desk", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = InterventionIn,
    responses((status = 201, body = InterventionOut),
        (status = 409, description = "Refused by the intervention policy: `policy_refused` with a `reason`", body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_intervention(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    Id(id): Id<HelpRequestId>,
    ApiJson(body): ApiJson<InterventionIn>,
) -> ApiResult<Response> {
    let status = RequestInput {
        status: Text::of(&body.status),
        outcome: Text::of(&body.outcome),
        block_reason: Text::of(&body.block_reason),
        ..RequestInput::default()
    };
    let iid = state
        .services
        .add_intervention(&actor, id, &body.input(), &status)
        .await?;
    let f = state.services.help_request(&actor, id).await?;
    let i = f
        .interventions
        .iter()
        .find(|i| i.intervention.id == iid)
        .ok_or(ApiError(ServiceError::NotFound))?;
    Ok((StatusCode::CREATED, Json(intervention_out(&i.intervention))).into_response())
}

/// Creates a follow-up about a help request or a person.
#[utoipa::path(post, path = "/api/v1/follow-ups", tag = "desk", security(("bearer" = [])),
    request_body = FollowUpIn,
    responses((status = 201, body = FollowUpOut), (status = 422, body = ErrorBody)))]
pub async fn create_follow_up(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    ApiJson(body): ApiJson<FollowUpIn>,
) -> ApiResult<Response> {
    let id = state
        .services
        .create_follow_up(
            &actor,
            body.help_request_id.map(HelpRequestId),
            body.person_id.map(PersonId),
            &body.input(),
        )
        .await?;
    let f = state.services.follow_up(&actor, id).await?;
    Ok((StatusCode::CREATED, Json(follow_up_out(&f.follow_up))).into_response())
}

/// Marks a follow-up done, or moves it.
#[utoipa::path(patch, path = "/api/v1/follow-ups/{id}", tag = "desk", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = FollowUpIn,
    responses((status = 200, body = FollowUpOut), (status = 404, body = ErrorBody), (status = 409, description = "Changed by someone else meanwhile (`conflict`, problem `changed_meanwhile`): read it again and retry", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch_follow_up(
    State(state): State<AppState>,
    ApiActor(actor, _): ApiActor,
    Id(id): Id<FollowUpId>,
    ApiJson(body): ApiJson<FollowUpIn>,
) -> ApiResult<Json<FollowUpOut>> {
    state
        .services
        .update_follow_up(&actor, id, body.done, &body.input())
        .await?;
    let f = state.services.follow_up(&actor, id).await?;
    Ok(Json(follow_up_out(&f.follow_up)))
}
