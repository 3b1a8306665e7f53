//! Reminders of follow-ups: in an agent's inbox, and by e-mail.

use crate::codes::code_enum;

code_enum!(
    /// Whether a reminder comes on its day or after it.
    ReminderKind, "kind", {
        Due => "due",
        Overdue => "overdue",
    }
);

code_enum!(
    /// Where the e-mail copy of a reminder stands.
    EmailStatus, "email_status", {
        /// No e-mail is sent for this reminder.
        NotSent => "none",
        Pending => "pending",
        Sending => "sending",
        Sent => "sent",
        Failed => "failed",
    }
);
