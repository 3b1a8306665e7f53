//! A structure's own view of the catalogue: procedures it adds, shipped
//! ones it hides, local notes, and how it reaches each operator as a
//! partner. Everyone in the structure reads them; supervisors and admins
//! change them.

use crate::catalog::{Coverage, CoverageEntry, Procedure};
use crate::error::{Checks, ServiceError};
use crate::views::OperatorChannel;
use crate::{Actor, Permission, Services};
use relais_domain::deadline::DeadlineRule;
use relais_domain::desk::{optional_long_text, optional_text};
use relais_domain::journal::JournalEvent;
use relais_domain::search::fold;
use relais_domain::validation::bounded_text;
use relais_domain::{FieldError, ProcedureCategory};
use relais_store::{LocalProcedureRow, OperatorChannelRow, ProcedureSettingRow};
use serde::Serialize;
use serde_json::json;

/// A procedure as the structure sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StructureProcedure {
    pub id: String,
    pub title: String,
    pub title_en: String,
    pub category: String,
    /// The catalogue operator's id, or the structure's own operator text.
    pub operator: String,
    pub link: String,
    pub documents: Vec<String>,
    pub documents_en: Vec<String>,
    pub tips: String,
    pub tips_en: String,
    pub local_note: String,
    /// Other words a worker may type to find it (acronyms, usual names).
    pub keywords: Vec<String>,
    pub hidden: bool,
    /// Added by the structure (not shipped with relais).
    pub local: bool,
    /// The day the entry was last checked (shipped) or changed (local).
    pub checked_on: chrono::NaiveDate,
    #[serde(skip)]
    pub deadline: Option<DeadlineRule>,
}

/// A shipped procedure's settings, as sent by a form or the API.
#[derive(Debug, Clone, Default)]
pub struct ProcedureSettingInput {
    pub procedure_id: String,
    pub hidden: bool,
    pub local_note: String,
}

/// Settings refused, by procedure id.
pub type SettingErrors = Vec<(String, FieldError)>;

/// A procedure the structure adds, as sent by a form or the API.
#[derive(Debug, Clone, Default)]
pub struct LocalProcedureInput {
    pub title: String,
    pub category: String,
    pub operator: String,
    pub link: String,
    /// One per line.
    pub documents: String,
    pub tips: String,
}

/// An operator's partner channels, as sent by a form or the API.
#[derive(Debug, Clone, Default)]
pub struct ChannelInput {
    pub partner_portal: String,
    pub pro_phone: String,
    pub email: String,
    pub local_contact: String,
    pub answer_delay: String,
    pub notes: String,
}

fn shipped(p: &Procedure, s: Option<&ProcedureSettingRow>) -> StructureProcedure {
    StructureProcedure {
        id: p.id.clone(),
        title: p.title.clone(),
        title_en: p.title_en.clone(),
        category: p.category.as_str().to_owned(),
        operator: p.operator.clone(),
        link: p.service_public.clone(),
        documents: p.documents.clone(),
        documents_en: p.documents_en.clone(),
        tips: p.tips.clone(),
        tips_en: p.tips_en.clone(),
        local_note: s.map(|s| s.local_note.clone()).unwrap_or_default(),
        keywords: p.keywords.clone(),
        hidden: s.is_some_and(|s| s.hidden),
        local: false,
        checked_on: p.checked_on,
        deadline: p.deadline.clone(),
    }
}

fn local(r: LocalProcedureRow) -> StructureProcedure {
    let documents: Vec<String> = r
        .documents
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let checked_on = r.updated_at.date_naive();
    StructureProcedure {
        checked_on,
        id: r.id,
        title_en: r.title.clone(),
        title: r.title,
        category: r.category,
        operator: r.operator,
        link: r.link,
        documents_en: documents.clone(),
        documents,
        tips_en: r.tips.clone(),
        tips: r.tips,
        local_note: String::new(),
        keywords: Vec::new(),
        hidden: false,
        local: true,
        deadline: None,
    }
}

/// The names an operator is searched by.
fn operator_text(o: &crate::catalog::Operator) -> String {
    format!("{} {} {} {}", o.name, o.name_en, o.short, o.short_en)
}

fn optional_field(c: &mut Checks, field: &'static str, v: &str, max: usize) -> String {
    c.take(optional_long_text(field, v, max))
        .flatten()
        .unwrap_or_default()
}

impl Services {
    /// The structure's catalogue: shipped procedures (with its notes, hidden
    /// ones included when `with_hidden`) and its own.
    pub async fn structure_procedures(
        &self,
        actor: &Actor,
        with_hidden: bool,
    ) -> Result<Vec<StructureProcedure>, ServiceError> {
        actor.require(Permission::RecordRequest)?;
        let sid = actor.structure_id;
        let settings = self.store.procedure_settings_of(sid).await?;
        let mut out: Vec<StructureProcedure> = self
            .catalog()
            .procedures
            .iter()
            .map(|p| shipped(p, settings.iter().find(|s| s.procedure_id == p.id)))
            .filter(|p| with_hidden || !p.hidden)
            .collect();
        out.extend(
            self.store
                .local_procedures_of(sid)
                .await?
                .into_iter()
                .map(local),
        );
        Ok(out)
    }

    /// Search in the structure's catalogue (hidden ones left out).
    pub async fn search_structure_procedures(
        &self,
        actor: &Actor,
        q: &str,
    ) -> Result<Vec<StructureProcedure>, ServiceError> {
        self.filter_structure_procedures(actor, q, false).await
    }

    /// The structure's procedures matching `q`: every word must match a
    /// word of the title (either language), id, category, operator (id,
    /// names) or keywords, with the person search's tolerance (accents,
    /// word starts, one typo); the best matches first, the catalogue's
    /// order among equals. All of them when `q` is blank.
    pub async fn filter_structure_procedures(
        &self,
        actor: &Actor,
        q: &str,
        with_hidden: bool,
    ) -> Result<Vec<StructureProcedure>, ServiceError> {
        let all = self.structure_procedures(actor, with_hidden).await?;
        if fold(q).is_empty() {
            return Ok(all);
        }
        let mut scored: Vec<(u32, StructureProcedure)> = all
            .into_iter()
            .filter_map(|p| {
                let op = self
                    .catalog()
                    .operator(&p.operator)
                    .map(operator_text)
                    .unwrap_or_default();
                let hay = format!(
                    "{} {} {} {} {} {} {}",
                    p.title,
                    p.title_en,
                    p.id,
                    p.category,
                    p.operator,
                    op,
                    p.keywords.join(" ")
                );
                let score = relais_domain::search::text_score(q, &hay);
                (score > 0).then_some((score, p))
            })
            .collect();
        scored.sort_by_key(|s| std::cmp::Reverse(s.0));
        Ok(scored.into_iter().map(|(_, p)| p).collect())
    }

    /// The catalogue's operators whose names or id hold every word of
    /// `q` (as [`Services::filter_structure_procedures`] matches).
    pub fn filter_operators(&self, q: &str) -> Vec<&crate::catalog::Operator> {
        self.catalog()
            .operators
            .iter()
            .filter(|o| {
                fold(q).is_empty()
                    || relais_domain::search::text_score(
                        q,
                        &format!("{} {}", o.id, operator_text(o)),
                    ) > 0
            })
            .collect()
    }

    /// The structure's catalogue (hidden procedures left out) grouped by
    /// category and operator: what the mandate form and the printed
    /// mandate cite.
    pub async fn catalogue_coverage(&self, actor: &Actor) -> Result<Coverage, ServiceError> {
        actor.require(Permission::RecordRequest)?;
        let procedures = self.structure_procedures(actor, false).await?;
        Ok(self.catalog().coverage(procedures.iter().filter_map(|p| {
            Some(CoverageEntry {
                category: ProcedureCategory::parse(&p.category).ok()?,
                operator: &p.operator,
                title: &p.title,
                title_en: &p.title_en,
            })
        })))
    }

    /// Hides a shipped procedure or gives it a local note.
    pub async fn set_procedure_setting(
        &self,
        actor: &Actor,
        procedure_id: &str,
        hidden: bool,
        local_note: &str,
    ) -> Result<(), ServiceError> {
        let input = ProcedureSettingInput {
            procedure_id: procedure_id.to_owned(),
            hidden,
            local_note: local_note.to_owned(),
        };
        match self.save_procedure_settings(actor, &[input]).await? {
            Ok(_) => Ok(()),
            Err(errors) => Err(ServiceError::Invalid(
                errors.into_iter().map(|(_, e)| e).collect(),
            )),
        }
    }

    /// Saves the settings of several shipped procedures at once (the
    /// catalogue page's one save): in one transaction, only those that
    /// changed, each journaled. Returns how many changed, or, with nothing
    /// written, the errors by procedure id.
    pub async fn save_procedure_settings(
        &self,
        actor: &Actor,
        inputs: &[ProcedureSettingInput],
    ) -> Result<Result<usize, SettingErrors>, ServiceError> {
        actor.require(Permission::ManageCatalogue)?;
        if inputs
            .iter()
            .any(|i| self.catalog().procedure(&i.procedure_id).is_none())
        {
            return Err(ServiceError::NotFound);
        }
        let settings = self.store.procedure_settings_of(actor.structure_id).await?;
        let now = self.now();
        let mut errors = Vec::new();
        let mut rows = Vec::new();
        let mut events = Vec::new();
        for i in inputs {
            let note = match optional_long_text("local_note", &i.local_note, 1000) {
                Ok(n) => n.unwrap_or_default(),
                Err(e) => {
                    errors.push((i.procedure_id.clone(), e));
                    continue;
                }
            };
            let before = settings.iter().find(|s| s.procedure_id == i.procedure_id);
            let unchanged = match before {
                Some(b) => b.hidden == i.hidden && b.local_note == note,
                None => !i.hidden && note.is_empty(),
            };
            if unchanged
                || rows
                    .iter()
                    .any(|r: &ProcedureSettingRow| r.procedure_id == i.procedure_id)
            {
                continue;
            }
            events.push(
                JournalEvent::new("catalogue.procedure_setting")
                    .actor(actor.agent_id)
                    .structure(actor.structure_id)
                    .details(json!({"procedure": i.procedure_id, "hidden": i.hidden})),
            );
            rows.push(ProcedureSettingRow {
                structure_id: actor.structure_id.0,
                procedure_id: i.procedure_id.clone(),
                hidden: i.hidden,
                local_note: note,
                updated_by: Some(actor.agent_id.0),
                updated_at: now,
            });
        }
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        if !rows.is_empty() {
            self.store
                .save_procedure_settings(&rows, &events, now)
                .await?;
        }
        Ok(Ok(rows.len()))
    }

    /// Adds (or changes, with `id`) one of the structure's own procedures.
    pub async fn save_local_procedure(
        &self,
        actor: &Actor,
        id: Option<&str>,
        input: &LocalProcedureInput,
    ) -> Result<String, ServiceError> {
        actor.require(Permission::ManageCatalogue)?;
        let mut c = Checks::default();
        let title = c.take(bounded_text("title", &input.title, 2, 160));
        let category = c.take(ProcedureCategory::parse(&input.category));
        let operator = c.take(bounded_text("operator", &input.operator, 2, 120));
        let link = c
            .take(optional_text("link", &input.link, 500))
            .flatten()
            .unwrap_or_default();
        if !link.is_empty() && !link.starts_with("https://") {
            c.push(FieldError::new("link", "invalid_url"));
        }
        let documents = optional_field(&mut c, "documents", &input.documents, 2000);
        let tips = optional_field(&mut c, "tips", &input.tips, 1200);
        c.finish()?;
        let (Some(title), Some(category), Some(operator)) = (title, category, operator) else {
            return Err(ServiceError::Internal("checked above".into()));
        };
        let id = match id {
            Some(id) => {
                let exists = self
                    .store
                    .local_procedures_of(actor.structure_id)
                    .await?
                    .iter()
                    .any(|p| p.id == id);
                if !exists {
                    return Err(ServiceError::NotFound);
                }
                id.to_owned()
            }
            None => format!("local-{}", &uuid::Uuid::now_v7().simple().to_string()[20..]),
        };
        let now = self.now();
        self.store
            .save_local_procedure(
                &LocalProcedureRow {
                    structure_id: actor.structure_id.0,
                    id: id.clone(),
                    title,
                    category: category.as_str().to_owned(),
                    operator,
                    link,
                    documents,
                    tips,
                    updated_by: Some(actor.agent_id.0),
                    updated_at: now,
                },
                &[JournalEvent::new("catalogue.local_procedure_saved")
                    .actor(actor.agent_id)
                    .structure(actor.structure_id)
                    .details(json!({"procedure": id}))],
                now,
            )
            .await?;
        Ok(id)
    }

    pub async fn delete_local_procedure(
        &self,
        actor: &Actor,
        id: &str,
    ) -> Result<(), ServiceError> {
        actor.require(Permission::ManageCatalogue)?;
        let now = self.now();
        self.store
            .delete_local_procedure(
                actor.structure_id,
                id,
                &[JournalEvent::new("catalogue.local_procedure_deleted")
                    .actor(actor.agent_id)
                    .structure(actor.structure_id)
                    .details(json!({"procedure": id}))],
                now,
            )
            .await?;
        Ok(())
    }

    /// The structure's partner channels, one per operator that has some.
    pub async fn channels(&self, actor: &Actor) -> Result<Vec<OperatorChannel>, ServiceError> {
        actor.require(Permission::RecordRequest)?;
        Ok(self
            .store
            .channels_of(actor.structure_id)
            .await?
            .into_iter()
            .map(OperatorChannel::from)
            .collect())
    }

    /// The channels of the operator a request names (catalogue name or id).
    pub async fn channel_for_operator(
        &self,
        actor: &Actor,
        operator: &str,
    ) -> Result<Option<OperatorChannel>, ServiceError> {
        let key = fold(operator);
        if key.is_empty() {
            return Ok(None);
        }
        let Some(op) =
            self.catalog().operators.iter().find(|o| {
                fold(&o.name) == key || fold(&o.name_en) == key || o.id == operator.trim()
            })
        else {
            return Ok(None);
        };
        Ok(self
            .channels(actor)
            .await?
            .into_iter()
            .find(|c| c.operator_id == op.id))
    }

    pub async fn save_channel(
        &self,
        actor: &Actor,
        operator_id: &str,
        input: &ChannelInput,
    ) -> Result<OperatorChannel, ServiceError> {
        actor.require(Permission::ManageCatalogue)?;
        if self.catalog().operator(operator_id).is_none() {
            return Err(ServiceError::NotFound);
        }
        let mut c = Checks::default();
        let partner_portal = c
            .take(optional_text("partner_portal", &input.partner_portal, 500))
            .flatten()
            .unwrap_or_default();
        if !partner_portal.is_empty() && !partner_portal.starts_with("https://") {
            c.push(FieldError::new("partner_portal", "invalid_url"));
        }
        let email = c
            .take(optional_text("email", &input.email, 254))
            .flatten()
            .unwrap_or_default();
        if !email.is_empty() && relais_domain::Email::parse(&email).is_err() {
            c.push(FieldError::new("email", "invalid_email"));
        }
        let row = OperatorChannelRow {
            structure_id: actor.structure_id.0,
            operator_id: operator_id.to_owned(),
            pro_phone: optional_field(&mut c, "pro_phone", &input.pro_phone, 40),
            local_contact: optional_field(&mut c, "local_contact", &input.local_contact, 300),
            answer_delay: optional_field(&mut c, "answer_delay", &input.answer_delay, 100),
            notes: optional_field(&mut c, "notes", &input.notes, 1000),
            partner_portal,
            email,
            updated_by: Some(actor.agent_id.0),
            updated_at: self.now(),
        };
        c.finish()?;
        let now = self.now();
        self.store
            .save_channel(
                &row,
                &[JournalEvent::new("catalogue.channel_saved")
                    .actor(actor.agent_id)
                    .structure(actor.structure_id)
                    .details(json!({"operator": operator_id}))],
                now,
            )
            .await?;
        Ok(row.into())
    }

    pub async fn delete_channel(
        &self,
        actor: &Actor,
        operator_id: &str,
    ) -> Result<(), ServiceError> {
        actor.require(Permission::ManageCatalogue)?;
        let now = self.now();
        self.store
            .delete_channel(
                actor.structure_id,
                operator_id,
                &[JournalEvent::new("catalogue.channel_deleted")
                    .actor(actor.agent_id)
                    .structure(actor.structure_id)
                    .details(json!({"operator": operator_id}))],
                now,
            )
            .await?;
        Ok(())
    }
}

impl Services {
    /// The structure's procedure named `title` (French or English title or
    /// id), with the follow-up its deadline rule proposes from today.
    pub async fn pick_structure_procedure(
        &self,
        actor: &Actor,
        title: &str,
        anchor: Option<chrono::NaiveDate>,
        postcode: Option<&str>,
    ) -> Result<
        Option<(
            StructureProcedure,
            Option<(chrono::NaiveDate, relais_domain::deadline::Window)>,
        )>,
        ServiceError,
    > {
        actor.require(Permission::RecordRequest)?;
        let key = fold(title);
        if key.is_empty() {
            return Ok(None);
        }
        let Some(p) = self
            .structure_procedures(actor, false)
            .await?
            .into_iter()
            .find(|p| fold(&p.title) == key || fold(&p.title_en) == key || p.id == title.trim())
        else {
            return Ok(None);
        };
        let departement = postcode.and_then(relais_domain::deadline::departement_of_postcode);
        let next = p.deadline.as_ref().and_then(|rule| {
            rule.proposed_follow_up(&relais_domain::deadline::Context {
                today: self.today(),
                anchor,
                departement: departement.as_deref(),
            })
        });
        Ok(Some((p, next)))
    }
}
