//! Agents and memberships.

use super::prelude::*;

impl Store {
    pub async fn insert_agent(
        &self,
        a: &AgentRow,
        membership: Option<(Uuid, &str)>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let a = &a.sealed(&self.vault)?;
        dispatch!(self, write, insert_agent(a, membership, events, now))
    }

    pub async fn upsert_membership(
        &self,
        agent_id: Uuid,
        structure_id: Uuid,
        role: &str,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            upsert_membership(agent_id, structure_id, role, events, now)
        )
    }

    pub async fn set_membership_active(
        &self,
        agent_id: Uuid,
        structure_id: Uuid,
        active: bool,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            set_membership_active(agent_id, structure_id, active, events, now)
        )
    }

    pub async fn agent_by_email(&self, email: &str) -> Result<Option<AgentRow>, StoreError> {
        let mut rows = dispatch!(self, read, agent_by_email(email))?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    pub async fn agent_by_id(&self, id: Uuid) -> Result<Option<AgentRow>, StoreError> {
        let mut rows = dispatch!(self, read, agent_by_id(id))?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    pub async fn memberships_of(&self, agent_id: Uuid) -> Result<Vec<MembershipRow>, StoreError> {
        dispatch!(self, read, memberships_of(agent_id))
    }

    pub async fn team_of(&self, structure_id: Uuid) -> Result<Vec<TeamMemberRow>, StoreError> {
        dispatch!(self, read, team_of(structure_id))
    }

    pub async fn record_login(
        &self,
        agent_id: Uuid,
        outcome: &LoginOutcome,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, record_login(agent_id, outcome, events, now))
    }

    pub async fn set_password(
        &self,
        agent_id: Uuid,
        password_hash: &str,
        keep_session: Option<&str>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            set_password(agent_id, password_hash, keep_session, events, now)
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn set_totp(
        &self,
        agent_id: Uuid,
        secret: Option<&str>,
        enabled: bool,
        last_step: Option<i64>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let sealed = match secret {
            Some(t) => Some(self.vault.seal("agents.totp_secret", agent_id, t)?),
            None => None,
        };
        let secret = sealed.as_deref();
        dispatch!(
            self,
            write,
            set_totp(agent_id, secret, enabled, last_step, events, now)
        )
    }
}
