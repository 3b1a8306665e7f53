//! Privacy by design: private notes, retention and anonymisation, the
//! person's rights (subject access, erasure), data keys, and the figures
//! that anonymisation must leave unchanged.
//!
//! Who sees what is decided here and in `persons.rs`; `docs/PRIVACY.md`
//! holds the matrix.

use crate::error::{Checks, ServiceError};
use crate::views::PrivateNote;
use crate::{Actor, Permission, Services};
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use relais_domain::journal::JournalEvent;
use relais_domain::{
    AgeBracket, FieldError, HelpRequestId, MandateId, PersonId, PrivateNoteId, StructureId,
};
use relais_store::{Anonymisation, PrivateNoteRow, RetentionRow};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Files are listed as "to be anonymised soon" this many days ahead.
pub const RETENTION_NOTICE_DAYS: i64 = 30;

/// A file and the day it will be anonymised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetentionItem {
    pub person_id: PersonId,
    /// A record absorbed by a merge: anonymised by the job, not listed.
    #[serde(skip)]
    pub merged: bool,
    pub first_name: String,
    pub last_name: String,
    pub last_activity: NaiveDate,
    pub due_on: NaiveDate,
    pub keep_until: Option<NaiveDate>,
}

/// What a retention run did (or would do, on a dry run).
#[derive(Debug, Clone, Default, Serialize)]
pub struct PurgeReport {
    pub dry_run: bool,
    /// (structure slug, file) for each file anonymised or to anonymise.
    pub anonymised: Vec<(String, RetentionItem)>,
    pub sessions_and_links_removed: u64,
    pub spent_codes_cleared: u64,
}

/// Figures of a period, as statistics show them. Anonymisation must leave
/// them unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Statistics {
    pub requests: u64,
    pub interventions: u64,
    pub minutes: i64,
    pub by_category: BTreeMap<String, u64>,
    pub by_outcome: BTreeMap<String, u64>,
    pub by_age_bracket: BTreeMap<String, u64>,
    pub by_commune: BTreeMap<String, u64>,
    pub by_mode: BTreeMap<String, u64>,
}

/// Everything relais holds about a person, for the person (subject access).
#[derive(Debug, Clone, Serialize)]
pub struct SubjectAccess {
    pub generated_at: DateTime<Utc>,
    pub structure: String,
    pub person: SaPerson,
    pub digital_accounts: Vec<SaAccount>,
    pub autonomy: Vec<SaAutonomy>,
    pub requests: Vec<SaRequest>,
    pub interventions: Vec<SaIntervention>,
    pub follow_ups: Vec<SaFollowUp>,
    /// Where the person was referred, why, and what came of it.
    pub referrals: Vec<SaReferral>,
    pub mandates: Vec<SaMandate>,
    /// Who opened or changed the file, newest first.
    pub access_history: Vec<SaAccess>,
    /// Private notes of workers exist but are only readable by their
    /// authors: their number is given, the authors give the text.
    pub private_notes: usize,
    pub retention_months: u32,
    /// A supervisor kept the file past the retention period until then.
    pub kept_until: Option<NaiveDate>,
    /// The person's consent to reminders: channel and day given.
    pub reminder_consent: Option<(String, NaiveDate)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SaPerson {
    pub id: PersonId,
    pub first_name: String,
    pub last_name: String,
    pub usual_name: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub birth_year: Option<i64>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub postcode: Option<String>,
    pub commune: Option<String>,
    pub insee_code: Option<String>,
    pub preferred_language: Option<String>,
    pub equipment: Vec<String>,
    pub notes: Option<String>,
    pub privacy_notice_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SaAccount {
    pub kind: String,
    pub has_account: String,
    pub can_sign_in: String,
    pub recovery: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SaAutonomy {
    pub level: String,
    pub assessed_on: NaiveDate,
}

#[derive(Debug, Clone, Serialize)]
pub struct SaRequest {
    pub reference: String,
    pub procedure: String,
    pub category: String,
    pub operator: Option<String>,
    pub status: String,
    pub outcome: Option<String>,
    pub deadline: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SaIntervention {
    pub request: String,
    pub occurred_at: DateTime<Utc>,
    pub duration_minutes: i64,
    pub mode: String,
    pub place: String,
    pub summary: Option<String>,
    pub next_step: Option<String>,
    pub agent: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SaFollowUp {
    pub due_date: NaiveDate,
    pub reason: String,
    pub done: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct SaReferral {
    pub request: String,
    pub made_on: NaiveDate,
    pub to: String,
    pub reason: Option<String>,
    pub status: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SaMandate {
    pub verification_code: String,
    pub categories: Vec<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub state: String,
    pub consent: String,
    pub signed_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SaAccess {
    pub at: DateTime<Utc>,
    pub action: String,
    pub by: Option<String>,
}

/// The day a file is due for anonymisation: its last activity plus the
/// retention period, or the day after a supervisor's extension.
fn due_on(r: &RetentionRow, retention_months: u32) -> (NaiveDate, NaiveDate) {
    let mut last = r.updated_at.date_naive();
    for d in [
        r.last_request.map(|d| d.date_naive()),
        r.last_intervention.map(|d| d.date_naive()),
        r.last_mandate_end,
    ]
    .into_iter()
    .flatten()
    {
        last = last.max(d);
    }
    let mut due = last
        .checked_add_months(Months::new(retention_months))
        .unwrap_or(NaiveDate::MAX);
    if let Some(k) = r.keep_until {
        due = due.max(k.succ_opt().unwrap_or(k));
    }
    (last, due)
}

impl Services {
    fn privacy_event(actor: &Actor, action: &'static str, person: Uuid) -> JournalEvent {
        JournalEvent::new(action)
            .actor(actor.agent_id)
            .structure(actor.structure_id)
            .object("person", person)
    }

    // ---- private notes ---------------------------------------------------

    /// The actor's own private notes about a person; nobody else's, whatever
    /// the role.
    pub async fn private_notes(
        &self,
        actor: &Actor,
        person: PersonId,
    ) -> Result<Vec<PrivateNote>, ServiceError> {
        actor.require(Permission::ViewPersons)?;
        let p = self.person_row(actor, person).await?;
        Ok(self
            .store
            .private_notes_of(actor.structure_id, PersonId(p.id), actor.agent_id)
            .await?
            .into_iter()
            .map(PrivateNote::from)
            .collect())
    }

    /// Writes a private note, readable by its author only.
    pub async fn add_private_note(
        &self,
        actor: &Actor,
        person: PersonId,
        body: &str,
        confirm_secret: bool,
    ) -> Result<PrivateNote, ServiceError> {
        actor.require(Permission::EditPersons)?;
        let mut c = Checks::default();
        let text = c
            .take(relais_domain::desk::optional_long_text("body", body, 4000))
            .and_then(|t| {
                if t.is_none() {
                    c.push(FieldError::new("body", "required"));
                }
                t
            });
        let flagged = crate::persons::guard(&mut c, &[("body", body)], confirm_secret);
        c.finish()?;
        let p = self.person_row(actor, person).await?;
        if p.anonymised_at.is_some() {
            return Err(ServiceError::NotFound);
        }
        let now = self.now();
        let row = PrivateNoteRow {
            id: Uuid::now_v7(),
            structure_id: actor.structure_id.0,
            person_id: p.id,
            author_id: actor.agent_id.0,
            body: text.unwrap_or_default(),
            created_at: now,
        };
        let mut events = vec![Self::privacy_event(actor, "private_note.create", p.id)
            .details(json!({"note": row.id.to_string()}))];
        events.extend(crate::persons::secret_confirmations(
            actor,
            "person",
            p.id,
            &[("body", body)],
            !flagged.is_empty(),
        ));
        self.store.insert_private_note(&row, &events, now).await?;
        Ok(row.into())
    }

    pub async fn delete_private_note(
        &self,
        actor: &Actor,
        person: PersonId,
        note: PrivateNoteId,
    ) -> Result<(), ServiceError> {
        actor.require(Permission::EditPersons)?;
        let p = self.person_row(actor, person).await?;
        let now = self.now();
        self.store
            .delete_private_note(
                actor.structure_id,
                note,
                actor.agent_id,
                &[Self::privacy_event(actor, "private_note.delete", p.id)
                    .details(json!({"note": note.0.to_string()}))],
                now,
            )
            .await?;
        Ok(())
    }

    // ---- retention -------------------------------------------------------

    async fn retention_items(
        &self,
        structure_id: StructureId,
    ) -> Result<(u32, Vec<RetentionItem>), ServiceError> {
        let months = self.policy_of(structure_id).await?.retention_months;
        let rows = self.store.retention_rows(structure_id).await?;
        let mut items: Vec<RetentionItem> = rows
            .iter()
            .map(|r| {
                let (last, due) = due_on(r, months);
                RetentionItem {
                    person_id: PersonId(r.id),
                    first_name: r.first_name.clone(),
                    last_name: r.last_name.clone(),
                    last_activity: last,
                    due_on: due,
                    keep_until: r.keep_until,
                    merged: r.merged_into.is_some(),
                }
            })
            .collect();
        items.sort_by_key(|i| i.due_on);
        Ok((months, items))
    }

    /// Files of the actor's structure that will be anonymised within the
    /// next 30 days (supervisors and admins).
    pub async fn upcoming_anonymisations(
        &self,
        actor: &Actor,
    ) -> Result<(u32, Vec<RetentionItem>), ServiceError> {
        actor.require(Permission::HandleRights)?;
        let horizon = self.today() + chrono::Duration::days(RETENTION_NOTICE_DAYS);
        let (months, items) = self.retention_items(actor.structure_id).await?;
        Ok((
            months,
            items
                .into_iter()
                .filter(|i| i.due_on <= horizon && !i.merged)
                .collect(),
        ))
    }

    /// Keeps a file past the retention period, until `until`, with a reason.
    pub async fn keep_file(
        &self,
        actor: &Actor,
        person: PersonId,
        until: &str,
        reason: &str,
    ) -> Result<(), ServiceError> {
        actor.require(Permission::HandleRights)?;
        let today = self.today();
        let mut c = Checks::default();
        let until = c.take(
            NaiveDate::parse_from_str(until.trim(), "%Y-%m-%d")
                .map_err(|_| FieldError::new("until", "invalid_date"))
                .and_then(|d| {
                    if d <= today {
                        Err(FieldError::new("until", "date_in_past"))
                    } else if d > today + chrono::Duration::days(366 * 3) {
                        Err(FieldError::new("until", "too_far"))
                    } else {
                        Ok(d)
                    }
                }),
        );
        let reason = c.take(relais_domain::validation::bounded_text(
            "reason", reason, 5, 500,
        ));
        c.finish()?;
        let (Some(until), Some(reason)) = (until, reason) else {
            return Err(ServiceError::Internal("checked above".into()));
        };
        let p = self.person_row(actor, person).await?;
        let now = self.now();
        self.store
            .keep_person(
                actor.structure_id,
                PersonId(p.id),
                until,
                &reason,
                &[
                    Self::privacy_event(actor, "person.retention_extended", p.id)
                        .details(json!({"until": until})),
                ],
                now,
            )
            .await?;
        Ok(())
    }

    /// Anonymises one file: names, contact, notes, free texts, documents and
    /// signatures go; age bracket, commune, categories, modes, outcomes and
    /// durations stay. With `erasure`, the mandates waiting for a signature
    /// or in force refuse it, judged inside the write's transaction (a
    /// mandate drawn up meanwhile counts): `ErasureBlocked`, nothing written.
    async fn anonymise(
        &self,
        structure_id: StructureId,
        person_id: PersonId,
        event: JournalEvent,
        erasure: bool,
    ) -> Result<(), ServiceError> {
        let p = self
            .store
            .person_by_id(structure_id, person_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let birth_year = p.birth_year;
        let bracket = |made| {
            AgeBracket::of_request(None, birth_year, made)
                .as_str()
                .to_owned()
        };
        let a = Anonymisation {
            structure_id: structure_id.0,
            person_id: person_id.0,
            postcode: p.postcode.clone(),
            commune: p.commune.clone(),
        };
        let today = self.today();
        let blockers = |mandates: &[relais_store::MandateFactsRow]| -> Vec<Uuid> {
            if !erasure {
                return Vec::new();
            }
            mandates
                .iter()
                .filter(|m| crate::mandates::facts_of(m).state_on(today).revocable())
                .map(|m| m.id)
                .collect()
        };
        let blocking = self
            .store
            .anonymise_person(&a, &[event], self.now(), blockers, bracket)
            .await?;
        if !blocking.is_empty() {
            return Err(ServiceError::ErasureBlocked(
                blocking.into_iter().map(MandateId).collect(),
            ));
        }
        Ok(())
    }

    /// The daily retention job: in every structure, anonymises the files
    /// past their retention period; removes expired sessions, links and
    /// spent codes. `dry_run` only lists.
    pub async fn run_retention(&self, dry_run: bool) -> Result<PurgeReport, ServiceError> {
        let today = self.today();
        let mut report = PurgeReport {
            dry_run,
            ..PurgeReport::default()
        };
        for s in self.store.list_structures().await? {
            let (months, items) = self.retention_items(StructureId(s.id)).await?;
            for item in items.into_iter().filter(|i| i.due_on <= today) {
                if !dry_run {
                    let ev = JournalEvent::new("person.anonymised")
                        .structure(s.id)
                        .object("person", item.person_id)
                        .details(json!({"cause": "retention", "retention_months": months}));
                    self.anonymise(StructureId(s.id), item.person_id, ev, false)
                        .await?;
                }
                report.anonymised.push((s.slug.clone(), item));
            }
        }
        if !dry_run {
            report.sessions_and_links_removed = self.housekeeping().await?;
            report.spent_codes_cleared = self.store.clear_spent_codes(self.now()).await?;
        }
        Ok(report)
    }

    // ---- the person's rights ----------------------------------------------

    /// The mandates that must be revoked before a file can be erased: those
    /// in force or waiting for a signature.
    pub async fn erasure_blockers(
        &self,
        actor: &Actor,
        person: PersonId,
    ) -> Result<Vec<crate::MandateView>, ServiceError> {
        actor.require(Permission::HandleRights)?;
        Ok(self
            .list_mandates(actor, Some(person), None)
            .await?
            .into_iter()
            .filter(|m| m.can_revoke)
            .collect())
    }

    /// Erases a person's file on their request: anonymised now. Refused,
    /// with the mandates to revoke first, while a mandate is in force.
    pub async fn erase_person(&self, actor: &Actor, person: PersonId) -> Result<(), ServiceError> {
        actor.require(Permission::HandleRights)?;
        let p = self.person_row(actor, person).await?;
        if p.anonymised_at.is_some() {
            return Err(ServiceError::NotFound);
        }
        let blocking: Vec<MandateId> = self
            .erasure_blockers(actor, person)
            .await?
            .into_iter()
            .map(|m| m.id)
            .collect();
        if !blocking.is_empty() {
            return Err(ServiceError::ErasureBlocked(blocking));
        }
        let ev = Self::privacy_event(actor, "person.anonymised", p.id)
            .details(json!({"cause": "erasure_request"}));
        self.anonymise(actor.structure_id, PersonId(p.id), ev, true)
            .await
    }

    /// The subject-access file of a person (supervisors and admins);
    /// producing it is journaled.
    pub async fn subject_access(
        &self,
        actor: &Actor,
        person: PersonId,
        format: &'static str,
    ) -> Result<SubjectAccess, ServiceError> {
        actor.require(Permission::HandleRights)?;
        let p = self.person_row(actor, person).await?;
        let sid = actor.structure_id;
        let now = self.now();
        self.store
            .journal_only(
                &[Self::privacy_event(actor, "person.subject_access", p.id)
                    .details(json!({"format": format}))],
                now,
            )
            .await?;
        let accounts = self.store.accounts_of(PersonId(p.id)).await?;
        let autonomy = self.store.autonomy_of(PersonId(p.id)).await?;
        let requests = self
            .store
            .list_help_requests(
                sid,
                &relais_store::RequestFilter {
                    person_id: Some(p.id),
                    ..Default::default()
                },
                10_000,
                0,
            )
            .await?;
        let reference_of = |id: Uuid| {
            requests
                .iter()
                .find(|r| r.request.id == id)
                .map(|r| r.request.reference.clone())
                .unwrap_or_default()
        };
        let interventions = self
            .store
            .interventions_of_person(sid, PersonId(p.id))
            .await?;
        let follow_ups = self.store.follow_ups_of_person(sid, PersonId(p.id)).await?;
        let mut referrals = Vec::new();
        for r in &requests {
            for x in self
                .referrals_of_request(actor, HelpRequestId(r.request.id))
                .await?
            {
                referrals.push(SaReferral {
                    request: r.request.reference.clone(),
                    made_on: x
                        .created_at
                        .with_timezone(&chrono_tz::Europe::Paris)
                        .date_naive(),
                    to: x.place_name.or(x.operator_name).unwrap_or_default(),
                    reason: x.reason,
                    status: x.status.as_str().to_owned(),
                });
            }
        }
        let mandates = self.list_mandates(actor, Some(person), None).await?;
        let history = self
            .store
            .journal_of_object(&actor.structure_id.to_string(), p.id, 10_000)
            .await?;
        let private_notes = self.store.count_private_notes(sid, PersonId(p.id)).await?;
        let retention_months = self.policy_of(sid).await?.retention_months;
        Ok(SubjectAccess {
            generated_at: now,
            structure: actor.structure_name.clone(),
            person: sa_person(&p),
            digital_accounts: accounts
                .into_iter()
                .map(|a| SaAccount {
                    kind: a.kind,
                    has_account: a.has_account,
                    can_sign_in: a.can_sign_in,
                    recovery: a.recovery,
                })
                .collect(),
            autonomy: autonomy
                .into_iter()
                .map(|a| SaAutonomy {
                    level: a.level,
                    assessed_on: a.assessed_on,
                })
                .collect(),
            interventions: interventions
                .into_iter()
                .map(|i| sa_intervention(reference_of(i.intervention.help_request_id), i))
                .collect(),
            requests: requests.iter().map(sa_request).collect(),
            follow_ups: follow_ups
                .into_iter()
                .map(|f| SaFollowUp {
                    due_date: f.follow_up.due_date,
                    reason: f.follow_up.reason,
                    done: f.follow_up.done,
                })
                .collect(),
            referrals,
            mandates: mandates.iter().map(sa_mandate).collect(),
            access_history: history
                .into_iter()
                .map(|h| SaAccess {
                    at: h.at,
                    action: h.action,
                    by: h.actor_name,
                })
                .collect(),
            private_notes,
            retention_months,
            kept_until: p.keep_until,
            reminder_consent: self.store.reminder_consent_of(PersonId(p.id)).await?,
        })
    }

    // ---- figures -------------------------------------------------------------

    /// The figures of a period (supervisors and admins): `from` defaults
    /// to 1 January of this year, `to` to today; the period is checked
    /// like every statistics period ([`crate::Period::parse`]).
    pub async fn statistics(
        &self,
        actor: &Actor,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Statistics, ServiceError> {
        actor.require(Permission::ViewStructureStatistics)?;
        let today = self.today();
        let first_of_year = today.with_ordinal(1).unwrap_or(today).format("%Y-%m-%d");
        let period = crate::Period::parse(
            &from.map_or_else(|| first_of_year.to_string(), str::to_owned),
            &to.map_or_else(|| today.format("%Y-%m-%d").to_string(), str::to_owned),
        )?;
        let (from, to) = period.bounds();
        let sid = actor.structure_id;
        let mut s = Statistics::default();
        for r in self.store.stats_requests(Some(sid), from, to).await? {
            s.requests += 1;
            *s.by_category.entry(r.category).or_default() += 1;
            let outcome = relais_domain::desk::outcome_or_status(r.outcome.as_deref(), &r.status);
            *s.by_outcome.entry(outcome.to_owned()).or_default() += 1;
            let bracket =
                AgeBracket::of_request(r.anon_age_bracket.as_deref(), r.birth_year, r.created_at);
            *s.by_age_bracket
                .entry(bracket.as_str().to_owned())
                .or_default() += 1;
            let commune = r.anon_commune.or(r.person_commune).unwrap_or_default();
            *s.by_commune.entry(commune).or_default() += 1;
        }
        for i in self.store.stats_interventions(Some(sid), from, to).await? {
            s.interventions += 1;
            s.minutes += i.duration_minutes;
            *s.by_mode.entry(i.mode).or_default() += 1;
        }
        Ok(s)
    }

    // ---- data keys -------------------------------------------------------------

    /// Checks at start-up that the configured keys open what the database
    /// holds; records the current key.
    pub async fn check_data_keys(&self) -> Result<(), ServiceError> {
        Ok(self.store.check_keys(self.now()).await?)
    }

    /// Re-encrypts every sealed value under the current key; journaled.
    /// Returns how many values were re-encrypted.
    pub async fn rotate_data_keys(&self) -> Result<u64, ServiceError> {
        self.check_data_keys().await?;
        let key = self.store.vault().current_id().to_owned();
        Ok(self
            .store
            .rotate_keys(
                |n| {
                    vec![JournalEvent::new("keys.rotated")
                        .details(json!({"key_id": key, "values": n}))]
                },
                self.now(),
            )
            .await?)
    }
}

/// A person's record, as the subject-access file shows it.
fn sa_person(p: &relais_store::PersonRow) -> SaPerson {
    SaPerson {
        id: PersonId(p.id),
        first_name: p.first_name.clone(),
        last_name: p.last_name.clone(),
        usual_name: p.usual_name.clone(),
        birth_date: p.birth_date,
        birth_year: p.birth_year,
        phone: p.phone.clone(),
        email: p.email.clone(),
        postcode: p.postcode.clone(),
        commune: p.commune.clone(),
        insee_code: p.insee_code.clone(),
        preferred_language: p.preferred_language.clone(),
        equipment: p
            .equipment
            .split(',')
            .filter(|e| !e.is_empty())
            .map(str::to_owned)
            .collect(),
        notes: p.notes.clone(),
        privacy_notice_on: p.privacy_notice_on,
        created_at: p.created_at,
        updated_at: p.updated_at,
    }
}

/// An intervention of the subject-access file, on the request of that
/// reference.
fn sa_intervention(request: String, i: relais_store::InterventionListRow) -> SaIntervention {
    SaIntervention {
        request,
        occurred_at: i.intervention.occurred_at,
        duration_minutes: i.intervention.duration_minutes,
        mode: i.intervention.mode,
        place: i.intervention.place,
        summary: i.intervention.summary,
        next_step: i.intervention.next_step,
        agent: i.agent_name,
    }
}

/// A request of the subject-access file.
fn sa_request(r: &relais_store::HelpRequestListRow) -> SaRequest {
    SaRequest {
        reference: r.request.reference.clone(),
        procedure: r.request.procedure.clone(),
        category: r.request.category.clone(),
        operator: r.request.operator.clone(),
        status: r.request.status.clone(),
        outcome: r.request.outcome.clone(),
        deadline: r.request.deadline,
        created_at: r.request.created_at,
        closed_at: r.request.closed_at,
    }
}

/// A mandate of the subject-access file.
fn sa_mandate(m: &crate::mandates::MandateView) -> SaMandate {
    SaMandate {
        verification_code: m.verification_code.clone(),
        categories: m.categories.iter().map(|c| c.as_str().to_owned()).collect(),
        starts_on: m.starts_on,
        ends_on: m.ends_on,
        state: m.state.as_str().to_owned(),
        consent: m.consent.as_str().to_owned(),
        signed_at: m.signed_at,
        revoked_at: m.revoked_at,
    }
}

impl Services {
    /// The commune of the actor's structure, for documents.
    pub async fn structure_commune(&self, actor: &Actor) -> Result<Option<String>, ServiceError> {
        actor.require(Permission::ViewPersons)?;
        Ok(self
            .store
            .structure_by_id(actor.structure_id)
            .await?
            .and_then(|s| s.commune))
    }
}
