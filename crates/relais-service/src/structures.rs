//! Structures (admins create them) and accounts created by the operator
//! on the command line.

use crate::error::{Checks, ServiceError};
use crate::secrets::hash_password;
use crate::{Actor, Permission, Principal, Services};
use relais_domain::journal::JournalEvent;
use relais_domain::{
    AgentId, DisplayName, Email, FieldError, NewPassword, Role, Siret, Slug, StructureId,
    StructureKind, StructureName,
};
use relais_store::{AgentRow, StoreError, StructureRow};
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructureView {
    pub id: StructureId,
    pub name: String,
    pub slug: String,
    pub kind: StructureKind,
    pub siret: Option<String>,
    pub commune: Option<String>,
}

impl From<StructureRow> for StructureView {
    fn from(r: StructureRow) -> Self {
        Self {
            id: StructureId(r.id),
            kind: StructureKind::parse(&r.kind).unwrap_or(StructureKind::Other),
            name: r.name,
            slug: r.slug,
            siret: r.siret,
            commune: r.commune,
        }
    }
}

/// How the structure is reached, as its printed documents say it: its
/// commune, and the address, phone and e-mail of its own place (the first
/// by name), as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StructureContact {
    /// The structure's commune, else its place's.
    pub commune: Option<String>,
    /// Street, postcode and commune of its place.
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl Services {
    pub async fn list_structures(&self, actor: &Actor) -> Result<Vec<StructureView>, ServiceError> {
        actor.require(Permission::ManageStructures)?;
        Ok(self
            .store
            .list_structures()
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The actor's structure's contact details (see [`StructureContact`]).
    pub async fn structure_contact(&self, actor: &Actor) -> Result<StructureContact, ServiceError> {
        actor.require(Permission::HandleMandates)?;
        let structure = self
            .store
            .structure_by_id(actor.structure_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let place = self
            .store
            .own_places(actor.structure_id)
            .await?
            .into_iter()
            .next();
        let text = |v: Option<&String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let place_commune = place.as_ref().and_then(|p| text(p.commune.as_ref()));
        let address = place.as_ref().and_then(|p| {
            let town = [text(p.postcode.as_ref()), place_commune.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            let parts: Vec<String> = [
                text(p.address.as_ref()),
                Some(town).filter(|t| !t.is_empty()),
            ]
            .into_iter()
            .flatten()
            .collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        });
        Ok(StructureContact {
            commune: text(structure.commune.as_ref()).or(place_commune),
            address,
            phone: place.as_ref().and_then(|p| text(p.phone.as_ref())),
            email: place.as_ref().and_then(|p| text(p.email.as_ref())),
        })
    }

    /// An admin creates a structure.
    pub async fn create_structure(
        &self,
        actor: &Actor,
        name: &str,
        slug: &str,
        kind: &str,
        siret: &str,
        commune: &str,
    ) -> Result<StructureView, ServiceError> {
        actor.require(Permission::ManageStructures)?;
        self.insert_structure(Principal::Agent(actor), name, slug, kind, siret, commune)
            .await
    }

    /// `relais structure add`.
    pub async fn cli_add_structure(
        &self,
        name: &str,
        slug: &str,
        kind: &str,
    ) -> Result<StructureView, ServiceError> {
        self.insert_structure(Principal::Operator, name, slug, kind, "", "")
            .await
    }

    async fn insert_structure(
        &self,
        by: Principal<'_>,
        name: &str,
        slug: &str,
        kind: &str,
        siret: &str,
        commune: &str,
    ) -> Result<StructureView, ServiceError> {
        let now = self.now();
        let mut checks = Checks::default();
        let name = checks.take(StructureName::parse(name));
        let slug = checks.take(Slug::parse(slug));
        let kind = checks.take(StructureKind::parse(kind));
        let siret = if siret.trim().is_empty() {
            None
        } else {
            checks.take(Siret::parse(siret))
        };
        // A postcode that names one commune is read as that commune.
        let named = crate::communes::Communes::shipped()
            .designated_by(commune)
            .map(|c| c.name.clone());
        let commune = if commune.trim().is_empty() {
            None
        } else if named.is_some() {
            named
        } else {
            checks.take(relais_domain::validation::bounded_text(
                "commune", commune, 1, 100,
            ))
        };
        checks.finish()?;
        let (Some(name), Some(slug), Some(kind)) = (name, slug, kind) else {
            return Err(ServiceError::Internal("unreachable".into()));
        };
        let row = StructureRow {
            id: Uuid::now_v7(),
            name: name.as_str().to_owned(),
            slug: slug.as_str().to_owned(),
            kind: kind.as_str().to_owned(),
            siret: siret.map(|s| s.as_str().to_owned()),
            commune,
            created_at: now,
        };
        let mut event = JournalEvent::new("structure.create")
            .structure(row.id)
            .object("structure", row.id)
            .details(json!({"kind": kind.as_str()}));
        event = match by.agent_id() {
            Some(a) => event.actor(a),
            None => event.details(json!({"kind": kind.as_str(), "via": "cli"})),
        };
        self.store
            .insert_structure(&row, &[event], now)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => {
                    ServiceError::Conflict(FieldError::new("slug", "slug_taken"))
                }
                other => other.into(),
            })?;
        Ok(row.into())
    }

    /// `relais user add`: creates an account with a password in a
    /// structure, or adds an existing account to it.
    pub async fn cli_add_user(
        &self,
        email: &str,
        name: &str,
        structure_slug: &str,
        role: &str,
        password: &str,
    ) -> Result<AgentId, ServiceError> {
        let now = self.now();
        let mut checks = Checks::default();
        let email = checks.take(Email::parse(email));
        let name = checks.take(DisplayName::parse(name));
        let role = checks.take(Role::parse(role));
        let pw = checks.take(NewPassword::parse_for(
            password,
            &[
                email.as_ref().map(|e| e.as_str()).unwrap_or_default(),
                name.as_ref().map(|n| n.as_str()).unwrap_or_default(),
            ],
        ));
        checks.finish()?;
        let (Some(email), Some(name), Some(role), Some(pw)) = (email, name, role, pw) else {
            return Err(ServiceError::Internal("unreachable".into()));
        };
        let structure = self
            .store
            .structure_by_slug(structure_slug.trim())
            .await?
            .ok_or_else(|| {
                ServiceError::Invalid(vec![FieldError::new("structure", "unknown_structure")])
            })?;
        if let Some(existing) = self.store.agent_by_email(email.as_str()).await? {
            let memberships = self.store.memberships_of(AgentId(existing.id)).await?;
            if memberships.iter().any(|m| m.structure_id == structure.id) {
                return Err(ServiceError::Conflict(FieldError::new(
                    "email",
                    "already_member",
                )));
            }
            self.store
                .upsert_membership(
                    AgentId(existing.id),
                    StructureId(structure.id),
                    role.as_str(),
                    &[JournalEvent::new("team.member_added")
                        .structure(structure.id)
                        .object("agent", existing.id)
                        .details(json!({"role": role.as_str(), "via": "cli"}))],
                    now,
                )
                .await?;
            return Ok(AgentId(existing.id));
        }
        let agent = AgentRow {
            id: Uuid::now_v7(),
            email: email.as_str().to_owned(),
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
            .insert_agent(
                &agent,
                Some((StructureId(structure.id), role.as_str())),
                &[JournalEvent::new("team.member_created")
                    .structure(structure.id)
                    .object("agent", agent.id)
                    .details(json!({"role": role.as_str(), "via": "cli"}))],
                now,
            )
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => {
                    ServiceError::Conflict(FieldError::new("email", "email_taken"))
                }
                other => other.into(),
            })?;
        Ok(AgentId(agent.id))
    }
}
