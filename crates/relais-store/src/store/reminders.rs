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
        structure_id: Uuid,
        agent_id: Uuid,
        limit: i64,
    ) -> Result<Vec<NotificationListRow>, StoreError> {
        dispatch!(self, read, notifications_of(structure_id, agent_id, limit))
    }

    pub async fn count_unread_notifications(
        &self,
        structure_id: Uuid,
        agent_id: Uuid,
    ) -> Result<i64, StoreError> {
        dispatch!(
            self,
            read,
            count_unread_notifications(structure_id, agent_id)
        )
    }

    pub async fn mark_notifications_read(
        &self,
        structure_id: Uuid,
        agent_id: Uuid,
        id: Option<Uuid>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        dispatch!(
            self,
            write,
            mark_notifications_read(structure_id, agent_id, id, events, now)
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
        id: Uuid,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        dispatch!(self, write, claim_email(id, now, stale_before))
    }

    pub async fn finish_email(
        &self,
        id: Uuid,
        status: &str,
        attempts: i64,
        next_at: Option<DateTime<Utc>>,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            finish_email(id, status, attempts, next_at, error)
        )
    }

    pub async fn email_backlog(&self) -> Result<(i64, i64, Option<String>), StoreError> {
        dispatch!(self, read, email_backlog())
    }

    pub async fn set_calendar_feed(
        &self,
        agent_id: Uuid,
        structure_id: Uuid,
        token_hash: Option<&str>,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            set_calendar_feed(agent_id, structure_id, token_hash, events, now)
        )
    }

    pub async fn calendar_feed_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<(Uuid, Uuid, DateTime<Utc>)>, StoreError> {
        dispatch!(self, read, calendar_feed_by_hash(token_hash))
    }

    pub async fn calendar_feed_of(
        &self,
        agent_id: Uuid,
        structure_id: Uuid,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        dispatch!(self, read, calendar_feed_of(agent_id, structure_id))
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn set_reminder_consent(
        &self,
        person_id: Uuid,
        channel: Option<&str>,
        given_on: chrono::NaiveDate,
        by: Uuid,
        events: &[JournalEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            set_reminder_consent(person_id, channel, given_on, by, events, now)
        )
    }

    pub async fn reminder_consent_of(
        &self,
        person_id: Uuid,
    ) -> Result<Option<(String, chrono::NaiveDate)>, StoreError> {
        dispatch!(self, read, reminder_consent_of(person_id))
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
        id: Uuid,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        dispatch!(self, write, claim_person_reminder(id, now, stale_before))
    }

    pub async fn finish_person_reminder(
        &self,
        id: Uuid,
        status: &str,
        attempts: i64,
        next_at: Option<DateTime<Utc>>,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            write,
            finish_person_reminder(id, status, attempts, next_at, error)
        )
    }
}
