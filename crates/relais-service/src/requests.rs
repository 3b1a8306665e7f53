//! Digital help requests, interventions and follow-ups, and the one-screen
//! intake that records them together.

use crate::error::{changed_meanwhile, Checks, ServiceError, TRIES};
use crate::follow_ups::new_follow_up;
use crate::mandates::{facts_of, Judging};
use crate::persons::{not_found, PersonHit, PersonInput};
use crate::views::{read_all, FollowUpItem, HelpRequestItem, InterventionItem};
use crate::{Actor, Permission, Services};
use chrono::{DateTime, NaiveDate, Utc};
use relais_domain::desk::{
    check_follow_up_day, closure, optional_long_text, optional_text, parse_date, parse_duration,
};
use relais_domain::journal::JournalEvent;
use relais_domain::mandate::{Policy, Refusal, Refused, Verdict};
use relais_domain::validation::bounded_text;
use relais_domain::{
    AgeBracket, AgentId, BlockReason, Channel, FieldError, HelpRequestId, InterventionId,
    InterventionPlace, Mode, Outcome, PersonId, ProcedureCategory, RequestStatus,
};
use relais_store::{
    AutonomyRow, Coverage, Covered, HelpRequestRow, IntakeRows, InterventionRow, RequestBefore,
    RequestFilter, StoreError,
};
use serde_json::json;
use uuid::Uuid;

/// The request part of a form or API body, as typed.
#[derive(Debug, Clone, Default)]
pub struct RequestInput {
    pub procedure: String,
    pub category: String,
    pub operator: String,
    pub channel: String,
    pub rights_at_risk: bool,
    pub deadline: String,
    pub status: String,
    pub outcome: String,
    pub block_reason: String,
}

impl RequestInput {
    /// The current values of a request, to change some of them.
    pub(crate) fn from_row(r: &HelpRequestRow) -> Self {
        Self {
            procedure: r.procedure.clone(),
            category: r.category.clone(),
            operator: r.operator.clone().unwrap_or_default(),
            channel: r.channel.clone(),
            rights_at_risk: r.rights_at_risk,
            deadline: r.deadline.map(|d| d.to_string()).unwrap_or_default(),
            status: r.status.clone(),
            outcome: r.outcome.clone().unwrap_or_default(),
            block_reason: r.block_reason.clone().unwrap_or_default(),
        }
    }
}

/// One sitting of work, as typed.
#[derive(Debug, Clone, Default)]
pub struct InterventionInput {
    pub mode: String,
    pub duration_minutes: String,
    pub place: String,
    pub summary: String,
    pub next_step: String,
    /// `yyyy-mm-ddThh:mm` (local Paris time); empty means now.
    pub occurred_at: String,
    /// For `done_for`: the mandate relied on; empty lets relais pick the
    /// person's active mandate covering the category.
    pub mandate_id: String,
    /// Confirms that text flagged by the credential guard is not a secret.
    pub confirm_secret: bool,
}

impl InterventionInput {
    /// The free-text fields the credential guard reads.
    pub(crate) fn texts(&self) -> [(&'static str, &str); 2] {
        [("summary", &self.summary), ("next_step", &self.next_step)]
    }
}

#[derive(Debug, Clone, Default)]
pub struct FollowUpInput {
    pub due_date: String,
    pub reason: String,
    /// Agent id; empty means the actor.
    pub assignee_id: String,
    /// Confirms that text flagged by the credential guard is not a secret.
    pub confirm_secret: bool,
}

/// Who the request is for.
#[derive(Debug, Clone)]
pub enum PersonChoice {
    Existing(String),
    New {
        person: Box<PersonInput>,
        confirm_new: bool,
    },
    Anonymous {
        age_bracket: String,
        postcode: String,
        commune: String,
    },
}

#[derive(Debug, Clone)]
pub struct IntakeInput {
    pub person: PersonChoice,
    pub request: RequestInput,
    /// `None` when only the request is recorded (API).
    pub intervention: Option<InterventionInput>,
    pub follow_up: Option<FollowUpInput>,
    /// A token of the form, so that a double submission records once.
    pub submission_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeResult {
    pub id: HelpRequestId,
    pub reference: String,
    pub person_id: Option<PersonId>,
    /// True when this submission had already been recorded.
    pub repeated: bool,
    /// Set when the policy only recommends a mandate that was missing.
    pub warning: Option<relais_domain::mandate::Refusal>,
}

/// A request with everything shown on its page.
#[derive(Debug, Clone)]
pub struct RequestFile {
    pub request: HelpRequestItem,
    pub interventions: Vec<InterventionItem>,
    pub follow_ups: Vec<FollowUpItem>,
    /// The mandates its interventions relied on ("faire pour").
    pub mandates: Vec<crate::MandateView>,
}

/// Filters as typed in the list page or the API query.
#[derive(Debug, Clone, Default)]
pub struct ListInput {
    pub status: String,
    pub category: String,
    pub operator: String,
    pub agent_id: String,
    pub from: String,
    pub to: String,
    pub urgent: String,
    pub mine: bool,
    pub open_only: bool,
}

struct ValidRequest {
    procedure: String,
    category: ProcedureCategory,
    operator: Option<String>,
    channel: Channel,
    rights_at_risk: bool,
    deadline: Option<NaiveDate>,
    status: RequestStatus,
    outcome: Option<Outcome>,
    block_reason: Option<BlockReason>,
}

impl Services {
    /// A procedure picked from the structure's catalogue brings its
    /// category and operator when the worker left them empty.
    pub(crate) async fn complete_from_catalogue(
        &self,
        actor: &Actor,
        r: &RequestInput,
    ) -> Result<RequestInput, ServiceError> {
        let mut r = r.clone();
        if let Some((p, _)) = self
            .pick_structure_procedure(actor, &r.procedure, None, None)
            .await?
        {
            if r.category.trim().is_empty() {
                r.category = p.category.clone();
            }
            if r.operator.trim().is_empty() {
                r.operator = match self.catalog().operator(&p.operator) {
                    Some(o) => o.name.clone(),
                    None => p.operator.clone(),
                };
            }
        }
        Ok(r)
    }
}

fn validate_request(c: &mut Checks, r: &RequestInput) -> Option<ValidRequest> {
    let procedure = c.take(bounded_text("procedure", &r.procedure, 2, 200));
    let category = c.take(ProcedureCategory::parse(&r.category));
    let operator = c.take(optional_text("operator", &r.operator, 120));
    let channel = c.take(Channel::parse(if r.channel.trim().is_empty() {
        "walk_in"
    } else {
        &r.channel
    }));
    let deadline = c.take(parse_date("deadline", &r.deadline));
    let status = c.take(if r.status.trim().is_empty() {
        Ok(RequestStatus::Open)
    } else {
        RequestStatus::parse(&r.status)
    });
    let outcome = if r.outcome.trim().is_empty() {
        Some(None)
    } else {
        c.take(Outcome::parse(&r.outcome).map(Some))
    };
    let block_reason = if r.block_reason.trim().is_empty() {
        Some(None)
    } else {
        c.take(BlockReason::parse(&r.block_reason).map(Some))
    };
    let (status, outcome, block_reason) = (status?, outcome?, block_reason?);
    let (outcome, block_reason) = c.take(closure(status, outcome, block_reason))?;
    Some(ValidRequest {
        procedure: procedure?,
        category: category?,
        operator: operator?,
        channel: channel?,
        rights_at_risk: r.rights_at_risk,
        deadline: deadline?,
        status,
        outcome,
        block_reason,
    })
}

struct ValidIntervention {
    mode: Mode,
    duration: i64,
    place: InterventionPlace,
    summary: Option<String>,
    next_step: Option<String>,
    occurred_at: Option<DateTime<Utc>>,
}

/// Checks an intervention as typed; `occurred_at` may be dated back as far
/// as the policy allows (`max_backdating_days`), not into the future.
fn validate_intervention(
    c: &mut Checks,
    i: &InterventionInput,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Option<ValidIntervention> {
    let mode = c.take(Mode::parse(&i.mode));
    let duration = c.take(parse_duration(&i.duration_minutes));
    let place = c.take(InterventionPlace::parse(if i.place.trim().is_empty() {
        "on_site"
    } else {
        &i.place
    }));
    let summary = c.take(optional_long_text("summary", &i.summary, 2000));
    let next_step = c.take(optional_text("next_step", &i.next_step, 300));
    crate::persons::guard(c, &i.texts(), i.confirm_secret);
    let occurred_at = if i.occurred_at.trim().is_empty() {
        Some(None)
    } else {
        c.take(parse_local_datetime(&i.occurred_at).and_then(|t| {
            if t > now + chrono::Duration::minutes(5) {
                return Err(FieldError::new("occurred_at", "date_in_future"));
            }
            policy.check_occurred_on(paris_day(t), paris_day(now))?;
            Ok(Some(t))
        }))
    };
    Some(ValidIntervention {
        mode: mode?,
        duration: duration?,
        place: place?,
        summary: summary?,
        next_step: next_step?,
        occurred_at: occurred_at?,
    })
}

use relais_domain::period::paris_day;

/// The journal entries that go with an intervention's coverage: the use of
/// the mandate relied on, or the warning that one was missing.
fn coverage_events(
    actor: &Actor,
    intervention: Uuid,
    request: Uuid,
    mandate: Option<Uuid>,
    warning: Option<Refusal>,
) -> Vec<JournalEvent> {
    let ev = |action: &'static str, kind: &'static str, id: Uuid| {
        JournalEvent::new(action)
            .actor(actor.agent_id)
            .structure(actor.structure_id)
            .object(kind, id)
    };
    let mut events = Vec::new();
    if let Some(m) = mandate {
        events.push(
            ev("mandate.use", "mandate", m)
                .details(json!({"intervention": intervention.to_string()})),
        );
    }
    if let Some(r) = warning {
        events.push(
            ev("mandate.missing_warned", "help_request", request)
                .details(json!({"reason": r.as_str()})),
        );
    }
    events
}

/// `yyyy-mm-ddThh:mm` in Paris time (or RFC 3339) to UTC.
fn parse_local_datetime(s: &str) -> Result<DateTime<Utc>, FieldError> {
    use chrono::TimeZone;
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| FieldError::new("occurred_at", "invalid_date"))?;
    chrono_tz::Europe::Paris
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| FieldError::new("occurred_at", "invalid_date"))
}

impl Services {
    pub(crate) async fn check_assignee(
        &self,
        actor: &Actor,
        c: &mut Checks,
        raw: &str,
    ) -> Option<Uuid> {
        if raw.trim().is_empty() {
            return Some(actor.agent_id.0);
        }
        let Some(id) = AgentId::parse(raw) else {
            c.push(FieldError::new("assignee_id", "invalid_choice"));
            return None;
        };
        match self.store.team_of(actor.structure_id).await {
            Ok(team) if team.iter().any(|m| m.agent_id == id.0 && m.active) => Some(id.0),
            _ => {
                c.push(FieldError::new("assignee_id", "invalid_choice"));
                None
            }
        }
    }

    pub(crate) fn validate_follow_up(
        &self,
        c: &mut Checks,
        f: &FollowUpInput,
    ) -> Option<(NaiveDate, String)> {
        let due = match parse_date("due_date", &f.due_date).and_then(|d| {
            d.map(|d| check_follow_up_day("due_date", d, self.today()))
                .transpose()
        }) {
            Ok(Some(d)) => Some(d),
            Ok(None) => {
                c.push(FieldError::new("due_date", "required"));
                None
            }
            Err(e) => {
                c.push(e);
                None
            }
        };
        let reason = c.take(bounded_text("reason", &f.reason, 2, 300));
        crate::persons::guard(c, &[("reason", &f.reason)], f.confirm_secret);
        Some((due?, reason?))
    }

    /// The person of an intake: an existing one, a new one (with their
    /// first autonomy assessment) or an anonymous one described in brief.
    /// Invalid fields go to `c`.
    async fn intake_person(
        &self,
        actor: &Actor,
        c: &mut Checks,
        person: &PersonChoice,
        now: DateTime<Utc>,
    ) -> Result<IntakePerson, ServiceError> {
        let mut new_person = None;
        let mut autonomy = None;
        let mut person_id = None;
        let (mut anon_age, mut anon_postcode, mut anon_commune) = (None, None, None);
        match person {
            PersonChoice::Existing(raw) => match PersonId::parse(raw) {
                Some(id) => {
                    person_id = Some(
                        self.person_row(actor, id)
                            .await
                            .map_err(|e| match e {
                                ServiceError::NotFound => {
                                    ServiceError::Invalid(vec![FieldError::new(
                                        "person_id",
                                        "unknown_person",
                                    )])
                                }
                                other => other,
                            })?
                            .id,
                    )
                }
                None => c.push(FieldError::new("person_id", "required")),
            },
            PersonChoice::New { person, .. } => match self.validate_new_person(actor, person).await
            {
                Ok(v) => {
                    let id = Uuid::now_v7();
                    autonomy = v.autonomy.map(|level| AutonomyRow {
                        id: Uuid::now_v7(),
                        person_id: id,
                        level: level.as_str().to_owned(),
                        assessed_on: self.today(),
                        agent_id: Some(actor.agent_id.0),
                        created_at: now,
                    });
                    new_person = Some((v, id));
                    person_id = Some(id);
                }
                Err(ServiceError::Invalid(errs)) => errs.into_iter().for_each(|e| c.push(e)),
                Err(e) => return Err(e),
            },
            PersonChoice::Anonymous {
                age_bracket,
                postcode,
                commune,
            } => {
                anon_age = c.take(AgeBracket::parse(if age_bracket.trim().is_empty() {
                    "unknown"
                } else {
                    age_bracket
                }));
                anon_postcode = c
                    .take(relais_domain::Postcode::parse("postcode", postcode))
                    .flatten()
                    .map(relais_domain::Postcode::into_string);
                anon_commune = c.take(optional_text("commune", commune, 100)).flatten();
            }
        }
        Ok(IntakePerson {
            new_person,
            autonomy,
            person_id,
            anon_age,
            anon_postcode,
            anon_commune,
        })
    }

    /// The rows of a valid intake: the new person, the request, its
    /// first intervention and its follow-up.
    #[allow(clippy::too_many_arguments)]
    fn intake_rows(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        key: Option<String>,
        person: IntakePerson,
        request: ValidRequest,
        intervention: Option<Option<ValidIntervention>>,
        follow_up: Option<Option<((NaiveDate, String), Uuid)>>,
    ) -> IntakeRows {
        let sid = actor.structure_id.0;
        let new_person = person
            .new_person
            .map(|(v, id)| v.into_row(id, sid, Some(actor.agent_id.0), now));
        let request_id = Uuid::now_v7();
        let closed_at = request.status.is_closed().then_some(now);
        let request_row = HelpRequestRow {
            id: request_id,
            structure_id: sid,
            reference: String::new(),
            person_id: person.person_id,
            anon_age_bracket: person.anon_age.map(|a| a.as_str().to_owned()),
            anon_postcode: person.anon_postcode,
            anon_commune: person.anon_commune,
            procedure: request.procedure,
            category: request.category.as_str().to_owned(),
            operator: request.operator,
            channel: request.channel.as_str().to_owned(),
            rights_at_risk: request.rights_at_risk,
            deadline: request.deadline,
            status: request.status.as_str().to_owned(),
            outcome: request.outcome.map(|o| o.as_str().to_owned()),
            block_reason: request.block_reason.map(|b| b.as_str().to_owned()),
            submission_key: key,
            created_by: Some(actor.agent_id.0),
            created_at: now,
            updated_at: now,
            closed_at,
        };
        let intervention_row = intervention.flatten().map(|i| InterventionRow {
            id: Uuid::now_v7(),
            structure_id: sid,
            help_request_id: request_id,
            agent_id: Some(actor.agent_id.0),
            occurred_at: i.occurred_at.unwrap_or(now),
            duration_minutes: i.duration,
            mode: i.mode.as_str().to_owned(),
            place: i.place.as_str().to_owned(),
            summary: i.summary,
            next_step: i.next_step,
            mandate_id: None,
            created_at: now,
        });
        let follow_up_row = follow_up.flatten().map(|((due, reason), assignee)| {
            new_follow_up(
                actor,
                Some(request_id),
                person.person_id,
                assignee,
                due,
                reason,
                now,
            )
        });
        IntakeRows {
            reference_year: chrono::Datelike::year(&self.today()),
            new_person,
            autonomy: person.autonomy,
            request: request_row,
            intervention: intervention_row,
            follow_up: follow_up_row,
        }
    }

    /// Refuses a new person who looks like persons already recorded, so
    /// that they are shown first.
    async fn refuse_similar(
        &self,
        actor: &Actor,
        v: &crate::persons::ValidPerson,
    ) -> Result<(), ServiceError> {
        let similar: Vec<PersonHit> = self
            .similar_persons(
                actor,
                &v.first_name,
                &v.last_name,
                v.birth_year,
                v.phone.as_ref().map(relais_domain::Phone::as_str),
            )
            .await?;
        if !similar.is_empty() {
            return Err(ServiceError::SimilarPersons(similar));
        }
        Ok(())
    }

    /// The one-screen intake: the person (existing, new or anonymous), the
    /// request, its first intervention and an optional follow-up, written
    /// in one transaction. A repeated submission of the same form returns
    /// the request recorded the first time.
    pub async fn record_intake(
        &self,
        actor: &Actor,
        input: &IntakeInput,
    ) -> Result<IntakeResult, ServiceError> {
        actor.require(Permission::RecordRequest)?;
        let now = self.now();
        let sid = actor.structure_id;
        // Checked first: the key is looked up before anything else.
        let key = optional_text("submission_key", &input.submission_key, 100)?;
        if let Some(k) = &key {
            if let Some(r) = self.store.request_by_submission_key(sid, k).await? {
                return Ok(repeated_intake(r));
            }
        }
        let mut c = Checks::default();
        let person = self
            .intake_person(actor, &mut c, &input.person, now)
            .await?;
        let completed = self.complete_from_catalogue(actor, &input.request).await?;
        let request = validate_request(&mut c, &completed);
        let policy = self.policy(actor).await?;
        let intervention = input
            .intervention
            .as_ref()
            .map(|i| validate_intervention(&mut c, i, now, &policy));
        let follow_up = match &input.follow_up {
            Some(f) => {
                let v = self.validate_follow_up(&mut c, f);
                let assignee = self.check_assignee(actor, &mut c, &f.assignee_id).await;
                Some(v.zip(assignee))
            }
            None => None,
        };
        c.finish()?;
        let Some(request) = request else {
            return Err(ServiceError::Internal("unreachable".into()));
        };
        // Similar persons are shown before a new one is created.
        if let PersonChoice::New {
            confirm_new: false, ..
        } = &input.person
        {
            if let Some((v, _)) = &person.new_person {
                self.refuse_similar(actor, v).await?;
            }
        }
        // The policy decides on the first intervention, inside the
        // transaction that writes it (below).
        let judging = match &intervention {
            Some(Some(i)) => Some(Judging {
                policy,
                role: actor.role,
                mode: i.mode,
                day: paris_day(i.occurred_at.unwrap_or(now)),
                wanted: input
                    .intervention
                    .as_ref()
                    .and_then(|x| Uuid::parse_str(x.mandate_id.trim()).ok()),
                anonymous: matches!(input.person, PersonChoice::Anonymous { .. }),
            }),
            _ => None,
        };
        let category = request.category;
        let rows = self.intake_rows(actor, now, key, person, request, intervention, follow_up);
        let request_id = rows.request.id;
        let person_id = rows.request.person_id;
        let events = intake_events(actor, input, &rows);
        let intervention_id = rows.intervention.as_ref().map(|i| i.id);
        let mut warning = None;
        let check = |c: &Coverage| -> Result<Covered, ServiceError> {
            let (Some(judging), Some(iid)) = (&judging, intervention_id) else {
                return Ok((None, Vec::new()));
            };
            let (mandate, warned) = judging.decide(category, &c.mandates)?;
            warning = warned;
            Ok((
                mandate,
                coverage_events(actor, iid, request_id, mandate, warned),
            ))
        };
        let written = self.store.record_intake(&rows, &events, now, check).await;
        match written {
            Ok(Err(refused)) => Err(refused),
            Ok(Ok(reference)) => Ok(IntakeResult {
                id: HelpRequestId(request_id),
                reference,
                person_id: person_id.map(PersonId),
                repeated: false,
                warning,
            }),
            // Two submissions raced: the other one recorded it.
            Err(StoreError::Conflict(_)) if rows.request.submission_key.is_some() => {
                let k = rows.request.submission_key.clone().unwrap_or_default();
                let r = self
                    .store
                    .request_by_submission_key(sid, &k)
                    .await?
                    .ok_or(ServiceError::Internal("conflict without a request".into()))?;
                Ok(repeated_intake(r))
            }
            // The person was erased or merged meanwhile: nothing written.
            Err(StoreError::NotFound) => Err(unknown_person()),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn help_request(
        &self,
        actor: &Actor,
        id: HelpRequestId,
    ) -> Result<RequestFile, ServiceError> {
        actor.require(Permission::RecordRequest)?;
        let sid = actor.structure_id;
        let request = HelpRequestItem::try_from(
            self.store
                .help_request_by_id(sid, id)
                .await?
                .ok_or(ServiceError::NotFound)?,
        )?;
        let interventions: Vec<InterventionItem> =
            read_all(self.store.interventions_of_request(sid, id).await?)?;
        let follow_ups = self
            .store
            .follow_ups_of_request(sid, id)
            .await?
            .into_iter()
            .map(FollowUpItem::from)
            .collect();
        let relied_on: Vec<relais_domain::MandateId> = interventions
            .iter()
            .filter_map(|i| i.intervention.mandate_id)
            .collect();
        let mandates = match (relied_on.is_empty(), request.request.person_id) {
            (false, Some(person)) => self
                .list_mandates(actor, Some(person), None)
                .await?
                .into_iter()
                .filter(|m| relied_on.contains(&m.id))
                .collect(),
            _ => Vec::new(),
        };
        Ok(RequestFile {
            request,
            interventions,
            follow_ups,
            mandates,
        })
    }

    /// Lists the structure's requests, newest first. Returns the page and
    /// whether there are more.
    pub async fn list_help_requests(
        &self,
        actor: &Actor,
        input: &ListInput,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<HelpRequestItem>, bool), ServiceError> {
        actor.require(Permission::RecordRequest)?;
        let mut c = Checks::default();
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        let status = opt(&input.status).and_then(|s| {
            c.take(RequestStatus::parse(&s))
                .map(|v| v.as_str().to_owned())
        });
        let category = opt(&input.category).and_then(|s| {
            c.take(ProcedureCategory::parse(&s))
                .map(|v| v.as_str().to_owned())
        });
        let agent_id = if input.mine {
            Some(actor.agent_id.0)
        } else {
            opt(&input.agent_id).and_then(|s| match AgentId::parse(&s) {
                Some(a) => Some(a.0),
                None => {
                    c.push(FieldError::new("agent_id", "invalid_choice"));
                    None
                }
            })
        };
        let day_start = |d: NaiveDate| -> Option<DateTime<Utc>> {
            use chrono::TimeZone;
            chrono_tz::Europe::Paris
                .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
        };
        let from = c
            .take(parse_date("from", &input.from))
            .flatten()
            .and_then(day_start);
        let to = c
            .take(parse_date("to", &input.to))
            .flatten()
            .and_then(|d| d.succ_opt())
            .and_then(day_start);
        let rights_at_risk = match input.urgent.trim() {
            "" => None,
            "yes" | "true" | "1" | "on" => Some(true),
            "no" | "false" | "0" => Some(false),
            _ => {
                c.push(FieldError::new("urgent", "invalid_choice"));
                None
            }
        };
        c.finish()?;
        let filter = RequestFilter {
            status,
            open_only: input.open_only,
            category,
            operator: opt(&input.operator),
            agent_id,
            from,
            to,
            rights_at_risk,
            person_id: None,
            deadline_between: None,
        };
        let limit = limit.clamp(1, 200);
        let mut rows = self
            .store
            .list_help_requests(actor.structure_id, &filter, limit + 1, offset.max(0))
            .await?;
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        Ok((read_all(rows)?, more))
    }

    /// Changes a request's details, status and outcome: `change` edits
    /// the current values. A change that
    /// changes nothing writes and journals nothing. It is written only if
    /// the request is still as read, else it is read and `change` applied
    /// again ([`TRIES`] times), so that concurrent changes of different
    /// fields are all kept.
    pub async fn update_help_request<F>(
        &self,
        actor: &Actor,
        id: HelpRequestId,
        change: F,
    ) -> Result<(), ServiceError>
    where
        F: Fn(&mut RequestInput),
    {
        actor.require(Permission::RecordRequest)?;
        let now = self.now();
        let policy = self.policy(actor).await?;
        for _ in 0..TRIES {
            let current = self
                .store
                .help_request_by_id(actor.structure_id, id)
                .await?
                .ok_or(ServiceError::NotFound)?
                .request;
            let mut merged = RequestInput::from_row(&current);
            change(&mut merged);
            let mut c = Checks::default();
            let v = validate_request(&mut c, &merged);
            c.finish()?;
            let Some(v) = v else {
                return Err(ServiceError::Internal("unreachable".into()));
            };
            let was_closed = RequestStatus::parse(&current.status)
                .map(|s| s.is_closed())
                .unwrap_or(false);
            let row = HelpRequestRow {
                procedure: v.procedure,
                category: v.category.as_str().to_owned(),
                operator: v.operator,
                channel: v.channel.as_str().to_owned(),
                rights_at_risk: v.rights_at_risk,
                deadline: v.deadline,
                status: v.status.as_str().to_owned(),
                outcome: v.outcome.map(|o| o.as_str().to_owned()),
                block_reason: v.block_reason.map(|b| b.as_str().to_owned()),
                updated_at: current.updated_at,
                closed_at: match (v.status.is_closed(), was_closed) {
                    (true, true) => current.closed_at,
                    (true, false) => Some(now),
                    (false, _) => None,
                },
                ..current.clone()
            };
            if row == current {
                return Ok(());
            }
            let row = HelpRequestRow {
                updated_at: now,
                ..row
            };
            let category = v.category;
            let check = |before: &RequestBefore| rejudge(&policy, category, before);
            let events = [JournalEvent::new("help_request.update")
                .actor(actor.agent_id)
                .structure(actor.structure_id)
                .object("help_request", row.id)
                .details(json!({"status": row.status, "outcome": row.outcome}))];
            if self
                .store
                .update_help_request(&current, &row, &events, now, check)
                .await
                .map_err(not_found)??
            {
                return Ok(());
            }
        }
        Err(changed_meanwhile())
    }

    /// Records one more sitting of work on a request; the request may
    /// change status at the same time (`status` empty keeps it).
    pub async fn add_intervention(
        &self,
        actor: &Actor,
        id: HelpRequestId,
        input: &InterventionInput,
        status: &RequestInput,
    ) -> Result<InterventionId, ServiceError> {
        actor.require(Permission::RecordRequest)?;
        let now = self.now();
        let current = self
            .store
            .help_request_by_id(actor.structure_id, id)
            .await?
            .ok_or(ServiceError::NotFound)?
            .request;
        let policy = self.policy(actor).await?;
        let mut c = Checks::default();
        let i = validate_intervention(&mut c, input, now, &policy);
        let mut new_request = None;
        if !status.status.trim().is_empty() {
            let st = c.take(RequestStatus::parse(&status.status));
            let outcome = if status.outcome.trim().is_empty() {
                Some(None)
            } else {
                c.take(Outcome::parse(&status.outcome).map(Some))
            };
            let reason = if status.block_reason.trim().is_empty() {
                Some(None)
            } else {
                c.take(BlockReason::parse(&status.block_reason).map(Some))
            };
            if let (Some(st), Some(o), Some(r)) = (st, outcome, reason) {
                if let Some((o, r)) = c.take(closure(st, o, r)) {
                    let was_closed = RequestStatus::parse(&current.status)
                        .map(|s| s.is_closed())
                        .unwrap_or(false);
                    new_request = Some(HelpRequestRow {
                        status: st.as_str().to_owned(),
                        outcome: o.map(|o| o.as_str().to_owned()),
                        block_reason: r.map(|r| r.as_str().to_owned()),
                        updated_at: now,
                        closed_at: match (st.is_closed(), was_closed) {
                            (true, true) => current.closed_at,
                            (true, false) => Some(now),
                            (false, _) => None,
                        },
                        ..current.clone()
                    });
                }
            }
        }
        c.finish()?;
        let Some(i) = i else {
            return Err(ServiceError::Internal("unreachable".into()));
        };
        let judging = Judging {
            policy,
            role: actor.role,
            mode: i.mode,
            day: paris_day(i.occurred_at.unwrap_or(now)),
            wanted: Uuid::parse_str(input.mandate_id.trim()).ok(),
            anonymous: current.person_id.is_none(),
        };
        let row = InterventionRow {
            id: Uuid::now_v7(),
            structure_id: actor.structure_id.0,
            help_request_id: current.id,
            agent_id: Some(actor.agent_id.0),
            occurred_at: i.occurred_at.unwrap_or(now),
            duration_minutes: i.duration,
            mode: i.mode.as_str().to_owned(),
            place: i.place.as_str().to_owned(),
            summary: i.summary,
            next_step: i.next_step,
            mandate_id: None,
            created_at: now,
        };
        let mut events = vec![JournalEvent::new("intervention.create")
            .actor(actor.agent_id)
            .structure(actor.structure_id)
            .object("intervention", row.id)
            .details(json!({"mode": row.mode, "minutes": row.duration_minutes}))];
        events.extend(crate::persons::secret_confirmations(
            actor,
            "intervention",
            row.id,
            &input.texts(),
            input.confirm_secret,
        ));
        if let Some(r) = &new_request {
            events.push(
                JournalEvent::new("help_request.update")
                    .actor(actor.agent_id)
                    .structure(actor.structure_id)
                    .object("help_request", r.id)
                    .details(json!({"status": r.status, "outcome": r.outcome})),
            );
        }
        // The mandate is judged on the request's category and the person's
        // mandates as they are inside the transaction that writes the
        // intervention: no use can follow a revocation.
        let (iid, rid) = (row.id, current.id);
        let check = |c: &Coverage| -> Result<Covered, ServiceError> {
            let category = ProcedureCategory::parse(&c.category)
                .map_err(|_| ServiceError::Internal("stored category".into()))?;
            let judging = Judging {
                anonymous: c.person_id.is_none(),
                ..judging.clone()
            };
            let (mandate, warned) = judging.decide(category, &c.mandates)?;
            Ok((mandate, coverage_events(actor, iid, rid, mandate, warned)))
        };
        self.store
            .insert_intervention(&row, new_request.as_ref(), &events, now, check)
            .await??;
        Ok(InterventionId(row.id))
    }
}

/// The answer when the person a request or follow-up is for is not (or no
/// longer) there: unknown, erased or merged.
pub(crate) fn unknown_person() -> ServiceError {
    ServiceError::Invalid(vec![FieldError::new("person_id", "unknown_person")])
}

/// The journal of an intake: the new person, the request, its first
/// intervention and its follow-up, with the confirmations of secrets
/// written in their texts.
fn intake_events(actor: &Actor, input: &IntakeInput, rows: &IntakeRows) -> Vec<JournalEvent> {
    let sid = actor.structure_id.0;
    let request_row = &rows.request;
    let request_id = request_row.id;
    let ev = |action: &'static str, kind: &'static str, id: Uuid| {
        JournalEvent::new(action)
            .actor(actor.agent_id.0)
            .structure(sid)
            .object(kind, id)
    };
    let mut events = Vec::new();
    if let Some(p) = &rows.new_person {
        events.push(ev("person.create", "person", p.id));
    }
    events.push(
        ev("help_request.create", "help_request", request_id).details(json!({
            "category": request_row.category,
            "channel": request_row.channel,
            "status": request_row.status,
        })),
    );
    if let Some(i) = &rows.intervention {
        events.push(
            ev("intervention.create", "intervention", i.id)
                .details(json!({"mode": i.mode, "minutes": i.duration_minutes})),
        );
        if let Some(ii) = &input.intervention {
            events.extend(crate::persons::secret_confirmations(
                actor,
                "intervention",
                i.id,
                &ii.texts(),
                ii.confirm_secret,
            ));
        }
    }
    if let Some(f) = &rows.follow_up {
        events.push(ev("follow_up.create", "follow_up", f.id));
        if let Some(fi) = &input.follow_up {
            events.extend(crate::persons::secret_confirmations(
                actor,
                "follow_up",
                f.id,
                &[("reason", &fi.reason)],
                fi.confirm_secret,
            ));
        }
    }
    events
}

/// The answer to a form submitted again: the request recorded the first
/// time.
fn repeated_intake(r: HelpRequestRow) -> IntakeResult {
    IntakeResult {
        id: HelpRequestId(r.id),
        reference: r.reference,
        person_id: r.person_id.map(PersonId),
        repeated: true,
        warning: None,
    }
}

/// The person part of a valid intake.
struct IntakePerson {
    new_person: Option<(crate::persons::ValidPerson, Uuid)>,
    autonomy: Option<AutonomyRow>,
    person_id: Option<Uuid>,
    anon_age: Option<AgeBracket>,
    anon_postcode: Option<String>,
    anon_commune: Option<String>,
}

/// Judges again the done-for interventions of a request moving to
/// `category` (the mandate each relied on must have covered it on its
/// day); the first refusal is the answer.
fn rejudge(
    policy: &Policy,
    category: ProcedureCategory,
    before: &RequestBefore,
) -> Result<(), ServiceError> {
    for d in &before.done_for {
        let mode =
            Mode::parse(&d.mode).map_err(|_| ServiceError::Internal("stored mode".into()))?;
        let mandate = d
            .mandate
            .as_ref()
            .map(|m| facts_of(m).covered_then(category, paris_day(d.occurred_at)));
        if let Verdict::Refused(r) =
            policy.rejudge(category, mode, before.person_id.is_none(), mandate)
        {
            return Err(ServiceError::PolicyRefused(Box::new(Refused {
                reason: r,
                category,
                mandate: d
                    .mandate
                    .as_ref()
                    .map(|m| crate::mandates::brief_of(m, &facts_of(m))),
            })));
        }
    }
    Ok(())
}
