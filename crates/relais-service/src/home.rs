//! The desk's home: the agent's day (overdue and today's follow-ups, open
//! requests, what comes next), the team's overdue work for supervisors,
//! and who may be given work.

use crate::error::ServiceError;
use crate::requests::ListInput;
use crate::views::{read_all, FollowUpItem, HelpRequestItem};
use crate::{Actor, Permission, Services};
use chrono::NaiveDate;
use relais_domain::{AgentId, Role};
use relais_store::RequestFilter;

/// What the home page lists for an agent.
#[derive(Debug, Clone)]
pub struct HomeOverview {
    pub overdue: Vec<FollowUpItem>,
    pub today: Vec<FollowUpItem>,
    pub open_requests: Vec<HelpRequestItem>,
    pub today_date: NaiveDate,
    /// The actor's follow-ups of the next 14 days (deadlines proposed from
    /// the catalogue arrive here).
    pub upcoming_follow_ups: Vec<FollowUpItem>,
    /// Open requests the actor follows whose deadline falls within 30 days.
    pub upcoming_deadlines: Vec<HelpRequestItem>,
    /// For those who see the team's work (supervisors, admins): the other
    /// members' overdue follow-ups.
    pub team_overdue: Option<TeamOverdue>,
}

/// The team's overdue follow-ups on a supervisor's home.
#[derive(Debug, Clone)]
pub struct TeamOverdue {
    /// How many there are in all.
    pub total: i64,
    /// The oldest of them (at most [`TEAM_OVERDUE_SHOWN`]).
    pub items: Vec<FollowUpItem>,
}

/// How many of the team's overdue follow-ups the home lists.
pub const TEAM_OVERDUE_SHOWN: i64 = 50;

impl Services {
    /// The agent's day: overdue and today's follow-ups, open requests.
    pub async fn home(&self, actor: &Actor) -> Result<HomeOverview, ServiceError> {
        actor.require(Permission::RecordRequest)?;
        let today = self.today();
        let due = self
            .store
            .follow_ups_due(actor.structure_id, actor.agent_id, today)
            .await?;
        let (overdue, today_list): (Vec<_>, Vec<_>) =
            due.into_iter().map(FollowUpItem::from).partition(|f| {
                relais_domain::desk::follow_up_overdue(
                    f.follow_up.due_date,
                    f.follow_up.done,
                    today,
                )
            });
        let (open_requests, _) = self
            .list_help_requests(
                actor,
                &ListInput {
                    mine: true,
                    open_only: true,
                    ..ListInput::default()
                },
                20,
                0,
            )
            .await?;
        let upcoming_follow_ups = self
            .store
            .follow_ups_due(
                actor.structure_id,
                actor.agent_id,
                today + chrono::Duration::days(14),
            )
            .await?
            .into_iter()
            .map(FollowUpItem::from)
            .filter(|f| f.follow_up.due_date > today)
            .collect();
        // Open requests of the actor's whose deadline comes within 30 days.
        let horizon = today + chrono::Duration::days(30);
        let upcoming_deadlines = read_all(
            self.store
                .list_help_requests(
                    actor.structure_id,
                    &RequestFilter {
                        open_only: true,
                        agent_id: Some(actor.agent_id.0),
                        deadline_between: Some((today, horizon)),
                        ..RequestFilter::default()
                    },
                    200,
                    0,
                )
                .await?,
        )?;
        let team_overdue = if actor.can(Permission::SeeTeamFollowUps) {
            let (total, items) = self
                .store
                .team_overdue_follow_ups(
                    actor.structure_id,
                    actor.agent_id,
                    today,
                    TEAM_OVERDUE_SHOWN,
                )
                .await?;
            let items = items.into_iter().map(FollowUpItem::from).collect();
            Some(TeamOverdue { total, items })
        } else {
            None
        };
        Ok(HomeOverview {
            overdue,
            today: today_list,
            open_requests,
            today_date: today,
            upcoming_follow_ups,
            upcoming_deadlines,
            team_overdue,
        })
    }

    /// The active members whose role the policy lets act for a person,
    /// for handing over a request the actor may not do for the person.
    pub async fn agents_who_may_act_for(
        &self,
        actor: &Actor,
    ) -> Result<Vec<(AgentId, String)>, ServiceError> {
        actor.require(Permission::RecordRequest)?;
        let policy = self.policy(actor).await?;
        Ok(self
            .store
            .team_of(actor.structure_id)
            .await?
            .into_iter()
            .filter(|m| {
                m.active && Role::parse(&m.role).is_ok_and(|r| policy.done_for_roles.contains(&r))
            })
            .map(|m| (AgentId(m.agent_id), m.name))
            .collect())
    }

    /// The structure's active members, for assignee pickers.
    pub async fn assignable_agents(
        &self,
        actor: &Actor,
    ) -> Result<Vec<(AgentId, String)>, ServiceError> {
        actor.require(Permission::RecordRequest)?;
        Ok(self
            .store
            .team_of(actor.structure_id)
            .await?
            .into_iter()
            .filter(|m| m.active)
            .map(|m| (AgentId(m.agent_id), m.name))
            .collect())
    }
}
