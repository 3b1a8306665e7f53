//! Sign-in with e-mail and password, TOTP second factor, sessions,
//! lockout after repeated failures, API tokens as bearer credentials.

use crate::error::ServiceError;
use crate::secrets::{random_token, token_hash, verify_password};
use crate::{Actor, Services};
use chrono::{DateTime, Utc};
use relais_domain::account::lockout_minutes;
use relais_domain::journal::JournalEvent;
use relais_domain::{AgentId, Email, Role, StructureId};
use relais_store::{AgentRow, LoginOutcome, MembershipRow, SessionRow};
use serde_json::json;
use totp_rs::{Algorithm, TOTP};
use uuid::Uuid;

/// Where a session stands in the sign-in sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Password accepted; waiting for the one-time code.
    Totp,
    /// Password accepted; the account must enrol a second factor first.
    Enrol,
    /// Fully signed in.
    Full,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Totp => "totp",
            Stage::Enrol => "enrol",
            Stage::Full => "full",
        }
    }
    fn parse(s: &str) -> Option<Self> {
        match s {
            "totp" => Some(Stage::Totp),
            "enrol" => Some(Stage::Enrol),
            "full" => Some(Stage::Full),
            _ => None,
        }
    }
}

/// The result of a successful password check.
#[derive(Debug, Clone)]
pub struct SignIn {
    /// The session token to hand to the browser (shown once, stored hashed).
    pub token: String,
    pub stage: Stage,
}

/// A live session as the web layer sees it.
#[derive(Debug, Clone)]
pub struct SessionContext {
    pub token_hash: String,
    pub csrf_token: String,
    pub stage: Stage,
    pub agent_id: AgentId,
    /// Set when the session is fully signed in with an active membership.
    pub actor: Option<Actor>,
    /// The active memberships, for the structure switcher.
    pub memberships: Vec<MembershipRow>,
}

const TOTP_STEP: u64 = 30;

pub(crate) fn totp_for(
    secret_b32: &str,
    issuer: &str,
    account: &str,
) -> Result<TOTP, ServiceError> {
    let secret = totp_rs::Secret::Encoded(secret_b32.to_owned())
        .to_bytes()
        .map_err(|_| ServiceError::Internal("stored TOTP secret is not base32".into()))?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        TOTP_STEP,
        secret,
        Some(issuer.to_owned()),
        account.replace(':', "_"),
    )
    .map_err(|e| ServiceError::Internal(format!("TOTP: {e}")))
}

/// Returns the time step a code matches (current step, or one step of
/// clock drift either way), if any.
pub(crate) fn matching_step(totp: &TOTP, code: &str, now: DateTime<Utc>) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let t = u64::try_from(now.timestamp()).ok()?;
    let step = t / TOTP_STEP;
    [step.saturating_sub(1), step, step + 1]
        .into_iter()
        .find(|s| constant_time_eq(&totp.generate(s * TOTP_STEP), &code))
        .and_then(|s| i64::try_from(s).ok())
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

pub(crate) fn actor_from(
    agent: &AgentRow,
    memberships: &[MembershipRow],
    wanted: Option<Uuid>,
) -> Option<Actor> {
    let active = memberships.iter().filter(|m| m.active);
    let chosen = match wanted {
        Some(id) => memberships
            .iter()
            .find(|m| m.active && m.structure_id == id),
        None => active.clone().next(),
    }?;
    let role = Role::parse(&chosen.role).ok()?;
    Some(Actor {
        agent_id: AgentId(agent.id),
        name: agent.name.clone(),
        email: agent.email.clone(),
        structure_id: StructureId(chosen.structure_id),
        structure_slug: chosen.slug.clone(),
        structure_name: chosen.structure_name.clone(),
        role,
    })
}

impl Services {
    /// Checks e-mail and password. Unknown accounts take the same time as
    /// known ones; every failure is journaled and counts toward a lockout.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<SignIn, ServiceError> {
        let now = self.now();
        let agent = match Email::parse(email) {
            Ok(e) => self.store.agent_by_email(e.as_str()).await?,
            Err(_) => None,
        };
        let Some(agent) = agent else {
            verify_password(password.to_owned(), None).await?;
            self.store
                .journal_only(
                    &[JournalEvent::new("auth.sign_in_failed")
                        .details(json!({"reason": "unknown_account"}))],
                    now,
                )
                .await?;
            return Err(ServiceError::InvalidCredentials);
        };

        if let Some(until) = agent.locked_until.filter(|u| *u > now) {
            // Locked: the password is not even checked, but the attempt counts.
            self.count_failure(&agent, "locked", now).await?;
            return Err(ServiceError::Locked(until));
        }

        let ok = verify_password(password.to_owned(), agent.password_hash.clone()).await?;
        if !ok {
            self.count_failure(&agent, "bad_password", now).await?;
            return Err(ServiceError::InvalidCredentials);
        }

        let memberships = self.store.memberships_of(agent.id).await?;
        let Some(first) = memberships.iter().find(|m| m.active) else {
            self.store
                .journal_only(
                    &[JournalEvent::new("auth.sign_in_refused")
                        .actor(agent.id)
                        .details(json!({"reason": "no_active_membership"}))],
                    now,
                )
                .await?;
            return Err(ServiceError::AccountDisabled);
        };

        let stage = if agent.totp_enabled {
            Stage::Totp
        } else if self.config.require_totp {
            Stage::Enrol
        } else {
            Stage::Full
        };
        let token = random_token(32);
        let session = SessionRow {
            token_hash: token_hash(&token),
            agent_id: agent.id,
            structure_id: Some(first.structure_id),
            stage: stage.as_str().to_owned(),
            csrf_token: random_token(32),
            created_at: now,
            last_seen_at: now,
        };
        if stage != Stage::Totp {
            // With a second factor pending, the failure count is kept until
            // the code is right: a known password gives no free code guesses.
            self.store
                .record_login(
                    agent.id,
                    &LoginOutcome {
                        failed_logins: 0,
                        locked_until: None,
                        totp_last_step: None,
                    },
                    &[],
                    now,
                )
                .await?;
        }
        self.store
            .insert_session(
                &session,
                &[JournalEvent::new("auth.sign_in")
                    .actor(agent.id)
                    .details(json!({"factor": "password", "stage": stage.as_str()}))],
                now,
            )
            .await?;
        Ok(SignIn { token, stage })
    }

    async fn count_failure(
        &self,
        agent: &AgentRow,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        let failures = agent.failed_logins + 1;
        let mut events = vec![JournalEvent::new("auth.sign_in_failed")
            .actor(agent.id)
            .details(json!({"reason": reason, "consecutive_failures": failures}))];
        let mut locked_until = agent.locked_until;
        if failures % 5 == 0 {
            if let Some(minutes) = lockout_minutes(failures) {
                let until = now + chrono::Duration::minutes(minutes);
                locked_until = Some(until);
                events.push(
                    JournalEvent::new("auth.account_locked")
                        .actor(agent.id)
                        .object("agent", agent.id)
                        .details(json!({"minutes": minutes, "consecutive_failures": failures})),
                );
            }
        }
        self.store
            .record_login(
                agent.id,
                &LoginOutcome {
                    failed_logins: failures,
                    locked_until,
                    totp_last_step: None,
                },
                &events,
                now,
            )
            .await?;
        Ok(())
    }

    /// Second step of sign-in: the one-time code of the authenticator app.
    pub async fn verify_totp(&self, ctx: &SessionContext, code: &str) -> Result<(), ServiceError> {
        let now = self.now();
        let hash = ctx.token_hash.clone();
        let session = self
            .store
            .session_by_hash(&hash)
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        if Stage::parse(&session.stage) != Some(Stage::Totp) {
            return Err(ServiceError::Unauthenticated);
        }
        let agent = self
            .store
            .agent_by_id(session.agent_id)
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        if let Some(until) = agent.locked_until.filter(|u| *u > now) {
            self.count_failure(&agent, "locked", now).await?;
            return Err(ServiceError::Locked(until));
        }
        let secret = agent
            .totp_secret
            .as_deref()
            .ok_or(ServiceError::Unauthenticated)?;
        let totp = totp_for(secret, &self.config.totp_issuer, &agent.email)?;
        let step = matching_step(&totp, code, now)
            .filter(|s| agent.totp_last_step.is_none_or(|last| *s > last));
        let Some(step) = step else {
            self.count_failure(&agent, "bad_totp", now).await?;
            return Err(ServiceError::InvalidCredentials);
        };
        self.store
            .record_login(
                agent.id,
                &LoginOutcome {
                    failed_logins: 0,
                    locked_until: None,
                    totp_last_step: Some(step),
                },
                &[],
                now,
            )
            .await?;
        self.store
            .update_session(
                &hash,
                Stage::Full.as_str(),
                session.structure_id,
                &[JournalEvent::new("auth.second_factor")
                    .actor(agent.id)
                    .details(json!({"factor": "totp"}))],
                now,
            )
            .await?;
        Ok(())
    }

    /// Finds the live session behind a browser's token. Expired sessions
    /// are removed and give `None`.
    pub async fn session(
        &self,
        session_token: &str,
    ) -> Result<Option<SessionContext>, ServiceError> {
        let now = self.now();
        let hash = token_hash(session_token);
        let Some(session) = self.store.session_by_hash(&hash).await? else {
            return Ok(None);
        };
        let idle_expired = session.last_seen_at + self.config.session_idle < now;
        let absolute_expired = session.created_at + self.config.session_absolute < now;
        let Some(stage) = Stage::parse(&session.stage) else {
            return Ok(None);
        };
        if idle_expired || absolute_expired {
            self.store
                .delete_session(
                    &hash,
                    &[JournalEvent::new("auth.session_expired").actor(session.agent_id)],
                    now,
                )
                .await?;
            return Ok(None);
        }
        let Some(agent) = self.store.agent_by_id(session.agent_id).await? else {
            return Ok(None);
        };
        let memberships = self.store.memberships_of(agent.id).await?;
        let actor = if stage == Stage::Full {
            actor_from(&agent, &memberships, session.structure_id)
                .or_else(|| actor_from(&agent, &memberships, None))
        } else {
            None
        };
        if stage == Stage::Full && actor.is_none() {
            // No active membership left: the session is of no use.
            self.store.delete_session(&hash, &[], now).await?;
            return Ok(None);
        }
        if now - session.last_seen_at > chrono::Duration::seconds(60) {
            self.store.touch_session(&hash, now).await?;
        }
        Ok(Some(SessionContext {
            token_hash: hash,
            csrf_token: session.csrf_token,
            stage,
            agent_id: AgentId(agent.id),
            actor,
            memberships: memberships.into_iter().filter(|m| m.active).collect(),
        }))
    }

    pub async fn sign_out(&self, ctx: &SessionContext) -> Result<(), ServiceError> {
        let now = self.now();
        self.store
            .delete_session(
                &ctx.token_hash,
                &[JournalEvent::new("auth.sign_out").actor(ctx.agent_id.0)],
                now,
            )
            .await?;
        Ok(())
    }

    /// Closes every session of the actor's account, this one included.
    pub async fn sign_out_everywhere(&self, agent_id: AgentId) -> Result<u64, ServiceError> {
        let now = self.now();
        Ok(self
            .store
            .delete_sessions_of(
                agent_id.0,
                &[JournalEvent::new("auth.sign_out_everywhere").actor(agent_id.0)],
                now,
            )
            .await?)
    }

    /// Switches the session to another structure the agent belongs to.
    pub async fn switch_structure(
        &self,
        ctx: &SessionContext,
        structure_id: StructureId,
    ) -> Result<(), ServiceError> {
        let now = self.now();
        if !ctx
            .memberships
            .iter()
            .any(|m| m.active && m.structure_id == structure_id.0)
        {
            return Err(ServiceError::NotFound);
        }
        self.store
            .update_session(
                &ctx.token_hash,
                ctx.stage.as_str(),
                Some(structure_id.0),
                &[JournalEvent::new("auth.switch_structure")
                    .actor(ctx.agent_id.0)
                    .structure(structure_id.0)],
                now,
            )
            .await?;
        Ok(())
    }

    /// Authenticates an API bearer token.
    pub async fn authenticate_token(&self, token: &str) -> Result<Actor, ServiceError> {
        let now = self.now();
        let row = self
            .store
            .token_by_hash(&token_hash(token.trim()))
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        if row.revoked_at.is_some() {
            return Err(ServiceError::Unauthenticated);
        }
        let agent = self
            .store
            .agent_by_id(row.agent_id)
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        let memberships = self.store.memberships_of(agent.id).await?;
        let actor = actor_from(&agent, &memberships, Some(row.structure_id))
            .ok_or(ServiceError::Unauthenticated)?;
        if row
            .last_used_at
            .is_none_or(|t| now - t > chrono::Duration::seconds(60))
        {
            self.store.touch_token(row.id, now).await?;
        }
        Ok(actor)
    }
}
