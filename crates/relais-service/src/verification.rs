//! The public verification page of a mandate (`/v/{code}`): anyone who
//! holds the code printed on the document sees whether the mandate is in
//! force, with the person's initials only; the categories it covers (which
//! can say much about the person: a foreigners' or a justice procedure)
//! are shown only to whoever also types the revocation secret printed on
//! the person's own copy. Look-ups are counted in a plain table, not in
//! the hash-chained journal, so that opening the page costs the journal
//! nothing.

use crate::error::ServiceError;
use crate::mandates::{facts, CODE_ALPHABET, MAX_REMOTE_ATTEMPTS};
use crate::{Actor, Permission, Services};
use chrono::NaiveDate;
use relais_domain::journal::JournalEvent;
use relais_domain::mandate::{initials, revocation_secret_matches, MandateState};
use relais_domain::{FieldError, MandateId, ProcedureCategory};
use relais_store::MandateListRow;
use serde_json::json;

/// What the public verification page shows.
#[derive(Debug, Clone)]
pub struct PublicMandate {
    pub state: MandateState,
    pub initials: String,
    pub structure_name: String,
    /// The categories still covered: only once the revocation secret was
    /// given.
    pub categories: Option<Vec<ProcedureCategory>>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Waiting for the person's remote code.
    pub awaiting_code: bool,
    pub code_blocked: bool,
}

/// How often the public page of a mandate was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LookupSummary {
    pub count: i64,
    pub last_day: Option<NaiveDate>,
}

impl Services {
    async fn mandate_by_public_code(&self, code: &str) -> Result<MandateListRow, ServiceError> {
        let code = code.trim();
        if code.len() != 10 || !code.bytes().all(|b| CODE_ALPHABET.contains(&b)) {
            return Err(ServiceError::NotFound);
        }
        self.store
            .mandate_by_code(code)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    fn public_view(&self, l: MandateListRow, with_categories: bool) -> PublicMandate {
        let f = facts(&l.mandate);
        let state = f.state_on(self.today());
        PublicMandate {
            state,
            initials: initials(&l.person_first_name, &l.person_last_name),
            structure_name: l.structure_name,
            categories: with_categories.then(|| f.active_categories()),
            starts_on: l.mandate.starts_on,
            ends_on: l.mandate.ends_on,
            awaiting_code: state == MandateState::Pending && l.mandate.consent == "remote",
            code_blocked: l.mandate.remote_attempts >= MAX_REMOTE_ATTEMPTS,
        }
    }

    /// What the public verification page shows to anyone with the code;
    /// the look-up is counted.
    pub async fn public_mandate(
        &self,
        verification_code: &str,
    ) -> Result<PublicMandate, ServiceError> {
        let l = self.mandate_by_public_code(verification_code).await?;
        self.store
            .count_mandate_lookup(MandateId(l.mandate.id), self.today())
            .await?;
        Ok(self.public_view(l, false))
    }

    /// The same page with the categories, for whoever gives the revocation
    /// secret printed on the person's copy. A wrong secret is journaled
    /// (the public pages are limited per address) and refused.
    pub async fn public_mandate_details(
        &self,
        verification_code: &str,
        secret: &str,
    ) -> Result<PublicMandate, ServiceError> {
        let l = self.mandate_by_public_code(verification_code).await?;
        if !revocation_secret_matches(&l.mandate.revocation_secret, secret) {
            self.store
                .journal_only(
                    &[JournalEvent::new("mandate.details_refused")
                        .structure(l.mandate.structure_id)
                        .object("mandate", l.mandate.id)
                        .details(json!({"reason": "wrong_secret"}))],
                    self.now(),
                )
                .await?;
            return Err(ServiceError::Invalid(vec![FieldError::new(
                "secret",
                "wrong_secret",
            )]));
        }
        self.store
            .count_mandate_lookup(MandateId(l.mandate.id), self.today())
            .await?;
        Ok(self.public_view(l, true))
    }

    /// How often the structure's mandate was looked up on the public page.
    pub async fn mandate_lookups(
        &self,
        actor: &Actor,
        id: MandateId,
    ) -> Result<LookupSummary, ServiceError> {
        actor.require(Permission::HandleMandates)?;
        // Reading the mandate authorises the actor for it.
        let m = self.mandate(actor, id).await?;
        let (count, last_day) = self.store.mandate_lookups(m.id).await?;
        Ok(LookupSummary { count, last_day })
    }
}
