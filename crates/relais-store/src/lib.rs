//! Persistence of relais: one storage contract, implemented for SQLite (the
//! embedded default) and PostgreSQL, chosen from the database URL's scheme.
//!
//! The SQL is written once in [`repo`] and instantiated for each engine;
//! what differs between the engines is passed in as dialect fragments.
#![forbid(unsafe_code)]

mod error;
mod repo;
mod rows;
mod sealed;
mod store;
pub mod vault;

pub use error::StoreError;
pub use rows::*;
#[cfg(feature = "demo")]
pub use store::BulkBatch;
pub use store::{Backend, Engine, Store};
pub use vault::{DataKey, KeyError, Vault};
