//! Reminders to agents and to persons; calendar feeds.

use super::prelude::*;

impl Store {
    pub async fn open_follow_ups_until(
        &self,
        until: chrono::NaiveDate,
    ) -> Result<Vec<FollowUpListRow>, StoreError> {
        let mut rows = dispatch!(self, read, open_follow_ups_until(until))?;
        rows.open(&self.vault)?;
        Ok(rows)
    }

    pub async fn insert_notifications(
        &self,
        rows: &[NotificationRow],
        events: impl Fn(u64) -> Vec<JournalEvent>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        dispatch!(self, write, insert_notifications(rows, events, now))
    }

    pub async fn notifications_of(
        &self,
        structure_id: StructureId,
        agent_id: AgentId,
        limit: i64,
    ) -> Result<Vec<NotificationListRow>, StoreError> {
        dispatch!(
            self,
            read,
            notifications_of(structure_id.0, agent_id.0, limit)
        )
    }

    pub async fn count_unread_notifications(
        &self,
        structure_id: StructureId,
        agent_id: AgentId,
    ) -> Result<i64, StoreError> {
        dispatch!(
            self,
            read,
            count_unread_notifications(structure_id.0, agent_id.0)
        )
    }

    pub async fn mark_notifications_read(
        &self,
        structure_id: StructureId,
        agent_id: AgentId,
        id: Option<NotificationId>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        dispatch!(
            self,
            write,
            mark_notifications_read(structure_id.0, agent_id.0, id.map(|i| i.0), events, now)
        )
    }

    pub async fn emails_to_send(
        &self,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<NotificationListRow>, StoreError> {
        dispatch!(self, read, emails_to_send(now, stale_before, limit))
    }

    pub async fn claim_email(
        &self,
        id: NotificationId,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        dispatch!(self, write, claim_email(id.0, now, stale_before))
    }

    pub async fn finish_email(
        &self,
        id: NotificationId,
        status: &str,
        attempts: i64,
        next_at: Option<DateTime<Utc>>,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            finish_email(id.0, status, attempts, next_at, error)
        )
    }

    pub async fn email_backlog(&self) -> Result<(i64, i64, Option<String>), StoreError> {
        dispatch!(self, read, email_backlog())
    }

    pub async fn set_calendar_feed(
        &self,
        agent_id: AgentId,
        structure_id: StructureId,
        token_hash: Option<&str>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            set_calendar_feed(agent_id.0, structure_id.0, token_hash, events, now)
        )
    }

    pub async fn calendar_feed_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<(AgentId, StructureId, DateTime<Utc>)>, StoreError> {
        let feed = dispatch!(self, read, calendar_feed_by_hash(token_hash))?;
        Ok(feed.map(|(a, s, at)| (AgentId(a), StructureId(s), at)))
    }

    pub async fn calendar_feed_of(
        &self,
        agent_id: AgentId,
        structure_id: StructureId,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        dispatch!(self, read, calendar_feed_of(agent_id.0, structure_id.0))
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn set_reminder_consent(
        &self,
        person_id: PersonId,
        channel: Option<&str>,
        given_on: chrono::NaiveDate,
        by: AgentId,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            set_reminder_consent(person_id.0, channel, given_on, by.0, events, now)
        )
    }

    pub async fn reminder_consent_of(
        &self,
        person_id: PersonId,
    ) -> Result<Option<(String, chrono::NaiveDate)>, StoreError> {
        dispatch!(self, read, reminder_consent_of(person_id.0))
    }

    pub async fn queue_person_reminders(
        &self,
        events: impl Fn(u64) -> Vec<JournalEvent>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        dispatch!(self, write, queue_person_reminders(events, now))
    }

    pub async fn person_reminders_to_send(
        &self,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<PersonReminderRow>, StoreError> {
        dispatch!(
            self,
            read,
            person_reminders_to_send(now, stale_before, limit)
        )
    }

    pub async fn claim_person_reminder(
        &self,
        id: NotificationId,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        dispatch!(self, write, claim_person_reminder(id.0, now, stale_before))
    }

    pub async fn finish_person_reminder(
        &self,
        id: NotificationId,
        status: &str,
        attempts: i64,
        next_at: Option<DateTime<Utc>>,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            finish_person_reminder(id.0, status, attempts, next_at, error)
        )
    }
}
