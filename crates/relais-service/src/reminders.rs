//! Reminders: due and overdue follow-ups become notifications in the
//! agents' inbox (once, even with several servers on one database), with an
//! e-mail when configured, retried with back-off; and a private calendar
//! feed of each agent's follow-ups.

use crate::error::ServiceError;
use crate::notify::{Channel, Notification};
use crate::secrets::{random_token, token_hash};
use crate::views::{read_all, ReminderItem};
use crate::{Actor, Permission, Services};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use relais_domain::journal::JournalEvent;
use relais_domain::{EmailStatus, NotificationId, PersonId, ReminderKind};
use relais_store::{FollowUpListRow, NotificationListRow, NotificationRow};
use serde_json::json;
use uuid::Uuid;

/// An e-mail claimed by a server that stopped is taken again after this.
const CLAIM_TIMEOUT_MINUTES: i64 = 10;
/// After this many failed attempts an e-mail is given up (the notification
/// stays in the inbox).
pub const MAX_EMAIL_ATTEMPTS: i64 = 10;

/// What a reminder run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReminderReport {
    pub created: u64,
    pub emailed: u64,
    pub email_failures: u64,
    /// Messages sent to persons who consented to reminders.
    pub to_persons: u64,
}

/// The state of reminder e-mails, for administrators.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmailBacklog {
    pub waiting: i64,
    pub failed: i64,
    pub last_error: Option<String>,
}

/// After a failed attempt: the status and when to try again (given up, with
/// no next time, after `MAX_EMAIL_ATTEMPTS`).
fn after_failure(attempts: i64, now: DateTime<Utc>) -> (&'static str, Option<DateTime<Utc>>) {
    if attempts >= MAX_EMAIL_ATTEMPTS {
        (EmailStatus::Failed.as_str(), None)
    } else {
        (EmailStatus::Pending.as_str(), Some(now + backoff(attempts)))
    }
}

/// The wait before the next attempt: 2, 4, 8… minutes, at most 6 hours.
pub fn backoff(attempts: i64) -> Duration {
    let minutes = 1i64 << attempts.clamp(1, 9);
    Duration::minutes(minutes.min(360))
}

impl Services {
    /// The daily job (also run at start): every follow-up not done whose
    /// day has come gets one notification for its assignee; then the
    /// e-mails that are due go out.
    pub async fn run_reminders(&self) -> Result<ReminderReport, ServiceError> {
        let now = self.now();
        let today = self.today();
        let due = self.store.open_follow_ups_until(today).await?;
        let email = if self.config.reminder_emails {
            EmailStatus::Pending
        } else {
            EmailStatus::NotSent
        };
        let rows: Vec<NotificationRow> = due
            .iter()
            .map(|f| NotificationRow {
                id: Uuid::now_v7(),
                structure_id: f.follow_up.structure_id,
                agent_id: f.follow_up.assignee_id,
                follow_up_id: f.follow_up.id,
                due_date: f.follow_up.due_date,
                kind: if relais_domain::desk::follow_up_overdue(
                    f.follow_up.due_date,
                    f.follow_up.done,
                    today,
                ) {
                    ReminderKind::Overdue
                } else {
                    ReminderKind::Due
                }
                .as_str()
                .into(),
                created_at: now,
                read_at: None,
                email_status: email.as_str().into(),
                email_attempts: 0,
                email_next_at: None,
                email_claimed_at: None,
                email_error: None,
            })
            .collect();
        let created =
            self.store
                .insert_notifications(
                    &rows,
                    |n| {
                        vec![JournalEvent::new("reminders.created")
                            .details(json!({"notifications": n}))]
                    },
                    now,
                )
                .await?;
        // Messages to persons need a real channel: the `log` notifier would
        // only write them to the log.
        if self.config.reminder_emails {
            self.store
                .queue_person_reminders(
                    |n| {
                        vec![JournalEvent::new("reminders.person_queued")
                            .details(json!({"messages": n}))]
                    },
                    now,
                )
                .await?;
        }
        let (emailed, email_failures) = self.send_pending_emails().await?;
        let to_persons = self.send_person_reminders().await?;
        Ok(ReminderReport {
            created,
            emailed,
            email_failures,
            to_persons,
        })
    }

    /// Sends the reminder e-mails that are due, each by one server only.
    /// A failure never stops the others: it is retried later.
    pub async fn send_pending_emails(&self) -> Result<(u64, u64), ServiceError> {
        let now = self.now();
        let stale = now - Duration::minutes(CLAIM_TIMEOUT_MINUTES);
        let mut sent = 0;
        let mut failed = 0;
        for n in self.store.emails_to_send(now, stale, 200).await? {
            if !self
                .store
                .claim_email(NotificationId(n.notification.id), now, stale)
                .await?
            {
                continue;
            }
            let message = self.reminder_email(&n);
            let result = self.notifier.send(&message).await;
            let attempts = n.notification.email_attempts + 1;
            match result {
                Ok(()) => {
                    self.store
                        .finish_email(
                            NotificationId(n.notification.id),
                            EmailStatus::Sent.as_str(),
                            attempts,
                            None,
                            None,
                        )
                        .await?;
                    sent += 1;
                }
                Err(e) => {
                    failed += 1;
                    // The relay's answer may quote the address: it is kept
                    // for administrators, not logged.
                    let error: String = e.chars().take(300).collect();
                    tracing::warn!(attempts, "reminder e-mail failed");
                    let (status, next) = after_failure(attempts, now);
                    self.store
                        .finish_email(
                            NotificationId(n.notification.id),
                            status,
                            attempts,
                            next,
                            Some(&error),
                        )
                        .await?;
                }
            }
        }
        Ok((sent, failed))
    }

    /// Sends the messages due to persons who consented, each by one server.
    pub async fn send_person_reminders(&self) -> Result<u64, ServiceError> {
        let now = self.now();
        let stale = now - Duration::minutes(CLAIM_TIMEOUT_MINUTES);
        let mut sent = 0;
        for m in self.store.person_reminders_to_send(now, stale, 200).await? {
            if !self
                .store
                .claim_person_reminder(NotificationId(m.notification_id), now, stale)
                .await?
            {
                continue;
            }
            let attempts = m.attempts + 1;
            let (channel, to) = match m.channel.as_str() {
                "sms" => (Channel::Sms, m.phone.clone()),
                _ => (Channel::Email, m.email.clone()),
            };
            let Some(to) = to.filter(|t| !t.trim().is_empty()) else {
                // No address left (changed since the consent): nothing to send.
                self.store
                    .finish_person_reminder(
                        NotificationId(m.notification_id),
                        "failed",
                        attempts,
                        None,
                        Some("no address"),
                    )
                    .await?;
                continue;
            };
            let day = m.due_date.format("%d/%m/%Y");
            let what = m
                .procedure
                .clone()
                .map(|p| format!(" « {p} »"))
                .unwrap_or_default();
            let message = Notification {
                channel,
                to,
                subject: format!("Rappel de {}", m.structure_name),
                body: format!(
                    "Bonjour, {} vous rappelle votre démarche{what} prévue le {day}. \
                     Pour toute question, contactez-nous. Pour ne plus recevoir ces rappels, \
                     dites-le nous.",
                    m.structure_name
                ),
            };
            let result = self.notifier.send(&message).await;
            match result {
                Ok(()) => {
                    self.store
                        .finish_person_reminder(
                            NotificationId(m.notification_id),
                            "sent",
                            attempts,
                            None,
                            None,
                        )
                        .await?;
                    sent += 1;
                }
                Err(e) => {
                    let error: String = e.chars().take(300).collect();
                    tracing::warn!(attempts, "reminder to a person failed");
                    let (status, next) = after_failure(attempts, now);
                    self.store
                        .finish_person_reminder(
                            NotificationId(m.notification_id),
                            status,
                            attempts,
                            next,
                            Some(&error),
                        )
                        .await?;
                }
            }
        }
        Ok(sent)
    }

    /// Records (or withdraws, with `None`) the person's consent to receive
    /// reminders, by e-mail or SMS; the address must be on file.
    pub async fn set_reminder_consent(
        &self,
        actor: &Actor,
        person: relais_domain::PersonId,
        channel: &str,
    ) -> Result<(), ServiceError> {
        actor.require(Permission::EditPersons)?;
        let p = self.person_row(actor, person).await?;
        if p.anonymised_at.is_some() {
            return Err(ServiceError::NotFound);
        }
        // Withdrawing is said with `none`: a blank channel is a mistake.
        let channel = match channel.trim() {
            "" => return Err(relais_domain::FieldError::new("channel", "required").into()),
            "none" => None,
            "email" if p.email.as_deref().is_some_and(|e| !e.is_empty()) => Some("email"),
            "sms" if p.phone.as_deref().is_some_and(|e| !e.is_empty()) => Some("sms"),
            "email" => return Err(relais_domain::FieldError::new("channel", "no_email").into()),
            "sms" => return Err(relais_domain::FieldError::new("channel", "no_phone").into()),
            _ => return Err(relais_domain::FieldError::new("channel", "invalid_choice").into()),
        };
        let now = self.now();
        self.store
            .set_reminder_consent(
                PersonId(p.id),
                channel,
                self.today(),
                actor.agent_id,
                &[JournalEvent::new(if channel.is_some() {
                    "person.reminder_consent_given"
                } else {
                    "person.reminder_consent_withdrawn"
                })
                .actor(actor.agent_id)
                .structure(actor.structure_id)
                .object("person", p.id)
                .details(json!({"channel": channel}))],
                now,
            )
            .await?;
        Ok(())
    }

    /// The person's consent to reminders: (channel, given on).
    pub async fn reminder_consent(
        &self,
        actor: &Actor,
        person: relais_domain::PersonId,
    ) -> Result<Option<(String, NaiveDate)>, ServiceError> {
        actor.require(Permission::ViewPersons)?;
        let p = self.person_row(actor, person).await?;
        Ok(self.store.reminder_consent_of(PersonId(p.id)).await?)
    }

    fn reminder_email(&self, n: &NotificationListRow) -> Notification {
        let reference = n.reference.clone().unwrap_or_else(|| "relais".into());
        let day = n.notification.due_date.format("%d/%m/%Y");
        let link = match n.help_request_id {
            Some(id) => format!("{}/requests/{id}", self.config.public_url),
            None => format!("{}/inbox", self.config.public_url),
        };
        let late = n.notification.kind == ReminderKind::Overdue.as_str();
        Notification {
            channel: Channel::Email,
            to: n.agent_email.clone(),
            subject: format!(
                "relais : {} ({reference})",
                if late {
                    "suivi en retard"
                } else {
                    "suivi à faire"
                }
            ),
            body: format!(
                "Un suivi {} le {day} pour la demande {reference}.\n{link}\n\n\
                 A follow-up {} on {day} for request {reference}.\n{link}\n",
                if late { "était prévu" } else { "est prévu" },
                if late { "was due" } else { "is due" },
            ),
        }
    }

    /// The actor's reminders, unread first.
    pub async fn inbox(&self, actor: &Actor) -> Result<Vec<ReminderItem>, ServiceError> {
        actor.require(Permission::ReadInbox)?;
        read_all(
            self.store
                .notifications_of(actor.structure_id, actor.agent_id, 200)
                .await?,
        )
    }

    pub async fn unread_reminders(&self, actor: &Actor) -> Result<i64, ServiceError> {
        actor.require(Permission::ReadInbox)?;
        Ok(self
            .store
            .count_unread_notifications(actor.structure_id, actor.agent_id)
            .await?)
    }

    /// Marks one reminder, or all of them, as read.
    pub async fn mark_reminders_read(
        &self,
        actor: &Actor,
        id: Option<NotificationId>,
    ) -> Result<u64, ServiceError> {
        actor.require(Permission::ReadInbox)?;
        let now = self.now();
        let mut ev = JournalEvent::new("reminders.read")
            .actor(actor.agent_id)
            .structure(actor.structure_id);
        if let Some(id) = id {
            ev = ev.object("notification", id);
        }
        Ok(self
            .store
            .mark_notifications_read(actor.structure_id, actor.agent_id, id, &[ev], now)
            .await?)
    }

    /// Waiting and failed reminder e-mails (administrators).
    pub async fn email_backlog(&self, actor: &Actor) -> Result<EmailBacklog, ServiceError> {
        actor.require(Permission::SeeEmailBacklog)?;
        let (waiting, failed, last_error) = self.store.email_backlog().await?;
        Ok(EmailBacklog {
            waiting,
            failed,
            last_error,
        })
    }

    // ---- calendar feed ---------------------------------------------------

    /// Creates (or replaces) the actor's private calendar feed; returns the
    /// secret token, shown once.
    pub async fn create_calendar_feed(&self, actor: &Actor) -> Result<String, ServiceError> {
        actor.require(Permission::ReadInbox)?;
        let token = random_token(32);
        let now = self.now();
        self.store
            .set_calendar_feed(
                actor.agent_id,
                actor.structure_id,
                Some(&token_hash(&token)),
                &[JournalEvent::new("calendar.created")
                    .actor(actor.agent_id)
                    .structure(actor.structure_id)],
                now,
            )
            .await?;
        Ok(token)
    }

    pub async fn revoke_calendar_feed(&self, actor: &Actor) -> Result<(), ServiceError> {
        actor.require(Permission::ReadInbox)?;
        let now = self.now();
        self.store
            .set_calendar_feed(
                actor.agent_id,
                actor.structure_id,
                None,
                &[JournalEvent::new("calendar.revoked")
                    .actor(actor.agent_id)
                    .structure(actor.structure_id)],
                now,
            )
            .await?;
        Ok(())
    }

    /// When the actor's feed was created, if there is one.
    pub async fn calendar_feed_since(
        &self,
        actor: &Actor,
    ) -> Result<Option<DateTime<Utc>>, ServiceError> {
        actor.require(Permission::ReadInbox)?;
        Ok(self
            .store
            .calendar_feed_of(actor.agent_id, actor.structure_id)
            .await?)
    }

    /// The iCalendar text of the feed reached by `token`.
    pub async fn calendar_feed(&self, token: &str) -> Result<String, ServiceError> {
        let (agent, structure, _) = self
            .store
            .calendar_feed_by_hash(&token_hash(token.trim()))
            .await?
            .ok_or(ServiceError::NotFound)?;
        let today = self.today();
        let follow_ups = self
            .store
            .follow_ups_due(structure, agent, today + Duration::days(366))
            .await?;
        Ok(ics(&follow_ups, &self.config.public_url, self.now()))
    }
}

/// Escapes a text value (RFC 5545, 3.3.11).
fn ics_text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// Folds a content line (RFC 5545, 3.1): at most 75 octets a line, the
/// rest on lines that begin with a space, never inside a UTF-8 character.
/// A continuation line does not begin with a second blank (the character
/// before it moves down too), since some readers drop every leading blank.
fn ics_fold(line: &str) -> String {
    const MAX_OCTETS: usize = 75;
    let mut out = String::with_capacity(line.len() + line.len() / 24);
    let mut current = String::new();
    // The first line holds 75 octets; the next ones 74 after their space.
    let mut room = MAX_OCTETS;
    for c in line.chars() {
        if current.len() + c.len_utf8() > room {
            // Break between two visible characters: some readers trim the
            // blanks at either side of a fold, which RFC 5545 keeps.
            let blank = |c: char| c == ' ' || c == '\t';
            let mut carried = String::new();
            let mut next = c;
            while let Some(last) = current.chars().last() {
                if (!blank(last) && !blank(next)) || current.len() <= last.len_utf8() {
                    break;
                }
                if carried.len() + last.len_utf8() > 16 {
                    break;
                }
                current.pop();
                carried.insert(0, last);
                next = last;
            }
            out.push_str(&current);
            out.push_str("\r\n ");
            current = carried;
            room = MAX_OCTETS - 1;
        }
        current.push(c);
    }
    out.push_str(&current);
    out
}

/// The follow-ups as all-day events. Summaries hold the request's reference
/// only: no names, no reasons, since calendars are often synchronised to
/// services outside the structure.
pub(crate) fn ics(follow_ups: &[FollowUpListRow], public_url: &str, now: DateTime<Utc>) -> String {
    let day = |d: NaiveDate| d.format("%Y%m%d").to_string();
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//relais//follow-ups//FR".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        "X-WR-CALNAME:relais".to_owned(),
    ];
    for f in follow_ups {
        let fu = &f.follow_up;
        let reference = f.reference.clone().unwrap_or_else(|| "relais".into());
        let url = match fu.help_request_id {
            Some(id) => format!("{public_url}/requests/{id}"),
            None => format!("{public_url}/inbox"),
        };
        lines.extend([
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{}@relais", fu.id),
            format!("DTSTAMP:{}", now.format("%Y%m%dT%H%M%SZ")),
            format!("DTSTART;VALUE=DATE:{}", day(fu.due_date)),
            format!(
                "DTEND;VALUE=DATE:{}",
                day(fu.due_date.succ_opt().unwrap_or(fu.due_date))
            ),
            format!("SUMMARY:{}", ics_text(&format!("Suivi {reference}"))),
            format!("URL:{url}"),
            "END:VEVENT".to_owned(),
        ]);
    }
    lines.push("END:VCALENDAR".to_owned());
    let mut out = String::new();
    for line in &lines {
        out.push_str(&ics_fold(line));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1), Duration::minutes(2));
        assert_eq!(backoff(3), Duration::minutes(8));
        assert_eq!(backoff(30), Duration::minutes(360));
    }

    #[test]
    fn ics_text_is_escaped() {
        assert_eq!(ics_text("a,b;c\nd"), "a\\,b\\;c\\nd");
    }

    fn follow_up(reference: &str) -> FollowUpListRow {
        let day = NaiveDate::from_ymd_opt(2026, 10, 5).unwrap_or_default();
        FollowUpListRow {
            follow_up: relais_store::FollowUpRow {
                id: uuid::Uuid::nil(),
                structure_id: uuid::Uuid::nil(),
                help_request_id: Some(uuid::Uuid::nil()),
                person_id: None,
                assignee_id: uuid::Uuid::nil(),
                due_date: day,
                reason: String::new(),
                done: false,
                done_at: None,
                created_by: None,
                created_at: DateTime::<Utc>::default(),
            },
            reference: Some(reference.to_owned()),
            procedure: None,
            person_first_name: None,
            person_last_name: None,
            assignee_name: None,
        }
    }

    #[test]
    fn long_lines_are_folded_at_75_octets_between_characters() {
        // 200 characters, many of them two or three octets long.
        let reference: String = "Démarche «é€», ".chars().cycle().take(200).collect();
        let text = ics(
            &[follow_up(&reference)],
            "https://relais.example",
            Utc::now(),
        );
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        }
        assert!(text.contains("\r\n "), "folded: {text}");
        let mut parser = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
        let calendar = parser.next().and_then(Result::ok);
        let summary = calendar
            .and_then(|c| c.events.into_iter().next())
            .and_then(|e| e.properties.into_iter().find(|p| p.name == "SUMMARY"))
            .and_then(|p| p.value);
        assert_eq!(summary, Some(ics_text(&format!("Suivi {reference}"))));
        assert_eq!(ics_fold("court"), "court");
        assert_eq!(
            ics_fold(&"é".repeat(38)),
            format!("{}\r\n é", "é".repeat(37))
        );
        // A blank never begins a continuation line.
        let spaced = format!("{} b", "a".repeat(75));
        assert_eq!(ics_fold(&spaced), format!("{}\r\n a b", "a".repeat(74)));
    }
}
