//! What the use cases hand back for display: the stored rows read into
//! domain values. Codes become their enumerations and identifiers their
//! typed ids; a stored code that no enumeration knows is an internal
//! error (never a panic, never a default in its place).

use crate::error::ServiceError;
use chrono::{DateTime, NaiveDate, Utc};
use relais_domain::{
    AgeBracket, AgentId, Autonomy, BlockReason, Channel, EmailStatus, Equipment, FieldError,
    FollowUpId, HelpRequestId, InterventionId, InterventionPlace, MandateId, Mode, NotificationId,
    Outcome, PersonId, PrivateNoteId, ProcedureCategory, ReminderKind, RequestStatus, Role,
    StructureId,
};
use relais_store::{
    AccessRow, AutonomyRow, ExportInterventionRow, FollowUpListRow, FollowUpRow,
    HelpRequestListRow, HelpRequestRow, InterventionListRow, InterventionRow, MembershipRow,
    NotificationListRow, NotificationRow, OperatorChannelRow, PersonRow, PrivateNoteRow,
};

/// A stored code as its enumeration; an unknown one is an internal error.
pub(crate) fn stored<T>(
    code: &str,
    parse: impl Fn(&str) -> Result<T, FieldError>,
) -> Result<T, ServiceError> {
    parse(code).map_err(|e| {
        ServiceError::Internal(format!("stored {} {code:?} is not a known code", e.field))
    })
}

/// An optional stored code, as [`stored`].
fn stored_opt<T>(
    code: Option<&str>,
    parse: impl Fn(&str) -> Result<T, FieldError>,
) -> Result<Option<T>, ServiceError> {
    code.map(|c| stored(c, parse)).transpose()
}

/// Rows read into views, the first unreadable one failing them all.
pub(crate) fn read_all<R, V>(rows: Vec<R>) -> Result<Vec<V>, ServiceError>
where
    V: TryFrom<R, Error = ServiceError>,
{
    rows.into_iter().map(V::try_from).collect()
}

// ---- persons -------------------------------------------------------------------

/// A person's file as the actor may see it (the social notes are `None`
/// for those who may not read them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: PersonId,
    pub structure_id: StructureId,
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
    pub notes: Option<String>,
    pub privacy_notice_on: Option<NaiveDate>,
    /// In the order they were recorded.
    pub equipment: Vec<Equipment>,
    /// Set for a record absorbed by a merge.
    pub merged_into: Option<PersonId>,
    pub created_by: Option<AgentId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// A supervisor kept the file past the retention period until then.
    pub keep_until: Option<NaiveDate>,
    pub keep_reason: Option<String>,
    /// When the file was anonymised (retention or erasure).
    pub anonymised_at: Option<DateTime<Utc>>,
}

impl TryFrom<PersonRow> for Person {
    type Error = ServiceError;

    fn try_from(p: PersonRow) -> Result<Self, ServiceError> {
        let equipment = p
            .equipment
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|e| stored(e, Equipment::parse))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            id: PersonId(p.id),
            structure_id: StructureId(p.structure_id),
            first_name: p.first_name,
            last_name: p.last_name,
            usual_name: p.usual_name,
            birth_date: p.birth_date,
            birth_year: p.birth_year,
            phone: p.phone,
            email: p.email,
            postcode: p.postcode,
            commune: p.commune,
            insee_code: p.insee_code,
            preferred_language: p.preferred_language,
            notes: p.notes,
            privacy_notice_on: p.privacy_notice_on,
            equipment,
            merged_into: p.merged_into.map(PersonId),
            created_by: p.created_by.map(AgentId),
            created_at: p.created_at,
            updated_at: p.updated_at,
            keep_until: p.keep_until,
            keep_reason: p.keep_reason,
            anonymised_at: p.anonymised_at,
        })
    }
}

/// One assessment of a person's digital autonomy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutonomyAssessment {
    pub person_id: PersonId,
    pub level: Autonomy,
    pub assessed_on: NaiveDate,
    pub agent_id: Option<AgentId>,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<AutonomyRow> for AutonomyAssessment {
    type Error = ServiceError;

    fn try_from(a: AutonomyRow) -> Result<Self, ServiceError> {
        Ok(Self {
            person_id: PersonId(a.person_id),
            level: stored(&a.level, Autonomy::parse)?,
            assessed_on: a.assessed_on,
            agent_id: a.agent_id.map(AgentId),
            created_at: a.created_at,
        })
    }
}

/// A note only its author can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivateNote {
    pub id: PrivateNoteId,
    pub structure_id: StructureId,
    pub person_id: PersonId,
    pub author_id: AgentId,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl From<PrivateNoteRow> for PrivateNote {
    fn from(n: PrivateNoteRow) -> Self {
        Self {
            id: PrivateNoteId(n.id),
            structure_id: StructureId(n.structure_id),
            person_id: PersonId(n.person_id),
            author_id: AgentId(n.author_id),
            body: n.body,
            created_at: n.created_at,
        }
    }
}

/// One journal line about an object, with the name of who did it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    pub at: DateTime<Utc>,
    /// The journal's action, e.g. `person.viewed`.
    pub action: String,
    pub actor_name: Option<String>,
}

impl From<AccessRow> for AccessEntry {
    fn from(a: AccessRow) -> Self {
        Self {
            at: a.at,
            action: a.action,
            actor_name: a.actor_name,
        }
    }
}

// ---- help requests, interventions, follow-ups ------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpRequest {
    pub id: HelpRequestId,
    pub structure_id: StructureId,
    pub reference: String,
    pub person_id: Option<PersonId>,
    /// For an anonymous walk-in (or an anonymised file): what is known.
    pub anon_age_bracket: Option<AgeBracket>,
    pub anon_postcode: Option<String>,
    pub anon_commune: Option<String>,
    pub procedure: String,
    pub category: ProcedureCategory,
    pub operator: Option<String>,
    pub channel: Channel,
    pub rights_at_risk: bool,
    pub deadline: Option<NaiveDate>,
    pub status: RequestStatus,
    pub outcome: Option<Outcome>,
    pub block_reason: Option<BlockReason>,
    pub created_by: Option<AgentId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl TryFrom<HelpRequestRow> for HelpRequest {
    type Error = ServiceError;

    fn try_from(r: HelpRequestRow) -> Result<Self, ServiceError> {
        Ok(Self {
            id: HelpRequestId(r.id),
            structure_id: StructureId(r.structure_id),
            reference: r.reference,
            person_id: r.person_id.map(PersonId),
            anon_age_bracket: stored_opt(r.anon_age_bracket.as_deref(), AgeBracket::parse)?,
            anon_postcode: r.anon_postcode,
            anon_commune: r.anon_commune,
            procedure: r.procedure,
            category: stored(&r.category, ProcedureCategory::parse)?,
            operator: r.operator,
            channel: stored(&r.channel, Channel::parse)?,
            rights_at_risk: r.rights_at_risk,
            deadline: r.deadline,
            status: stored(&r.status, RequestStatus::parse)?,
            outcome: stored_opt(r.outcome.as_deref(), Outcome::parse)?,
            block_reason: stored_opt(r.block_reason.as_deref(), BlockReason::parse)?,
            created_by: r.created_by.map(AgentId),
            created_at: r.created_at,
            updated_at: r.updated_at,
            closed_at: r.closed_at,
        })
    }
}

/// A help request with the names of its person, for lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpRequestItem {
    pub request: HelpRequest,
    pub person_first_name: Option<String>,
    pub person_last_name: Option<String>,
}

impl TryFrom<HelpRequestListRow> for HelpRequestItem {
    type Error = ServiceError;

    fn try_from(r: HelpRequestListRow) -> Result<Self, ServiceError> {
        Ok(Self {
            request: r.request.try_into()?,
            person_first_name: r.person_first_name,
            person_last_name: r.person_last_name,
        })
    }
}

/// One sitting of work on a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intervention {
    pub id: InterventionId,
    pub structure_id: StructureId,
    pub help_request_id: HelpRequestId,
    pub agent_id: Option<AgentId>,
    pub occurred_at: DateTime<Utc>,
    pub duration_minutes: i64,
    pub mode: Mode,
    pub place: InterventionPlace,
    pub summary: Option<String>,
    pub next_step: Option<String>,
    /// The mandate an intervention done for the person relied on.
    pub mandate_id: Option<MandateId>,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<InterventionRow> for Intervention {
    type Error = ServiceError;

    fn try_from(i: InterventionRow) -> Result<Self, ServiceError> {
        Ok(Self {
            id: InterventionId(i.id),
            structure_id: StructureId(i.structure_id),
            help_request_id: HelpRequestId(i.help_request_id),
            agent_id: i.agent_id.map(AgentId),
            occurred_at: i.occurred_at,
            duration_minutes: i.duration_minutes,
            mode: stored(&i.mode, Mode::parse)?,
            place: stored(&i.place, InterventionPlace::parse)?,
            summary: i.summary,
            next_step: i.next_step,
            mandate_id: i.mandate_id.map(MandateId),
            created_at: i.created_at,
        })
    }
}

/// An intervention with the name of the agent who gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterventionItem {
    pub intervention: Intervention,
    pub agent_name: Option<String>,
}

impl TryFrom<InterventionListRow> for InterventionItem {
    type Error = ServiceError;

    fn try_from(i: InterventionListRow) -> Result<Self, ServiceError> {
        Ok(Self {
            intervention: i.intervention.try_into()?,
            agent_name: i.agent_name,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub id: FollowUpId,
    pub structure_id: StructureId,
    pub help_request_id: Option<HelpRequestId>,
    pub person_id: Option<PersonId>,
    pub assignee_id: AgentId,
    pub due_date: NaiveDate,
    pub reason: String,
    pub done: bool,
    pub done_at: Option<DateTime<Utc>>,
    pub created_by: Option<AgentId>,
    pub created_at: DateTime<Utc>,
}

impl From<FollowUpRow> for FollowUp {
    fn from(f: FollowUpRow) -> Self {
        Self {
            id: FollowUpId(f.id),
            structure_id: StructureId(f.structure_id),
            help_request_id: f.help_request_id.map(HelpRequestId),
            person_id: f.person_id.map(PersonId),
            assignee_id: AgentId(f.assignee_id),
            due_date: f.due_date,
            reason: f.reason,
            done: f.done,
            done_at: f.done_at,
            created_by: f.created_by.map(AgentId),
            created_at: f.created_at,
        }
    }
}

/// A follow-up with what it is about, for lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpItem {
    pub follow_up: FollowUp,
    pub reference: Option<String>,
    pub procedure: Option<String>,
    pub person_first_name: Option<String>,
    pub person_last_name: Option<String>,
    pub assignee_name: Option<String>,
}

impl From<FollowUpListRow> for FollowUpItem {
    fn from(f: FollowUpListRow) -> Self {
        Self {
            follow_up: f.follow_up.into(),
            reference: f.reference,
            procedure: f.procedure,
            person_first_name: f.person_first_name,
            person_last_name: f.person_last_name,
            assignee_name: f.assignee_name,
        }
    }
}

/// One reminder in an agent's inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub id: NotificationId,
    pub structure_id: StructureId,
    pub agent_id: AgentId,
    pub follow_up_id: FollowUpId,
    pub due_date: NaiveDate,
    pub kind: ReminderKind,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    pub email_status: EmailStatus,
}

impl TryFrom<NotificationRow> for Reminder {
    type Error = ServiceError;

    fn try_from(n: NotificationRow) -> Result<Self, ServiceError> {
        Ok(Self {
            id: NotificationId(n.id),
            structure_id: StructureId(n.structure_id),
            agent_id: AgentId(n.agent_id),
            follow_up_id: FollowUpId(n.follow_up_id),
            due_date: n.due_date,
            kind: stored(&n.kind, ReminderKind::parse)?,
            created_at: n.created_at,
            read_at: n.read_at,
            email_status: stored(&n.email_status, EmailStatus::parse)?,
        })
    }
}

/// A reminder with what it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderItem {
    pub notification: Reminder,
    pub help_request_id: Option<HelpRequestId>,
    pub person_id: Option<PersonId>,
    pub reference: Option<String>,
    pub procedure: Option<String>,
}

impl TryFrom<NotificationListRow> for ReminderItem {
    type Error = ServiceError;

    fn try_from(n: NotificationListRow) -> Result<Self, ServiceError> {
        Ok(Self {
            notification: n.notification.try_into()?,
            help_request_id: n.help_request_id.map(HelpRequestId),
            person_id: n.person_id.map(PersonId),
            reference: n.reference,
            procedure: n.procedure,
        })
    }
}

// ---- the interventions export -----------------------------------------------------

/// One intervention as the export writes it. Names are read only when the
/// export asks for them.
#[derive(Clone, PartialEq, Eq)]
pub struct ExportIntervention {
    pub id: InterventionId,
    pub occurred_at: DateTime<Utc>,
    pub duration_minutes: i64,
    pub mode: Mode,
    pub place: InterventionPlace,
    pub agent_id: Option<AgentId>,
    pub agent_name: Option<String>,
    pub reference: String,
    pub procedure: String,
    pub category: ProcedureCategory,
    pub operator: Option<String>,
    pub channel: Channel,
    pub rights_at_risk: bool,
    pub status: RequestStatus,
    pub outcome: Option<Outcome>,
    pub block_reason: Option<BlockReason>,
    pub created_by: Option<AgentId>,
    /// When the request was made (its age bracket's day).
    pub request_created_at: DateTime<Utc>,
    pub birth_year: Option<i64>,
    pub person_commune: Option<String>,
    pub anon_age_bracket: Option<AgeBracket>,
    pub anon_commune: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

impl ExportIntervention {
    /// The age bracket of the request's person (the one rule of
    /// [`AgeBracket::of_request`]).
    pub fn age_bracket(&self) -> AgeBracket {
        AgeBracket::of_request(
            self.anon_age_bracket.map(AgeBracket::as_str),
            self.birth_year,
            self.request_created_at,
        )
    }
}

impl std::fmt::Debug for ExportIntervention {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportIntervention")
            .field("id", &self.id)
            .field("reference", &self.reference)
            .finish_non_exhaustive()
    }
}

impl TryFrom<ExportInterventionRow> for ExportIntervention {
    type Error = ServiceError;

    fn try_from(r: ExportInterventionRow) -> Result<Self, ServiceError> {
        Ok(Self {
            id: InterventionId(r.id),
            occurred_at: r.occurred_at,
            duration_minutes: r.duration_minutes,
            mode: stored(&r.mode, Mode::parse)?,
            place: stored(&r.place, InterventionPlace::parse)?,
            agent_id: r.agent_id.map(AgentId),
            agent_name: r.agent_name,
            reference: r.reference,
            procedure: r.procedure,
            category: stored(&r.category, ProcedureCategory::parse)?,
            operator: r.operator,
            channel: stored(&r.channel, Channel::parse)?,
            rights_at_risk: r.rights_at_risk,
            status: stored(&r.status, RequestStatus::parse)?,
            outcome: stored_opt(r.outcome.as_deref(), Outcome::parse)?,
            block_reason: stored_opt(r.block_reason.as_deref(), BlockReason::parse)?,
            created_by: r.created_by.map(AgentId),
            request_created_at: r.request_created_at,
            birth_year: r.birth_year,
            person_commune: r.person_commune,
            anon_age_bracket: stored_opt(r.anon_age_bracket.as_deref(), AgeBracket::parse)?,
            anon_commune: r.anon_commune,
            first_name: r.first_name,
            last_name: r.last_name,
        })
    }
}

// ---- a structure's catalogue and team -----------------------------------------------

/// How a structure reaches an operator as a partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorChannel {
    pub structure_id: StructureId,
    pub operator_id: String,
    pub partner_portal: String,
    pub pro_phone: String,
    pub email: String,
    pub local_contact: String,
    pub answer_delay: String,
    pub notes: String,
    pub updated_by: Option<AgentId>,
    pub updated_at: DateTime<Utc>,
}

impl From<OperatorChannelRow> for OperatorChannel {
    fn from(c: OperatorChannelRow) -> Self {
        Self {
            structure_id: StructureId(c.structure_id),
            operator_id: c.operator_id,
            partner_portal: c.partner_portal,
            pro_phone: c.pro_phone,
            email: c.email,
            local_contact: c.local_contact,
            answer_delay: c.answer_delay,
            notes: c.notes,
            updated_by: c.updated_by.map(AgentId),
            updated_at: c.updated_at,
        }
    }
}

/// One structure an agent belongs to, with the role held there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub structure_id: StructureId,
    pub slug: String,
    pub structure_name: String,
    pub role: Role,
    pub active: bool,
}

impl TryFrom<MembershipRow> for Membership {
    type Error = ServiceError;

    fn try_from(m: MembershipRow) -> Result<Self, ServiceError> {
        Ok(Self {
            structure_id: StructureId(m.structure_id),
            slug: m.slug,
            structure_name: m.structure_name,
            role: stored(&m.role, Role::parse)?,
            active: m.active,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_stored_code_is_an_internal_error() {
        let r = stored("no_such_status", RequestStatus::parse);
        match r {
            Err(ServiceError::Internal(m)) => {
                assert!(m.contains("status") && m.contains("no_such_status"), "{m}")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            stored("done", RequestStatus::parse).ok(),
            Some(RequestStatus::Done)
        );
        assert_eq!(stored_opt(None, Outcome::parse).ok(), Some(None::<Outcome>));
    }

    #[test]
    fn equipment_is_read_in_its_order_and_an_unknown_one_fails() {
        let now = Utc::now();
        let row = PersonRow {
            id: uuid::Uuid::now_v7(),
            structure_id: uuid::Uuid::now_v7(),
            first_name: "A".into(),
            last_name: "B".into(),
            usual_name: None,
            birth_date: None,
            birth_year: None,
            phone: None,
            email: None,
            postcode: None,
            commune: None,
            insee_code: None,
            preferred_language: None,
            notes: None,
            privacy_notice_on: None,
            equipment: "tablet,none".into(),
            search_key: String::new(),
            phone_digits: String::new(),
            merged_into: None,
            created_by: None,
            created_at: now,
            updated_at: now,
            keep_until: None,
            keep_reason: None,
            anonymised_at: None,
        };
        let p = Person::try_from(row.clone()).map(|p| p.equipment).ok();
        assert_eq!(p, Some(vec![Equipment::Tablet, Equipment::NoEquipment]));
        let bad = PersonRow {
            equipment: "tablet,fax".into(),
            ..row
        };
        assert!(matches!(
            Person::try_from(bad),
            Err(ServiceError::Internal(_))
        ));
    }
}
