//! What an agent manages on their own account: password, second factor,
//! sessions.

use crate::auth::{matching_step, totp_for, Stage};
use crate::error::{Checks, ServiceError};
use crate::secrets::{hash_password, verify_password};
use crate::{Services, SessionContext};
use chrono::{DateTime, Utc};
use rand::RngCore;
use relais_domain::journal::JournalEvent;
use relais_domain::{AgentId, FieldError, NewPassword, StructureId};
use serde_json::json;

/// What the account page shows.
#[derive(Debug, Clone)]
pub struct AccountOverview {
    pub email: String,
    pub name: String,
    pub totp_enabled: bool,
    pub sessions: Vec<SessionInfo>,
}

#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub current: bool,
}

/// A TOTP secret being enrolled: shown as a QR code and as text.
#[derive(Debug, Clone)]
pub struct TotpEnrolment {
    pub secret_base32: String,
    pub otpauth_url: String,
}

impl Services {
    pub async fn account_overview(
        &self,
        ctx: &SessionContext,
    ) -> Result<AccountOverview, ServiceError> {
        let agent = self
            .store
            .agent_by_id(ctx.agent_id)
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        let sessions = self
            .store
            .sessions_of(AgentId(agent.id))
            .await?
            .into_iter()
            .map(|s| SessionInfo {
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                current: s.token_hash == ctx.token_hash,
            })
            .collect();
        Ok(AccountOverview {
            email: agent.email,
            name: agent.name,
            totp_enabled: agent.totp_enabled,
            sessions,
        })
    }

    /// Changes the password after checking the current one. The check of
    /// the current password is counted and throttled for (account,
    /// address) like a sign-in, and every wrong one is journaled. Every
    /// other session of the account is closed.
    pub async fn change_password(
        &self,
        ctx: &SessionContext,
        current: &str,
        new: &str,
        confirm: &str,
        address: &str,
    ) -> Result<(), ServiceError> {
        let now = self.now();
        let agent = self
            .store
            .agent_by_id(ctx.agent_id)
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        let mut checks = Checks::default();
        if current.is_empty() {
            checks.push(FieldError::new("current_password", "required"));
        }
        let new_pw = checks.take(
            NewPassword::parse_for(new, &[agent.email.as_str(), agent.name.as_str()]).map_err(
                |e| FieldError {
                    field: "new_password",
                    ..e
                },
            ),
        );
        if new != confirm {
            checks.push(FieldError::new("new_password_confirm", "passwords_differ"));
        }
        checks.finish()?;
        let new_pw = new_pw.ok_or_else(|| ServiceError::Internal("unreachable".into()))?;
        let failed = |reason: &str, failures: Option<i64>| {
            let mut details = json!({"reason": reason});
            if let Some(n) = failures {
                details["consecutive_failures"] = json!(n);
            }
            JournalEvent::new("account.password_change_failed")
                .actor(agent.id)
                .object("agent", agent.id)
                .details(details)
        };
        let Some(failures) = self
            .store
            .reserve_login_attempt(
                AgentId(agent.id),
                address,
                &[failed("throttled", None)],
                now,
            )
            .await?
        else {
            return Err(ServiceError::Invalid(vec![FieldError::new(
                "current_password",
                "too_many_attempts",
            )]));
        };
        if !verify_password(current.to_owned(), agent.password_hash.clone()).await? {
            self.store
                .journal_only(&[failed("wrong_password", Some(failures))], now)
                .await?;
            return Err(ServiceError::Invalid(vec![FieldError::new(
                "current_password",
                "wrong_password",
            )]));
        }
        let hash = hash_password(new_pw.expose().to_owned()).await?;
        // Setting the password also forgets the account's failures.
        self.store
            .set_password(
                AgentId(agent.id),
                &hash,
                Some(&ctx.token_hash),
                &[JournalEvent::new("account.password_changed")
                    .actor(agent.id)
                    .object("agent", agent.id)],
                now,
            )
            .await?;
        Ok(())
    }

    /// Starts (or restarts) TOTP enrolment: a new secret is stored, not yet
    /// enabled, until a code from it is confirmed.
    pub async fn begin_totp(&self, ctx: &SessionContext) -> Result<TotpEnrolment, ServiceError> {
        let now = self.now();
        let agent = self
            .store
            .agent_by_id(ctx.agent_id)
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        if agent.totp_enabled {
            // Already enrolled: the secret is never shown again.
            return Err(ServiceError::Conflict(FieldError::new(
                "code",
                "totp_already_enabled",
            )));
        }
        let secret_b32 = match agent.totp_secret.clone() {
            Some(s) => s,
            None => {
                let mut bytes = [0u8; 20];
                rand::rngs::OsRng.fill_bytes(&mut bytes);
                let s = totp_rs::Secret::Raw(bytes.to_vec())
                    .to_encoded()
                    .to_string();
                self.store
                    .set_totp(
                        AgentId(agent.id),
                        Some(&s),
                        false,
                        None,
                        &[JournalEvent::new("account.totp_enrolment_started")
                            .actor(agent.id)
                            .object("agent", agent.id)],
                        now,
                    )
                    .await?;
                s
            }
        };
        let totp = totp_for(&secret_b32, &self.config.totp_issuer, &agent.email)?;
        Ok(TotpEnrolment {
            secret_base32: secret_b32,
            otpauth_url: totp.get_url(),
        })
    }

    /// Confirms enrolment with a code from the new secret; a session that
    /// was waiting for enrolment becomes fully signed in.
    pub async fn confirm_totp(&self, ctx: &SessionContext, code: &str) -> Result<(), ServiceError> {
        let now = self.now();
        let agent = self
            .store
            .agent_by_id(ctx.agent_id)
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        let secret = agent.totp_secret.clone().ok_or_else(|| {
            ServiceError::Invalid(vec![FieldError::new("code", "totp_not_started")])
        })?;
        let totp = totp_for(&secret, &self.config.totp_issuer, &agent.email)?;
        let Some(step) = matching_step(&totp, code, now) else {
            return Err(ServiceError::Invalid(vec![FieldError::new(
                "code",
                "wrong_code",
            )]));
        };
        self.store
            .set_totp(
                AgentId(agent.id),
                Some(&secret),
                true,
                Some(step),
                &[JournalEvent::new("account.totp_enabled")
                    .actor(agent.id)
                    .object("agent", agent.id)
                    .details(json!({"factor": "totp"}))],
                now,
            )
            .await?;
        if ctx.stage == Stage::Enrol {
            // The session keeps the structure chosen at sign-in.
            let structure = match self.store.session_by_hash(&ctx.token_hash).await? {
                Some(s) => s.structure_id,
                None => ctx.memberships.first().map(|m| m.structure_id.0),
            };
            self.store
                .update_session(
                    &ctx.token_hash,
                    Stage::Full.as_str(),
                    structure.map(StructureId),
                    &[JournalEvent::new("auth.second_factor")
                        .actor(agent.id)
                        .details(json!({"factor": "totp", "enrolment": true}))],
                    now,
                )
                .await?;
        }
        Ok(())
    }
}
