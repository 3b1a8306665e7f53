//! Persons helped: create, find again (search as you type, duplicates),
//! edit, digital profile, accounts checklist, autonomy, merge.

use crate::error::{Checks, ServiceError};
use crate::views::{
    read_all, AccessEntry, AutonomyAssessment, FollowUpItem, HelpRequestItem, InterventionItem,
    Person,
};
use crate::{Actor, Permission, Services};
use chrono::{Datelike, NaiveDate};
use relais_domain::desk::{
    optional_long_text, optional_text, parse_birth_date, parse_birth_year, parse_name,
};
use relais_domain::journal::JournalEvent;
use relais_domain::mandate::MandateBadge;
use relais_domain::search::{fold, Query};
use relais_domain::{
    AccountKind, Age, AgeBracket, Autonomy, Email, Equipment, FieldError, InseeCode, PersonId,
    Phone, Postcode, Recovery, StructureId, TriState,
};
use relais_store::{AutonomyRow, PersonAccountRow, PersonRow, RequestFilter, StoreError};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// What a person form or the API sends, as typed (validated here).
#[derive(Debug, Clone, Default)]
pub struct PersonInput {
    pub first_name: String,
    pub last_name: String,
    pub usual_name: String,
    pub birth_date: String,
    pub birth_year: String,
    pub phone: String,
    pub email: String,
    pub postcode: String,
    pub commune: String,
    pub insee_code: String,
    pub preferred_language: String,
    pub notes: String,
    pub privacy_notice_on: String,
    pub equipment: Vec<String>,
    /// A new autonomy assessment, or empty for none.
    pub autonomy: String,
    /// The worker confirms that text flagged by the credential guard is
    /// not a secret.
    pub confirm_secret: bool,
}

impl PersonInput {
    /// The current values of a person, as a starting point for an edit.
    pub fn from_person(p: &Person) -> Self {
        let s = |o: &Option<String>| o.clone().unwrap_or_default();
        Self {
            first_name: p.first_name.clone(),
            last_name: p.last_name.clone(),
            usual_name: s(&p.usual_name),
            birth_date: p.birth_date.map(|d| d.to_string()).unwrap_or_default(),
            birth_year: p.birth_year.map(|y| y.to_string()).unwrap_or_default(),
            phone: s(&p.phone),
            email: s(&p.email),
            postcode: s(&p.postcode),
            commune: s(&p.commune),
            insee_code: s(&p.insee_code),
            preferred_language: s(&p.preferred_language),
            notes: s(&p.notes),
            privacy_notice_on: p
                .privacy_notice_on
                .map(|d| d.to_string())
                .unwrap_or_default(),
            equipment: p.equipment.iter().map(|e| e.as_str().to_owned()).collect(),
            autonomy: String::new(),
            confirm_secret: false,
        }
    }
}

/// A validated person, ready to store.
pub(crate) struct ValidPerson {
    pub first_name: String,
    pub last_name: String,
    pub usual_name: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub birth_year: Option<i32>,
    pub phone: Option<Phone>,
    pub email: Option<String>,
    pub postcode: Option<Postcode>,
    pub commune: Option<String>,
    pub insee_code: Option<InseeCode>,
    pub preferred_language: Option<String>,
    pub notes: Option<String>,
    pub privacy_notice_on: Option<NaiveDate>,
    pub equipment: Vec<Equipment>,
    pub autonomy: Option<Autonomy>,
}

/// Validates a person; every invalid field is reported at once.
pub(crate) fn validate_person(
    input: &PersonInput,
    today: NaiveDate,
) -> Result<ValidPerson, ServiceError> {
    let mut c = Checks::default();
    let first_name = c.take(parse_name("first_name", &input.first_name));
    let last_name = c.take(parse_name("last_name", &input.last_name));
    let usual_name = c.take(optional_text("usual_name", &input.usual_name, 80));
    let birth_date = c.take(parse_birth_date(&input.birth_date, today));
    let mut birth_year = c.take(parse_birth_year(&input.birth_year, today.year()));
    if let (Some(Some(d)), Some(y)) = (birth_date, birth_year.as_mut()) {
        match *y {
            Some(given) if given != d.year() => {
                c.push(FieldError::new("birth_year", "birth_year_mismatch"))
            }
            _ => *y = Some(d.year()),
        }
    }
    let phone = c.take(Phone::parse("phone", &input.phone));
    let email = if input.email.trim().is_empty() {
        Some(None)
    } else {
        c.take(Email::parse(&input.email).map(|e| Some(e.as_str().to_owned())))
    };
    let postcode = c.take(Postcode::parse("postcode", &input.postcode));
    let commune = c.take(optional_text("commune", &input.commune, 100));
    let insee_code = c.take(InseeCode::parse("insee_code", &input.insee_code));
    let preferred_language = c.take(optional_text(
        "preferred_language",
        &input.preferred_language,
        40,
    ));
    let notes = c.take(optional_long_text("notes", &input.notes, 4000));
    guard(&mut c, &[("notes", &input.notes)], input.confirm_secret);
    let privacy_notice_on = c.take(relais_domain::desk::parse_date(
        "privacy_notice_on",
        &input.privacy_notice_on,
    ));
    if let Some(Some(d)) = privacy_notice_on {
        if d > today {
            c.push(FieldError::new("privacy_notice_on", "date_in_future"));
        }
    }
    let mut equipment = Vec::new();
    for e in &input.equipment {
        if let Some(e) = c.take(Equipment::parse(e)) {
            if !equipment.contains(&e) {
                equipment.push(e);
            }
        }
    }
    if equipment.contains(&Equipment::NoEquipment) && equipment.len() > 1 {
        c.push(FieldError::new("equipment", "equipment_none_and_some"));
    }
    let autonomy = if input.autonomy.trim().is_empty() {
        Some(None)
    } else {
        c.take(Autonomy::parse(&input.autonomy).map(Some))
    };
    c.finish()?;
    let (
        Some(first_name),
        Some(last_name),
        Some(usual_name),
        Some(birth_date),
        Some(birth_year),
        Some(phone),
        Some(email),
        Some(postcode),
        Some(commune),
        Some(insee_code),
        Some(preferred_language),
        Some(notes),
        Some(privacy_notice_on),
        Some(autonomy),
    ) = (
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
        autonomy,
    )
    else {
        return Err(ServiceError::Internal("unreachable".into()));
    };
    let (commune, insee_code) = complete_commune(postcode.as_ref(), commune, insee_code);
    Ok(ValidPerson {
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
        equipment,
        autonomy,
    })
}

/// Visibility by role: mediators (often volunteers) see identity, digital
/// profile, requests and interventions, but not the social notes.
pub(crate) fn can_see_social_notes(actor: &Actor) -> bool {
    actor.can(Permission::SeeSocialNotes)
}

/// A person as the actor may see them.
pub(crate) fn visible_to(actor: &Actor, mut p: PersonRow) -> PersonRow {
    if !can_see_social_notes(actor) {
        p.notes = None;
    }
    p
}

/// The credential guard on a form's free-text fields (name, text): a
/// text that looks like a password is refused unless the worker confirms
/// it is not one ([`relais_domain::guard::check`] decides). Returns the
/// flagged fields saved on confirmation, to be journaled.
pub(crate) fn guard(
    c: &mut Checks,
    fields: &[(&'static str, &str)],
    confirmed: bool,
) -> Vec<&'static str> {
    let g = relais_domain::guard::check(fields, confirmed);
    for e in g.errors() {
        c.push(e);
    }
    g.confirmed
}

/// The journal entries of the confirmations given to the credential
/// guard on these fields (one per flagged field, naming it; never the
/// text itself).
pub(crate) fn secret_confirmations(
    actor: &Actor,
    kind: &'static str,
    id: Uuid,
    fields: &[(&'static str, &str)],
    confirmed: bool,
) -> Vec<JournalEvent> {
    relais_domain::guard::check(fields, confirmed)
        .confirmed
        .into_iter()
        .map(|field| {
            JournalEvent::new("privacy.secret_confirmed")
                .actor(actor.agent_id)
                .structure(actor.structure_id)
                .object(kind, id)
                .details(json!({"field": field}))
        })
        .collect()
}

/// Completes the commune from the official list: a postcode of one
/// commune gives its name; a name among the postcode's communes gives its
/// INSEE code. What the worker typed is kept otherwise.
fn complete_commune(
    postcode: Option<&Postcode>,
    commune: Option<String>,
    insee: Option<InseeCode>,
) -> (Option<String>, Option<InseeCode>) {
    let Some(postcode) = postcode.map(Postcode::as_str) else {
        return (commune, insee);
    };
    let communes = crate::communes::Communes::shipped();
    let chosen = match &commune {
        None => communes.designated_by(postcode),
        Some(name) => {
            let folded = fold(name);
            communes
                .by_postcode(postcode)
                .into_iter()
                .find(|c| fold(&c.name) == folded)
        }
    };
    match chosen {
        Some(c) => (
            Some(commune.unwrap_or_else(|| c.name.clone())),
            insee.or_else(|| InseeCode::parse("insee_code", &c.insee_code).ok().flatten()),
        ),
        None => (commune, insee),
    }
}

pub(crate) fn search_key(first: &str, last: &str, usual: Option<&str>) -> String {
    fold(&format!("{first} {last} {}", usual.unwrap_or("")))
}

impl ValidPerson {
    pub(crate) fn into_row(
        self,
        id: Uuid,
        structure_id: Uuid,
        actor: Option<Uuid>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> PersonRow {
        PersonRow {
            id,
            structure_id,
            search_key: search_key(
                &self.first_name,
                &self.last_name,
                self.usual_name.as_deref(),
            ),
            phone_digits: self.phone.as_ref().map(Phone::digits).unwrap_or_default(),
            first_name: self.first_name,
            last_name: self.last_name,
            usual_name: self.usual_name,
            birth_date: self.birth_date,
            birth_year: self.birth_year.map(i64::from),
            phone: self.phone.map(Phone::into_string),
            email: self.email,
            postcode: self.postcode.map(Postcode::into_string),
            commune: self.commune,
            insee_code: self.insee_code.map(InseeCode::into_string),
            preferred_language: self.preferred_language,
            notes: self.notes,
            privacy_notice_on: self.privacy_notice_on,
            equipment: self
                .equipment
                .iter()
                .map(|e| e.as_str())
                .collect::<Vec<_>>()
                .join(","),
            merged_into: None,
            created_by: actor,
            created_at: now,
            updated_at: now,
            keep_until: None,
            keep_reason: None,
            anonymised_at: None,
        }
    }
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonHit {
    pub id: PersonId,
    pub first_name: String,
    pub last_name: String,
    pub usual_name: Option<String>,
    pub birth_year: Option<i64>,
    pub commune: Option<String>,
    pub score: u32,
    /// The mandates in force or waiting for a signature, when the search
    /// gave them (see [`MandateBadge::of`]); `None` also means "no mandate".
    pub mandate: Option<MandateBadge>,
}

/// Everything the person page shows.
#[derive(Debug, Clone)]
pub struct PersonFile {
    pub person: Person,
    pub age_bracket: AgeBracket,
    pub age: Option<Age>,
    /// The person's mandates in force today (or waiting for a signature).
    pub mandate: Option<MandateBadge>,
    pub equipment: Vec<Equipment>,
    pub autonomy: Vec<AutonomyAssessment>,
    /// One line per account kind, unknown when never filled in.
    pub accounts: Vec<AccountLine>,
    pub requests: Vec<HelpRequestItem>,
    pub interventions: Vec<InterventionItem>,
    pub follow_ups: Vec<FollowUpItem>,
}

impl PersonFile {
    /// The latest autonomy level, if assessed.
    pub fn current_autonomy(&self) -> Autonomy {
        self.autonomy
            .last()
            .map_or(Autonomy::NotAssessed, |a| a.level)
    }

    /// How many account kinds of the checklist are filled in (whether
    /// the person has the account is known).
    pub fn accounts_known(&self) -> usize {
        self.accounts
            .iter()
            .filter(|a| a.has_account != TriState::Unknown)
            .count()
    }

    /// The open follow-up due first (overdue ones included).
    pub fn next_follow_up(&self) -> Option<&FollowUpItem> {
        self.follow_ups
            .iter()
            .filter(|f| !f.follow_up.done)
            .min_by_key(|f| (f.follow_up.due_date, f.follow_up.created_at))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLine {
    pub kind: AccountKind,
    pub has_account: TriState,
    pub can_sign_in: TriState,
    pub recovery: Recovery,
}

/// One line of the accounts checklist as sent by a form or the API.
#[derive(Debug, Clone, Default)]
pub struct AccountInput {
    pub kind: String,
    pub has_account: String,
    pub can_sign_in: String,
    pub recovery: String,
}

impl Services {
    /// Today in Paris, by the service clock.
    pub fn today(&self) -> NaiveDate {
        relais_domain::period::paris_day(self.now())
    }

    pub(crate) async fn person_row(
        &self,
        actor: &Actor,
        id: PersonId,
    ) -> Result<PersonRow, ServiceError> {
        let p = self
            .store
            .person_by_id(actor.structure_id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        match p.merged_into {
            // A merged record is no longer shown: its history moved to the survivor.
            Some(_) => Err(ServiceError::NotFound),
            None => Ok(p),
        }
    }

    /// Who opened or changed a person's file, newest first (supervisors).
    pub async fn access_history(
        &self,
        actor: &Actor,
        id: PersonId,
    ) -> Result<Vec<AccessEntry>, ServiceError> {
        actor.require(Permission::HandleRights)?;
        let person = self.person_row(actor, id).await?;
        Ok(self
            .store
            .journal_of_object(&actor.structure_id.to_string(), person.id, 200)
            .await?
            .into_iter()
            .map(AccessEntry::from)
            .collect())
    }

    /// One person of the actor's structure, without their history.
    pub async fn person(&self, actor: &Actor, id: PersonId) -> Result<Person, ServiceError> {
        actor.require(Permission::ViewPersons)?;
        visible_to(actor, self.person_row(actor, id).await?).try_into()
    }

    /// Several persons, in the order of `ids`, in one read: those merged
    /// away, erased meanwhile or of another structure are left out.
    pub async fn persons(
        &self,
        actor: &Actor,
        ids: &[PersonId],
    ) -> Result<Vec<Person>, ServiceError> {
        actor.require(Permission::ViewPersons)?;
        let mut rows: HashMap<Uuid, PersonRow> = self
            .store
            .persons_by_ids(actor.structure_id, ids)
            .await?
            .into_iter()
            .filter(|p| p.merged_into.is_none() && p.anonymised_at.is_none())
            .map(|p| (p.id, p))
            .collect();
        ids.iter()
            .filter_map(|id| rows.remove(&id.0))
            .map(|p| visible_to(actor, p).try_into())
            .collect()
    }

    /// Creates a person. Unless `confirm_new`, similar persons already in
    /// the structure are returned first (as `SimilarPersons`).
    pub async fn create_person(
        &self,
        actor: &Actor,
        input: &PersonInput,
        confirm_new: bool,
    ) -> Result<PersonId, ServiceError> {
        actor.require(Permission::EditPersons)?;
        let now = self.now();
        let mut valid = self.validate_new_person(actor, input).await?;
        if !can_see_social_notes(actor) {
            valid.notes = None;
        }
        if !confirm_new {
            let similar = self
                .similar_persons(
                    actor,
                    &valid.first_name,
                    &valid.last_name,
                    valid.birth_year,
                    valid.phone.as_ref().map(Phone::as_str),
                )
                .await?;
            if !similar.is_empty() {
                return Err(ServiceError::SimilarPersons(similar));
            }
        }
        let autonomy_level = valid.autonomy;
        let id = Uuid::now_v7();
        let row = valid.into_row(id, actor.structure_id.0, Some(actor.agent_id.0), now);
        let autonomy = autonomy_level.map(|level| AutonomyRow {
            id: Uuid::now_v7(),
            person_id: id,
            level: level.as_str().to_owned(),
            assessed_on: self.today(),
            agent_id: Some(actor.agent_id.0),
            created_at: now,
        });
        let mut events = vec![JournalEvent::new("person.create")
            .actor(actor.agent_id)
            .structure(actor.structure_id)
            .object("person", id)];
        events.extend(secret_confirmations(
            actor,
            "person",
            id,
            &[("notes", &input.notes)],
            input.confirm_secret,
        ));
        self.store
            .insert_person(&row, autonomy.as_ref(), &events, now)
            .await?;
        Ok(PersonId(id))
    }

    /// Validates a person about to be created, with the policy's demand
    /// that the privacy notice was given first.
    pub(crate) async fn validate_new_person(
        &self,
        actor: &Actor,
        input: &PersonInput,
    ) -> Result<ValidPerson, ServiceError> {
        let policy = self.policy(actor).await?;
        let result = validate_person(input, self.today());
        let missing_notice =
            policy.require_privacy_notice && input.privacy_notice_on.trim().is_empty();
        match (result, missing_notice) {
            (Ok(v), false) => Ok(v),
            (Ok(_), true) => Err(ServiceError::Invalid(vec![FieldError::new(
                "privacy_notice_on",
                "privacy_notice_required",
            )])),
            (Err(ServiceError::Invalid(mut e)), true) => {
                e.push(FieldError::new(
                    "privacy_notice_on",
                    "privacy_notice_required",
                ));
                Err(ServiceError::Invalid(e))
            }
            (Err(e), _) => Err(e),
        }
    }

    /// Persons who may be the same as the one being created: same names
    /// (tolerating a typo) and no conflicting birth year, or same phone.
    pub async fn similar_persons(
        &self,
        actor: &Actor,
        first_name: &str,
        last_name: &str,
        birth_year: Option<i32>,
        phone: Option<&str>,
    ) -> Result<Vec<PersonHit>, ServiceError> {
        actor.require(Permission::ViewPersons)?;
        let by_name = Query::parse(&format!("{first_name} {last_name}"));
        let digits = phone
            .map(relais_domain::contact::phone_digits)
            .unwrap_or_default();
        let mut hits: Vec<PersonHit> = self
            .store
            .person_candidates(actor.structure_id)
            .await?
            .into_iter()
            .filter_map(|c| {
                let same_phone = !digits.is_empty() && c.phone_digits == digits;
                let years_agree = match (birth_year, c.birth_year) {
                    (Some(a), Some(b)) => i64::from(a) == b,
                    _ => true,
                };
                let name_score = by_name.score(&c.search_key, "", None);
                let score = if same_phone {
                    20
                } else if name_score > 0 && years_agree {
                    name_score
                } else {
                    0
                };
                (score > 0).then(|| hit(c, score))
            })
            .collect();
        hits.sort_by(|a, b| b.score.cmp(&a.score).then(a.last_name.cmp(&b.last_name)));
        hits.truncate(10);
        Ok(hits)
    }

    /// The structure's search candidates, read again only when its persons
    /// revision moved (any node's write bumps it in the database).
    async fn search_candidates(
        &self,
        structure_id: StructureId,
    ) -> Result<Arc<Vec<relais_store::PersonCandidateRow>>, ServiceError> {
        let revision = self.store.persons_revision(structure_id).await?;
        if let Some(c) = self.search_cache.get(structure_id, revision) {
            return Ok(c);
        }
        let fresh = Arc::new(self.store.person_candidates(structure_id).await?);
        self.search_cache.put(structure_id, revision, fresh.clone());
        Ok(fresh)
    }

    /// Search as you type: names (accents, case and one typo forgiven),
    /// phone digits, birth year. Only the actor's structure is searched.
    pub async fn search_persons(
        &self,
        actor: &Actor,
        q: &str,
        limit: usize,
    ) -> Result<Vec<PersonHit>, ServiceError> {
        actor.require(Permission::ViewPersons)?;
        let query = Query::parse(q);
        if query.is_empty() {
            return Ok(Vec::new());
        }
        let candidates = self.search_candidates(actor.structure_id).await?;
        let mut hits: Vec<PersonHit> = candidates
            .iter()
            .filter_map(|c| {
                let score = query.score(
                    &c.search_key,
                    &c.phone_digits,
                    c.birth_year.and_then(|y| i32::try_from(y).ok()),
                );
                (score > 0).then(|| hit(c.clone(), score))
            })
            .collect();
        hits.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then_with(|| fold(&a.last_name).cmp(&fold(&b.last_name)))
                .then_with(|| fold(&a.first_name).cmp(&fold(&b.first_name)))
        });
        hits.truncate(limit);
        let ids: Vec<PersonId> = hits.iter().map(|h| h.id).collect();
        let mut badges = self.mandate_badges(actor, &ids).await?;
        for h in &mut hits {
            h.mandate = badges.remove(&h.id.0);
        }
        Ok(hits)
    }

    /// The mandate badges of these persons of the actor's structure, read
    /// in one query; persons without a mandate in force or waiting are
    /// left out.
    pub(crate) async fn mandate_badges(
        &self,
        actor: &Actor,
        person_ids: &[PersonId],
    ) -> Result<HashMap<Uuid, MandateBadge>, ServiceError> {
        let today = self.today();
        let mut facts: HashMap<Uuid, Vec<relais_domain::mandate::MandateFacts>> = HashMap::new();
        for row in self
            .store
            .current_mandates_of_persons(actor.structure_id, person_ids, today)
            .await?
        {
            facts
                .entry(row.person_id)
                .or_default()
                .push(crate::mandates::facts_of(&row.facts));
        }
        Ok(facts
            .into_iter()
            .filter_map(|(id, f)| MandateBadge::of(&f, today).map(|b| (id, b)))
            .collect())
    }

    pub async fn person_file(
        &self,
        actor: &Actor,
        id: PersonId,
    ) -> Result<PersonFile, ServiceError> {
        actor.require(Permission::ViewPersons)?;
        let person = visible_to(actor, self.person_row(actor, id).await?);
        // Every opening of a file is journaled (who, when, which person).
        self.store
            .journal_only(
                &[JournalEvent::new("person.viewed")
                    .actor(actor.agent_id)
                    .structure(actor.structure_id)
                    .object("person", person.id)],
                self.now(),
            )
            .await?;
        let sid = actor.structure_id;
        let autonomy = read_all(self.store.autonomy_of(PersonId(person.id)).await?)?;
        let stored = self.store.accounts_of(PersonId(person.id)).await?;
        let accounts = AccountKind::ALL
            .iter()
            .map(|k| {
                let s = stored.iter().find(|a| a.kind == k.as_str());
                AccountLine {
                    kind: *k,
                    has_account: s
                        .and_then(|a| TriState::parse(&a.has_account).ok())
                        .unwrap_or(TriState::Unknown),
                    can_sign_in: s
                        .and_then(|a| TriState::parse(&a.can_sign_in).ok())
                        .unwrap_or(TriState::Unknown),
                    recovery: s
                        .and_then(|a| Recovery::parse(&a.recovery).ok())
                        .unwrap_or(Recovery::Unknown),
                }
            })
            .collect();
        let requests = read_all(
            self.store
                .list_help_requests(
                    sid,
                    &RequestFilter {
                        person_id: Some(person.id),
                        ..RequestFilter::default()
                    },
                    500,
                    0,
                )
                .await?,
        )?;
        let interventions = read_all(
            self.store
                .interventions_of_person(sid, PersonId(person.id))
                .await?,
        )?;
        let follow_ups = self
            .store
            .follow_ups_of_person(sid, PersonId(person.id))
            .await?
            .into_iter()
            .map(FollowUpItem::from)
            .collect();
        let person = Person::try_from(person)?;
        let equipment = person.equipment.clone();
        let birth_year = person.birth_year.and_then(|y| i32::try_from(y).ok());
        let age_bracket = AgeBracket::of(birth_year, self.today().year());
        let age = Age::on(person.birth_date, birth_year, self.today());
        let mandate = self
            .mandate_badges(actor, &[person.id])
            .await?
            .remove(&person.id.0);
        Ok(PersonFile {
            person,
            age_bracket,
            age,
            mandate,
            equipment,
            autonomy,
            accounts,
            requests,
            interventions,
            follow_ups,
        })
    }

    /// Replaces a person's details (and records a new autonomy assessment
    /// when one is given).
    pub async fn update_person(
        &self,
        actor: &Actor,
        id: PersonId,
        input: &PersonInput,
    ) -> Result<(), ServiceError> {
        self.patch_person(actor, id, |_| input.clone()).await
    }

    /// Changes a person: `change` gets their details as they are inside the
    /// write's transaction (as the actor may see them) and gives the new
    /// ones, so that two changes at once of different fields both stay.
    /// An erased or merged person is not found.
    pub async fn patch_person<F>(
        &self,
        actor: &Actor,
        id: PersonId,
        change: F,
    ) -> Result<(), ServiceError>
    where
        F: FnOnce(&Person) -> PersonInput,
    {
        actor.require(Permission::EditPersons)?;
        let now = self.now();
        let today = self.today();
        let decide = |current: &PersonRow| {
            let input = change(&visible_to(actor, current.clone()).try_into()?);
            let mut valid = validate_person(&input, today)?;
            if !can_see_social_notes(actor) {
                // Mediators neither see nor change the social notes.
                valid.notes = current.notes.clone();
            }
            let autonomy = valid.autonomy.map(|level| AutonomyRow {
                id: Uuid::now_v7(),
                person_id: current.id,
                level: level.as_str().to_owned(),
                assessed_on: today,
                agent_id: Some(actor.agent_id.0),
                created_at: now,
            });
            let mut row = valid.into_row(
                current.id,
                current.structure_id,
                current.created_by,
                current.created_at,
            );
            row.updated_at = now;
            let mut events = vec![JournalEvent::new("person.update")
                .actor(actor.agent_id)
                .structure(actor.structure_id)
                .object("person", current.id)];
            events.extend(secret_confirmations(
                actor,
                "person",
                current.id,
                &[("notes", &input.notes)],
                input.confirm_secret,
            ));
            if let Some(a) = &autonomy {
                events.push(
                    JournalEvent::new("person.autonomy_assessed")
                        .actor(actor.agent_id)
                        .structure(actor.structure_id)
                        .object("person", current.id)
                        .details(json!({"level": a.level})),
                );
            }
            Ok::<_, ServiceError>((row, autonomy, events))
        };
        self.store
            .update_person(actor.structure_id, id, now, decide)
            .await
            .map_err(not_found)?
    }

    /// Updates the accounts checklist. There is no field for a secret.
    pub async fn set_person_accounts(
        &self,
        actor: &Actor,
        id: PersonId,
        lines: &[AccountInput],
    ) -> Result<(), ServiceError> {
        actor.require(Permission::EditPersons)?;
        let now = self.now();
        let person = self.person_row(actor, id).await?;
        let mut c = Checks::default();
        let mut rows = Vec::new();
        for l in lines {
            let kind = c.take(AccountKind::parse(&l.kind));
            let has = c.take(TriState::parse(if l.has_account.is_empty() {
                "unknown"
            } else {
                &l.has_account
            }));
            let can = c.take(TriState::parse(if l.can_sign_in.is_empty() {
                "unknown"
            } else {
                &l.can_sign_in
            }));
            let rec = c.take(Recovery::parse(if l.recovery.is_empty() {
                "unknown"
            } else {
                &l.recovery
            }));
            if let (Some(kind), Some(has), Some(can), Some(rec)) = (kind, has, can, rec) {
                rows.push(PersonAccountRow {
                    person_id: person.id,
                    kind: kind.as_str().to_owned(),
                    has_account: has.as_str().to_owned(),
                    can_sign_in: can.as_str().to_owned(),
                    recovery: rec.as_str().to_owned(),
                    updated_at: now,
                });
            }
        }
        c.finish()?;
        self.store
            .set_accounts(
                PersonId(person.id),
                &rows,
                &[JournalEvent::new("person.accounts_update")
                    .actor(actor.agent_id)
                    .structure(actor.structure_id)
                    .object("person", person.id)],
                now,
            )
            .await?;
        Ok(())
    }

    /// Supervisors merge a duplicate into the person who stays: requests,
    /// follow-ups, assessments and accounts move to the survivor.
    pub async fn merge_persons(
        &self,
        actor: &Actor,
        survivor: PersonId,
        absorbed: PersonId,
    ) -> Result<(), ServiceError> {
        actor.require(Permission::MergePersons)?;
        if survivor == absorbed {
            return Err(ServiceError::Invalid(vec![FieldError::new(
                "absorbed_id",
                "merge_same_person",
            )]));
        }
        let now = self.now();
        let s = self.person_row(actor, survivor).await?;
        let a = self.person_row(actor, absorbed).await?;
        self.store
            .merge_persons(
                actor.structure_id,
                PersonId(s.id),
                PersonId(a.id),
                &[JournalEvent::new("person.merge")
                    .actor(actor.agent_id)
                    .structure(actor.structure_id)
                    .object("person", s.id)
                    .details(json!({"absorbed": a.id.to_string()}))],
                now,
            )
            .await
            .map_err(|e| match e {
                // One of them was merged or erased meanwhile (two merges
                // at once, one into the other): nothing was written.
                StoreError::NotFound => {
                    ServiceError::Invalid(vec![FieldError::new("absorbed_id", "merge_person_gone")])
                }
                other => other.into(),
            })?;
        Ok(())
    }
}

fn hit(c: relais_store::PersonCandidateRow, score: u32) -> PersonHit {
    PersonHit {
        id: PersonId(c.id),
        first_name: c.first_name,
        last_name: c.last_name,
        usual_name: c.usual_name,
        birth_year: c.birth_year,
        commune: c.commune,
        score,
        mandate: None,
    }
}

pub(crate) fn not_found(e: StoreError) -> ServiceError {
    match e {
        StoreError::NotFound => ServiceError::NotFound,
        other => other.into(),
    }
}

/// Search candidates per structure, each at the persons revision it was
/// read at. Bounded: past `SearchCache::MAX` structures, the cache starts
/// over.
type Candidates = Arc<Vec<relais_store::PersonCandidateRow>>;

#[derive(Debug, Default)]
pub(crate) struct SearchCache {
    entries: std::sync::Mutex<std::collections::HashMap<StructureId, (i64, Candidates)>>,
}

impl SearchCache {
    const MAX: usize = 256;

    fn get(
        &self,
        structure: StructureId,
        revision: i64,
    ) -> Option<Arc<Vec<relais_store::PersonCandidateRow>>> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(&structure)
            .filter(|(r, _)| *r == revision)
            .map(|(_, c)| c.clone())
    }

    fn put(
        &self,
        structure: StructureId,
        revision: i64,
        candidates: Arc<Vec<relais_store::PersonCandidateRow>>,
    ) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= Self::MAX && !entries.contains_key(&structure) {
                entries.clear();
            }
            entries.insert(structure, (revision, candidates));
        }
    }
}
