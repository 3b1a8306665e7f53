//! Which fields of which rows are encrypted at rest. The store seals them
//! before every write and opens them after every read, so that no use case
//! can forget to.

use crate::error::StoreError;
use crate::rows::*;
use crate::vault::Vault;

/// A row with encrypted fields.
pub(crate) trait Sealed: Sized {
    fn seal(&mut self, v: &Vault) -> Result<(), StoreError>;
    fn open(&mut self, v: &Vault) -> Result<(), StoreError>;

    fn sealed(&self, v: &Vault) -> Result<Self, StoreError>
    where
        Self: Clone,
    {
        let mut c = self.clone();
        c.seal(v)?;
        Ok(c)
    }
}

/// The encrypted columns, as (table, column, holds bytes), each table keyed
/// by `id`: what `relais keys rotate` re-seals.
pub(crate) const SEALED_COLUMNS: &[(&str, &str, bool)] = &[
    ("persons", "notes", false),
    ("persons", "keep_reason", false),
    ("interventions", "summary", false),
    ("interventions", "next_step", false),
    ("follow_ups", "reason", false),
    ("referrals", "reason", false),
    ("mandates", "signature_svg", false),
    ("mandates", "revoke_reason", false),
    ("mandates", "revocation_secret", false),
    ("mandates", "scan", true),
    ("agents", "totp_secret", false),
    ("private_notes", "body", false),
];

impl Sealed for PersonRow {
    fn seal(&mut self, v: &Vault) -> Result<(), StoreError> {
        v.seal_opt("persons.notes", self.id, &mut self.notes)?;
        v.seal_opt("persons.keep_reason", self.id, &mut self.keep_reason)
    }
    fn open(&mut self, v: &Vault) -> Result<(), StoreError> {
        v.open_opt("persons.notes", self.id, &mut self.notes)?;
        v.open_opt("persons.keep_reason", self.id, &mut self.keep_reason)
    }
}

impl Sealed for InterventionRow {
    fn seal(&mut self, v: &Vault) -> Result<(), StoreError> {
        v.seal_opt("interventions.summary", self.id, &mut self.summary)?;
        v.seal_opt("interventions.next_step", self.id, &mut self.next_step)
    }
    fn open(&mut self, v: &Vault) -> Result<(), StoreError> {
        v.open_opt("interventions.summary", self.id, &mut self.summary)?;
        v.open_opt("interventions.next_step", self.id, &mut self.next_step)
    }
}

impl Sealed for InterventionListRow {
    fn seal(&mut self, v: &Vault) -> Result<(), StoreError> {
        self.intervention.seal(v)
    }
    fn open(&mut self, v: &Vault) -> Result<(), StoreError> {
        self.intervention.open(v)
    }
}

impl Sealed for FollowUpRow {
    fn seal(&mut self, v: &Vault) -> Result<(), StoreError> {
        self.reason = v.seal("follow_ups.reason", self.id, &self.reason)?;
        Ok(())
    }
    fn open(&mut self, v: &Vault) -> Result<(), StoreError> {
        self.reason = v.open("follow_ups.reason", self.id, &self.reason)?;
        Ok(())
    }
}

impl Sealed for ReferralRow {
    fn seal(&mut self, v: &Vault) -> Result<(), StoreError> {
        v.seal_opt("referrals.reason", self.id, &mut self.reason)
    }
    fn open(&mut self, v: &Vault) -> Result<(), StoreError> {
        v.open_opt("referrals.reason", self.id, &mut self.reason)
    }
}

impl Sealed for ReferralListRow {
    fn seal(&mut self, v: &Vault) -> Result<(), StoreError> {
        self.referral.seal(v)
    }
    fn open(&mut self, v: &Vault) -> Result<(), StoreError> {
        self.referral.open(v)
    }
}

impl Sealed for FollowUpListRow {
    fn seal(&mut self, v: &Vault) -> Result<(), StoreError> {
        self.follow_up.seal(v)
    }
    fn open(&mut self, v: &Vault) -> Result<(), StoreError> {
        self.follow_up.open(v)
    }
}

impl Sealed for MandateRow {
    fn seal(&mut self, v: &Vault) -> Result<(), StoreError> {
        v.seal_opt("mandates.signature_svg", self.id, &mut self.signature_svg)?;
        v.seal_opt("mandates.revoke_reason", self.id, &mut self.revoke_reason)?;
        if !self.revocation_secret.is_empty() {
            self.revocation_secret = v.seal(
                "mandates.revocation_secret",
                self.id,
                &self.revocation_secret,
            )?;
        }
        if let Some(scan) = self.scan.as_mut() {
            *scan = v.seal_bytes("mandates.scan", self.id, scan)?;
        }
        Ok(())
    }
    fn open(&mut self, v: &Vault) -> Result<(), StoreError> {
        v.open_opt("mandates.signature_svg", self.id, &mut self.signature_svg)?;
        v.open_opt("mandates.revoke_reason", self.id, &mut self.revoke_reason)?;
        // An anonymised mandate keeps an empty secret (never sealed).
        if !self.revocation_secret.is_empty() {
            self.revocation_secret = v.open(
                "mandates.revocation_secret",
                self.id,
                &self.revocation_secret,
            )?;
        }
        if let Some(scan) = self.scan.as_mut() {
            *scan = v.open_bytes("mandates.scan", self.id, scan)?;
        }
        Ok(())
    }
}

impl Sealed for MandateListRow {
    fn seal(&mut self, v: &Vault) -> Result<(), StoreError> {
        self.mandate.seal(v)
    }
    fn open(&mut self, v: &Vault) -> Result<(), StoreError> {
        self.mandate.open(v)
    }
}

impl Sealed for AgentRow {
    fn seal(&mut self, v: &Vault) -> Result<(), StoreError> {
        v.seal_opt("agents.totp_secret", self.id, &mut self.totp_secret)
    }
    fn open(&mut self, v: &Vault) -> Result<(), StoreError> {
        v.open_opt("agents.totp_secret", self.id, &mut self.totp_secret)
    }
}

impl Sealed for PrivateNoteRow {
    fn seal(&mut self, v: &Vault) -> Result<(), StoreError> {
        self.body = v.seal("private_notes.body", self.id, &self.body)?;
        Ok(())
    }
    fn open(&mut self, v: &Vault) -> Result<(), StoreError> {
        self.body = v.open("private_notes.body", self.id, &self.body)?;
        Ok(())
    }
}

impl<T: Sealed> Sealed for Option<T> {
    fn seal(&mut self, v: &Vault) -> Result<(), StoreError> {
        match self {
            Some(t) => t.seal(v),
            None => Ok(()),
        }
    }
    fn open(&mut self, v: &Vault) -> Result<(), StoreError> {
        match self {
            Some(t) => t.open(v),
            None => Ok(()),
        }
    }
}

impl<T: Sealed> Sealed for Vec<T> {
    fn seal(&mut self, v: &Vault) -> Result<(), StoreError> {
        self.iter_mut().try_for_each(|t| t.seal(v))
    }
    fn open(&mut self, v: &Vault) -> Result<(), StoreError> {
        self.iter_mut().try_for_each(|t| t.open(v))
    }
}
