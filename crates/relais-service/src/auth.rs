//! Sign-in with e-mail and password, TOTP second factor, sessions,
//! lockout after repeated failures, API tokens as bearer credentials.

use crate::error::ServiceError;
use crate::secrets::{random_token, token_hash, verify_password};
use crate::views::Membership;
use crate::{Actor, Services};
use chrono::{DateTime, Utc};
use relais_domain::journal::JournalEvent;
use relais_domain::{AgentId, ApiTokenId, Email, Role, StructureId};
use relais_store::{AgentRow, MembershipRow, SessionRow};
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
    pub memberships: Vec<Membership>,
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

/// One failed attempt, as journaled: ids and a reason, never the address.
fn failure_event(agent: Option<Uuid>, reason: &str, failures: Option<i64>) -> JournalEvent {
    let mut event = JournalEvent::new("auth.sign_in_failed");
    if let Some(id) = agent {
        event = event.actor(id);
    }
    match failures {
        Some(n) => event.details(json!({"reason": reason, "consecutive_failures": n})),
        None => event.details(json!({"reason": reason})),
    }
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

/// Why a sign-in attempt failed, as journaled (never shown: every failure
/// answers the same).
const UNKNOWN_ACCOUNT: &str = "unknown_account";
const THROTTLED: &str = "throttled";
const BAD_PASSWORD: &str = "bad_password";
const BAD_TOTP: &str = "bad_totp";

impl Services {
    /// Checks e-mail and password for a client at `address` (the TCP peer).
    ///
    /// Every failure runs one argon2 check, answers
    /// [`ServiceError::InvalidCredentials`] and is journaled, so an unknown
    /// account, a held-back address and a wrong password look and take the
    /// same. Each attempt is counted for (account, address) *before* the
    /// password is checked; after four failures that address waits longer
    /// and longer (see [`relais_domain::account::throttle_seconds`]), while
    /// other addresses are not held back.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        address: &str,
    ) -> Result<SignIn, ServiceError> {
        let now = self.now();
        let agent = match Email::parse(email) {
            Ok(e) => self.store.agent_by_email(e.as_str()).await?,
            Err(_) => None,
        };
        let Some(agent) = agent else {
            verify_password(password.to_owned(), None).await?;
            self.store
                .journal_only(&[failure_event(None, UNKNOWN_ACCOUNT, None)], now)
                .await?;
            return Err(ServiceError::InvalidCredentials);
        };
        let throttled = [failure_event(Some(agent.id), THROTTLED, None)];
        let Some(failures) = self
            .store
            .reserve_login_attempt(AgentId(agent.id), address, &throttled, now)
            .await?
        else {
            // Held back: the password is checked all the same, for the
            // time, and its result ignored.
            verify_password(password.to_owned(), agent.password_hash.clone()).await?;
            return Err(ServiceError::InvalidCredentials);
        };
        if !verify_password(password.to_owned(), agent.password_hash.clone()).await? {
            self.store
                .journal_only(
                    &[failure_event(Some(agent.id), BAD_PASSWORD, Some(failures))],
                    now,
                )
                .await?;
            return Err(ServiceError::InvalidCredentials);
        }

        let memberships = self.store.memberships_of(AgentId(agent.id)).await?;
        let last = self.store.last_structure_of(AgentId(agent.id)).await?;
        let Some(chosen) = memberships
            .iter()
            .find(|m| m.active && Some(StructureId(m.structure_id)) == last)
            .or_else(|| memberships.iter().find(|m| m.active))
        else {
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
            structure_id: Some(chosen.structure_id),
            stage: stage.as_str().to_owned(),
            csrf_token: random_token(32),
            created_at: now,
            last_seen_at: now,
        };
        if stage == Stage::Totp {
            // A code is still to come: this attempt is given back, but the
            // failures before it stay until a code is right, so a known
            // password gives no free code guesses.
            self.store
                .release_login_attempt(AgentId(agent.id), address)
                .await?;
        } else {
            self.store
                .clear_login_throttle(AgentId(agent.id), address, &[], now)
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

    /// Second step of sign-in: the one-time code of the authenticator app,
    /// counted for (account, address) before it is checked, like passwords.
    pub async fn verify_totp(
        &self,
        ctx: &SessionContext,
        code: &str,
        address: &str,
    ) -> Result<(), ServiceError> {
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
            .agent_by_id(AgentId(session.agent_id))
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        let throttled = [failure_event(Some(agent.id), THROTTLED, None)];
        let Some(failures) = self
            .store
            .reserve_login_attempt(AgentId(agent.id), address, &throttled, now)
            .await?
        else {
            return Err(ServiceError::InvalidCredentials);
        };
        let secret = agent
            .totp_secret
            .as_deref()
            .ok_or(ServiceError::Unauthenticated)?;
        let totp = totp_for(secret, &self.config.totp_issuer, &agent.email)?;
        let step = matching_step(&totp, code, now)
            .filter(|s| agent.totp_last_step.is_none_or(|last| *s > last));
        let accepted = match step {
            Some(step) => {
                self.store
                    .accept_totp_step(AgentId(agent.id), step, address, &[], now)
                    .await?
            }
            None => false,
        };
        if !accepted {
            self.store
                .journal_only(
                    &[failure_event(Some(agent.id), BAD_TOTP, Some(failures))],
                    now,
                )
                .await?;
            return Err(ServiceError::InvalidCredentials);
        }
        self.store
            .update_session(
                &hash,
                Stage::Full.as_str(),
                session.structure_id.map(StructureId),
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
        let Some((agent, memberships)) = self
            .store
            .agent_with_memberships(AgentId(session.agent_id))
            .await?
        else {
            return Ok(None);
        };
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
        // Activity is written at most once a minute (or, for short idle
        // settings, four times per idle period).
        let step = std::cmp::min(chrono::Duration::seconds(60), self.config.session_idle / 4);
        if now - session.last_seen_at > step {
            self.store.touch_session(&hash, now).await?;
        }
        Ok(Some(SessionContext {
            token_hash: hash,
            csrf_token: session.csrf_token,
            stage,
            agent_id: AgentId(agent.id),
            actor,
            memberships: memberships
                .into_iter()
                .filter(|m| m.active)
                .map(Membership::try_from)
                .collect::<Result<_, _>>()?,
        }))
    }

    pub async fn sign_out(&self, ctx: &SessionContext) -> Result<(), ServiceError> {
        let now = self.now();
        self.store
            .delete_session(
                &ctx.token_hash,
                &[JournalEvent::new("auth.sign_out").actor(ctx.agent_id)],
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
                agent_id,
                &[JournalEvent::new("auth.sign_out_everywhere").actor(agent_id)],
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
            .any(|m| m.active && m.structure_id == structure_id)
        {
            return Err(ServiceError::NotFound);
        }
        self.store
            .switch_structure(
                &ctx.token_hash,
                ctx.agent_id,
                structure_id,
                &[JournalEvent::new("auth.switch_structure")
                    .actor(ctx.agent_id)
                    .structure(structure_id)],
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
        let (agent, memberships) = self
            .store
            .agent_with_memberships(AgentId(row.agent_id))
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        let actor = actor_from(&agent, &memberships, Some(row.structure_id))
            .ok_or(ServiceError::Unauthenticated)?;
        if row
            .last_used_at
            .is_none_or(|t| now - t > chrono::Duration::seconds(60))
        {
            self.store.touch_token(ApiTokenId(row.id), now).await?;
        }
        Ok(actor)
    }
}
