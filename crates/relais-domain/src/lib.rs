//! Pure types and rules of relais: no I/O, no async, no database, no HTTP.
#![forbid(unsafe_code)]

pub mod account;
mod codes;
pub mod contact;
pub mod deadline;
pub mod desk;
pub mod disclosure;
pub mod guard;
pub mod ids;
pub mod journal;
pub mod mandate;
pub mod period;
pub mod permission;
pub mod reminder;
pub mod search;
pub mod structure;
pub mod validation;

pub use account::{DisplayName, Email, NewPassword, Role};
pub use contact::{InseeCode, Phone, Postcode};
pub use desk::{
    AccountKind, Age, AgeBracket, Autonomy, BlockReason, Channel, Equipment, InterventionPlace,
    Mode, Outcome, ProcedureCategory, Recovery, ReferralStatus, RequestStatus, TriState,
};
pub use ids::{
    AgentId, ApiTokenId, FollowUpId, HelpRequestId, InterventionId, MandateId, NotificationId,
    PersonId, PlaceId, PrivateNoteId, ReferralId, StructureId,
};
pub use period::Period;
pub use permission::Permission;
pub use reminder::{EmailStatus, ReminderKind};
pub use structure::{Siret, Slug, StructureKind, StructureName};
pub use validation::FieldError;
