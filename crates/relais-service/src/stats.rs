//! Activity figures of a period, grouped by one dimension (the stats API).
//! Supervisors and admins see their structure; agents and mediators their
//! own activity.

use crate::error::ServiceError;
use crate::{Actor, Permission, Principal, Services};
use chrono::{DateTime, NaiveDate, Utc};
use relais_domain::FieldError;
use relais_store::StatsKey;
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

fn paris_month(d: DateTime<Utc>) -> String {
    d.with_timezone(&chrono_tz::Europe::Paris)
        .format("%Y-%m")
        .to_string()
}

fn paris_midnight(d: NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    let naive = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    chrono_tz::Europe::Paris
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| naive.and_utc())
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
            (Err(ServiceError::Invalid(mut errors)), Err(g)) => {
                errors.push(g);
                return Err(ServiceError::Invalid(errors));
            }
            (Err(e), _) => return Err(e),
            (Ok(_), Err(g)) => return Err(g.into()),
        };
        let (Period { from, to }, group) = period;
        let (start, end) = period.0.bounds();
        let own = (scope == Scope::Own).then_some(actor.agent_id.0);
        let sid = (scope != Scope::Instance).then_some(actor.structure_id.0);
        let key = match group {
            GroupBy::Category => StatsKey::Category,
            GroupBy::Operator => StatsKey::Operator,
            GroupBy::Mode => StatsKey::Mode,
            GroupBy::Outcome => StatsKey::Outcome,
            GroupBy::Channel => StatsKey::Channel,
            GroupBy::Month => StatsKey::Nothing,
        };
        let all = self
            .store
            .stats_aggregate(sid, own, start, end, key)
            .await?;
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
                let lo = paris_midnight(month_start.max(from));
                let hi = paris_midnight(next.min(to.succ_opt().unwrap_or(to)));
                let m = self
                    .store
                    .stats_aggregate(sid, own, lo, hi, StatsKey::Nothing)
                    .await?;
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

/// A checked period: both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// Parses `YYYY-MM-DD` days; an inverted period, or one of ten years
    /// or more, is refused (`period_inverted` on `to`, `period_too_long`
    /// on `from`).
    pub fn parse(from: &str, to: &str) -> Result<Period, ServiceError> {
        let mut errors = Vec::new();
        let mut day =
            |s: &str, field: &'static str| match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(FieldError::new(
                        field,
                        if s.trim().is_empty() {
                            "required"
                        } else {
                            "invalid_date"
                        },
                    ));
                    None
                }
            };
        let from = day(from, "from");
        let to = day(to, "to");
        let (Some(from), Some(to)) = (from, to) else {
            return Err(ServiceError::Invalid(errors));
        };
        if to < from {
            return Err(FieldError::new("to", "period_inverted").into());
        }
        let limit = from.checked_add_months(chrono::Months::new(Self::MAX_MONTHS));
        if limit.is_none_or(|limit| to >= limit) {
            return Err(FieldError::new("from", "period_too_long").into());
        }
        Ok(Period { from, to })
    }

    /// The longest period figures are computed for: ten years. Longer
    /// periods are refused before any query (each month of a period may
    /// cost a database pass).
    pub const MAX_MONTHS: u32 = 120;

    /// The calendar month `YYYY-MM`.
    pub fn month(s: &str) -> Result<Period, ServiceError> {
        let bad = || ServiceError::from(FieldError::new("month", "invalid_month"));
        let from = NaiveDate::parse_from_str(&format!("{}-01", s.trim()), "%Y-%m-%d")
            .map_err(|_| bad())?;
        let next = from
            .checked_add_months(chrono::Months::new(1))
            .ok_or_else(bad)?;
        Ok(Period {
            from,
            to: next.pred_opt().ok_or_else(bad)?,
        })
    }

    /// A named period ending today: `month` (default), `last_month` (the
    /// whole previous month), `quarter` or `year` (so far).
    pub fn preset(name: &str, today: NaiveDate) -> Period {
        let first_of_month = today.with_day(1).unwrap_or(today);
        let (from, to) = match name {
            "last_month" => {
                let to = first_of_month.pred_opt().unwrap_or(today);
                (to.with_day(1).unwrap_or(to), to)
            }
            "quarter" => (
                NaiveDate::from_ymd_opt(today.year(), today.month0() / 3 * 3 + 1, 1)
                    .unwrap_or(today),
                today,
            ),
            "year" => (
                NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
                today,
            ),
            _ => (first_of_month, today),
        };
        Period { from, to }
    }

    /// The month before this period's first month.
    pub fn previous_month(&self) -> Option<Period> {
        let first = self.from.with_day(1)?;
        let from = first.checked_sub_months(chrono::Months::new(1))?;
        Some(Period {
            from,
            to: first.pred_opt()?,
        })
    }

    pub(crate) fn bounds(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            paris_midnight(self.from),
            paris_midnight(self.to.succ_opt().unwrap_or(self.to)),
        )
    }
}

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

/// The structure a dashboard is computed in.
struct Within {
    id: uuid::Uuid,
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

enum Order {
    Key,
    Largest,
    Fixed(&'static [&'static str]),
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
        let mut errors = match &period {
            Err(ServiceError::Invalid(e)) => e.clone(),
            _ => Vec::new(),
        };
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
            Ok(_) => return Err(ServiceError::Invalid(errors)),
            Err(e) if errors.is_empty() => return Err(e),
            Err(_) => return Err(ServiceError::Invalid(errors)),
        };
        let agent = if scope == Scope::Own {
            Some(actor.agent_id.0)
        } else {
            agent
        };
        let within = Within {
            id: actor.structure_id.0,
            name: actor.structure_name.clone(),
        };
        self.compute_dashboard(&within, scope, period, agent, channel, category)
            .await
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
                id: a.structure_id.0,
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
                    id: s.id,
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
        let sid = match scope {
            Scope::Instance => None,
            _ => Some(within.id),
        };
        let (start, end) = period.bounds();
        let keep = |cat: &str, chan: &str| {
            category.is_none_or(|c| c == cat) && channel.is_none_or(|c| c == chan)
        };
        let interventions: Vec<_> = self
            .store
            .stats_interventions(sid, start, end)
            .await?
            .into_iter()
            .filter(|i| agent.is_none_or(|a| i.agent_id == Some(a)))
            .filter(|i| keep(&i.category, &i.channel))
            .collect();
        let helped: HashSet<uuid::Uuid> = interventions.iter().map(|i| i.help_request_id).collect();
        let requests: Vec<_> = self
            .store
            .stats_requests(sid, start, end)
            .await?
            .into_iter()
            .filter(|r| agent.is_none_or(|a| r.created_by == Some(a) || helped.contains(&r.id)))
            .filter(|r| keep(&r.category, &r.channel))
            .collect();
        let today = self.today();

        // Figures.
        let persons: HashSet<uuid::Uuid> = requests
            .iter()
            .filter_map(|r| r.person_id)
            .chain(interventions.iter().filter_map(|i| i.person_id))
            .collect();
        let mut person_created = std::collections::HashMap::new();
        for r in &requests {
            if let (Some(p), Some(c)) = (r.person_id, r.person_created_at) {
                person_created.insert(p, c);
            }
        }
        let new_persons = person_created
            .values()
            .filter(|c| **c >= start && **c < end)
            .count() as u64;
        let count_mode = |m: &str| interventions.iter().filter(|i| i.mode == m).count() as u64;
        let mandates = self
            .store
            .stats_mandates(sid, period.from, period.to)
            .await?;
        let under_mandate = interventions
            .iter()
            .filter(|i| i.mode == "done_for")
            .filter(|i| {
                let day = i
                    .occurred_at
                    .with_timezone(&chrono_tz::Europe::Paris)
                    .date_naive();
                mandates.iter().any(|m| {
                    Some(m.person_id) == i.person_id
                        && m.starts_on <= day
                        && day <= m.ends_on
                        && m.signed_at.is_some_and(|s| s <= i.occurred_at)
                        && m.revoked_at.is_none_or(|r| r > i.occurred_at)
                        && m.categories.split(',').any(|c| c == i.category)
                })
            })
            .count() as u64;
        let paris_day = |t: DateTime<Utc>| t.with_timezone(&chrono_tz::Europe::Paris).date_naive();
        let missed = requests
            .iter()
            .filter(|r| match (r.deadline, r.closed_at) {
                (Some(d), Some(c)) => paris_day(c) > d,
                (Some(d), None) => d < today,
                _ => false,
            })
            .count() as u64;
        let overdue = self
            .store
            .stats_follow_ups(sid, period.from, period.to)
            .await?
            .into_iter()
            .filter(|f| agent.is_none_or(|a| f.assignee_id == a))
            .filter(|f| {
                category.is_none_or(|c| f.category.as_deref() == Some(c))
                    && channel.is_none_or(|c| f.channel.as_deref() == Some(c))
            })
            .filter(|f| match (f.done, f.done_at) {
                (true, Some(at)) => paris_day(at) > f.due_date,
                (true, None) => false,
                (false, _) => relais_domain::desk::follow_up_overdue(f.due_date, false, today),
            })
            .count() as u64;

        // Tables.
        use Measure::*;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let mut by_category = Tally::default();
        let mut by_operator = Tally::default();
        let mut by_mode = Tally::default();
        let mut by_outcome = Tally::default();
        let mut by_block = Tally::default();
        let mut by_channel = Tally::default();
        let mut by_month = Tally::default();
        let mut by_age = Tally::default();
        let mut by_commune = Tally::default();
        let mut by_departement = Tally::default();
        for r in &requests {
            by_category.row(&r.category).requests += 1;
            by_category.person(&r.category, r.person_id);
            by_operator.row(&text(&r.operator)).requests += 1;
            let outcome = r.outcome.clone().unwrap_or_else(|| r.status.clone());
            by_outcome.row(&outcome).requests += 1;
            if let Some(b) = &r.block_reason {
                by_block.row(b).requests += 1;
            }
            by_channel.row(&r.channel).requests += 1;
            by_channel.person(&r.channel, r.person_id);
            by_month.row(&paris_month(r.created_at)).requests += 1;
            let bracket = r.anon_age_bracket.clone().unwrap_or_else(|| {
                relais_domain::AgeBracket::of(
                    r.birth_year.and_then(|y| i32::try_from(y).ok()),
                    r.created_at.year(),
                )
                .as_str()
                .to_owned()
            });
            by_age.row(&bracket).requests += 1;
            by_age.person(&bracket, r.person_id);
            let commune = r
                .anon_commune
                .clone()
                .or_else(|| r.person_commune.clone())
                .unwrap_or_default();
            by_commune.row(&commune).requests += 1;
            by_commune.person(&commune, r.person_id);
            let dep = departement_of(r);
            by_departement.row(&dep).requests += 1;
            by_departement.person(&dep, r.person_id);
        }
        let mut mode_requests = HashSet::new();
        let mut visits: std::collections::HashMap<uuid::Uuid, u64> =
            std::collections::HashMap::new();
        for i in &interventions {
            let c = by_category.row(&i.category);
            c.interventions += 1;
            c.minutes += i.duration_minutes;
            let o = by_operator.row(&text(&i.operator));
            o.interventions += 1;
            o.minutes += i.duration_minutes;
            let m = by_mode.row(&i.mode);
            m.interventions += 1;
            m.minutes += i.duration_minutes;
            if mode_requests.insert((i.help_request_id, i.mode.clone())) {
                m.requests += 1;
            }
            by_mode.person(&i.mode, i.person_id);
            let ch = by_channel.row(&i.channel);
            ch.interventions += 1;
            ch.minutes += i.duration_minutes;
            let mo = by_month.row(&paris_month(i.occurred_at));
            mo.interventions += 1;
            mo.minutes += i.duration_minutes;
            if let Some(p) = i.person_id {
                *visits.entry(p).or_default() += 1;
            }
        }
        let mut by_visits = Tally::default();
        for (p, n) in &visits {
            by_visits.person(visits_bucket(*n), Some(*p));
        }
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
        let mut by_referral = Tally::default();
        let (start, end) = period.bounds();
        for (status, author, cat, chan) in self.store.stats_referrals(sid, start, end).await? {
            if agent.is_some_and(|a| author != Some(a))
                || category.is_some_and(|c| c != cat)
                || channel.is_some_and(|c| c != chan)
            {
                continue;
            }
            by_referral.row(&status).referrals += 1;
        }
        let tables = vec![
            by_category.table(
                "category",
                &[Requests, Interventions, Minutes, Persons],
                Order::Largest,
            ),
            by_operator.table(
                "operator",
                &[Requests, Interventions, Minutes],
                Order::Largest,
            ),
            by_mode.table(
                "mode",
                &[Interventions, Requests, Minutes, Persons],
                Order::Fixed(&["done_for", "done_with", "taught", "referred", "informed"]),
            ),
            by_outcome.table("outcome", &[Requests], Order::Largest),
            by_block.table("block_reason", &[Requests], Order::Largest),
            by_channel.table(
                "channel",
                &[Requests, Interventions, Minutes, Persons],
                Order::Largest,
            ),
            by_month.table("month", &[Requests, Interventions, Minutes], Order::Key),
            by_age.table(
                "age_bracket",
                &[Persons, Requests],
                Order::Fixed(&[
                    "under_18", "18_24", "25_39", "40_59", "60_69", "70_plus", "unknown",
                ]),
            ),
            by_commune.table("commune", &[Persons, Requests], Order::Largest),
            by_departement.table("departement", &[Persons, Requests], Order::Largest),
            by_visits.table(
                "repeat_visits",
                &[Persons],
                Order::Fixed(&["1", "2", "3_5", "6_plus"]),
            ),
            by_autonomy.table(
                "autonomy",
                &[Persons],
                Order::Fixed(&["improved", "unchanged", "declined", "assessed_once"]),
            ),
            by_referral.table(
                "referral",
                &[Referrals],
                Order::Fixed(&crate::referrals::STATUSES),
            ),
        ];
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
            done_for: count_mode("done_for"),
            done_with: count_mode("done_with"),
            taught: count_mode("taught"),
            done_for_under_mandate: under_mandate,
            urgent_requests: requests.iter().filter(|r| r.rights_at_risk).count() as u64,
            missed_deadlines: missed,
            overdue_follow_ups: overdue,
            tables,
        })
    }
}
