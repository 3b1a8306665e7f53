//! Rows as stored. The service layer turns them into domain values.

use chrono::{DateTime, Utc};
use relais_domain::journal::JournalEvent;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StructureRow {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub kind: String,
    pub siret: Option<String>,
    pub commune: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AgentRow {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    pub totp_last_step: Option<i64>,
    pub failed_logins: i64,
    pub locked_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for AgentRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentRow")
            .field("id", &self.id)
            .field("totp_enabled", &self.totp_enabled)
            .field("failed_logins", &self.failed_logins)
            .field("locked_until", &self.locked_until)
            .finish_non_exhaustive()
    }
}

/// One structure an agent belongs to, with the role held there.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MembershipRow {
    pub structure_id: Uuid,
    pub slug: String,
    pub structure_name: String,
    pub role: String,
    pub active: bool,
}

/// One member of a structure's team.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TeamMemberRow {
    pub agent_id: Uuid,
    pub email: String,
    pub name: String,
    pub role: String,
    pub active: bool,
    pub totp_enabled: bool,
    pub has_password: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRow {
    pub token_hash: String,
    pub agent_id: Uuid,
    pub structure_id: Option<Uuid>,
    pub stage: String,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OneTimeLinkRow {
    pub token_hash: String,
    pub kind: String,
    pub structure_id: Option<Uuid>,
    pub agent_id: Option<Uuid>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub role: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiTokenRow {
    pub id: Uuid,
    pub agent_id: Uuid,
    pub structure_id: Uuid,
    pub label: String,
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct JournalRow {
    pub id: i64,
    pub chain: String,
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub structure_id: Option<Uuid>,
    pub action: String,
    pub object_type: Option<String>,
    pub object_id: Option<Uuid>,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

impl From<JournalRow> for relais_domain::journal::JournalEntry {
    fn from(r: JournalRow) -> Self {
        Self {
            id: r.id,
            chain: r.chain,
            seq: r.seq,
            at: r.at,
            actor_id: r.actor_id,
            structure_id: r.structure_id,
            action: r.action,
            object_type: r.object_type,
            object_id: r.object_id,
            details: r.details,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

/// The last entry of a chain, as recorded beside the journal.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct JournalHeadRow {
    pub chain: String,
    pub seq: i64,
    pub hash: String,
}

/// What a sign-in attempt changes on an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginOutcome {
    pub failed_logins: i64,
    pub locked_until: Option<DateTime<Utc>>,
    pub totp_last_step: Option<i64>,
}

/// The failures of one client address on one account.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LoginThrottleRow {
    pub agent_id: Uuid,
    pub address: String,
    pub failures: i64,
    pub blocked_until: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

// ---- help desk ---------------------------------------------------------------

use chrono::NaiveDate;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PersonRow {
    pub id: Uuid,
    pub structure_id: Uuid,
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
    /// Comma-separated equipment codes.
    pub equipment: String,
    pub search_key: String,
    pub phone_digits: String,
    pub merged_into: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// A supervisor kept the file past the retention period until then.
    pub keep_until: Option<NaiveDate>,
    pub keep_reason: Option<String>,
    /// When the file was anonymised (retention or erasure).
    pub anonymised_at: Option<DateTime<Utc>>,
}

/// What person search needs to score a candidate and show it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PersonCandidateRow {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub usual_name: Option<String>,
    pub birth_year: Option<i64>,
    pub commune: Option<String>,
    pub search_key: String,
    pub phone_digits: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AutonomyRow {
    pub id: Uuid,
    pub person_id: Uuid,
    pub level: String,
    pub assessed_on: NaiveDate,
    pub agent_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PersonAccountRow {
    pub person_id: Uuid,
    pub kind: String,
    pub has_account: String,
    pub can_sign_in: String,
    pub recovery: String,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HelpRequestRow {
    pub id: Uuid,
    pub structure_id: Uuid,
    pub reference: String,
    pub person_id: Option<Uuid>,
    pub anon_age_bracket: Option<String>,
    pub anon_postcode: Option<String>,
    pub anon_commune: Option<String>,
    pub procedure: String,
    pub category: String,
    pub operator: Option<String>,
    pub channel: String,
    pub rights_at_risk: bool,
    pub deadline: Option<NaiveDate>,
    pub status: String,
    pub outcome: Option<String>,
    pub block_reason: Option<String>,
    pub submission_key: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// A help request with the names of its person, for lists.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HelpRequestListRow {
    #[sqlx(flatten)]
    pub request: HelpRequestRow,
    pub person_first_name: Option<String>,
    pub person_last_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InterventionRow {
    pub id: Uuid,
    pub structure_id: Uuid,
    pub help_request_id: Uuid,
    pub agent_id: Option<Uuid>,
    pub occurred_at: DateTime<Utc>,
    pub duration_minutes: i64,
    pub mode: String,
    pub place: String,
    pub summary: Option<String>,
    pub next_step: Option<String>,
    /// The mandate an intervention done for the person relied on.
    pub mandate_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// An intervention with the name of the agent who gave it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InterventionListRow {
    #[sqlx(flatten)]
    pub intervention: InterventionRow,
    pub agent_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FollowUpRow {
    pub id: Uuid,
    pub structure_id: Uuid,
    pub help_request_id: Option<Uuid>,
    pub person_id: Option<Uuid>,
    pub assignee_id: Uuid,
    pub due_date: NaiveDate,
    pub reason: String,
    pub done: bool,
    pub done_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// A follow-up with what it is about, for the home page.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FollowUpListRow {
    #[sqlx(flatten)]
    pub follow_up: FollowUpRow,
    pub reference: Option<String>,
    pub procedure: Option<String>,
    pub person_first_name: Option<String>,
    pub person_last_name: Option<String>,
    pub assignee_name: Option<String>,
}

/// Filters of a mandate list; `None` means "any". The list is sorted
/// newest first (`created_at`, then `id`), and read by pages.
/// The order of a mandate list, each with the mandate a page starts
/// after (`None`: from the first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MandateOrder {
    /// Newest first (`created_at`, `id`, descending).
    Newest(Option<(DateTime<Utc>, Uuid)>),
    /// Soonest end first (`ends_on`, `id`).
    SoonestEnd(Option<(NaiveDate, Uuid)>),
}

impl Default for MandateOrder {
    fn default() -> Self {
        MandateOrder::Newest(None)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MandateFilter {
    pub person_id: Option<Uuid>,
    /// The stored conditions of a state on a day, as the domain says them.
    pub state: Option<relais_domain::mandate::StateSelection>,
    /// Mandates that name this category code and have not revoked it.
    pub category: Option<String>,
    /// Ending on this day or before.
    pub ends_by: Option<NaiveDate>,
    /// The order, and where the page starts in it.
    pub order: MandateOrder,
    /// At most this many; all when `None`.
    pub limit: Option<i64>,
}

/// Filters of the request list; `None` means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestFilter {
    pub status: Option<String>,
    /// Only requests that are not closed.
    pub open_only: bool,
    pub category: Option<String>,
    /// Matched case-insensitively as a substring.
    pub operator: Option<String>,
    /// Requests this agent created or worked on.
    pub agent_id: Option<Uuid>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub rights_at_risk: Option<bool>,
    pub person_id: Option<Uuid>,
    /// Requests whose deadline falls between these days (both included).
    pub deadline_between: Option<(NaiveDate, NaiveDate)>,
}

/// Everything one desk intake writes, in one transaction.
#[derive(Debug, Clone)]
pub struct IntakeRows {
    /// The year of the reference (the structure's local year).
    pub reference_year: i32,
    pub new_person: Option<PersonRow>,
    pub autonomy: Option<AutonomyRow>,
    pub request: HelpRequestRow,
    pub intervention: Option<InterventionRow>,
    pub follow_up: Option<FollowUpRow>,
}

// ---- mandates and policy ------------------------------------------------------

#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MandateRow {
    pub id: Uuid,
    pub structure_id: Uuid,
    pub person_id: Uuid,
    /// Comma-separated category codes.
    pub categories: String,
    pub revoked_categories: String,
    pub duration: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub consent: String,
    pub signed_at: Option<DateTime<Utc>>,
    pub verification_code: String,
    pub revocation_secret: String,
    pub remote_code_hash: Option<String>,
    pub remote_code_expires: Option<DateTime<Utc>>,
    pub remote_attempts: i64,
    pub signature_svg: Option<String>,
    pub scan: Option<Vec<u8>>,
    pub scan_type: Option<String>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoke_reason: Option<String>,
    pub renewed_from: Option<Uuid>,
    pub drawn_by: Option<Uuid>,
    pub lang: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl std::fmt::Debug for MandateRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MandateRow")
            .field("id", &self.id)
            .field("categories", &self.categories)
            .field("starts_on", &self.starts_on)
            .field("ends_on", &self.ends_on)
            .field("consent", &self.consent)
            .finish_non_exhaustive()
    }
}

/// What the rules need of a mandate, read (and locked on PostgreSQL)
/// inside the transaction of a write that relies on it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MandateFactsRow {
    pub id: Uuid,
    pub consent: String,
    pub verification_code: String,
    pub categories: String,
    pub revoked_categories: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub signed_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A mandate's facts with the person who gave it (badges of a list).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PersonMandateFactsRow {
    pub person_id: Uuid,
    #[sqlx(flatten)]
    pub facts: MandateFactsRow,
}

/// What an intervention's coverage is decided on, read inside the
/// transaction that inserts it: the request's category as it is now, and
/// the mandates of its person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    pub category: String,
    pub person_id: Option<Uuid>,
    pub mandates: Vec<MandateFactsRow>,
}

/// What the coverage decision gives back: the mandate relied on, and the
/// journal entries that go with the decision.
pub type Covered = (Option<Uuid>, Vec<JournalEvent>);

/// A change of a person as decided on their details read inside the
/// write's transaction: the new details, a new autonomy assessment if
/// any, and the journal entries.
pub type PersonChange = (PersonRow, Option<AutonomyRow>, Vec<JournalEvent>);

/// A done-for intervention of a request with the mandate it relied on,
/// judged again when the request changes category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoneForFacts {
    pub intervention_id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub mode: String,
    pub mandate: Option<MandateFactsRow>,
}

/// A request's state before an update, read inside its transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestBefore {
    pub category: String,
    pub person_id: Option<Uuid>,
    /// Filled only when the category changes.
    pub done_for: Vec<DoneForFacts>,
}

/// A remote consent try, counted before the code is compared.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RemoteTry {
    pub remote_attempts: i64,
    pub remote_code_hash: Option<String>,
    pub remote_code_expires: Option<DateTime<Utc>>,
}

/// A mandate with the person's names, for lists.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MandateListRow {
    #[sqlx(flatten)]
    pub mandate: MandateRow,
    pub person_first_name: String,
    pub person_last_name: String,
    pub structure_name: String,
}

/// One journal line about an object, with the name of who did it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AccessRow {
    pub at: DateTime<Utc>,
    pub action: String,
    pub actor_name: Option<String>,
}

// ---- privacy -----------------------------------------------------------------

/// A note only its author can read.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PrivateNoteRow {
    pub id: Uuid,
    pub structure_id: Uuid,
    pub person_id: Uuid,
    pub author_id: Uuid,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// A person's file and the dates that decide when it is anonymised.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RetentionRow {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub updated_at: DateTime<Utc>,
    pub keep_until: Option<NaiveDate>,
    pub last_request: Option<DateTime<Utc>>,
    pub last_intervention: Option<DateTime<Utc>>,
    pub last_mandate_end: Option<NaiveDate>,
    /// Set for a record absorbed by a merge (anonymised by the job, not
    /// listed to supervisors).
    pub merged_into: Option<Uuid>,
}

/// What anonymising one file changes, in one transaction.
#[derive(Debug, Clone)]
pub struct Anonymisation {
    pub structure_id: Uuid,
    pub person_id: Uuid,
    pub postcode: Option<String>,
    pub commune: Option<String>,
}

/// One help request as statistics see it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StatsRequestRow {
    pub id: Uuid,
    pub category: String,
    pub operator: Option<String>,
    pub channel: String,
    pub created_by: Option<Uuid>,
    pub status: String,
    pub outcome: Option<String>,
    pub created_at: DateTime<Utc>,
    pub person_id: Option<Uuid>,
    pub birth_year: Option<i64>,
    pub person_commune: Option<String>,
    pub anon_age_bracket: Option<String>,
    pub anon_commune: Option<String>,
    pub rights_at_risk: bool,
    pub deadline: Option<NaiveDate>,
    pub block_reason: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    /// When the person's file was opened, for new persons.
    pub person_created_at: Option<DateTime<Utc>>,
    pub person_insee: Option<String>,
    pub person_postcode: Option<String>,
    pub anon_postcode: Option<String>,
}

/// One intervention as statistics see it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StatsInterventionRow {
    pub id: Uuid,
    pub mode: String,
    pub duration_minutes: i64,
    pub occurred_at: DateTime<Utc>,
    pub agent_id: Option<Uuid>,
    pub help_request_id: Uuid,
    /// The mandate a `done_for` intervention relied on.
    pub mandate_id: Option<Uuid>,
    /// The request's person, for distinct persons.
    pub person_id: Option<Uuid>,
    pub category: String,
    pub operator: Option<String>,
    pub channel: String,
    pub status: String,
    pub outcome: Option<String>,
}

/// A follow-up as statistics see it (overdue ones).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StatsFollowUpRow {
    pub due_date: NaiveDate,
    pub done: bool,
    pub done_at: Option<DateTime<Utc>>,
    pub assignee_id: Uuid,
    pub category: Option<String>,
    pub channel: Option<String>,
}

/// One autonomy assessment, for the progression of persons seen.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StatsAutonomyRow {
    pub person_id: Uuid,
    pub level: String,
    pub assessed_on: NaiveDate,
    pub created_at: DateTime<Utc>,
}

/// One intervention as the export writes it. Names are read only when the
/// export asks for them.
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ExportInterventionRow {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub duration_minutes: i64,
    pub mode: String,
    pub place: String,
    pub agent_id: Option<Uuid>,
    pub agent_name: Option<String>,
    pub reference: String,
    pub procedure: String,
    pub category: String,
    pub operator: Option<String>,
    pub channel: String,
    pub rights_at_risk: bool,
    pub status: String,
    pub outcome: Option<String>,
    pub block_reason: Option<String>,
    pub created_by: Option<Uuid>,
    /// When the request was made (its age bracket's day).
    pub request_created_at: DateTime<Utc>,
    pub birth_year: Option<i64>,
    pub person_commune: Option<String>,
    pub anon_age_bracket: Option<String>,
    pub anon_commune: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

impl std::fmt::Debug for ExportInterventionRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportInterventionRow")
            .field("id", &self.id)
            .field("reference", &self.reference)
            .finish_non_exhaustive()
    }
}

// ---- reminders ---------------------------------------------------------------

/// One reminder in an agent's inbox.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: Uuid,
    pub structure_id: Uuid,
    pub agent_id: Uuid,
    pub follow_up_id: Uuid,
    pub due_date: NaiveDate,
    /// `due` or `overdue`.
    pub kind: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    /// `none`, `pending`, `sending`, `sent` or `failed`.
    pub email_status: String,
    pub email_attempts: i64,
    pub email_next_at: Option<DateTime<Utc>>,
    pub email_claimed_at: Option<DateTime<Utc>>,
    pub email_error: Option<String>,
}

/// A reminder with what it is about, for the inbox and the e-mail.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NotificationListRow {
    #[sqlx(flatten)]
    pub notification: NotificationRow,
    pub help_request_id: Option<Uuid>,
    pub person_id: Option<Uuid>,
    pub reference: Option<String>,
    pub procedure: Option<String>,
    pub agent_email: String,
}

// ---- a structure's catalogue ---------------------------------------------------

/// A structure's choice about a shipped procedure.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ProcedureSettingRow {
    pub structure_id: Uuid,
    pub procedure_id: String,
    pub hidden: bool,
    pub local_note: String,
    pub updated_by: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
}

/// A procedure a structure added to its catalogue.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LocalProcedureRow {
    pub structure_id: Uuid,
    pub id: String,
    pub title: String,
    pub category: String,
    pub operator: String,
    pub link: String,
    /// One document per line.
    pub documents: String,
    pub tips: String,
    pub updated_by: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
}

/// How a structure reaches an operator as a partner.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OperatorChannelRow {
    pub structure_id: Uuid,
    pub operator_id: String,
    pub partner_portal: String,
    pub pro_phone: String,
    pub email: String,
    pub local_contact: String,
    pub answer_delay: String,
    pub notes: String,
    pub updated_by: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
}

/// A message to the person about a reminder, with what it needs.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PersonReminderRow {
    pub notification_id: Uuid,
    pub person_id: Uuid,
    /// `email` or `sms`.
    pub channel: String,
    pub status: String,
    pub attempts: i64,
    pub due_date: NaiveDate,
    pub procedure: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub structure_name: String,
}

// ---- bulk loading (the data generator) ------------------------------------------

/// What the stats API groups by, in SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsKey {
    Category,
    Operator,
    Outcome,
    Channel,
    Mode,
    /// Totals only.
    Nothing,
}

/// A period of the stats API read from roll-ups: one structure or all,
/// its (Paris) days, and its live days, which are counted from the desk's
/// rows rather than from roll-ups (today and after, or stale), as runs of
/// consecutive days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsWindow {
    pub scope: Option<uuid::Uuid>,
    pub period: relais_domain::Period,
    pub live: Vec<relais_domain::Period>,
}

/// Figures of a period computed by the database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatsAggregate {
    pub total_requests: i64,
    pub total_interventions: i64,
    pub minutes: i64,
    pub distinct_persons: i64,
    /// (key, requests)
    pub requests_by: Vec<(String, i64)>,
    /// (key, interventions, minutes)
    pub interventions_by: Vec<(String, i64, i64)>,
}

// ---- places ------------------------------------------------------------------------

/// A place people can be referred to, from an open-data source.
#[derive(Debug, Clone, Default, PartialEq, sqlx::FromRow)]
pub struct PlaceRow {
    pub id: Uuid,
    /// `france-services`, `lmn` or `data-inclusion`.
    pub source: String,
    pub source_id: String,
    pub name: String,
    pub siret: Option<String>,
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
    /// `|`-separated codes.
    pub services: String,
    pub labels: String,
    pub access_modes: String,
    pub updated_on: Option<NaiveDate>,
    /// Of the imported content: a re-import of the same row changes nothing.
    pub content_hash: String,
    pub imported_at: DateTime<Utc>,
    pub rna: Option<String>,
    /// `|`-separated codes.
    pub publics: String,
    pub fees: String,
    pub support_modes: String,
    pub description: Option<String>,
    /// Set for the structure's own places (source `relais`).
    pub structure_id: Option<Uuid>,
}

/// A service published apart from its structure (data·inclusion).
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct PlaceOfferRow {
    pub id: Uuid,
    pub source: String,
    pub source_id: String,
    /// The structure's id in the same source.
    pub structure_ref: String,
    pub name: String,
    pub description: Option<String>,
    /// `|`-separated codes.
    pub kinds: String,
    pub thematiques: String,
    pub services: String,
    pub fees: String,
    pub publics: String,
    pub link: Option<String>,
    pub content_hash: String,
    pub imported_at: DateTime<Utc>,
}

/// A person sent from a request to a place or to an operator's channel.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReferralRow {
    pub id: Uuid,
    pub structure_id: Uuid,
    pub help_request_id: Uuid,
    pub person_id: Option<Uuid>,
    pub place_id: Option<Uuid>,
    pub operator_id: Option<String>,
    /// Sealed.
    pub reason: Option<String>,
    /// `proposed`, `contacted`, `accepted`, `done` or `failed`.
    pub status: String,
    pub follow_up_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_on: Option<NaiveDate>,
}

/// A referral with the place's name.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReferralListRow {
    #[sqlx(flatten)]
    pub referral: ReferralRow,
    pub place_name: Option<String>,
}

/// What an import changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpsertCounts {
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
}
