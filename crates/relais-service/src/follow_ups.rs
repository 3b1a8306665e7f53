//! Follow-ups: what is to be done next about a request or a person, by
//! whom and when; created at the intake, on a request's page or through
//! the API, and marked done.

use crate::error::{changed_meanwhile, Checks, ServiceError, TRIES};
use crate::persons::not_found;
use crate::requests::{unknown_person, FollowUpInput};
use crate::views::FollowUpItem;
use crate::{Actor, Permission, Services};
use chrono::{DateTime, NaiveDate, Utc};
use relais_domain::desk::{check_follow_up_day, parse_date};
use relais_domain::journal::JournalEvent;
use relais_domain::validation::bounded_text;
use relais_domain::{FieldError, FollowUpId, HelpRequestId, PersonId};
use relais_store::{FollowUpListRow, FollowUpRow, StoreError};
use serde_json::json;
use uuid::Uuid;

/// A follow-up the actor sets now in their structure, not done yet: the
/// one shape of a new follow-up, from the request page, the intake or a
/// referral.
pub(crate) fn new_follow_up(
    actor: &Actor,
    request: Option<Uuid>,
    person: Option<Uuid>,
    assignee: Uuid,
    due: NaiveDate,
    reason: String,
    now: DateTime<Utc>,
) -> FollowUpRow {
    FollowUpRow {
        id: Uuid::now_v7(),
        structure_id: actor.structure_id.0,
        help_request_id: request,
        person_id: person,
        assignee_id: assignee,
        due_date: due,
        reason,
        done: false,
        done_at: None,
        created_by: Some(actor.agent_id.0),
        created_at: now,
    }
}

impl Services {
    /// Creates a follow-up about a request or a person of the structure.
    pub async fn create_follow_up(
        &self,
        actor: &Actor,
        request_id: Option<HelpRequestId>,
        person_id: Option<PersonId>,
        input: &FollowUpInput,
    ) -> Result<FollowUpId, ServiceError> {
        actor.require(Permission::RecordRequest)?;
        let now = self.now();
        let sid = actor.structure_id;
        let mut c = Checks::default();
        let mut person = None;
        let request = match request_id {
            Some(r) => match self.store.help_request_by_id(sid, r).await? {
                Some(r) => {
                    person = r.request.person_id;
                    Some(r.request.id)
                }
                None => {
                    c.push(FieldError::new("help_request_id", "unknown_request"));
                    None
                }
            },
            None => None,
        };
        if let Some(p) = person_id {
            match self.person_row(actor, p).await {
                Ok(p) => person = Some(p.id),
                Err(ServiceError::NotFound) => {
                    c.push(FieldError::new("person_id", "unknown_person"))
                }
                Err(e) => return Err(e),
            }
        }
        if request.is_none() && person.is_none() && request_id.is_none() && person_id.is_none() {
            c.push(FieldError::new("help_request_id", "required"));
        }
        let v = self.validate_follow_up(&mut c, input);
        let assignee = self.check_assignee(actor, &mut c, &input.assignee_id).await;
        c.finish()?;
        let (Some((due, reason)), Some(assignee)) = (v, assignee) else {
            return Err(ServiceError::Internal("unreachable".into()));
        };
        let row = new_follow_up(actor, request, person, assignee, due, reason, now);
        let mut events = vec![JournalEvent::new("follow_up.create")
            .actor(actor.agent_id)
            .structure(sid)
            .object("follow_up", row.id)];
        events.extend(crate::persons::secret_confirmations(
            actor,
            "follow_up",
            row.id,
            &[("reason", &input.reason)],
            input.confirm_secret,
        ));
        self.store
            .insert_follow_up(&row, &events, now)
            .await
            .map_err(|e| match e {
                // The person was erased or merged meanwhile: nothing written.
                StoreError::NotFound => unknown_person(),
                other => other.into(),
            })?;
        Ok(FollowUpId(row.id))
    }

    pub async fn follow_up(
        &self,
        actor: &Actor,
        id: FollowUpId,
    ) -> Result<FollowUpItem, ServiceError> {
        Ok(self.follow_up_row(actor, id).await?.into())
    }

    async fn follow_up_row(
        &self,
        actor: &Actor,
        id: FollowUpId,
    ) -> Result<FollowUpListRow, ServiceError> {
        actor.require(Permission::RecordRequest)?;
        self.store
            .follow_up_by_id(actor.structure_id, id)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// Marks a follow-up done or not, moves its date, reason or assignee
    /// (`None` or empty keeps a field). A change that changes nothing
    /// writes and journals nothing (done twice keeps the first done_at).
    /// It is written only if the follow-up is still as read, else it is
    /// read and the change applied again ([`TRIES`] times).
    pub async fn update_follow_up(
        &self,
        actor: &Actor,
        id: FollowUpId,
        done: Option<bool>,
        input: &FollowUpInput,
    ) -> Result<(), ServiceError> {
        actor.require(Permission::RecordRequest)?;
        let now = self.now();
        for _ in 0..TRIES {
            let current = self.follow_up_row(actor, id).await?.follow_up;
            let row = self
                .follow_up_changed(actor, &current, done, input, now)
                .await?;
            if row == current {
                return Ok(());
            }
            let mut events = vec![JournalEvent::new("follow_up.update")
                .actor(actor.agent_id)
                .structure(actor.structure_id)
                .object("follow_up", row.id)
                .details(json!({"done": row.done}))];
            events.extend(crate::persons::secret_confirmations(
                actor,
                "follow_up",
                row.id,
                &[("reason", &input.reason)],
                input.confirm_secret,
            ));
            if self
                .store
                .update_follow_up(&current, &row, &events, now)
                .await
                .map_err(not_found)?
            {
                return Ok(());
            }
        }
        Err(changed_meanwhile())
    }

    /// A follow-up as `done` and `input` change it (checked).
    async fn follow_up_changed(
        &self,
        actor: &Actor,
        current: &FollowUpRow,
        done: Option<bool>,
        input: &FollowUpInput,
        now: DateTime<Utc>,
    ) -> Result<FollowUpRow, ServiceError> {
        let mut c = Checks::default();
        let due = if input.due_date.trim().is_empty() {
            Some(current.due_date)
        } else {
            // Moving a reminder into the past is refused; keeping the
            // day it already has (even past) is not a move.
            let today = self.today();
            c.take(parse_date("due_date", &input.due_date).and_then(|d| {
                d.map(|d| {
                    if d == current.due_date {
                        Ok(d)
                    } else {
                        check_follow_up_day("due_date", d, today)
                    }
                })
                .transpose()
            }))
            .flatten()
        };
        let reason = if input.reason.trim().is_empty() {
            Some(current.reason.clone())
        } else {
            crate::persons::guard(&mut c, &[("reason", &input.reason)], input.confirm_secret);
            c.take(bounded_text("reason", &input.reason, 2, 300))
        };
        let assignee = if input.assignee_id.trim().is_empty() {
            Some(current.assignee_id)
        } else {
            self.check_assignee(actor, &mut c, &input.assignee_id).await
        };
        c.finish()?;
        let (Some(due), Some(reason), Some(assignee)) = (due, reason, assignee) else {
            return Err(ServiceError::Internal("unreachable".into()));
        };
        let done = done.unwrap_or(current.done);
        Ok(FollowUpRow {
            due_date: due,
            reason,
            assignee_id: assignee,
            done,
            done_at: match (done, current.done) {
                (true, true) => current.done_at,
                (true, false) => Some(now),
                (false, _) => None,
            },
            ..current.clone()
        })
    }
}
