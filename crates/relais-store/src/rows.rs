//! Rows as stored. The service layer turns them into domain values.

use chrono::{DateTime, Utc};
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
