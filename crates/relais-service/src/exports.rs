//! What leaves relais as files: the interventions export (without names
//! unless a supervisor gives a reason, which is journaled) and the
//! territory export (aggregated, small counts suppressed). The formats
//! themselves are written by the web layer.

use crate::error::ServiceError;
use crate::stats::{Period, Scope};
use crate::views::{read_all, ExportIntervention};
use crate::{Actor, Permission, Services};
use chrono::{DateTime, Utc};
use relais_domain::desk::outcome_or_status;
use relais_domain::disclosure::protect_group;
use relais_domain::ids::{AgentId, InterventionId, StructureId};
use relais_domain::journal::JournalEvent;
use relais_domain::period::paris_month;
use relais_domain::FieldError;
use relais_store::ExportInterventionRow;
use serde::Serialize;
use serde_json::json;
use std::collections::{BTreeMap, HashSet};

/// Rows read from the database per page of an export.
pub const EXPORT_PAGE: i64 = 2_000;

/// The default threshold under which territory counts are suppressed.
pub const DEFAULT_SUPPRESSION_THRESHOLD: u64 = 5;

/// An authorised, journaled interventions export, read page by page.
#[derive(Debug, Clone)]
pub struct InterventionExport {
    pub period: Period,
    pub scope: Scope,
    pub names: bool,
    structure: Option<StructureId>,
    agent: Option<AgentId>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

/// Where an export page ends, to read the next one.
pub type ExportCursor = Option<(DateTime<Utc>, InterventionId)>;

/// One cell of the territory export: `None` when suppressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TerritoryCell {
    pub month: String,
    pub category: String,
    pub mode: String,
    pub outcome: String,
    pub interventions: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TerritoryCommune {
    /// The département the commune belongs to (`""`: unknown).
    pub departement: String,
    pub commune: String,
    pub requests: Option<u64>,
    pub persons: Option<u64>,
}

/// Requests and persons of a département (code `""`: unknown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TerritoryDepartement {
    pub code: String,
    pub name: String,
    pub requests: Option<u64>,
    pub persons: Option<u64>,
}

/// The aggregated, anonymous tables for open data or a département.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TerritoryExport {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub threshold: u64,
    pub suppressed: u64,
    pub cells: Vec<TerritoryCell>,
    pub communes: Vec<TerritoryCommune>,
    pub departements: Vec<TerritoryDepartement>,
}

impl Services {
    /// Checks an interventions export and journals it. Names only for
    /// supervisors and admins, with a reason of 10 to 500 characters.
    #[allow(clippy::too_many_arguments)]
    pub async fn start_intervention_export(
        &self,
        actor: &Actor,
        from: &str,
        to: &str,
        scope: &str,
        names: bool,
        reason: &str,
        format: &str,
    ) -> Result<InterventionExport, ServiceError> {
        actor.require(Permission::ViewOwnStatistics)?;
        let period = Period::parse(from, to)?;
        let scope = Self::dashboard_scope(actor, scope)?;
        let reason = reason.trim();
        if names {
            // Names never leave their structure: not even admins export
            // them for the whole instance.
            if !actor.can(Permission::HandleRights) || scope == Scope::Instance {
                return Err(ServiceError::Forbidden);
            }
            let n = reason.chars().count();
            if n < 10 {
                return Err(if n == 0 {
                    FieldError::new("reason", "required")
                } else {
                    FieldError::new("reason", "too_short").with_limit(10)
                }
                .into());
            }
            if n > 500 {
                return Err(FieldError::new("reason", "too_long").with_limit(500).into());
            }
            // No confirmation here: a reason has no reason to look like one.
            let guarded = relais_domain::guard::check(&[("reason", reason)], false);
            if !guarded.stopped.is_empty() {
                return Err(guarded.errors().into());
            }
        }
        let (start, end) = period.bounds();
        let mut details = json!({
            "from": period.from.to_string(),
            "to": period.to.to_string(),
            "format": format,
            "names": names,
            "scope": match scope { Scope::Own => "own", Scope::Structure => "structure", Scope::Instance => "instance" },
        });
        if names {
            details["reason"] = json!(reason);
        }
        self.store
            .journal_only(
                &[JournalEvent::new("export.interventions")
                    .actor(actor.agent_id)
                    .structure(actor.structure_id)
                    .details(details)],
                self.now(),
            )
            .await?;
        Ok(InterventionExport {
            period,
            scope,
            names,
            structure: (scope != Scope::Instance).then_some(actor.structure_id),
            agent: (scope == Scope::Own).then_some(actor.agent_id),
            start,
            end,
        })
    }

    /// The next page of an export after `cursor`, and the cursor after it
    /// (`None` when the export is complete).
    pub async fn export_page(
        &self,
        export: &InterventionExport,
        cursor: ExportCursor,
    ) -> Result<(Vec<ExportIntervention>, ExportCursor), ServiceError> {
        let page = self
            .store
            .export_interventions(
                export.structure,
                export.start,
                export.end,
                cursor,
                export.names,
                EXPORT_PAGE,
            )
            .await?;
        let next = if (page.len() as i64) < EXPORT_PAGE {
            None
        } else {
            page.last().map(|r| (r.occurred_at, InterventionId(r.id)))
        };
        let rows: Vec<ExportInterventionRow> = page
            .into_iter()
            .filter(|r| export.agent.is_none_or(|a| r.agent_id == Some(a.0)))
            .collect();
        Ok((read_all(rows)?, next))
    }

    /// The territory export of a period: interventions by month × category
    /// × mode × outcome and requests and persons by commune and by
    /// département; every count under `threshold` is suppressed, and so
    /// are the counts that would let a suppressed one be recovered from a
    /// département's total ([`protect_group`]). Supervisors (their
    /// structure) and admins (`instance`).
    pub async fn territory_export(
        &self,
        actor: &Actor,
        from: &str,
        to: &str,
        scope: &str,
        threshold: &str,
    ) -> Result<TerritoryExport, ServiceError> {
        actor.require(Permission::ViewStructureStatistics)?;
        let structure = match Self::dashboard_scope(actor, scope)? {
            Scope::Instance => None,
            _ => Some(actor.structure_id),
        };
        let period = Period::parse(from, to)?;
        let threshold = suppression_threshold(threshold)?;
        let (start, end) = period.bounds();
        let mut cells: BTreeMap<(String, String, String, String), u64> = BTreeMap::new();
        for i in self
            .store
            .stats_interventions(structure, start, end)
            .await?
        {
            let outcome = outcome_or_status(i.outcome.as_deref(), &i.status).to_owned();
            *cells
                .entry((paris_month(i.occurred_at), i.category, i.mode, outcome))
                .or_default() += 1;
        }
        let groups = by_departement(self.store.stats_requests(structure, start, end).await?);
        let mut suppressed = 0;
        let mut keep = |n: u64| {
            if n < threshold {
                suppressed += 1;
                None
            } else {
                Some(n)
            }
        };
        let cells = cells
            .into_iter()
            .map(|((month, category, mode, outcome), n)| TerritoryCell {
                month,
                category,
                mode,
                outcome,
                interventions: keep(n),
            })
            .collect();
        let list = crate::communes::Communes::shipped();
        let mut communes = Vec::new();
        let mut departements = Vec::new();
        for (code, ((requests, persons), parts)) in groups {
            let measure = |total: u64, of: &dyn Fn(&Counts) -> u64| {
                let counts: Vec<u64> = parts.values().map(of).collect();
                let v = protect_group(total, &counts, threshold);
                let shown = |n: u64, ok: bool| ok.then_some(n);
                (
                    shown(total, v.total),
                    counts
                        .iter()
                        .zip(v.parts)
                        .map(|(n, ok)| shown(*n, ok))
                        .collect::<Vec<_>>(),
                )
            };
            let (dep_requests, commune_requests) = measure(requests, &|c| c.0);
            let (dep_persons, commune_persons) =
                measure(persons.len() as u64, &|c| c.1.len() as u64);
            let hidden = |v: &Option<u64>| u64::from(v.is_none());
            suppressed += hidden(&dep_requests) + hidden(&dep_persons);
            for ((commune, _), (r, p)) in parts
                .iter()
                .zip(commune_requests.into_iter().zip(commune_persons))
            {
                suppressed += hidden(&r) + hidden(&p);
                communes.push(TerritoryCommune {
                    departement: code.clone(),
                    commune: commune.clone(),
                    requests: r,
                    persons: p,
                });
            }
            departements.push(TerritoryDepartement {
                name: list.departement(&code).unwrap_or_default().to_owned(),
                code,
                requests: dep_requests,
                persons: dep_persons,
            });
        }
        Ok(TerritoryExport {
            from: period.from,
            to: period.to,
            threshold,
            suppressed,
            cells,
            communes,
            departements,
        })
    }
}

/// The suppression threshold asked for: 2 to 1000, the default when blank.
fn suppression_threshold(raw: &str) -> Result<u64, ServiceError> {
    Ok(match raw.trim() {
        "" => DEFAULT_SUPPRESSION_THRESHOLD,
        s => match s.parse::<u64>() {
            Ok(n) if (2..=1000).contains(&n) => n,
            _ => return Err(FieldError::new("threshold", "invalid_threshold").into()),
        },
    })
}

/// Requests and distinct persons.
type Counts = (u64, HashSet<uuid::Uuid>);

/// Requests and persons by département, and by commune within it.
/// Communes are counted within their département, so that each
/// département row is the total of its commune rows.
fn by_departement(
    rows: Vec<relais_store::StatsRequestRow>,
) -> BTreeMap<String, (Counts, BTreeMap<String, Counts>)> {
    let mut groups: BTreeMap<String, (Counts, BTreeMap<String, Counts>)> = BTreeMap::new();
    for r in rows {
        let (d, communes) = groups.entry(crate::stats::departement_of(&r)).or_default();
        let c = communes
            .entry(
                r.anon_commune
                    .clone()
                    .or(r.person_commune.clone())
                    .unwrap_or_default(),
            )
            .or_default();
        for counts in [d, c] {
            counts.0 += 1;
            if let Some(p) = r.person_id {
                counts.1.insert(p);
            }
        }
    }
    groups
}
