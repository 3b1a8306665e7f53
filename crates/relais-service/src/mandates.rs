//! Mandates: drawn up, signed (paper, on screen or by a remote code),
//! verified publicly, revoked, renewed; and the structure's policy with
//! the rule that decides whether an intervention may be done *for* someone.

use crate::error::{Checks, ServiceError};
use crate::notify::{Channel, Notification};
use crate::secrets::token_hash;
use crate::{Actor, Services};
use chrono::NaiveDate;
use rand::Rng;
use relais_domain::journal::JournalEvent;
use relais_domain::mandate::{
    parse_categories, revocation_secret_matches, Consent, MandateDuration, MandateFacts,
    MandateState, Policy, Refusal, Verdict,
};
use relais_domain::{FieldError, MandateId, Mode, PersonId, ProcedureCategory};
use relais_store::{MandateListRow, MandateRow, StoreError};
use serde_json::json;
use uuid::Uuid;

pub(crate) const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// Wrong remote codes allowed before the code is blocked.
pub const MAX_REMOTE_ATTEMPTS: i64 = 5;
const SCAN_MAX_BYTES: usize = 10 * 1024 * 1024;

fn random_code(len: usize) -> String {
    let mut rng = rand::rngs::OsRng;
    (0..len)
        .map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

/// A mandate as the pages and the API show it.
#[derive(Debug, Clone)]
pub struct MandateView {
    pub row: MandateRow,
    pub person_first_name: String,
    pub person_last_name: String,
    pub structure_name: String,
    pub state: MandateState,
    pub categories: Vec<ProcedureCategory>,
    pub active_categories: Vec<ProcedureCategory>,
    pub duration: MandateDuration,
    pub consent: Consent,
    /// Wrong remote codes left before the code is blocked.
    pub remote_attempts_left: i64,
    /// Active, or expired less than 30 days ago: it may be renewed.
    pub renewable: bool,
}

#[derive(Debug, Clone, Default)]
pub struct MandateInput {
    pub person_id: String,
    pub categories: Vec<String>,
    pub duration: String,
    pub consent: String,
    /// Language of the document (`fr` or `en`).
    pub lang: String,
}

/// A scan of the signed paper mandate.
#[derive(Debug, Clone)]
pub struct Scan {
    pub bytes: Vec<u8>,
    pub content_type: String,
}

pub(crate) fn facts(m: &MandateRow) -> MandateFacts {
    let cats = |s: &str| {
        s.split(',')
            .filter_map(|c| ProcedureCategory::parse(c).ok())
            .collect::<Vec<_>>()
    };
    MandateFacts {
        categories: cats(&m.categories),
        revoked_categories: cats(&m.revoked_categories),
        starts_on: m.starts_on,
        ends_on: m.ends_on,
        signed: m.signed_at.is_some(),
        revoked: m.revoked_at.is_some(),
    }
}

fn view(l: MandateListRow, today: NaiveDate) -> MandateView {
    let f = facts(&l.mandate);
    let state = f.state_on(today);
    MandateView {
        renewable: match state {
            MandateState::Active => true,
            MandateState::Expired => today - l.mandate.ends_on <= chrono::Duration::days(30),
            _ => false,
        },
        state,
        categories: f.categories.clone(),
        active_categories: f.active_categories(),
        duration: MandateDuration::parse(&l.mandate.duration).unwrap_or(MandateDuration::OneDay),
        consent: Consent::parse(&l.mandate.consent).unwrap_or(Consent::Paper),
        remote_attempts_left: (MAX_REMOTE_ATTEMPTS - l.mandate.remote_attempts).max(0),
        row: l.mandate,
        person_first_name: l.person_first_name,
        person_last_name: l.person_last_name,
        structure_name: l.structure_name,
    }
}

/// Checks that a scan is a PDF, PNG or JPEG of at most 10 MB, by its
/// first bytes (the type the browser declared is not trusted).
pub fn check_scan(scan: &Scan) -> Result<&'static str, FieldError> {
    if scan.bytes.is_empty() {
        return Err(FieldError::new("scan", "required"));
    }
    if scan.bytes.len() > SCAN_MAX_BYTES {
        return Err(FieldError::new("scan", "scan_too_large"));
    }
    let kind = if scan.bytes.starts_with(b"%PDF-") {
        "application/pdf"
    } else if scan
        .bytes
        .starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A])
    {
        "image/png"
    } else if scan.bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else {
        return Err(FieldError::new("scan", "scan_bad_type"));
    };
    Ok(kind)
}

/// Keeps only the strokes of a signature drawn on screen: an SVG made of
/// paths whose data are drawing commands and numbers. Anything else is
/// refused.
pub fn clean_signature(svg: &str) -> Result<String, FieldError> {
    let mut paths = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find(" d=\"") {
        let after = &rest[i + 4..];
        let Some(end) = after.find('"') else { break };
        let d = &after[..end];
        if d.is_empty() || d.len() > 20_000 || !d.chars().all(|c| "MLml0123456789 .,-".contains(c))
        {
            return Err(FieldError::new("signature", "signature_invalid"));
        }
        paths.push(d.to_owned());
        rest = &after[end..];
    }
    if paths.is_empty() || paths.len() > 200 {
        return Err(FieldError::new("signature", "signature_missing"));
    }
    let body: String = paths
        .iter()
        .map(|d| format!("<path d=\"{d}\" fill=\"none\" stroke=\"#000\" stroke-width=\"2\"/>"))
        .collect();
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 400 150\" width=\"400\" height=\"150\">{body}</svg>"
    ))
}

impl Services {
    fn ev(&self, actor: &Actor, action: &'static str, id: Uuid) -> JournalEvent {
        JournalEvent::new(action)
            .actor(actor.agent_id.0)
            .structure(actor.structure_id.0)
            .object("mandate", id)
    }

    /// The structure's policy (the defaults until a supervisor writes one).
    pub async fn policy(&self, actor: &Actor) -> Result<Policy, ServiceError> {
        self.policy_of(actor.structure_id.0).await
    }

    pub(crate) async fn policy_of(&self, structure_id: Uuid) -> Result<Policy, ServiceError> {
        Ok(match self.store.policy_of(structure_id).await? {
            Some(body) => serde_json::from_str(&body).unwrap_or_default(),
            None => Policy::default(),
        })
    }

    /// Supervisors write the policy; the change is journaled with the
    /// policy before and after.
    pub async fn update_policy(&self, actor: &Actor, policy: Policy) -> Result<(), ServiceError> {
        if !actor.role.can_manage_team() {
            return Err(ServiceError::Forbidden);
        }
        let mut c = Checks::default();
        if policy.retention_months < 1 || policy.retention_months > 240 {
            c.push(FieldError::new("retention_months", "invalid_retention"));
        }
        if policy.charter.chars().count() > 10_000 {
            c.push(FieldError::new("charter", "too_long"));
        }
        c.finish()?;
        let now = self.now();
        let before = self.policy(actor).await?;
        let body =
            serde_json::to_string(&policy).map_err(|e| ServiceError::Internal(e.to_string()))?;
        self.store
            .save_policy(
                actor.structure_id.0,
                &body,
                Some(actor.agent_id.0),
                &[JournalEvent::new("policy.update")
                    .actor(actor.agent_id.0)
                    .structure(actor.structure_id.0)
                    .details(json!({"before": before, "after": policy}))],
                now,
            )
            .await?;
        Ok(())
    }

    /// Draws up a mandate. Paper and on-screen mandates wait for the
    /// signature; a remote one sends its code to the person at once.
    pub async fn create_mandate(
        &self,
        actor: &Actor,
        input: &MandateInput,
    ) -> Result<MandateId, ServiceError> {
        let now = self.now();
        let policy = self.policy(actor).await?;
        let mut c = Checks::default();
        let person = match PersonId::parse(&input.person_id) {
            None if !input.person_id.trim().is_empty() => {
                c.push(FieldError::new("person_id", "unknown_person"));
                None
            }
            Some(id) => match self.person_row(actor, id).await {
                Ok(p) => Some(p),
                Err(ServiceError::NotFound) => {
                    c.push(FieldError::new("person_id", "unknown_person"));
                    None
                }
                Err(e) => return Err(e),
            },
            None => {
                c.push(FieldError::new("person_id", "required"));
                None
            }
        };
        let categories = c.take(parse_categories(&input.categories));
        let duration = c.take(MandateDuration::parse(&input.duration));
        if let Some(d) = duration {
            c.take(policy.check_duration(d));
        }
        let consent = c.take(Consent::parse(&input.consent));
        if let (Some(Consent::Remote), Some(p)) = (consent, &person) {
            if p.email.is_none() && p.phone.is_none() {
                c.push(FieldError::new("consent", "remote_needs_contact"));
            }
        }
        c.finish()?;
        let (Some(person), Some(categories), Some(duration), Some(consent)) =
            (person, categories, duration, consent)
        else {
            return Err(ServiceError::Internal("unreachable".into()));
        };
        let today = self.today();
        let row = MandateRow {
            id: Uuid::now_v7(),
            structure_id: actor.structure_id.0,
            person_id: person.id,
            categories: categories
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(","),
            revoked_categories: String::new(),
            duration: duration.as_str().to_owned(),
            starts_on: today,
            ends_on: duration.end_date(today),
            consent: consent.as_str().to_owned(),
            signed_at: None,
            verification_code: random_code(10),
            revocation_secret: format!("{}-{}-{}", random_code(4), random_code(4), random_code(4)),
            remote_code_hash: None,
            remote_code_expires: None,
            remote_attempts: 0,
            signature_svg: None,
            scan: None,
            scan_type: None,
            revoked_at: None,
            revoke_reason: None,
            renewed_from: None,
            drawn_by: Some(actor.agent_id.0),
            lang: if input.lang == "en" { "en" } else { "fr" }.to_owned(),
            created_at: now,
            updated_at: now,
        };
        let id = row.id;
        self.store
            .insert_mandate(
                &row,
                &[self.ev(actor, "mandate.create", id).details(json!({
                    "categories": row.categories, "duration": row.duration, "consent": row.consent
                }))],
                now,
            )
            .await?;
        if consent == Consent::Remote {
            self.send_remote_code(actor, MandateId(id)).await?;
        }
        Ok(MandateId(id))
    }

    pub async fn mandate(&self, actor: &Actor, id: MandateId) -> Result<MandateView, ServiceError> {
        let l = self
            .store
            .mandate_by_id(actor.structure_id.0, id.0)
            .await?
            .ok_or(ServiceError::NotFound)?;
        Ok(view(l, self.today()))
    }

    /// The structure's mandates, optionally of one person and in one state.
    pub async fn list_mandates(
        &self,
        actor: &Actor,
        person_id: Option<PersonId>,
        state: Option<MandateState>,
    ) -> Result<Vec<MandateView>, ServiceError> {
        let today = self.today();
        Ok(self
            .store
            .list_mandates(actor.structure_id.0, person_id.map(|p| p.0), None)
            .await?
            .into_iter()
            .map(|l| view(l, today))
            .filter(|v| state.is_none_or(|s| v.state == s))
            .collect())
    }

    /// Active mandates ending within 30 days, soonest first.
    pub async fn mandates_ending_soon(
        &self,
        actor: &Actor,
    ) -> Result<Vec<MandateView>, ServiceError> {
        let today = self.today();
        let mut v: Vec<MandateView> = self
            .store
            .list_mandates(
                actor.structure_id.0,
                None,
                Some((today, today + chrono::Duration::days(30))),
            )
            .await?
            .into_iter()
            .map(|l| view(l, today))
            .filter(|v| v.state == MandateState::Active)
            .collect();
        v.sort_by_key(|m| m.row.ends_on);
        Ok(v)
    }

    /// Records the person's signature: a paper one (a scan may be
    /// attached) or one drawn on screen.
    pub async fn sign_mandate(
        &self,
        actor: &Actor,
        id: MandateId,
        scan: Option<Scan>,
        signature_svg: Option<&str>,
    ) -> Result<(), ServiceError> {
        let now = self.now();
        let m = self.mandate(actor, id).await?;
        if m.state != MandateState::Pending {
            return Err(ServiceError::Conflict(FieldError::new(
                "status",
                "mandate_not_pending",
            )));
        }
        let mut row = m.row.clone();
        let mut c = Checks::default();
        match m.consent {
            Consent::Paper => {
                if let Some(scan) = &scan {
                    if let Some(kind) = c.take(check_scan(scan)) {
                        row.scan = Some(scan.bytes.clone());
                        row.scan_type = Some(kind.to_owned());
                    }
                }
            }
            Consent::OnScreen => match signature_svg {
                Some(svg) => row.signature_svg = c.take(clean_signature(svg)),
                None => c.push(FieldError::new("signature", "signature_missing")),
            },
            Consent::Remote => c.push(FieldError::new("consent", "remote_needs_code")),
        }
        c.finish()?;
        row.signed_at = Some(now);
        row.updated_at = now;
        self.store
            .update_mandate(
                &row,
                &[self
                    .ev(actor, "mandate.sign", row.id)
                    .details(json!({"consent": row.consent, "scan": row.scan.is_some()}))],
                now,
            )
            .await?;
        Ok(())
    }

    /// Sends (again) a remote consent code to the person; the attempts
    /// start over.
    pub async fn send_remote_code(&self, actor: &Actor, id: MandateId) -> Result<(), ServiceError> {
        let now = self.now();
        let m = self.mandate(actor, id).await?;
        if m.consent != Consent::Remote || m.state != MandateState::Pending {
            return Err(ServiceError::Conflict(FieldError::new(
                "consent",
                "mandate_not_pending",
            )));
        }
        let person = self.person_row(actor, PersonId(m.row.person_id)).await?;
        let code: String = {
            let mut rng = rand::rngs::OsRng;
            (0..6)
                .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
                .collect()
        };
        let mut row = m.row.clone();
        row.remote_code_hash = Some(token_hash(&format!("{}:{code}", row.id)));
        row.remote_code_expires = Some(now + chrono::Duration::hours(24));
        row.remote_attempts = 0;
        row.updated_at = now;
        let link = format!(
            "{}/v/{}",
            self.config.public_url.trim_end_matches('/'),
            row.verification_code
        );
        let (channel, to) = match (&person.email, &person.phone) {
            (Some(e), _) => (Channel::Email, e.clone()),
            (None, Some(p)) => (Channel::Sms, p.clone()),
            (None, None) => {
                return Err(ServiceError::Invalid(vec![FieldError::new(
                    "consent",
                    "remote_needs_contact",
                )]))
            }
        };
        let (subject, body) = if row.lang == "en" {
            (
                format!("Your mandate for {}", m.structure_name),
                format!("Your code: {code}. Enter it at {link} to give your mandate. It is valid for 24 hours."),
            )
        } else {
            (
                format!("Votre mandat pour {}", m.structure_name),
                format!("Votre code : {code}. Saisissez-le sur {link} pour donner votre mandat. Il est valable 24 heures."),
            )
        };
        // Sent first: a code that could not be sent is never stored.
        let notifier = self.notifier.clone();
        let message = Notification {
            channel,
            to,
            subject,
            body,
        };
        tokio::task::spawn_blocking(move || notifier.send(&message))
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))?
            .map_err(|e| {
                tracing::warn!(error = %e, "a remote consent code could not be sent");
                ServiceError::Invalid(vec![FieldError::new("consent", "code_not_sent")])
            })?;
        self.store
            .update_mandate(
                &row,
                &[self.ev(actor, "mandate.remote_code_sent", row.id)],
                now,
            )
            .await?;
        Ok(())
    }

    /// The public page: the person enters the code they received.
    pub async fn confirm_remote_code(
        &self,
        verification_code: &str,
        code: &str,
    ) -> Result<(), ServiceError> {
        let now = self.now();
        let l = self
            .store
            .mandate_by_code(verification_code.trim())
            .await?
            .ok_or(ServiceError::NotFound)?;
        let mut row = l.mandate.clone();
        let ev = |action: &'static str| {
            JournalEvent::new(action)
                .structure(row.structure_id)
                .object("mandate", row.id)
        };
        if row.signed_at.is_some() || row.revoked_at.is_some() || row.consent != "remote" {
            return Err(ServiceError::Conflict(FieldError::new(
                "code",
                "mandate_not_pending",
            )));
        }
        if row.remote_attempts >= MAX_REMOTE_ATTEMPTS {
            self.store
                .journal_only(
                    &[ev("mandate.remote_code_refused").details(json!({"reason": "blocked"}))],
                    now,
                )
                .await?;
            return Err(ServiceError::Invalid(vec![FieldError::new(
                "code",
                "code_blocked",
            )]));
        }
        let expected = row.remote_code_hash.clone().unwrap_or_default();
        let given = token_hash(&format!("{}:{}", row.id, code.trim()));
        let expired = row.remote_code_expires.is_none_or(|t| t < now);
        if expected.is_empty() || expired || given != expected {
            row.remote_attempts += 1;
            row.updated_at = now;
            let blocked = row.remote_attempts >= MAX_REMOTE_ATTEMPTS;
            self.store
                .update_mandate(
                    &row,
                    &[ev("mandate.remote_code_refused").details(json!({"attempts": row.remote_attempts, "blocked": blocked, "expired": expired}))],
                    now,
                )
                .await?;
            let code = if blocked {
                "code_blocked"
            } else if expired {
                "code_expired"
            } else {
                "wrong_code"
            };
            return Err(ServiceError::Invalid(vec![FieldError::new("code", code)]));
        }
        row.signed_at = Some(now);
        row.remote_code_hash = None;
        row.updated_at = now;
        self.store
            .update_mandate(
                &row,
                &[ev("mandate.sign").details(json!({"consent": "remote"}))],
                now,
            )
            .await?;
        Ok(())
    }

    /// Revokes a mandate, whole (`categories` empty) or for some categories.
    pub async fn revoke_mandate(
        &self,
        actor: &Actor,
        id: MandateId,
        categories: &[String],
        reason: &str,
    ) -> Result<(), ServiceError> {
        let m = self.mandate(actor, id).await?;
        let reason = relais_domain::validation::bounded_text("reason", reason, 2, 500)?;
        self.apply_revocation(m.row, categories, Some(reason), Some(actor))
            .await
    }

    /// The person revokes from the public page with the secret printed on
    /// their copy. A wrong secret is journaled and refused.
    pub async fn revoke_by_person(
        &self,
        verification_code: &str,
        secret: &str,
        categories: &[String],
    ) -> Result<(), ServiceError> {
        let now = self.now();
        let l = self
            .store
            .mandate_by_code(verification_code.trim())
            .await?
            .ok_or(ServiceError::NotFound)?;
        let same = revocation_secret_matches(&l.mandate.revocation_secret, secret);
        if !same {
            self.store
                .journal_only(
                    &[JournalEvent::new("mandate.revocation_refused")
                        .structure(l.mandate.structure_id)
                        .object("mandate", l.mandate.id)
                        .details(json!({"reason": "wrong_secret"}))],
                    now,
                )
                .await?;
            return Err(ServiceError::Invalid(vec![FieldError::new(
                "secret",
                "wrong_secret",
            )]));
        }
        self.apply_revocation(l.mandate, categories, None, None)
            .await
    }

    async fn apply_revocation(
        &self,
        mut row: MandateRow,
        categories: &[String],
        reason: Option<String>,
        actor: Option<&Actor>,
    ) -> Result<(), ServiceError> {
        let now = self.now();
        if row.revoked_at.is_some() {
            return Err(ServiceError::Conflict(FieldError::new(
                "status",
                "mandate_already_revoked",
            )));
        }
        let f = facts(&row);
        let whole = categories.iter().all(|c| c.trim().is_empty());
        if whole {
            row.revoked_at = Some(now);
        } else {
            let cats = parse_categories(categories)?;
            if cats.iter().any(|c| !f.categories.contains(c)) {
                return Err(ServiceError::Invalid(vec![FieldError::new(
                    "categories",
                    "category_not_in_mandate",
                )]));
            }
            let mut revoked = f.revoked_categories.clone();
            for c in cats {
                if !revoked.contains(&c) {
                    revoked.push(c);
                }
            }
            row.revoked_categories = revoked
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(",");
            if f.categories.iter().all(|c| revoked.contains(c)) {
                row.revoked_at = Some(now);
            }
        }
        row.revoke_reason = reason.or(Some(String::new())).filter(|r| !r.is_empty());
        row.updated_at = now;
        let mut ev = JournalEvent::new("mandate.revoke")
            .structure(row.structure_id)
            .object("mandate", row.id)
            .details(json!({"by": if actor.is_some() { "agent" } else { "person" }, "whole": row.revoked_at.is_some(), "categories": row.revoked_categories}));
        if let Some(a) = actor {
            ev = ev.actor(a.agent_id.0);
        }
        self.store
            .update_mandate(&row, &[ev], now)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => ServiceError::NotFound,
                other => other.into(),
            })
    }

    /// Renews an active or recently expired (30 days) mandate: a new
    /// mandate for the same person and categories, with a new consent.
    pub async fn renew_mandate(
        &self,
        actor: &Actor,
        id: MandateId,
        duration: &str,
        consent: &str,
    ) -> Result<MandateId, ServiceError> {
        let m = self.mandate(actor, id).await?;
        if !m.renewable {
            return Err(ServiceError::Conflict(FieldError::new(
                "status",
                "mandate_not_renewable",
            )));
        }
        let input = MandateInput {
            person_id: m.row.person_id.to_string(),
            categories: m
                .active_categories
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
            duration: if duration.trim().is_empty() {
                m.duration.as_str().to_owned()
            } else {
                duration.to_owned()
            },
            consent: consent.to_owned(),
            lang: m.row.lang.clone(),
        };
        let new_id = self.create_mandate(actor, &input).await?;
        // Link the new mandate to the old one.
        let mut row = self.mandate(actor, new_id).await?.row;
        row.renewed_from = Some(m.row.id);
        let now = self.now();
        self.store
            .update_mandate(
                &row,
                &[self
                    .ev(actor, "mandate.renew", row.id)
                    .details(json!({"from": m.row.id.to_string()}))],
                now,
            )
            .await?;
        Ok(new_id)
    }

    /// Applies the policy to an intervention. Returns the mandate relied
    /// on (for `done_for`), and a warning when the policy only recommends
    /// a mandate that is missing. `wanted` is a mandate the caller named.
    pub(crate) async fn judge_intervention(
        &self,
        actor: &Actor,
        person_id: Option<Uuid>,
        category: ProcedureCategory,
        mode: Mode,
        day: NaiveDate,
        wanted: Option<Uuid>,
    ) -> Result<(Option<Uuid>, Option<Refusal>), ServiceError> {
        let policy = self.policy(actor).await?;
        let mut best: Option<(Uuid, Option<Refusal>)> = None;
        if mode == Mode::DoneFor {
            if let Some(pid) = person_id {
                for l in self
                    .store
                    .list_mandates(actor.structure_id.0, Some(pid), None)
                    .await?
                {
                    if wanted.is_some_and(|w| w != l.mandate.id) {
                        continue;
                    }
                    let r = facts(&l.mandate).refusal(category, day);
                    let better = matches!((&best, r), (None, _) | (Some((_, Some(_))), None));
                    if better {
                        best = Some((l.mandate.id, r));
                    }
                }
                if wanted.is_some() && best.is_none() {
                    return Err(ServiceError::Invalid(vec![FieldError::new(
                        "mandate_id",
                        "unknown_mandate",
                    )]));
                }
            }
        }
        let mandate = best.map(|(_, r)| r);
        match policy.judge(actor.role, category, mode, person_id.is_none(), mandate) {
            Verdict::Allowed => Ok((best.filter(|(_, r)| r.is_none()).map(|(id, _)| id), None)),
            Verdict::Warn(r) => Ok((None, Some(r))),
            Verdict::Refused(r) => Err(ServiceError::PolicyRefused(r)),
        }
    }

    /// Journals that a mandate's document was produced for someone.
    pub async fn journal_document(
        &self,
        actor: &Actor,
        id: MandateId,
        action: &'static str,
    ) -> Result<(), ServiceError> {
        let now = self.now();
        self.store
            .journal_only(&[self.ev(actor, action, id.0)], now)
            .await?;
        Ok(())
    }
}
