//! Mandates: drawn up, signed (paper, on screen or by a remote code),
//! verified publicly, revoked, renewed; and the structure's policy with
//! the rule that decides whether an intervention may be done *for* someone.

use crate::error::{Checks, ServiceError};
use crate::notify::{Channel, Notification};
use crate::secrets::token_hash;
use crate::{Actor, Permission, Services};
use chrono::NaiveDate;
use chrono::{DateTime, Utc};
use rand::Rng;
use relais_domain::desk::{optional_long_text, optional_text};
use relais_domain::journal::JournalEvent;
use relais_domain::mandate::{
    parse_categories, revocation_secret_matches, Consent, MandateBrief, MandateDuration,
    MandateFacts, MandateState, Policy, Refusal, Refused, Verdict,
};
use relais_domain::{
    AgentId, FieldError, MandateId, Mode, PersonId, ProcedureCategory, Role, StructureId,
};
use relais_store::MandateOrder;
use relais_store::{MandateFactsRow, MandateListRow, MandateRow, StoreError};
use serde_json::json;
use uuid::Uuid;

/// A mandate in force "ends soon" within this many days (home page, list
/// filter).
pub const ENDING_SOON_DAYS: i64 = 30;

/// What a mandate list asks for; the default is every mandate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MandateListQuery {
    pub person_id: Option<PersonId>,
    pub state: Option<MandateState>,
    /// Mandates covering this category (named, not revoked for it).
    pub category: Option<ProcedureCategory>,
    /// In force, and ending within [`ENDING_SOON_DAYS`] days.
    pub ending_soon: bool,
    /// Where the previous page stopped.
    pub after: Option<MandateCursor>,
}

/// One page of a mandate list.
#[derive(Debug, Clone)]
pub struct MandatePage {
    pub items: Vec<MandateView>,
    /// Where the next page starts, when there is one.
    pub next: Option<MandateCursor>,
}

/// A place in a mandate list's order, where a page stopped: the id of its
/// last mandate and, newest first, its creation time (in nanoseconds) or,
/// soonest end first, its last day (in days of the common era). Written in
/// a link as `key-uuid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MandateCursor {
    key: i64,
    id: Uuid,
}

impl MandateCursor {
    /// Reads a cursor from a link; `None` if it is not one.
    pub fn parse(s: &str) -> Option<MandateCursor> {
        let (key, id) = s.trim().split_once('-')?;
        let key: i64 = key.parse().ok()?;
        (key >= 0).then_some(())?;
        Some(MandateCursor {
            key,
            id: Uuid::parse_str(id).ok()?,
        })
    }

    /// Where a page of `order` stops, after `m`.
    fn after(m: &MandateView, soonest_end_first: bool) -> MandateCursor {
        let key = if soonest_end_first {
            i64::from(chrono::Datelike::num_days_from_ce(&m.ends_on))
        } else {
            m.created_at.timestamp_nanos_opt().unwrap_or_default()
        };
        MandateCursor { key, id: m.id.0 }
    }

    /// The creation time and id, for the newest-first order.
    fn created(self) -> (DateTime<Utc>, Uuid) {
        (DateTime::from_timestamp_nanos(self.key), self.id)
    }

    /// The last day and id, for the soonest-end order (`None` past the
    /// calendar's end).
    fn ends(self) -> Option<(NaiveDate, Uuid)> {
        let days = i32::try_from(self.key).ok()?;
        Some((NaiveDate::from_num_days_from_ce_opt(days)?, self.id))
    }
}

impl std::fmt::Display for MandateCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.key, self.id.simple())
    }
}

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

/// A mandate as the pages, the documents and the API show it.
#[derive(Clone, PartialEq, Eq)]
pub struct MandateView {
    pub id: MandateId,
    pub structure_id: StructureId,
    pub person_id: PersonId,
    pub person_first_name: String,
    pub person_last_name: String,
    pub structure_name: String,
    pub state: MandateState,
    pub categories: Vec<ProcedureCategory>,
    pub active_categories: Vec<ProcedureCategory>,
    /// The categories revoked one by one (none when revoked whole at once).
    pub revoked_categories: Vec<ProcedureCategory>,
    pub duration: MandateDuration,
    pub consent: Consent,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub signed_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoke_reason: Option<String>,
    /// The public code of the verification page.
    pub verification_code: String,
    /// Printed on the person's copy: with it they revoke the mandate.
    pub revocation_secret: String,
    pub renewed_from: Option<MandateId>,
    pub drawn_by: Option<AgentId>,
    /// Language of the document (`fr` or `en`).
    pub lang: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Wrong remote codes left before the code is blocked.
    pub remote_attempts_left: i64,
    /// Active, or expired less than 30 days ago: it may be renewed.
    pub renewable: bool,
    /// Pending or in force: it may be revoked.
    pub can_revoke: bool,
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
    facts_of(&facts_row(m))
}

/// What the rules read of a stored mandate.
pub(crate) fn facts_row(m: &MandateRow) -> MandateFactsRow {
    MandateFactsRow {
        id: m.id,
        consent: m.consent.clone(),
        verification_code: m.verification_code.clone(),
        categories: m.categories.clone(),
        revoked_categories: m.revoked_categories.clone(),
        starts_on: m.starts_on,
        ends_on: m.ends_on,
        signed_at: m.signed_at,
        revoked_at: m.revoked_at,
    }
}

/// The rules' view of a stored mandate; days are Paris days.
pub(crate) fn facts_of(m: &MandateFactsRow) -> MandateFacts {
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
        signed_on: m.signed_at.map(relais_domain::period::paris_day),
        revoked: m.revoked_at.is_some(),
    }
}

/// What an intervention is judged on, once its facts are read inside the
/// transaction that writes it.
#[derive(Debug, Clone)]
pub(crate) struct Judging {
    pub policy: Policy,
    pub role: Role,
    pub mode: Mode,
    pub day: NaiveDate,
    /// A mandate the caller named.
    pub wanted: Option<Uuid>,
    /// An anonymous walk-in (no person can give a mandate).
    pub anonymous: bool,
}

impl Judging {
    /// Applies the policy to an intervention on the person's mandates as
    /// they are inside the write's transaction. Returns the mandate relied
    /// on (for `done_for`), and a warning when the policy only recommends
    /// a mandate that is missing.
    pub(crate) fn decide(
        &self,
        category: ProcedureCategory,
        mandates: &[MandateFactsRow],
    ) -> Result<(Option<Uuid>, Option<Refusal>), ServiceError> {
        let mut best: Option<(Uuid, Option<Refusal>)> = None;
        let mut looked_at: Option<&MandateFactsRow> = None;
        if self.mode == Mode::DoneFor && !self.anonymous {
            for m in mandates {
                if self.wanted.is_some_and(|w| w != m.id) {
                    continue;
                }
                let r = facts_of(m).refusal(category, self.day);
                let better = matches!((&best, r), (None, _) | (Some((_, Some(_))), None));
                if better {
                    best = Some((m.id, r));
                    looked_at = Some(m);
                }
            }
            if self.wanted.is_some() && best.is_none() {
                return Err(ServiceError::Invalid(vec![FieldError::new(
                    "mandate_id",
                    "unknown_mandate",
                )]));
            }
        }
        let mandate = best.map(|(_, r)| r);
        match self
            .policy
            .judge(self.role, category, self.mode, self.anonymous, mandate)
        {
            Verdict::Allowed => Ok((best.filter(|(_, r)| r.is_none()).map(|(id, _)| id), None)),
            Verdict::Warn(r) => Ok((None, Some(r))),
            Verdict::Refused(r) => Err(ServiceError::PolicyRefused(Box::new(Refused {
                reason: r,
                category,
                mandate: looked_at.map(|m| brief_of(m, &facts_of(m))),
            }))),
        }
    }
}

/// The worker's view of a mandate that did not cover.
pub(crate) fn brief_of(m: &MandateFactsRow, f: &MandateFacts) -> MandateBrief {
    MandateBrief {
        id: MandateId(m.id),
        code: m.verification_code.clone(),
        consent: Consent::parse(&m.consent).unwrap_or(Consent::Paper),
        covered: f.active_categories(),
        starts_on: f.starts_on,
        ends_on: f.ends_on,
        signed_on: f.signed_on,
    }
}

impl std::fmt::Debug for MandateView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MandateView")
            .field("id", &self.id)
            .field("state", &self.state)
            .field("categories", &self.categories)
            .field("starts_on", &self.starts_on)
            .field("ends_on", &self.ends_on)
            .field("consent", &self.consent)
            .finish_non_exhaustive()
    }
}

fn view(l: MandateListRow, today: NaiveDate) -> MandateView {
    let f = facts(&l.mandate);
    let state = f.state_on(today);
    let m = l.mandate;
    MandateView {
        renewable: match state {
            MandateState::Active => true,
            MandateState::Expired => today - m.ends_on <= chrono::Duration::days(30),
            _ => false,
        },
        can_revoke: state.revocable(),
        state,
        active_categories: f.active_categories(),
        categories: f.categories,
        revoked_categories: f.revoked_categories,
        duration: MandateDuration::parse(&m.duration).unwrap_or(MandateDuration::OneDay),
        consent: Consent::parse(&m.consent).unwrap_or(Consent::Paper),
        remote_attempts_left: (MAX_REMOTE_ATTEMPTS - m.remote_attempts).max(0),
        id: MandateId(m.id),
        structure_id: StructureId(m.structure_id),
        person_id: PersonId(m.person_id),
        starts_on: m.starts_on,
        ends_on: m.ends_on,
        signed_at: m.signed_at,
        revoked_at: m.revoked_at,
        revoke_reason: m.revoke_reason,
        verification_code: m.verification_code,
        revocation_secret: m.revocation_secret,
        renewed_from: m.renewed_from.map(MandateId),
        drawn_by: m.drawn_by.map(AgentId),
        lang: m.lang,
        created_at: m.created_at,
        updated_at: m.updated_at,
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

fn not_pending(field: &'static str) -> ServiceError {
    ServiceError::Conflict(FieldError::new(field, "mandate_not_pending"))
}

impl Services {
    fn ev(&self, actor: &Actor, action: &'static str, id: impl Into<Uuid>) -> JournalEvent {
        JournalEvent::new(action)
            .actor(actor.agent_id)
            .structure(actor.structure_id)
            .object("mandate", id)
    }

    /// The structure's policy (the defaults until a supervisor writes one).
    pub async fn policy(&self, actor: &Actor) -> Result<Policy, ServiceError> {
        actor.require(Permission::RecordRequest)?;
        self.policy_of(actor.structure_id).await
    }

    /// The structure's policy, to be changed (the policy page).
    pub async fn policy_to_edit(&self, actor: &Actor) -> Result<Policy, ServiceError> {
        actor.require(Permission::ManagePolicy)?;
        self.policy_of(actor.structure_id).await
    }

    /// A stored policy that does not read is an error, logged with the
    /// structure's id and where the text breaks (never its content).
    pub(crate) async fn policy_of(
        &self,
        structure_id: StructureId,
    ) -> Result<Policy, ServiceError> {
        match self.store.policy_of(structure_id).await? {
            Some(body) => Policy::from_stored(&body).map_err(|e| {
                tracing::error!(structure = %structure_id, error = %e, "unreadable policy");
                e.into()
            }),
            None => Ok(Policy::default()),
        }
    }

    /// Supervisors write the policy; the change is journaled with the
    /// policy before and after.
    pub async fn update_policy(&self, actor: &Actor, policy: Policy) -> Result<(), ServiceError> {
        actor.require(Permission::ManagePolicy)?;
        let mut c = Checks::default();
        if policy.retention_months < 1 || policy.retention_months > 240 {
            c.push(FieldError::new("retention_months", "invalid_retention"));
        }
        c.take(optional_long_text("charter", &policy.charter, 10_000));
        c.take(optional_text(
            "privacy_contact",
            &policy.privacy_contact,
            300,
        ));
        c.take(policy.check_backdating_setting());
        c.finish()?;
        let now = self.now();
        let before = self.policy(actor).await?;
        let body =
            serde_json::to_string(&policy).map_err(|e| ServiceError::Internal(e.to_string()))?;
        self.store
            .save_policy(
                actor.structure_id,
                &body,
                Some(actor.agent_id),
                &[JournalEvent::new("policy.update")
                    .actor(actor.agent_id)
                    .structure(actor.structure_id)
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
        actor.require(Permission::HandleMandates)?;
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
            .await
            .map_err(|e| match e {
                // The person was erased or merged meanwhile: nothing written.
                StoreError::NotFound => {
                    ServiceError::Invalid(vec![FieldError::new("person_id", "unknown_person")])
                }
                other => other.into(),
            })?;
        if consent == Consent::Remote {
            self.send_remote_code(actor, MandateId(id)).await?;
        }
        Ok(MandateId(id))
    }

    pub async fn mandate(&self, actor: &Actor, id: MandateId) -> Result<MandateView, ServiceError> {
        Ok(view(self.mandate_row(actor, id).await?, self.today()))
    }

    async fn mandate_row(
        &self,
        actor: &Actor,
        id: MandateId,
    ) -> Result<MandateListRow, ServiceError> {
        actor.require(Permission::HandleMandates)?;
        self.store
            .mandate_by_id(actor.structure_id, id)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// All the mandates of one person, or of the structure, optionally in
    /// one state, newest first.
    pub async fn list_mandates(
        &self,
        actor: &Actor,
        person_id: Option<PersonId>,
        state: Option<MandateState>,
    ) -> Result<Vec<MandateView>, ServiceError> {
        let query = MandateListQuery {
            person_id,
            state,
            ..MandateListQuery::default()
        };
        Ok(self.mandate_page(actor, &query, None).await?.items)
    }

    /// One page of the structure's mandates that pass `query`, newest
    /// first (those ending soon: soonest end first): at most `limit` of
    /// them (all when `None`), and where the next page starts when there
    /// are more. Filtered, sorted and cut in the database, without reading
    /// signatures and scans.
    pub async fn mandate_page(
        &self,
        actor: &Actor,
        query: &MandateListQuery,
        limit: Option<usize>,
    ) -> Result<MandatePage, ServiceError> {
        actor.require(Permission::HandleMandates)?;
        let today = self.today();
        // Ending soon: in force, and ending within the next days.
        let state = match (query.state, query.ending_soon) {
            (Some(s), true) if s != MandateState::Active => {
                return Ok(MandatePage {
                    items: Vec::new(),
                    next: None,
                })
            }
            (_, true) => Some(MandateState::Active),
            (s, false) => s,
        };
        let order = match (query.ending_soon, query.after) {
            (false, after) => MandateOrder::Newest(after.map(MandateCursor::created)),
            (true, None) => MandateOrder::SoonestEnd(None),
            (true, Some(c)) => match c.ends() {
                Some(e) => MandateOrder::SoonestEnd(Some(e)),
                // A day past the calendar's end: nothing comes after it.
                None => {
                    return Ok(MandatePage {
                        items: Vec::new(),
                        next: None,
                    })
                }
            },
        };
        let filter = relais_store::MandateFilter {
            person_id: query.person_id.map(|p| p.0),
            state: state.map(|s| s.selection(today)),
            category: query.category.map(|c| c.as_str().to_owned()),
            ends_by: query
                .ending_soon
                .then(|| today + chrono::Duration::days(ENDING_SOON_DAYS)),
            order,
            // One more than asked tells whether there is a next page.
            limit: limit.map(|n| i64::try_from(n).unwrap_or(i64::MAX).saturating_add(1)),
        };
        let mut items: Vec<MandateView> = self
            .store
            .list_mandates(actor.structure_id, &filter)
            .await?
            .into_iter()
            .map(|l| view(l, today))
            .collect();
        let next = match limit {
            Some(n) if items.len() > n => {
                items.truncate(n);
                items
                    .last()
                    .map(|m| MandateCursor::after(m, query.ending_soon))
            }
            _ => None,
        };
        Ok(MandatePage { items, next })
    }

    /// The first `limit` mandates in force ending within
    /// [`ENDING_SOON_DAYS`] days, soonest first, and whether there are
    /// more.
    pub async fn mandates_ending_soon(
        &self,
        actor: &Actor,
        limit: usize,
    ) -> Result<MandatePage, ServiceError> {
        let query = MandateListQuery {
            ending_soon: true,
            ..MandateListQuery::default()
        };
        self.mandate_page(actor, &query, Some(limit)).await
    }

    /// Records the person's signature: a paper one (with a scan of the
    /// signed paper, required unless the policy says otherwise) or one
    /// drawn on screen. The agent who records it attests it: the journal
    /// names them and whether a scan was attached.
    pub async fn sign_mandate(
        &self,
        actor: &Actor,
        id: MandateId,
        scan: Option<Scan>,
        signature_svg: Option<&str>,
    ) -> Result<(), ServiceError> {
        actor.require(Permission::HandleMandates)?;
        let now = self.now();
        let m = self.mandate(actor, id).await?;
        if m.state != MandateState::Pending {
            return Err(not_pending("status"));
        }
        let policy = self.policy(actor).await?;
        let mut c = Checks::default();
        let mut stored_scan = None;
        let mut svg = None;
        match m.consent {
            Consent::Paper => match &scan {
                Some(scan) => {
                    stored_scan = c
                        .take(check_scan(scan))
                        .map(|kind| (scan.bytes.as_slice(), kind))
                }
                None if policy.paper_scan_required => {
                    c.push(FieldError::new("scan", "scan_required"))
                }
                None => {}
            },
            Consent::OnScreen => match signature_svg {
                Some(s) => svg = c.take(clean_signature(s)),
                None => c.push(FieldError::new("signature", "signature_missing")),
            },
            Consent::Remote => c.push(FieldError::new("consent", "remote_needs_code")),
        }
        c.finish()?;
        let event = self.ev(actor, "mandate.sign", m.id.0).details(json!({
            "consent": m.consent.as_str(),
            "scan": stored_scan.is_some(),
            "attested_by": actor.agent_id.0.to_string(),
        }));
        let signed = self
            .store
            .sign_mandate(
                actor.structure_id,
                m.id,
                m.consent.as_str(),
                svg.as_deref(),
                stored_scan,
                &[event],
                now,
            )
            .await?;
        if !signed {
            return Err(not_pending("status"));
        }
        Ok(())
    }

    /// Sends (again) a remote consent code to the person; the attempts
    /// start over.
    pub async fn send_remote_code(&self, actor: &Actor, id: MandateId) -> Result<(), ServiceError> {
        actor.require(Permission::HandleMandates)?;
        let now = self.now();
        let m = self.mandate(actor, id).await?;
        if m.consent != Consent::Remote || m.state != MandateState::Pending {
            return Err(ServiceError::Conflict(FieldError::new(
                "consent",
                "mandate_not_pending",
            )));
        }
        let person = self.person_row(actor, m.person_id).await?;
        let code: String = {
            let mut rng = rand::rngs::OsRng;
            (0..6)
                .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
                .collect()
        };
        let code_hash = token_hash(&format!("{}:{code}", m.id));
        let expires = now + chrono::Duration::hours(24);
        let link = format!(
            "{}/v/{}",
            self.config.public_url.trim_end_matches('/'),
            m.verification_code
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
        let (subject, body) = if m.lang == "en" {
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
        let message = Notification {
            channel,
            to,
            subject,
            body,
        };
        self.notifier.send(&message).await.map_err(|e| {
            tracing::warn!(error = %e, "a remote consent code could not be sent");
            ServiceError::Invalid(vec![FieldError::new("consent", "code_not_sent")])
        })?;
        let stored = self
            .store
            .set_remote_code(
                actor.structure_id,
                m.id,
                &code_hash,
                expires,
                &[self.ev(actor, "mandate.remote_code_sent", m.id.0)],
                now,
            )
            .await?;
        if !stored {
            // Signed or revoked while the code was being sent: the code
            // sent matches nothing stored.
            return Err(not_pending("consent"));
        }
        Ok(())
    }

    /// The public page: the person enters the code they received. Each try
    /// is counted before the code is compared, in one conditional update,
    /// so that parallel tries cannot exceed [`MAX_REMOTE_ATTEMPTS`].
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
        let (id, structure_id) = (l.mandate.id, l.mandate.structure_id);
        let ev = move |action: &'static str| {
            JournalEvent::new(action)
                .structure(structure_id)
                .object("mandate", id)
        };
        let pending = |m: &MandateRow| {
            m.signed_at.is_none() && m.revoked_at.is_none() && m.consent == "remote"
        };
        if !pending(&l.mandate) {
            return Err(not_pending("code"));
        }
        let given = token_hash(&format!("{}:{}", id, code.trim()));
        let mut outcome = None;
        let tried = self
            .store
            .remote_try(MandateId(id), MAX_REMOTE_ATTEMPTS, now, |t| {
                let expected = t.remote_code_hash.clone().unwrap_or_default();
                let expired = t.remote_code_expires.is_none_or(|e| e < now);
                if !expected.is_empty() && !expired && given == expected {
                    outcome = Some(None);
                    return (
                        true,
                        vec![ev("mandate.sign").details(json!({"consent": "remote"}))],
                    );
                }
                let blocked = t.remote_attempts >= MAX_REMOTE_ATTEMPTS;
                outcome = Some(Some(if blocked {
                    "code_blocked"
                } else if expired {
                    "code_expired"
                } else {
                    "wrong_code"
                }));
                let details =
                    json!({"attempts": t.remote_attempts, "blocked": blocked, "expired": expired});
                (
                    false,
                    vec![ev("mandate.remote_code_refused").details(details)],
                )
            })
            .await?;
        match (tried, outcome) {
            (Some(true), _) => Ok(()),
            (Some(false), Some(Some(code))) => {
                Err(ServiceError::Invalid(vec![FieldError::new("code", code)]))
            }
            (Some(false), _) => Err(ServiceError::Internal("remote try".into())),
            // Not counted: the mandate no longer waits, or its tries are spent.
            (None, _) => {
                let now_row = self
                    .store
                    .mandate_by_code(verification_code.trim())
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                if !pending(&now_row.mandate) {
                    return Err(not_pending("code"));
                }
                self.store
                    .journal_only(
                        &[ev("mandate.remote_code_refused").details(json!({"reason": "blocked"}))],
                        now,
                    )
                    .await?;
                Err(ServiceError::Invalid(vec![FieldError::new(
                    "code",
                    "code_blocked",
                )]))
            }
        }
    }

    /// Revokes a mandate, whole (`categories` empty) or for some categories.
    pub async fn revoke_mandate(
        &self,
        actor: &Actor,
        id: MandateId,
        categories: &[String],
        reason: &str,
    ) -> Result<(), ServiceError> {
        actor.require(Permission::HandleMandates)?;
        let m = self.mandate_row(actor, id).await?;
        let reason = relais_domain::validation::bounded_text("reason", reason, 2, 500)?;
        self.apply_revocation(m.mandate, categories, Some(reason), Some(actor))
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

    /// Revokes as a conditional update on the state read (not revoked,
    /// the same categories revoked): a concurrent change makes it read
    /// again, a few times at most. An acknowledged revocation is final.
    async fn apply_revocation(
        &self,
        mut row: MandateRow,
        categories: &[String],
        reason: Option<String>,
        actor: Option<&Actor>,
    ) -> Result<(), ServiceError> {
        let whole_asked = categories.iter().all(|c| c.trim().is_empty());
        let asked = if whole_asked {
            Vec::new()
        } else {
            parse_categories(categories)?
        };
        for _ in 0..5 {
            let now = self.now();
            if row.revoked_at.is_some() {
                return Err(ServiceError::Conflict(FieldError::new(
                    "status",
                    "mandate_already_revoked",
                )));
            }
            let f = facts(&row);
            if asked.iter().any(|c| !f.categories.contains(c)) {
                return Err(ServiceError::Invalid(vec![FieldError::new(
                    "categories",
                    "category_not_in_mandate",
                )]));
            }
            // Naming only categories no longer in force would change nothing
            // but the reason: refused, so each category is revoked once.
            if !asked.is_empty() && asked.iter().all(|c| f.revoked_categories.contains(c)) {
                return Err(ServiceError::Invalid(vec![FieldError::new(
                    "categories",
                    "category_already_revoked",
                )]));
            }
            let mut revoked = f.revoked_categories.clone();
            for c in &asked {
                if !revoked.contains(c) {
                    revoked.push(*c);
                }
            }
            let revoked_categories = revoked
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(",");
            let whole = whole_asked || f.categories.iter().all(|c| revoked.contains(c));
            let mut ev = JournalEvent::new("mandate.revoke")
                .structure(row.structure_id)
                .object("mandate", row.id)
                .details(json!({"by": if actor.is_some() { "agent" } else { "person" }, "whole": whole, "categories": revoked_categories}));
            if let Some(a) = actor {
                ev = ev.actor(a.agent_id);
            }
            let done = self
                .store
                .revoke_mandate(
                    StructureId(row.structure_id),
                    MandateId(row.id),
                    &row.revoked_categories,
                    &revoked_categories,
                    whole,
                    reason.as_deref().filter(|r| !r.is_empty()),
                    &[ev],
                    now,
                )
                .await?;
            if done {
                return Ok(());
            }
            // Changed meanwhile (a category revoked, or the whole): read again.
            row = self
                .store
                .mandate_by_id(StructureId(row.structure_id), MandateId(row.id))
                .await?
                .ok_or(ServiceError::NotFound)?
                .mandate;
        }
        Err(ServiceError::Conflict(FieldError::new(
            "status",
            "mandate_changed",
        )))
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
        actor.require(Permission::HandleMandates)?;
        let m = self.mandate(actor, id).await?;
        if !m.renewable {
            return Err(ServiceError::Conflict(FieldError::new(
                "status",
                "mandate_not_renewable",
            )));
        }
        let input = MandateInput {
            person_id: m.person_id.to_string(),
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
            lang: m.lang.clone(),
        };
        let new_id = self.create_mandate(actor, &input).await?;
        // Link the new mandate to the old one.
        let now = self.now();
        self.store
            .link_renewal(
                actor.structure_id,
                new_id,
                m.id,
                &[self
                    .ev(actor, "mandate.renew", new_id)
                    .details(json!({"from": m.id.to_string()}))],
                now,
            )
            .await?;
        Ok(new_id)
    }

    /// Journals that a mandate's document was produced for someone.
    pub async fn journal_document(
        &self,
        actor: &Actor,
        id: MandateId,
        action: &'static str,
    ) -> Result<(), ServiceError> {
        actor.require(Permission::HandleMandates)?;
        let now = self.now();
        self.store
            .journal_only(&[self.ev(actor, action, id)], now)
            .await?;
        Ok(())
    }
}
