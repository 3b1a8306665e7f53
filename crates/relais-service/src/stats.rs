//! Activity figures of a period, grouped by one dimension (the stats API).
//! Supervisors and admins see their structure; agents and mediators their
//! own activity.

use crate::error::ServiceError;
use crate::{Actor, Permission, Principal, Services};
use chrono::NaiveDate;
use relais_domain::FieldError;
use relais_store::{StatsAggregate, StatsKey, StatsWindow};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// What the groups are made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Category,
    Operator,
    Mode,
    Outcome,
    Channel,
    Month,
}

impl GroupBy {
    pub fn parse(s: &str) -> Result<GroupBy, FieldError> {
        Ok(match s.trim() {
            "" | "category" => GroupBy::Category,
            "operator" => GroupBy::Operator,
            "mode" => GroupBy::Mode,
            "outcome" => GroupBy::Outcome,
            "channel" => GroupBy::Channel,
            "month" => GroupBy::Month,
            _ => return Err(FieldError::new("group_by", "invalid_choice")),
        })
    }
}

/// One group of the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StatsGroup {
    pub key: String,
    pub requests: u64,
    pub interventions: u64,
    pub minutes: i64,
}

/// The figures of a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatsReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub total_requests: u64,
    pub total_interventions: u64,
    pub distinct_persons: u64,
    pub minutes: i64,
    pub groups: Vec<StatsGroup>,
}

impl Services {
    /// Requests created and interventions given from `from` to `to`
    /// (both included, Paris days), grouped by `group_by`; `scope` may be
    /// `instance` for admins.
    pub async fn stats(
        &self,
        actor: &Actor,
        from: &str,
        to: &str,
        group_by: &str,
        scope: &str,
    ) -> Result<StatsReport, ServiceError> {
        actor.require(Permission::ViewOwnStatistics)?;
        let scope = Self::dashboard_scope(actor, scope)?;
        let period = match (Period::parse(from, to), GroupBy::parse(group_by)) {
            (Ok(p), Ok(g)) => (p, g),
            (Err(mut errors), Err(g)) => {
                errors.push(g);
                return Err(ServiceError::Invalid(errors));
            }
            (Err(e), _) => return Err(ServiceError::Invalid(e)),
            (Ok(_), Err(g)) => return Err(g.into()),
        };
        let (Period { from, to }, group) = period;
        let own = (scope == Scope::Own).then_some(actor.agent_id);
        let sid = (scope != Scope::Instance).then_some(actor.structure_id);
        let key = match group {
            GroupBy::Category => StatsKey::Category,
            GroupBy::Operator => StatsKey::Operator,
            GroupBy::Mode => StatsKey::Mode,
            GroupBy::Outcome => StatsKey::Outcome,
            GroupBy::Channel => StatsKey::Channel,
            GroupBy::Month => StatsKey::Nothing,
        };
        let all = self.aggregate(sid, own, period.0, key).await?;
        let mut groups: BTreeMap<String, StatsGroup> = BTreeMap::new();
        fn entry(groups: &mut BTreeMap<String, StatsGroup>, k: String) -> &mut StatsGroup {
            groups.entry(k.clone()).or_insert_with(|| StatsGroup {
                key: k,
                ..Default::default()
            })
        }
        if group == GroupBy::Month {
            // One database pass per Paris month of the period.
            let mut month_start = from.with_day(1).unwrap_or(from);
            while month_start <= to {
                let next = month_start
                    .checked_add_months(chrono::Months::new(1))
                    .unwrap_or(to);
                let month = Period {
                    from: month_start.max(from),
                    to: next.pred_opt().unwrap_or(next).min(to),
                };
                let m = self.aggregate(sid, own, month, StatsKey::Nothing).await?;
                if m.total_requests > 0 || m.total_interventions > 0 {
                    let g = entry(&mut groups, month_start.format("%Y-%m").to_string());
                    g.requests = m.total_requests as u64;
                    g.interventions = m.total_interventions as u64;
                    g.minutes = m.minutes;
                }
                month_start = next;
            }
        } else {
            for (k, n) in &all.requests_by {
                entry(&mut groups, k.clone()).requests = *n as u64;
            }
            for (k, n, m) in &all.interventions_by {
                let g = entry(&mut groups, k.clone());
                g.interventions = *n as u64;
                g.minutes = *m;
            }
        }
        let mut groups: Vec<StatsGroup> = groups.into_values().collect();
        groups.sort_by(|a, b| {
            if group == GroupBy::Month {
                a.key.cmp(&b.key)
            } else {
                b.requests.cmp(&a.requests).then_with(|| a.key.cmp(&b.key))
            }
        });
        Ok(StatsReport {
            from,
            to,
            total_requests: all.total_requests as u64,
            total_interventions: all.total_interventions as u64,
            distinct_persons: all.distinct_persons as u64,
            minutes: all.minutes,
            groups,
        })
    }
}

/// Above this many separate runs of live days in a period, the period is
/// counted from the desk's rows alone (the roll-ups are being rebuilt).
const MAX_LIVE_RUNS: usize = 8;

/// The most days of one structure a roll-up rebuild writes in one
/// transaction (its statements count them all at once).
const REBUILD_DAYS: usize = 64;

/// The live days of a period, in runs of consecutive days: its stale
/// days and every day from today on, in order of their first day (a day
/// after today may be marked: an intervention dated a few minutes ahead,
/// another node's clock).
fn live_runs(
    stale: Vec<NaiveDate>,
    period: Period,
    today: NaiveDate,
) -> Vec<(NaiveDate, NaiveDate)> {
    let open = (period.to >= today).then(|| (period.from.max(today), period.to));
    let mut ranges: Vec<(NaiveDate, NaiveDate)> =
        stale.into_iter().map(|d| (d, d)).chain(open).collect();
    ranges.sort();
    let mut runs: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    for (a, b) in ranges {
        match runs.last_mut() {
            Some(last) if last.1.succ_opt() == Some(a) || a <= last.1 => {
                last.1 = last.1.max(b);
            }
            _ => runs.push((a, b)),
        }
    }
    runs
}

#[cfg(test)]
mod live_runs_tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn stale_days_and_today_on_make_runs_in_order() {
        let period = Period {
            from: d("2026-01-01"),
            to: d("2026-12-31"),
        };
        let today = d("2026-12-07");
        // A day marked after today does not hide today.
        assert_eq!(
            live_runs(vec![d("2026-12-08")], period, today),
            [(today, period.to)]
        );
        assert_eq!(
            live_runs(
                vec![
                    d("2026-03-02"),
                    d("2026-03-03"),
                    d("2026-03-05"),
                    d("2026-12-06")
                ],
                period,
                today
            ),
            [
                (d("2026-03-02"), d("2026-03-03")),
                (d("2026-03-05"), d("2026-03-05")),
                (d("2026-12-06"), period.to)
            ]
        );
        // A period before today: its stale days only.
        let past = Period {
            from: d("2025-01-01"),
            to: d("2025-12-31"),
        };
        assert_eq!(live_runs(Vec::new(), past, today), []);
    }
}

impl Services {
    /// The stats API's figures of a period: for a structure or the whole
    /// instance, from the roll-ups of its closed days, with today and the
    /// days a write made stale counted from the desk's rows; for one
    /// agent's activity (not rolled up), from the desk's rows.
    pub(crate) async fn aggregate(
        &self,
        sid: Option<StructureId>,
        own: Option<relais_domain::AgentId>,
        period: Period,
        key: StatsKey,
    ) -> Result<StatsAggregate, ServiceError> {
        let (start, end) = period.bounds();
        let recount = || self.store.stats_aggregate(sid, own, start, end, key);
        if own.is_some() {
            return Ok(recount().await?);
        }
        let today = self.today();
        let stale = self
            .store
            .stats_dirty_days(sid, period.from, period.to)
            .await?;
        let runs = live_runs(stale, period, today);
        if runs.len() > MAX_LIVE_RUNS || runs == [(period.from, period.to)] {
            return Ok(recount().await?);
        }
        let window = StatsWindow {
            scope: sid.map(|s| s.0),
            period,
            live: runs
                .into_iter()
                .map(|(from, to)| Period { from, to })
                .collect(),
        };
        Ok(self.store.stats_from_rollups(&window, key).await?)
    }

    /// The stats API's figures counted from the desk's rows alone (what
    /// the roll-ups must always equal); for the whole instance's readers
    /// (the operator, admins).
    pub async fn stats_recount(
        &self,
        by: Principal<'_>,
        sid: Option<StructureId>,
        period: Period,
        key: StatsKey,
    ) -> Result<StatsAggregate, ServiceError> {
        by.require(Permission::ViewInstanceStatistics)?;
        let (start, end) = period.bounds();
        Ok(self
            .store
            .stats_aggregate(sid, None, start, end, key)
            .await?)
    }

    /// The stats API's figures as the server answers them (roll-ups and
    /// live days), for a structure or the whole instance.
    pub async fn stats_rolled_up(
        &self,
        by: Principal<'_>,
        sid: Option<StructureId>,
        period: Period,
        key: StatsKey,
    ) -> Result<StatsAggregate, ServiceError> {
        by.require(Permission::ViewInstanceStatistics)?;
        self.aggregate(sid, None, period, key).await
    }

    /// Rebuilds the roll-ups of stale days before today, structure by
    /// structure, up to `limit` days; returns how many were rebuilt.
    pub async fn rebuild_stats(&self, limit: usize) -> Result<usize, ServiceError> {
        let today = self.today();
        let mut done = 0;
        while done < limit {
            let batch = self
                .store
                .stats_dirty_before(today, (limit - done).min(500) as i64)
                .await?;
            if batch.is_empty() {
                break;
            }
            // The batch comes by structure and day: each structure's days
            // are rebuilt together, up to `REBUILD_DAYS` at a time.
            for run in batch.chunk_by(|a, b| a.0 == b.0) {
                let days: Vec<NaiveDate> = run.iter().map(|(_, d)| *d).collect();
                for chunk in days.chunks(REBUILD_DAYS) {
                    self.store.rebuild_stats_days(run[0].0, chunk).await?;
                    done += chunk.len();
                }
            }
        }
        Ok(done)
    }
}

// ---- the dashboard ------------------------------------------------------------

/// Whose activity a dashboard shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The actor's own activity (agents and mediators).
    Own,
    /// The actor's structure (supervisors and admins).
    Structure,
    /// Every structure of the instance (admins).
    Instance,
}

/// The measures a statistics table can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    Requests,
    Interventions,
    Persons,
    Minutes,
    Referrals,
}

/// One line of a statistics table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StatRow {
    pub key: String,
    pub requests: u64,
    pub interventions: u64,
    pub persons: u64,
    pub minutes: i64,
    pub referrals: u64,
}

impl StatRow {
    pub fn get(&self, m: Measure) -> i64 {
        match m {
            Measure::Requests => self.requests as i64,
            Measure::Interventions => self.interventions as i64,
            Measure::Persons => self.persons as i64,
            Measure::Minutes => self.minutes,
            Measure::Referrals => self.referrals as i64,
        }
    }
}

/// A statistics table: its name (`category`, `mode`, …), the measures it
/// shows (the first is the one charts draw) and its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatTable {
    pub id: &'static str,
    pub measures: Vec<Measure>,
    pub rows: Vec<StatRow>,
}

impl StatTable {
    /// The total of the table's first measure.
    pub fn total(&self) -> i64 {
        let m = self.measures.first().copied().unwrap_or(Measure::Requests);
        self.rows.iter().map(|r| r.get(m)).sum()
    }
}

/// The tables of a dashboard, in display order.
pub const TABLES: [&str; 13] = [
    "category",
    "operator",
    "mode",
    "outcome",
    "block_reason",
    "channel",
    "month",
    "age_bracket",
    "commune",
    "departement",
    "repeat_visits",
    "autonomy",
    "referral",
];

/// What the dashboard is asked for, as typed by the user.
#[derive(Debug, Clone, Default)]
pub struct DashboardQuery {
    pub from: String,
    pub to: String,
    /// An agent's id (supervisors), or empty.
    pub agent: String,
    pub channel: String,
    pub category: String,
    /// `structure` (default) or `instance` (admins).
    pub scope: String,
}

/// Every figure of the dashboard for one period and filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dashboard {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub scope: Scope,
    pub structure_name: String,
    pub requests: u64,
    pub interventions: u64,
    pub distinct_persons: u64,
    pub new_persons: u64,
    pub minutes: i64,
    /// Interventions done for the person, with them, and taught.
    pub done_for: u64,
    pub done_with: u64,
    pub taught: u64,
    /// Interventions done for the person while a signed mandate covered
    /// the request's category.
    pub done_for_under_mandate: u64,
    /// Requests marked as rights at risk.
    pub urgent_requests: u64,
    /// Requests whose deadline passed before they were closed.
    pub missed_deadlines: u64,
    /// Follow-ups due in the period, done late or not yet done.
    pub overdue_follow_ups: u64,
    pub tables: Vec<StatTable>,
}

impl Dashboard {
    pub fn table(&self, id: &str) -> Option<&StatTable> {
        self.tables.iter().find(|t| t.id == id)
    }
}

use relais_domain::desk::outcome_or_status;
use relais_domain::period::{paris_day, paris_month};
pub use relais_domain::Period;
use relais_domain::{AgeBracket, Mode, ProcedureCategory, StructureId};

use chrono::Datelike;

/// The département of a request: from the person's commune (INSEE code),
/// else their postcode, else the anonymous request's postcode ("" unknown).
pub(crate) fn departement_of(r: &relais_store::StatsRequestRow) -> String {
    r.person_insee
        .as_deref()
        .and_then(|c| crate::communes::Communes::shipped().by_insee(c))
        .map(|c| c.departement.code.clone())
        .or_else(|| {
            r.person_postcode
                .as_deref()
                .or(r.anon_postcode.as_deref())
                .and_then(relais_domain::deadline::departement_of_postcode)
        })
        .unwrap_or_default()
}

fn autonomy_rank(level: &str) -> Option<u8> {
    match level {
        "needs_full_guidance" => Some(0),
        "autonomous_with_help" => Some(1),
        "autonomous" => Some(2),
        _ => None,
    }
}

fn visits_bucket(n: u64) -> &'static str {
    match n {
        0 | 1 => "1",
        2 => "2",
        3..=5 => "3_5",
        _ => "6_plus",
    }
}

#[derive(Default)]
struct Tally {
    rows: BTreeMap<String, StatRow>,
    persons: BTreeMap<String, HashSet<uuid::Uuid>>,
}

impl Tally {
    fn row(&mut self, key: &str) -> &mut StatRow {
        self.rows.entry(key.to_owned()).or_insert_with(|| StatRow {
            key: key.to_owned(),
            ..Default::default()
        })
    }
    fn person(&mut self, key: &str, person: Option<uuid::Uuid>) {
        if let Some(p) = person {
            self.persons.entry(key.to_owned()).or_default().insert(p);
        }
    }
    fn table(mut self, id: &'static str, measures: &[Measure], order: Order) -> StatTable {
        let persons = std::mem::take(&mut self.persons);
        for (k, set) in persons {
            self.row(&k).persons = set.len() as u64;
        }
        let mut rows: Vec<StatRow> = self.rows.into_values().collect();
        let first = measures.first().copied().unwrap_or(Measure::Requests);
        match order {
            Order::Key => {}
            Order::Fixed(keys) => {
                rows.sort_by_key(|r| keys.iter().position(|k| *k == r.key).unwrap_or(keys.len()))
            }
            Order::Largest => rows.sort_by(|a, b| {
                b.get(first)
                    .cmp(&a.get(first))
                    .then_with(|| a.key.cmp(&b.key))
            }),
        }
        StatTable {
            id,
            measures: measures.to_vec(),
            rows,
        }
    }
}

enum Order {
    Key,
    Largest,
    Fixed(Vec<&'static str>),
}

/// The structure a dashboard is computed in.
struct Within {
    id: StructureId,
    name: String,
}

/// What the monthly report of a structure shows.
#[derive(Debug, Clone)]
pub struct MonthlyFigures {
    pub structure_name: String,
    /// The month asked for.
    pub now: Dashboard,
    /// The month before.
    pub before: Dashboard,
    pub policy: relais_domain::mandate::Policy,
}

impl Services {
    /// The actor and scope a dashboard may show: agents see their own
    /// activity, supervisors their structure, admins may ask for the whole
    /// instance.
    pub(crate) fn dashboard_scope(actor: &Actor, asked: &str) -> Result<Scope, ServiceError> {
        match asked.trim() {
            "instance" if actor.can(Permission::ViewInstanceStatistics) => Ok(Scope::Instance),
            "instance" => Err(ServiceError::Forbidden),
            "" | "structure" | "own" => Ok(if actor.can(Permission::ViewStructureStatistics) {
                Scope::Structure
            } else {
                Scope::Own
            }),
            _ => Err(FieldError::new("scope", "invalid_choice").into()),
        }
    }

    /// Every figure of the dashboard. Invalid filters: a message, nothing
    /// computed; an empty period gives zeros.
    pub async fn dashboard(
        &self,
        actor: &Actor,
        q: &DashboardQuery,
    ) -> Result<Dashboard, ServiceError> {
        actor.require(Permission::ViewOwnStatistics)?;
        let scope = Self::dashboard_scope(actor, &q.scope)?;
        let period = Period::parse(&q.from, &q.to);
        let mut errors = period.clone().err().unwrap_or_default();
        let agent = match q.agent.trim() {
            "" => None,
            s => match uuid::Uuid::parse_str(s) {
                Ok(id) if scope != Scope::Own || id == actor.agent_id.0 => Some(id),
                Ok(_) => return Err(ServiceError::Forbidden),
                Err(_) => {
                    errors.push(FieldError::new("agent", "invalid_choice"));
                    None
                }
            },
        };
        let channel = match q.channel.trim() {
            "" => None,
            s => match relais_domain::Channel::parse(s) {
                Ok(c) => Some(c.as_str()),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
        };
        let category = match q.category.trim() {
            "" => None,
            s => match relais_domain::ProcedureCategory::parse(s) {
                Ok(c) => Some(c.as_str()),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
        };
        let period = match period {
            Ok(p) if errors.is_empty() => p,
            _ => return Err(ServiceError::Invalid(errors)),
        };
        let agent = if scope == Scope::Own {
            Some(actor.agent_id.0)
        } else {
            agent
        };
        let within = Within {
            id: actor.structure_id,
            name: actor.structure_name.clone(),
        };
        self.compute_dashboard(&within, scope, period, agent, channel, category)
            .await
    }

    /// Interventions done for the person under a mandate: judged by the
    /// one rule ([`relais_domain::mandate::done_under_mandate`]) on the
    /// mandate each relied on, as the desk recorded it.
    async fn done_for_under_mandate(
        &self,
        sid: Option<StructureId>,
        period: Period,
        interventions: &[relais_store::StatsInterventionRow],
    ) -> Result<u64, ServiceError> {
        let mandates: std::collections::HashMap<uuid::Uuid, _> = self
            .store
            .stats_mandates(sid, period.from, period.to)
            .await?
            .into_iter()
            .map(|m| (m.facts.id, crate::mandates::facts_of(&m.facts)))
            .collect();
        Ok(interventions
            .iter()
            .filter(|i| i.mode == Mode::DoneFor.as_str())
            .filter(|i| {
                let relied_on = i.mandate_id.and_then(|id| mandates.get(&id));
                ProcedureCategory::parse(&i.category).is_ok_and(|c| {
                    relais_domain::mandate::done_under_mandate(
                        relied_on,
                        c,
                        paris_day(i.occurred_at),
                    )
                })
            })
            .count() as u64)
    }

    /// The figures of a structure's month and of the month before, for
    /// its monthly report: an agent allowed to see their structure's
    /// figures (`structure` is their structure's slug), or the operator
    /// for any structure.
    pub async fn monthly_figures(
        &self,
        by: Principal<'_>,
        structure: &str,
        month: &str,
    ) -> Result<MonthlyFigures, ServiceError> {
        by.require(Permission::ViewStructureStatistics)?;
        let within = match by {
            Principal::Agent(a) if a.structure_slug == structure.trim() => Within {
                id: a.structure_id,
                name: a.structure_name.clone(),
            },
            Principal::Agent(_) => return Err(ServiceError::NotFound),
            Principal::Operator => {
                let s = self
                    .store
                    .structure_by_slug(structure.trim())
                    .await?
                    .ok_or_else(|| {
                        ServiceError::from(FieldError::new("structure", "unknown_structure"))
                    })?;
                Within {
                    id: StructureId(s.id),
                    name: s.name,
                }
            }
        };
        let period = Period::month(month)?;
        let previous = period
            .previous_month()
            .ok_or_else(|| ServiceError::from(FieldError::new("month", "invalid_month")))?;
        let now = self
            .compute_dashboard(&within, Scope::Structure, period, None, None, None)
            .await?;
        let before = self
            .compute_dashboard(&within, Scope::Structure, previous, None, None, None)
            .await?;
        Ok(MonthlyFigures {
            policy: self.policy_of(within.id).await?,
            structure_name: within.name,
            now,
            before,
        })
    }

    async fn compute_dashboard(
        &self,
        within: &Within,
        scope: Scope,
        period: Period,
        agent: Option<uuid::Uuid>,
        channel: Option<&str>,
        category: Option<&str>,
    ) -> Result<Dashboard, ServiceError> {
        let f = Filter {
            sid: match scope {
                Scope::Instance => None,
                _ => Some(within.id),
            },
            agent,
            channel,
            category,
        };
        let (start, end) = period.bounds();
        let interventions: Vec<_> = self
            .store
            .stats_interventions(f.sid, start, end)
            .await?
            .into_iter()
            .filter(|i| agent.is_none_or(|a| i.agent_id == Some(a)))
            .filter(|i| f.keep(&i.category, &i.channel))
            .collect();
        let helped: HashSet<uuid::Uuid> = interventions.iter().map(|i| i.help_request_id).collect();
        let requests: Vec<_> = self
            .store
            .stats_requests(f.sid, start, end)
            .await?
            .into_iter()
            .filter(|r| agent.is_none_or(|a| r.created_by == Some(a) || helped.contains(&r.id)))
            .filter(|r| f.keep(&r.category, &r.channel))
            .collect();
        let today = self.today();

        // Figures.
        let persons: HashSet<uuid::Uuid> = requests
            .iter()
            .filter_map(|r| r.person_id)
            .chain(interventions.iter().filter_map(|i| i.person_id))
            .collect();
        let person_created: std::collections::HashMap<_, _> = requests
            .iter()
            .filter_map(|r| r.person_id.zip(r.person_created_at))
            .collect();
        let new_persons = person_created
            .values()
            .filter(|c| **c >= start && **c < end)
            .count() as u64;
        let count_mode = |m: Mode| {
            interventions
                .iter()
                .filter(|i| i.mode == m.as_str())
                .count() as u64
        };
        let missed = requests
            .iter()
            .filter(|r| match (r.deadline, r.closed_at) {
                (Some(d), Some(c)) => paris_day(c) > d,
                (Some(d), None) => d < today,
                _ => false,
            })
            .count() as u64;

        let mut t = Tallies::default();
        for r in &requests {
            t.add_request(r);
        }
        for i in &interventions {
            t.add_intervention(i);
        }
        let autonomy = self.autonomy_tally(f.sid, period, &persons).await?;
        let referrals = self.referral_tally(&f, period).await?;
        let structure_name = match scope {
            Scope::Instance => String::new(),
            _ => within.name.clone(),
        };
        Ok(Dashboard {
            from: period.from,
            to: period.to,
            scope,
            structure_name,
            requests: requests.len() as u64,
            interventions: interventions.len() as u64,
            distinct_persons: persons.len() as u64,
            new_persons,
            minutes: interventions.iter().map(|i| i.duration_minutes).sum(),
            done_for: count_mode(Mode::DoneFor),
            done_with: count_mode(Mode::DoneWith),
            taught: count_mode(Mode::Taught),
            done_for_under_mandate: self
                .done_for_under_mandate(f.sid, period, &interventions)
                .await?,
            urgent_requests: requests.iter().filter(|r| r.rights_at_risk).count() as u64,
            missed_deadlines: missed,
            overdue_follow_ups: self.overdue_follow_ups(&f, period, today).await?,
            tables: t.tables(autonomy, referrals),
        })
    }

    /// Follow-ups due in the period, done late or not yet done.
    async fn overdue_follow_ups(
        &self,
        f: &Filter<'_>,
        period: Period,
        today: NaiveDate,
    ) -> Result<u64, ServiceError> {
        Ok(self
            .store
            .stats_follow_ups(f.sid, period.from, period.to)
            .await?
            .into_iter()
            .filter(|u| f.agent.is_none_or(|a| u.assignee_id == a))
            .filter(|u| {
                f.category.is_none_or(|c| u.category.as_deref() == Some(c))
                    && f.channel.is_none_or(|c| u.channel.as_deref() == Some(c))
            })
            .filter(|u| match (u.done, u.done_at) {
                (true, Some(at)) => paris_day(at) > u.due_date,
                (true, None) => false,
                (false, _) => relais_domain::desk::follow_up_overdue(u.due_date, false, today),
            })
            .count() as u64)
    }

    /// How the autonomy of the persons seen moved, from their first to
    /// their last assessment up to the period's end.
    async fn autonomy_tally(
        &self,
        sid: Option<StructureId>,
        period: Period,
        persons: &HashSet<uuid::Uuid>,
    ) -> Result<Tally, ServiceError> {
        let mut by_autonomy = Tally::default();
        let mut first_last: BTreeMap<uuid::Uuid, (u8, u8, u32)> = BTreeMap::new();
        for a in self.store.stats_autonomy(sid, period.to).await? {
            if !persons.contains(&a.person_id) {
                continue;
            }
            let Some(rank) = autonomy_rank(&a.level) else {
                continue;
            };
            first_last
                .entry(a.person_id)
                .and_modify(|e| {
                    e.1 = rank;
                    e.2 += 1;
                })
                .or_insert((rank, rank, 1));
        }
        for (p, (first, last, n)) in &first_last {
            let key = if *n < 2 {
                "assessed_once"
            } else if last > first {
                "improved"
            } else if last < first {
                "declined"
            } else {
                "unchanged"
            };
            by_autonomy.person(key, Some(*p));
        }
        Ok(by_autonomy)
    }

    /// The referrals made in the period, by status.
    async fn referral_tally(&self, f: &Filter<'_>, period: Period) -> Result<Tally, ServiceError> {
        let mut by_referral = Tally::default();
        let (start, end) = period.bounds();
        for (status, author, cat, chan) in self.store.stats_referrals(f.sid, start, end).await? {
            if f.agent.is_some_and(|a| author != Some(a)) || !f.keep(&cat, &chan) {
                continue;
            }
            by_referral.row(&status).referrals += 1;
        }
        Ok(by_referral)
    }
}

/// What a dashboard is narrowed to.
struct Filter<'a> {
    sid: Option<StructureId>,
    agent: Option<uuid::Uuid>,
    channel: Option<&'a str>,
    category: Option<&'a str>,
}

impl Filter<'_> {
    fn keep(&self, cat: &str, chan: &str) -> bool {
        self.category.is_none_or(|c| c == cat) && self.channel.is_none_or(|c| c == chan)
    }
}

/// The dashboard's tables counted from its requests and interventions.
#[derive(Default)]
struct Tallies {
    category: Tally,
    operator: Tally,
    mode: Tally,
    outcome: Tally,
    block: Tally,
    channel: Tally,
    month: Tally,
    age: Tally,
    commune: Tally,
    departement: Tally,
    mode_requests: HashSet<(uuid::Uuid, String)>,
    visits: std::collections::HashMap<uuid::Uuid, u64>,
}

impl Tallies {
    fn add_request(&mut self, r: &relais_store::StatsRequestRow) {
        self.category.row(&r.category).requests += 1;
        self.category.person(&r.category, r.person_id);
        self.operator
            .row(r.operator.as_deref().unwrap_or_default())
            .requests += 1;
        let outcome = outcome_or_status(r.outcome.as_deref(), &r.status);
        self.outcome.row(outcome).requests += 1;
        if let Some(b) = &r.block_reason {
            self.block.row(b).requests += 1;
        }
        self.channel.row(&r.channel).requests += 1;
        self.channel.person(&r.channel, r.person_id);
        self.month.row(&paris_month(r.created_at)).requests += 1;
        let bracket =
            AgeBracket::of_request(r.anon_age_bracket.as_deref(), r.birth_year, r.created_at)
                .as_str();
        self.age.row(bracket).requests += 1;
        self.age.person(bracket, r.person_id);
        let commune = r
            .anon_commune
            .as_deref()
            .or(r.person_commune.as_deref())
            .unwrap_or_default();
        self.commune.row(commune).requests += 1;
        self.commune.person(commune, r.person_id);
        let dep = departement_of(r);
        self.departement.row(&dep).requests += 1;
        self.departement.person(&dep, r.person_id);
    }

    fn add_intervention(&mut self, i: &relais_store::StatsInterventionRow) {
        let minutes = i.duration_minutes;
        let operator = i.operator.as_deref().unwrap_or_default();
        let month = paris_month(i.occurred_at);
        for row in [
            self.category.row(&i.category),
            self.operator.row(operator),
            self.channel.row(&i.channel),
            self.month.row(&month),
        ] {
            row.interventions += 1;
            row.minutes += minutes;
        }
        let m = self.mode.row(&i.mode);
        m.interventions += 1;
        m.minutes += minutes;
        if self
            .mode_requests
            .insert((i.help_request_id, i.mode.clone()))
        {
            m.requests += 1;
        }
        self.mode.person(&i.mode, i.person_id);
        if let Some(p) = i.person_id {
            *self.visits.entry(p).or_default() += 1;
        }
    }

    fn tables(self, autonomy: Tally, referrals: Tally) -> Vec<StatTable> {
        use Measure::*;
        let mut by_visits = Tally::default();
        for (p, n) in &self.visits {
            by_visits.person(visits_bucket(*n), Some(*p));
        }
        let codes = |c: &[&'static str]| Order::Fixed(c.to_vec());
        vec![
            self.category.table(
                "category",
                &[Requests, Interventions, Minutes, Persons],
                Order::Largest,
            ),
            self.operator.table(
                "operator",
                &[Requests, Interventions, Minutes],
                Order::Largest,
            ),
            self.mode.table(
                "mode",
                &[Interventions, Requests, Minutes, Persons],
                Order::Fixed(Mode::ALL.iter().map(|m| m.as_str()).collect()),
            ),
            self.outcome.table("outcome", &[Requests], Order::Largest),
            self.block
                .table("block_reason", &[Requests], Order::Largest),
            self.channel.table(
                "channel",
                &[Requests, Interventions, Minutes, Persons],
                Order::Largest,
            ),
            self.month
                .table("month", &[Requests, Interventions, Minutes], Order::Key),
            self.age.table(
                "age_bracket",
                &[Persons, Requests],
                Order::Fixed(AgeBracket::ALL.iter().map(|a| a.as_str()).collect()),
            ),
            self.commune
                .table("commune", &[Persons, Requests], Order::Largest),
            self.departement
                .table("departement", &[Persons, Requests], Order::Largest),
            by_visits.table(
                "repeat_visits",
                &[Persons],
                codes(&["1", "2", "3_5", "6_plus"]),
            ),
            autonomy.table(
                "autonomy",
                &[Persons],
                codes(&["improved", "unchanged", "declined", "assessed_once"]),
            ),
            referrals.table(
                "referral",
                &[Referrals],
                Order::Fixed(
                    relais_domain::ReferralStatus::ALL
                        .iter()
                        .map(|s| s.as_str())
                        .collect(),
                ),
            ),
        ]
    }
}
