//! Pure types and rules of relais: no I/O, no async, no database, no HTTP.
#![forbid(unsafe_code)]

pub mod account;
pub mod ids;
pub mod journal;
pub mod structure;
pub mod validation;

pub use account::{DisplayName, Email, NewPassword, Role};
pub use ids::{AgentId, ApiTokenId, StructureId};
pub use structure::{Siret, Slug, StructureKind, StructureName};
pub use validation::FieldError;
