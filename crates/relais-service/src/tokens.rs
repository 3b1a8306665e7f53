//! Personal API tokens: shown once, stored hashed, revocable.

use crate::error::ServiceError;
use crate::secrets::{random_token, token_hash};
use crate::{Actor, Services};
use chrono::{DateTime, Utc};
use relais_domain::journal::JournalEvent;
use relais_domain::validation::bounded_text;
use relais_domain::{AgentId, ApiTokenId, Email, FieldError, StructureId};
use relais_store::ApiTokenRow;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct TokenView {
    pub id: ApiTokenId,
    pub label: String,
    pub structure_id: StructureId,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked: bool,
}

/// Tokens start with a fixed prefix so that they are easy to recognise in
/// a leaked file.
const PREFIX: &str = "rls_";

impl Services {
    async fn insert_token(
        &self,
        agent_id: Uuid,
        structure_id: Uuid,
        label: &str,
        via_cli: bool,
    ) -> Result<String, ServiceError> {
        let now = self.now();
        let label = bounded_text("label", label, 1, 80)?;
        let token = format!("{PREFIX}{}", random_token(24));
        let row = ApiTokenRow {
            id: Uuid::now_v7(),
            agent_id,
            structure_id,
            label,
            token_hash: token_hash(&token),
            created_at: now,
            last_used_at: None,
            revoked_at: None,
        };
        let mut event = JournalEvent::new("account.token_created")
            .actor(agent_id)
            .structure(structure_id)
            .object("api_token", row.id);
        if via_cli {
            event = event.details(serde_json::json!({"via": "cli"}));
        }
        self.store.insert_token(&row, &[event], now).await?;
        Ok(token)
    }

    /// Creates a token for the actor in the current structure.
    pub async fn create_token(&self, actor: &Actor, label: &str) -> Result<String, ServiceError> {
        self.insert_token(actor.agent_id.0, actor.structure_id.0, label, false)
            .await
    }

    /// `relais token create`: a token for an account, in the given structure
    /// or in its first active one.
    pub async fn cli_create_token(
        &self,
        email: &str,
        label: &str,
        structure_slug: Option<&str>,
    ) -> Result<String, ServiceError> {
        let email = Email::parse(email)?;
        let agent = self
            .store
            .agent_by_email(email.as_str())
            .await?
            .ok_or_else(|| {
                ServiceError::Invalid(vec![FieldError::new("email", "unknown_account")])
            })?;
        let memberships = self.store.memberships_of(AgentId(agent.id)).await?;
        let membership = match structure_slug {
            Some(slug) => memberships
                .iter()
                .find(|m| m.active && m.slug == slug.trim()),
            None => memberships.iter().find(|m| m.active),
        }
        .ok_or_else(|| {
            ServiceError::Invalid(vec![FieldError::new("structure", "no_active_membership")])
        })?;
        self.insert_token(agent.id, membership.structure_id, label, true)
            .await
    }

    pub async fn list_tokens(&self, actor: &Actor) -> Result<Vec<TokenView>, ServiceError> {
        Ok(self
            .store
            .tokens_of(actor.agent_id)
            .await?
            .into_iter()
            .map(|t| TokenView {
                id: ApiTokenId(t.id),
                label: t.label,
                structure_id: StructureId(t.structure_id),
                created_at: t.created_at,
                last_used_at: t.last_used_at,
                revoked: t.revoked_at.is_some(),
            })
            .collect())
    }

    pub async fn revoke_token(&self, actor: &Actor, id: ApiTokenId) -> Result<(), ServiceError> {
        let now = self.now();
        self.store
            .revoke_token(
                id,
                actor.agent_id,
                &[JournalEvent::new("account.token_revoked")
                    .actor(actor.agent_id)
                    .structure(actor.structure_id)
                    .object("api_token", id)],
                now,
            )
            .await
            .map_err(|e| match e {
                relais_store::StoreError::NotFound => ServiceError::NotFound,
                other => other.into(),
            })
    }
}
