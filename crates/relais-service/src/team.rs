//! Team management: supervisors list, invite, deactivate and reactivate the
//! accounts of their structure and hand out password-reset links.

use crate::error::{Checks, ServiceError};
use crate::secrets::{hash_password, random_token, token_hash};
use crate::Permission;
use crate::{Actor, Services, SessionContext};
use chrono::{DateTime, Utc};
use relais_domain::account::{may_reset_credentials, Seat};
use relais_domain::journal::JournalEvent;
use relais_domain::{AgentId, DisplayName, Email, FieldError, NewPassword, Role, StructureId};
use relais_store::{AgentRow, MembershipRow, OneTimeLinkRow};
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct TeamMember {
    pub agent_id: AgentId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    pub totp_enabled: bool,
    /// False while an invitation has not been accepted.
    pub has_password: bool,
    pub is_self: bool,
}

/// The result of an invitation.
#[derive(Debug, Clone)]
pub enum InviteOutcome {
    /// A new account: the one-time link to hand to the person.
    Link {
        token: String,
        expires_at: DateTime<Utc>,
    },
    /// The address already has an account: it joins the structure only
    /// once it opens this one-time link while signed in and accepts.
    JoinLink {
        token: String,
        expires_at: DateTime<Utc>,
    },
}

/// What a one-time link page shows before it is used.
#[derive(Debug, Clone)]
pub struct LinkInfo {
    pub kind: String,
    pub email: String,
    pub name: String,
    pub structure_name: String,
    pub expires_at: DateTime<Utc>,
}

const INVITE: &str = "invite";
const RESET: &str = "reset";
const JOIN: &str = "join";

/// The memberships as the reset rule of the domain sees them. A role that
/// cannot be read counts as the most protected one.
fn seats(rows: &[MembershipRow]) -> Vec<Seat> {
    rows.iter()
        .map(|m| Seat {
            structure: m.structure_id,
            role: Role::parse(&m.role).unwrap_or(Role::Admin),
            active: m.active,
        })
        .collect()
}

impl Services {
    pub async fn list_team(&self, actor: &Actor) -> Result<Vec<TeamMember>, ServiceError> {
        actor.require(Permission::ManageTeam)?;
        let rows = self.store.team_of(actor.structure_id).await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Some(TeamMember {
                    agent_id: AgentId(r.agent_id),
                    is_self: r.agent_id == actor.agent_id.0,
                    email: r.email,
                    name: r.name,
                    role: Role::parse(&r.role).ok()?,
                    active: r.active,
                    totp_enabled: r.totp_enabled,
                    has_password: r.has_password,
                })
            })
            .collect())
    }

    /// Invites someone into the actor's structure. A new address gets a
    /// one-time link to choose a password; an existing account gets a
    /// one-time link to accept while signed in, and until then the
    /// structure neither sees nor manages it.
    pub async fn invite(
        &self,
        actor: &Actor,
        email: &str,
        name: &str,
        role: &str,
    ) -> Result<InviteOutcome, ServiceError> {
        actor.require(Permission::ManageTeam)?;
        let now = self.now();
        let mut checks = Checks::default();
        let email = checks.take(Email::parse(email));
        let name = checks.take(DisplayName::parse(name));
        let role = checks.take(Role::parse(role));
        if let Some(r) = role {
            if !actor.role.can_grant(r) {
                checks.push(FieldError::new("role", "role_not_allowed"));
            }
        }
        checks.finish()?;
        let (Some(email), Some(name), Some(role)) = (email, name, role) else {
            return Err(ServiceError::Internal("unreachable".into()));
        };
        if let Some(existing) = self.store.agent_by_email(email.as_str()).await? {
            let memberships = self.store.memberships_of(AgentId(existing.id)).await?;
            if memberships
                .iter()
                .any(|m| m.structure_id == actor.structure_id.0)
            {
                return Err(ServiceError::Conflict(FieldError::new(
                    "email",
                    "already_member",
                )));
            }
            let token = random_token(32);
            let expires_at = now + self.config.link_validity;
            let link = OneTimeLinkRow {
                token_hash: token_hash(&token),
                kind: JOIN.into(),
                structure_id: Some(actor.structure_id.0),
                agent_id: Some(existing.id),
                email: None,
                name: None,
                role: Some(role.as_str().to_owned()),
                created_by: Some(actor.agent_id.0),
                created_at: now,
                expires_at,
                used_at: None,
            };
            self.store
                .insert_link(
                    &link,
                    &[JournalEvent::new("team.invite")
                        .actor(actor.agent_id)
                        .structure(actor.structure_id)
                        .object("agent", existing.id)
                        .details(json!({"role": role.as_str(), "kind": JOIN}))],
                    now,
                )
                .await?;
            return Ok(InviteOutcome::JoinLink { token, expires_at });
        }
        let token = random_token(32);
        let expires_at = now + self.config.link_validity;
        let link = OneTimeLinkRow {
            token_hash: token_hash(&token),
            kind: INVITE.into(),
            structure_id: Some(actor.structure_id.0),
            agent_id: None,
            email: Some(email.as_str().to_owned()),
            name: Some(name.as_str().to_owned()),
            role: Some(role.as_str().to_owned()),
            created_by: Some(actor.agent_id.0),
            created_at: now,
            expires_at,
            used_at: None,
        };
        self.store
            .insert_link(
                &link,
                &[JournalEvent::new("team.invitation_created")
                    .actor(actor.agent_id)
                    .structure(actor.structure_id)
                    .details(json!({"role": role.as_str()}))],
                now,
            )
            .await?;
        Ok(InviteOutcome::Link { token, expires_at })
    }

    async fn member_of_actor_structure(
        &self,
        actor: &Actor,
        agent_id: AgentId,
    ) -> Result<Role, ServiceError> {
        let memberships = self.store.memberships_of(agent_id).await?;
        let m = memberships
            .iter()
            .find(|m| m.structure_id == actor.structure_id.0)
            .ok_or(ServiceError::NotFound)?;
        Role::parse(&m.role).map_err(|_| ServiceError::NotFound)
    }

    /// Deactivates or reactivates a member of the actor's structure. A
    /// deactivated member's sessions and tokens there are closed.
    pub async fn set_member_active(
        &self,
        actor: &Actor,
        agent_id: AgentId,
        active: bool,
    ) -> Result<(), ServiceError> {
        actor.require(Permission::ManageTeam)?;
        let now = self.now();
        let role = self.member_of_actor_structure(actor, agent_id).await?;
        if agent_id == actor.agent_id || !actor.role.can_grant(role) {
            return Err(ServiceError::Forbidden);
        }
        let action = if active {
            "team.member_reactivated"
        } else {
            "team.member_deactivated"
        };
        self.store
            .set_membership_active(
                agent_id,
                actor.structure_id,
                active,
                &[JournalEvent::new(action)
                    .actor(actor.agent_id)
                    .structure(actor.structure_id)
                    .object("agent", agent_id)],
                now,
            )
            .await?;
        Ok(())
    }

    /// Creates a one-time password-reset link for a member. The password
    /// is shared by every structure of the account, so the actor must
    /// manage all of them ([`may_reset_credentials`]); the rule is checked
    /// in the transaction that writes the link, under the account's lock.
    pub async fn create_reset_link(
        &self,
        actor: &Actor,
        agent_id: AgentId,
    ) -> Result<(String, DateTime<Utc>), ServiceError> {
        actor.require(Permission::ManageTeam)?;
        let now = self.now();
        let role = self.member_of_actor_structure(actor, agent_id).await?;
        if !actor.role.can_grant(role) {
            return Err(ServiceError::Forbidden);
        }
        let token = random_token(32);
        let expires_at = now + self.config.link_validity;
        let link = OneTimeLinkRow {
            token_hash: token_hash(&token),
            kind: RESET.into(),
            structure_id: Some(actor.structure_id.0),
            agent_id: Some(agent_id.0),
            email: None,
            name: None,
            role: None,
            created_by: Some(actor.agent_id.0),
            created_at: now,
            expires_at,
            used_at: None,
        };
        let allowed = |mine: &[MembershipRow], theirs: &[MembershipRow]| {
            may_reset_credentials(&seats(mine), &seats(theirs))
        };
        let created = self
            .store
            .insert_reset_link(
                &link,
                &allowed,
                &[JournalEvent::new("team.password_reset_link_created")
                    .actor(actor.agent_id)
                    .structure(actor.structure_id)
                    .object("agent", agent_id)],
                now,
            )
            .await?;
        if !created {
            self.store
                .journal_only(
                    &[JournalEvent::new("team.password_reset_refused")
                        .actor(actor.agent_id)
                        .structure(actor.structure_id)
                        .object("agent", agent_id)
                        .details(json!({"reason": "other_structures"}))],
                    now,
                )
                .await?;
            return Err(ServiceError::Forbidden);
        }
        Ok((token, expires_at))
    }

    /// `relais user reset-link`: the instance's operator creates a
    /// password-reset link for any account (the way out for an account of
    /// several structures that no single supervisor manages). Returns the
    /// link's full address.
    pub async fn cli_reset_link(&self, email: &str) -> Result<String, ServiceError> {
        let now = self.now();
        let email = Email::parse(email).map_err(|e| ServiceError::Invalid(vec![e]))?;
        let agent = self
            .store
            .agent_by_email(email.as_str())
            .await?
            .ok_or_else(|| {
                ServiceError::Invalid(vec![FieldError::new("email", "unknown_account")])
            })?;
        let token = random_token(32);
        let link = OneTimeLinkRow {
            token_hash: token_hash(&token),
            kind: RESET.into(),
            structure_id: None,
            agent_id: Some(agent.id),
            email: None,
            name: None,
            role: None,
            created_by: None,
            created_at: now,
            expires_at: now + self.config.link_validity,
            used_at: None,
        };
        self.store
            .insert_link(
                &link,
                &[JournalEvent::new("team.password_reset_link_created")
                    .object("agent", agent.id)
                    .details(json!({"via": "cli"}))],
                now,
            )
            .await?;
        Ok(format!(
            "{}/reset/{token}",
            self.config.public_url.trim_end_matches('/')
        ))
    }

    async fn live_link(&self, token: &str, kind: &str) -> Result<OneTimeLinkRow, ServiceError> {
        let now = self.now();
        let link = self
            .store
            .link_by_hash(&token_hash(token))
            .await?
            .ok_or(ServiceError::LinkExpired)?;
        if link.kind != kind || link.used_at.is_some() || link.expires_at < now {
            return Err(ServiceError::LinkExpired);
        }
        Ok(link)
    }

    /// What an invitation or reset page shows.
    pub async fn link_info(&self, token: &str, kind: &str) -> Result<LinkInfo, ServiceError> {
        let link = self.live_link(token, kind).await?;
        let structure_name = match link.structure_id {
            Some(id) => self
                .store
                .structure_by_id(StructureId(id))
                .await?
                .map(|s| s.name)
                .unwrap_or_default(),
            None => String::new(),
        };
        let (email, name) = match link.agent_id {
            Some(id) => {
                let a = self
                    .store
                    .agent_by_id(AgentId(id))
                    .await?
                    .ok_or(ServiceError::LinkExpired)?;
                (a.email, a.name)
            }
            None => (
                link.email.clone().unwrap_or_default(),
                link.name.clone().unwrap_or_default(),
            ),
        };
        Ok(LinkInfo {
            kind: link.kind,
            email,
            name,
            structure_name,
            expires_at: link.expires_at,
        })
    }

    fn check_new_password(
        checks: &mut Checks,
        password: &str,
        confirm: &str,
        personal: &[&str],
    ) -> Option<NewPassword> {
        let pw = checks.take(NewPassword::parse_for(password, personal));
        if password != confirm {
            checks.push(FieldError::new("password_confirm", "passwords_differ"));
        }
        pw
    }

    /// Uses an invitation: creates the account with the chosen password.
    pub async fn accept_invite(
        &self,
        token: &str,
        name: &str,
        password: &str,
        confirm: &str,
    ) -> Result<(), ServiceError> {
        let now = self.now();
        let link = self.live_link(token, INVITE).await?;
        let mut checks = Checks::default();
        let name_in = name;
        let name = checks.take(DisplayName::parse(name));
        let email_in = link.email.clone().unwrap_or_default();
        let pw = Self::check_new_password(
            &mut checks,
            password,
            confirm,
            &[email_in.as_str(), name_in],
        );
        checks.finish()?;
        let (Some(name), Some(pw)) = (name, pw) else {
            return Err(ServiceError::Internal("unreachable".into()));
        };
        let (Some(structure_id), Some(email), Some(role)) =
            (link.structure_id, link.email.clone(), link.role.clone())
        else {
            return Err(ServiceError::LinkExpired);
        };
        let agent = AgentRow {
            id: Uuid::now_v7(),
            email,
            name: name.as_str().to_owned(),
            password_hash: Some(hash_password(pw.expose().to_owned()).await?),
            totp_secret: None,
            totp_enabled: false,
            totp_last_step: None,
            failed_logins: 0,
            locked_until: None,
            created_at: now,
        };
        self.store
            .accept_invite(
                &link.token_hash,
                &agent,
                StructureId(structure_id),
                &role,
                &[JournalEvent::new("team.invitation_accepted")
                    .actor(agent.id)
                    .structure(structure_id)
                    .object("agent", agent.id)
                    .details(json!({"role": role}))],
                now,
            )
            .await
            .map_err(|e| match e {
                relais_store::StoreError::Conflict(_) => {
                    ServiceError::Conflict(FieldError::new("email", "email_taken"))
                }
                relais_store::StoreError::NotFound => ServiceError::LinkExpired,
                other => other.into(),
            })?;
        Ok(())
    }

    /// Uses a password-reset link.
    pub async fn accept_reset(
        &self,
        token: &str,
        password: &str,
        confirm: &str,
    ) -> Result<(), ServiceError> {
        let now = self.now();
        let link = self.live_link(token, RESET).await?;
        let account = match link.agent_id {
            Some(id) => self.store.agent_by_id(AgentId(id)).await?,
            None => None,
        }
        .ok_or(ServiceError::LinkExpired)?;
        let mut checks = Checks::default();
        let pw = Self::check_new_password(
            &mut checks,
            password,
            confirm,
            &[account.email.as_str(), account.name.as_str()],
        );
        checks.finish()?;
        let (Some(pw), Some(agent_id)) = (pw, link.agent_id) else {
            return Err(ServiceError::LinkExpired);
        };
        let hash = hash_password(pw.expose().to_owned()).await?;
        let mut event = JournalEvent::new("account.password_reset")
            .actor(agent_id)
            .object("agent", agent_id);
        if let Some(s) = link.structure_id {
            event = event.structure(s);
        }
        self.store
            .accept_reset(&link.token_hash, AgentId(agent_id), &hash, &[event], now)
            .await
            .map_err(|e| match e {
                relais_store::StoreError::NotFound => ServiceError::LinkExpired,
                other => other.into(),
            })?;
        Ok(())
    }

    /// The join link of `token`, for the account signed in with `ctx`
    /// (fully, second factor included); anyone else is refused.
    async fn own_join_link(
        &self,
        ctx: &SessionContext,
        token: &str,
    ) -> Result<(OneTimeLinkRow, Uuid, Role), ServiceError> {
        let link = self.live_link(token, JOIN).await?;
        if ctx.stage != crate::Stage::Full || link.agent_id != Some(ctx.agent_id.0) {
            return Err(ServiceError::Forbidden);
        }
        let (Some(structure_id), Some(role)) = (link.structure_id, link.role.as_deref()) else {
            return Err(ServiceError::LinkExpired);
        };
        let role = Role::parse(role).map_err(|_| ServiceError::LinkExpired)?;
        Ok((link, structure_id, role))
    }

    /// The signed-in account accepts to join the structure that invited
    /// it. Journaled in that structure and in every structure the account
    /// already belongs to.
    pub async fn accept_join(&self, ctx: &SessionContext, token: &str) -> Result<(), ServiceError> {
        let now = self.now();
        let (link, structure_id, role) = self.own_join_link(ctx, token).await?;
        let agent = ctx.agent_id;
        let mut events = vec![JournalEvent::new("team.join_accepted")
            .actor(agent)
            .structure(structure_id)
            .object("agent", agent)
            .details(json!({"role": role.as_str()}))];
        for m in self.store.memberships_of(agent).await? {
            events.push(
                JournalEvent::new("team.join_accepted")
                    .actor(agent)
                    .structure(m.structure_id)
                    .object("agent", agent)
                    .details(json!({"joined_structure": structure_id})),
            );
        }
        self.store
            .accept_join(
                &link.token_hash,
                agent,
                StructureId(structure_id),
                role.as_str(),
                &events,
                now,
            )
            .await
            .map_err(|e| match e {
                relais_store::StoreError::Conflict(_) => {
                    ServiceError::Conflict(FieldError::new("email", "already_member"))
                }
                relais_store::StoreError::NotFound => ServiceError::LinkExpired,
                other => other.into(),
            })?;
        Ok(())
    }

    /// The signed-in account declines to join; the link is used up.
    pub async fn decline_join(
        &self,
        ctx: &SessionContext,
        token: &str,
    ) -> Result<(), ServiceError> {
        let now = self.now();
        let (link, structure_id, _) = self.own_join_link(ctx, token).await?;
        self.store
            .use_link(
                &link.token_hash,
                &[JournalEvent::new("team.join_declined")
                    .actor(ctx.agent_id)
                    .structure(structure_id)
                    .object("agent", ctx.agent_id)],
                now,
            )
            .await
            .map_err(|e| match e {
                relais_store::StoreError::NotFound => ServiceError::LinkExpired,
                other => other.into(),
            })?;
        Ok(())
    }
}
