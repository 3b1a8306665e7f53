//! Accounts: sessions, one-time links, sign-in throttle, joining, credential resets, API tokens.

use super::prelude::*;

impl Store {
    pub async fn insert_session(
        &self,
        s: &SessionRow,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, insert_session(s, events, now))
    }

    pub async fn session_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<SessionRow>, StoreError> {
        dispatch!(self, read, session_by_hash(token_hash))
    }

    pub async fn sessions_of(&self, agent_id: AgentId) -> Result<Vec<SessionRow>, StoreError> {
        dispatch!(self, read, sessions_of(agent_id.0))
    }

    pub async fn touch_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, touch_session(token_hash, now))
    }

    pub async fn update_session(
        &self,
        token_hash: &str,
        stage: &str,
        structure_id: Option<StructureId>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            update_session(token_hash, stage, structure_id.map(|i| i.0), events, now)
        )
    }

    pub async fn delete_session(
        &self,
        token_hash: &str,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, delete_session(token_hash, events, now))
    }

    pub async fn delete_sessions_of(
        &self,
        agent_id: AgentId,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        dispatch!(self, write, delete_sessions_of(agent_id.0, events, now))
    }

    pub async fn delete_expired_sessions(
        &self,
        idle_before: DateTime<Utc>,
        created_before: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        dispatch!(
            self,
            write,
            delete_expired_sessions(idle_before, created_before)
        )
    }

    pub async fn delete_expired_links(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        dispatch!(self, write, delete_expired_links(before))
    }

    pub async fn insert_link(
        &self,
        l: &OneTimeLinkRow,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, insert_link(l, events, now))
    }

    pub async fn link_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<OneTimeLinkRow>, StoreError> {
        dispatch!(self, read, link_by_hash(token_hash))
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn accept_invite(
        &self,
        token_hash: &str,
        agent: &AgentRow,
        structure_id: StructureId,
        role: &str,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            accept_invite(token_hash, agent, structure_id.0, role, events, now)
        )
    }

    pub async fn accept_reset(
        &self,
        token_hash: &str,
        agent_id: AgentId,
        password_hash: &str,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            accept_reset(token_hash, agent_id.0, password_hash, events, now)
        )
    }

    /// Counts an attempt from `address` before it is checked; `None` when
    /// the address must still wait (then `events_if_throttled` are
    /// journaled and nothing is counted).
    pub async fn reserve_login_attempt(
        &self,
        agent_id: AgentId,
        address: &str,
        events_if_throttled: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, StoreError> {
        dispatch!(
            self,
            write,
            reserve_login_attempt(agent_id.0, address, events_if_throttled, now)
        )
    }

    pub async fn clear_login_throttle(
        &self,
        agent_id: AgentId,
        address: &str,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            clear_login_throttle(agent_id.0, address, events, now)
        )
    }

    pub async fn release_login_attempt(
        &self,
        agent_id: AgentId,
        address: &str,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, release_login_attempt(agent_id.0, address))
    }

    pub async fn login_throttle(
        &self,
        agent_id: AgentId,
        address: &str,
    ) -> Result<Option<LoginThrottleRow>, StoreError> {
        dispatch!(self, read, login_throttle(agent_id.0, address))
    }

    pub async fn delete_stale_throttles(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        dispatch!(self, write, delete_stale_throttles(before))
    }

    pub async fn accept_totp_step(
        &self,
        agent_id: AgentId,
        step: i64,
        address: &str,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        dispatch!(
            self,
            write,
            accept_totp_step(agent_id.0, step, address, events, now)
        )
    }

    pub async fn last_structure_of(
        &self,
        agent_id: AgentId,
    ) -> Result<Option<StructureId>, StoreError> {
        let last = dispatch!(self, read, last_structure_of(agent_id.0))?;
        Ok(last.map(StructureId))
    }

    pub async fn switch_structure(
        &self,
        token_hash: &str,
        agent_id: AgentId,
        structure_id: StructureId,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            switch_structure(token_hash, agent_id.0, structure_id.0, events, now)
        )
    }

    /// Inserts a reset link only if `allowed` accepts the memberships of
    /// its creator and of the account, read in the same transaction under
    /// the account's lock. False when refused.
    pub async fn insert_reset_link(
        &self,
        l: &OneTimeLinkRow,
        allowed: &(dyn Fn(&[MembershipRow], &[MembershipRow]) -> bool + Sync),
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        dispatch!(self, write, insert_reset_link(l, allowed, events, now))
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn accept_join(
        &self,
        token_hash: &str,
        agent_id: AgentId,
        structure_id: StructureId,
        role: &str,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            accept_join(token_hash, agent_id.0, structure_id.0, role, events, now)
        )
    }

    pub async fn use_link(
        &self,
        token_hash: &str,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, use_link(token_hash, events, now))
    }

    pub async fn insert_token(
        &self,
        t: &ApiTokenRow,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, insert_token(t, events, now))
    }

    pub async fn token_by_hash(&self, token_hash: &str) -> Result<Option<ApiTokenRow>, StoreError> {
        dispatch!(self, read, token_by_hash(token_hash))
    }

    pub async fn tokens_of(&self, agent_id: AgentId) -> Result<Vec<ApiTokenRow>, StoreError> {
        dispatch!(self, read, tokens_of(agent_id.0))
    }

    pub async fn revoke_token(
        &self,
        id: ApiTokenId,
        agent_id: AgentId,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, write, revoke_token(id.0, agent_id.0, events, now))
    }

    pub async fn touch_token(&self, id: ApiTokenId, now: DateTime<Utc>) -> Result<(), StoreError> {
        dispatch!(self, write, touch_token(id.0, now))
    }
}
