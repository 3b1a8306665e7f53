//! Referrals: from a request, the person is sent to a place (or to the
//! operator's own channel), with a slip to take along, a status that
//! follows what happened (proposed, contacted, accepted, done, failed) and,
//! when asked, a follow-up. Their outcomes feed the statistics.

use crate::error::{changed_meanwhile, Checks, ServiceError, TRIES};
use crate::places::PlaceDetail;
use crate::views::stored;
use crate::{Actor, Permission, Services};
use relais_domain::desk::parse_date;
use relais_domain::journal::JournalEvent;
use relais_domain::validation::bounded_text;
use relais_domain::FieldError;
use relais_domain::{FollowUpId, HelpRequestId, PlaceId, ReferralId, ReferralStatus};
use relais_store::{PlaceRow, ReferralListRow, ReferralRow};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

/// A new referral, as typed in the form or the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReferralInput {
    pub help_request_id: String,
    /// A place of the directory…
    pub place_id: String,
    /// …or an operator of the catalogue (its own channel).
    pub operator_id: String,
    /// Why the person is sent there; printed on the slip.
    pub reason: String,
    /// When to check it worked (a follow-up for the author), optional.
    pub follow_up_date: String,
    pub confirm_secret: bool,
}

/// A referral as shown and returned by the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferralView {
    pub id: ReferralId,
    pub help_request_id: HelpRequestId,
    pub place_id: Option<PlaceId>,
    pub place_name: Option<String>,
    pub operator_id: Option<String>,
    pub operator_name: Option<String>,
    pub reason: Option<String>,
    pub status: ReferralStatus,
    pub follow_up_id: Option<FollowUpId>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub closed_on: Option<chrono::NaiveDate>,
}

/// What the slip says.
#[derive(Debug, Clone)]
pub struct Slip {
    pub referral: ReferralView,
    pub place: Option<PlaceDetail>,
    /// The operator's name, website and phone when sent to its channel.
    pub operator: Option<(String, String, Option<String>)>,
    pub person: Option<String>,
    pub procedure: String,
    pub documents: Vec<String>,
    pub documents_en: Vec<String>,
    pub structure: String,
    pub agent: String,
}

impl Slip {
    /// The documents to bring in the catalogue's wording for a language
    /// code: the catalogue is bilingual data (French, and English for
    /// `en`), not interface text.
    pub fn documents_in(&self, lang: &str) -> &[String] {
        match lang {
            "en" => &self.documents_en,
            _ => &self.documents,
        }
    }
}

/// Where a referral from a request starts: the request's reference, the
/// person's commune as one types it, the request's operator, the reason
/// proposed (the procedure).
#[derive(Debug, Clone)]
pub struct ReferralStart {
    pub reference: String,
    pub near: String,
    /// (id, name, English name)
    pub operator: Option<(String, String, String)>,
    pub reason: String,
}

impl Services {
    /// What the referral page of a request starts from.
    pub async fn referral_start(
        &self,
        actor: &Actor,
        request_id: HelpRequestId,
    ) -> Result<ReferralStart, ServiceError> {
        actor.require(Permission::ReferToPlaces)?;
        let r = self
            .store
            .help_request_by_id(actor.structure_id, request_id)
            .await?
            .ok_or(ServiceError::NotFound)?
            .request;
        let communes = crate::communes::Communes::shipped();
        let near = match r.person_id {
            Some(pid) => {
                let p = self.person(actor, relais_domain::PersonId(pid)).await?;
                p.insee_code
                    .as_deref()
                    .and_then(|i| communes.typed_form(i))
                    .or(p.postcode)
            }
            None => r.anon_postcode.clone(),
        }
        .unwrap_or_default();
        // The request's operator, else its procedure's (as on the request page).
        let picked = self
            .pick_structure_procedure(actor, &r.procedure, None, None)
            .await?
            .map(|(p, _)| p.operator);
        let operator = r
            .operator
            .clone()
            .or(picked)
            .and_then(|o| self.catalog().operator(&o))
            .map(|o| (o.id.clone(), o.name.clone(), o.name_en.clone()));
        Ok(ReferralStart {
            reference: r.reference,
            near,
            operator,
            reason: r.procedure,
        })
    }

    fn referral_view(&self, r: ReferralListRow) -> Result<ReferralView, ServiceError> {
        let operator_name = r
            .referral
            .operator_id
            .as_deref()
            .and_then(|o| self.catalog().operator(o))
            .map(|o| o.name.clone());
        let x = r.referral;
        Ok(ReferralView {
            id: ReferralId(x.id),
            help_request_id: HelpRequestId(x.help_request_id),
            place_id: x.place_id.map(PlaceId),
            place_name: r.place_name,
            operator_id: x.operator_id,
            operator_name,
            reason: x.reason,
            status: stored(&x.status, ReferralStatus::parse)?,
            follow_up_id: x.follow_up_id.map(FollowUpId),
            created_at: x.created_at,
            updated_at: x.updated_at,
            closed_on: x.closed_on,
        })
    }

    /// Where a referral sends the person: a place of the directory or an
    /// operator's own channel, exactly one of them. Problems go to `c`.
    async fn referral_target(
        &self,
        c: &mut Checks,
        input: &ReferralInput,
    ) -> Result<(Option<PlaceRow>, Option<String>), ServiceError> {
        let (place_raw, operator_raw) = (input.place_id.trim(), input.operator_id.trim());
        let mut place = None;
        let mut operator = None;
        match (place_raw.is_empty(), operator_raw.is_empty()) {
            (true, true) => c.push(FieldError::new("place_id", "required")),
            (false, false) => c.push(FieldError::new("operator_id", "place_or_operator")),
            (false, true) => match Uuid::parse_str(place_raw) {
                Ok(id) => match self.store.place_by_id(PlaceId(id)).await? {
                    Some(p) => place = Some(p),
                    None => c.push(FieldError::new("place_id", "unknown_place")),
                },
                Err(_) => c.push(FieldError::new("place_id", "unknown_place")),
            },
            (true, false) => match self.catalog().operator(operator_raw) {
                Some(o) => operator = Some(o.id.clone()),
                None => c.push(FieldError::new("operator_id", "unknown_operator")),
            },
        }
        Ok((place, operator))
    }

    /// Refers the person of a request to a place or an operator's channel.
    pub async fn create_referral(
        &self,
        actor: &Actor,
        input: &ReferralInput,
    ) -> Result<ReferralView, ServiceError> {
        actor.require(Permission::ReferToPlaces)?;
        let now = self.now();
        let sid = actor.structure_id;
        let mut c = Checks::default();
        let request = match Uuid::parse_str(input.help_request_id.trim()) {
            Ok(id) => {
                self.store
                    .help_request_by_id(sid, HelpRequestId(id))
                    .await?
            }
            Err(_) => None,
        };
        if request.is_none() {
            c.push(FieldError::new("help_request_id", "unknown_request"));
        }
        let (place, operator) = self.referral_target(&mut c, input).await?;
        let reason = c.take(bounded_text("reason", &input.reason, 2, 300));
        crate::persons::guard(&mut c, &[("reason", &input.reason)], input.confirm_secret);
        let follow_up = c.take(parse_date("follow_up_date", &input.follow_up_date));
        if let Some(Some(d)) = follow_up {
            let today = relais_domain::period::paris_day(now);
            c.take(relais_domain::desk::check_follow_up_day(
                "follow_up_date",
                d,
                today,
            ));
        }
        c.finish()?;
        let (Some(request), Some(reason)) = (request, reason) else {
            return Err(ServiceError::Internal("unreachable".into()));
        };
        let request = request.request;
        let id = Uuid::now_v7();
        let where_to = place
            .as_ref()
            .map(|p| p.name.clone())
            .or_else(|| {
                operator
                    .as_deref()
                    .and_then(|o| self.catalog().operator(o))
                    .map(|o| o.name.clone())
            })
            .unwrap_or_default();
        let follow_up = follow_up.flatten().map(|due| {
            crate::follow_ups::new_follow_up(
                actor,
                Some(request.id),
                request.person_id,
                actor.agent_id.0,
                due,
                format!("Orientation : {where_to}"),
                now,
            )
        });
        let row = ReferralRow {
            id,
            structure_id: sid.0,
            help_request_id: request.id,
            person_id: request.person_id,
            place_id: place.as_ref().map(|p| p.id),
            operator_id: operator,
            reason: Some(reason),
            status: relais_domain::ReferralStatus::Proposed.as_str().into(),
            follow_up_id: follow_up.as_ref().map(|f| f.id),
            created_by: Some(actor.agent_id.0),
            created_at: now,
            updated_at: now,
            closed_on: None,
        };
        let mut events = vec![JournalEvent::new("referral.create")
            .actor(actor.agent_id)
            .structure(sid)
            .object("referral", id)
            .details(json!({
                "help_request": request.id,
                "place": row.place_id,
                "operator": row.operator_id,
            }))];
        if let Some(f) = &follow_up {
            events.push(
                JournalEvent::new("follow_up.create")
                    .actor(actor.agent_id)
                    .structure(sid)
                    .object("follow_up", f.id),
            );
        }
        events.extend(crate::persons::secret_confirmations(
            actor,
            "referral",
            id,
            &[("reason", &input.reason)],
            input.confirm_secret,
        ));
        self.store
            .insert_referral(&row, follow_up.as_ref(), &events, now)
            .await?;
        self.referral(actor, ReferralId(id)).await
    }

    pub async fn referral(
        &self,
        actor: &Actor,
        id: ReferralId,
    ) -> Result<ReferralView, ServiceError> {
        actor.require(Permission::ReferToPlaces)?;
        let row = self
            .store
            .referral_by_id(actor.structure_id, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        self.referral_view(row)
    }

    pub async fn referrals_of_request(
        &self,
        actor: &Actor,
        request_id: HelpRequestId,
    ) -> Result<Vec<ReferralView>, ServiceError> {
        actor.require(Permission::ReferToPlaces)?;
        self.store
            .referrals_of_request(actor.structure_id, request_id)
            .await?
            .into_iter()
            .map(|r| self.referral_view(r))
            .collect()
    }

    /// Moves a referral to a status; `done` and `failed` close it and its
    /// follow-up. Moving it to the status it has changes (and journals)
    /// nothing. The move is written only if the referral is still as read,
    /// else it is read and tried again ([`TRIES`] times), so that the
    /// journal names the status it really left.
    pub async fn update_referral(
        &self,
        actor: &Actor,
        id: ReferralId,
        status: &str,
    ) -> Result<ReferralView, ServiceError> {
        actor.require(Permission::ReferToPlaces)?;
        let now = self.now();
        let status = relais_domain::ReferralStatus::parse(status)
            .map_err(|_| FieldError::new("status", "invalid_choice"))?;
        for _ in 0..TRIES {
            let current = self
                .store
                .referral_by_id(actor.structure_id, id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            if current.referral.status == status.as_str() {
                return self.referral_view(current);
            }
            let current = current.referral;
            let closed = status.is_closed();
            let row = ReferralRow {
                status: status.as_str().to_owned(),
                updated_at: now,
                closed_on: closed.then(|| relais_domain::period::paris_day(now)),
                ..current.clone()
            };
            let events = [JournalEvent::new("referral.update")
                .actor(actor.agent_id)
                .structure(actor.structure_id)
                .object("referral", id.0)
                .details(json!({"from": current.status, "to": status}))];
            if self
                .store
                .update_referral(&row, &current, closed, &events, now)
                .await?
            {
                return self.referral(actor, id).await;
            }
        }
        Err(changed_meanwhile())
    }

    /// What the person's slip says. Journaled (it names the person).
    pub async fn referral_slip(&self, actor: &Actor, id: ReferralId) -> Result<Slip, ServiceError> {
        actor.require(Permission::ReferToPlaces)?;
        let referral = self.referral(actor, id).await?;
        let request = self
            .store
            .help_request_by_id(actor.structure_id, referral.help_request_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let place = match referral.place_id {
            Some(p) => Some(self.place(actor, p).await?),
            None => None,
        };
        let operator = referral
            .operator_id
            .as_deref()
            .and_then(|o| self.catalog().operator(o))
            .map(|o| (o.name.clone(), o.website.clone(), o.phone.clone()));
        let procedure = self.catalog().procedure(&request.request.procedure);
        let person = match (&request.person_first_name, &request.person_last_name) {
            (Some(f), Some(l)) => Some(format!("{f} {}", l.to_uppercase())),
            _ => None,
        };
        self.store
            .journal_only(
                &[JournalEvent::new("referral.slip")
                    .actor(actor.agent_id)
                    .structure(actor.structure_id)
                    .object("referral", id.0)],
                self.now(),
            )
            .await?;
        Ok(Slip {
            procedure: procedure
                .map(|p| p.title.clone())
                .unwrap_or_else(|| request.request.procedure.clone()),
            documents: procedure.map(|p| p.documents.clone()).unwrap_or_default(),
            documents_en: procedure
                .map(|p| p.documents_en.clone())
                .unwrap_or_default(),
            referral,
            place,
            operator,
            person,
            structure: actor.structure_name.clone(),
            agent: actor.name.clone(),
        })
    }
}
