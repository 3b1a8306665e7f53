//! Agents and memberships.

use super::prelude::*;

impl Store {
    pub async fn insert_agent(
        &self,
        a: &AgentRow,
        membership: Option<(StructureId, &str)>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let a = &a.sealed(&self.vault)?;
        let membership = membership.map(|(s, role)| (s.0, role));
        dispatch!(self, write, insert_agent(a, membership, events, now))
    }

    pub async fn upsert_membership(
        &self,
        agent_id: AgentId,
        structure_id: StructureId,
        role: &str,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            upsert_membership(agent_id.0, structure_id.0, role, events, now)
        )
    }

    pub async fn set_membership_active(
        &self,
        agent_id: AgentId,
        structure_id: StructureId,
        active: bool,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            set_membership_active(agent_id.0, structure_id.0, active, events, now)
        )
    }

    pub async fn agent_by_email(&self, email: &str) -> Result<Option<AgentRow>, StoreError> {
        let mut rows = dispatch!(self, read, agent_by_email(email))?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    pub async fn agent_by_id(&self, id: AgentId) -> Result<Option<AgentRow>, StoreError> {
        let mut rows = dispatch!(self, read, agent_by_id(id.0))?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    /// An account (its secrets opened) and its memberships, read in one
    /// statement: what every authenticated request needs.
    pub async fn agent_with_memberships(
        &self,
        id: AgentId,
    ) -> Result<Option<(AgentRow, Vec<MembershipRow>)>, StoreError> {
        let mut found = dispatch!(self, read, agent_with_memberships(id.0))?;
        if let Some((agent, _)) = found.as_mut() {
            agent.open(&self.vault)?;
        }
        Ok(found)
    }

    pub async fn memberships_of(
        &self,
        agent_id: AgentId,
    ) -> Result<Vec<MembershipRow>, StoreError> {
        dispatch!(self, read, memberships_of(agent_id.0))
    }

    pub async fn team_of(
        &self,
        structure_id: StructureId,
    ) -> Result<Vec<TeamMemberRow>, StoreError> {
        dispatch!(self, read, team_of(structure_id.0))
    }

    pub async fn record_login(
        &self,
        agent_id: AgentId,
        outcome: &LoginOutcome,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, record_login(agent_id.0, outcome, events, now))
    }

    pub async fn set_password(
        &self,
        agent_id: AgentId,
        password_hash: &str,
        keep_session: Option<&str>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            set_password(agent_id.0, password_hash, keep_session, events, now)
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn set_totp(
        &self,
        agent_id: AgentId,
        secret: Option<&str>,
        enabled: bool,
        last_step: Option<i64>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let sealed = match secret {
            Some(t) => Some(self.vault.seal("agents.totp_secret", agent_id.0, t)?),
            None => None,
        };
        let secret = sealed.as_deref();
        dispatch!(
            self,
            write,
            set_totp(agent_id.0, secret, enabled, last_step, events, now)
        )
    }
}
