//! Activity figures of a period, grouped by one dimension (the stats API).
//! Supervisors and admins see their structure; agents and mediators their
//! own activity.

use crate::error::ServiceError;
use crate::{Actor, Services};
use chrono::{DateTime, NaiveDate, Utc};
use relais_domain::FieldError;
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
    /// (both included, Paris days), grouped by `group_by`.
    pub async fn stats(
        &self,
        actor: &Actor,
        from: &str,
        to: &str,
        group_by: &str,
    ) -> Result<StatsReport, ServiceError> {
        let mut errors = Vec::new();
        let day = |s: &str, field: &'static str, errors: &mut Vec<FieldError>| {
            match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
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
            }
        };
        let from = day(from, "from", &mut errors);
        let to = day(to, "to", &mut errors);
        let group = match GroupBy::parse(group_by) {
            Ok(g) => Some(g),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let (Some(from), Some(to), Some(group)) = (from, to, group) else {
            return Err(ServiceError::Invalid(errors));
        };
        if to < from {
            return Err(FieldError::new("to", "period_inverted").into());
        }
        let own_only = !actor.role.can_handle_rights();
        let sid = actor.structure_id.0;
        let start = paris_midnight(from);
        let end = paris_midnight(to.succ_opt().unwrap_or(to));
        let me = actor.agent_id.0;
        let interventions: Vec<_> = self
            .store
            .stats_interventions(sid, start, end)
            .await?
            .into_iter()
            .filter(|i| !own_only || i.agent_id == Some(me))
            .collect();
        let requests: Vec<_> = self
            .store
            .stats_requests(sid, start, end)
            .await?
            .into_iter()
            .filter(|r| {
                !own_only
                    || r.created_by == Some(me)
                    || interventions.iter().any(|i| i.help_request_id == r.id)
            })
            .collect();
        let mut groups: BTreeMap<String, StatsGroup> = BTreeMap::new();
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        for r in &requests {
            let key = match group {
                GroupBy::Category => r.category.clone(),
                GroupBy::Operator => text(&r.operator),
                GroupBy::Mode => continue,
                GroupBy::Outcome => r.outcome.clone().unwrap_or_else(|| r.status.clone()),
                GroupBy::Channel => r.channel.clone(),
                GroupBy::Month => paris_month(r.created_at),
            };
            groups
                .entry(key.clone())
                .or_insert_with(|| StatsGroup {
                    key,
                    ..Default::default()
                })
                .requests += 1;
        }
        if group == GroupBy::Mode {
            // A request counts once in each mode it was helped in.
            let mut seen = HashSet::new();
            for i in &interventions {
                if requests.iter().any(|r| r.id == i.help_request_id)
                    && seen.insert((i.help_request_id, i.mode.clone()))
                {
                    groups
                        .entry(i.mode.clone())
                        .or_insert_with(|| StatsGroup {
                            key: i.mode.clone(),
                            ..Default::default()
                        })
                        .requests += 1;
                }
            }
        }
        for i in &interventions {
            let key = match group {
                GroupBy::Category => i.category.clone(),
                GroupBy::Operator => text(&i.operator),
                GroupBy::Mode => i.mode.clone(),
                GroupBy::Outcome => i.outcome.clone().unwrap_or_else(|| i.status.clone()),
                GroupBy::Channel => i.channel.clone(),
                GroupBy::Month => paris_month(i.occurred_at),
            };
            let g = groups.entry(key.clone()).or_insert_with(|| StatsGroup {
                key,
                ..Default::default()
            });
            g.interventions += 1;
            g.minutes += i.duration_minutes;
        }
        let persons: HashSet<uuid::Uuid> = requests
            .iter()
            .filter_map(|r| r.person_id)
            .chain(interventions.iter().filter_map(|i| i.person_id))
            .collect();
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
            total_requests: requests.len() as u64,
            total_interventions: interventions.len() as u64,
            distinct_persons: persons.len() as u64,
            minutes: interventions.iter().map(|i| i.duration_minutes).sum(),
            groups,
        })
    }
}
