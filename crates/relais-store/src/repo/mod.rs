//! The SQL of relais, written once and instantiated for each engine.
//!
//! Every write runs in one transaction together with its journal entries.
//! The only dialect difference so far is row locking (`FOR UPDATE` on
//! PostgreSQL; SQLite serialises writers on one connection): of the journal
//! head, and of the request and mandates a write relies on.

//!
//! Each area has its own file holding one macro (`repo_<area>!`); the
//! engine modules below expand the shared preamble and every area macro
//! once per engine, so that all areas of one engine share one namespace
//! (an area may call another's transaction helpers).

macro_rules! repo_core {
    ($db:ty) => {
        use crate::error::StoreError;
        use crate::rows::*;
        use chrono::{DateTime, Utc};
        use relais_domain::journal::{entry_hash, journal_time, JournalEvent, GENESIS_HASH};
        use sqlx::{Pool, Transaction};
        use uuid::Uuid;

        type Db = $db;
        type Tx<'a> = Transaction<'a, Db>;

        /// The `WHERE` start that limits statistics to one structure (none
        /// for the whole instance), and the number of the next parameter.
        fn scope_condition(column: &str, scope: Option<Uuid>) -> (String, usize) {
            match scope {
                Some(_) => (format!("{column} = $1 AND"), 2),
                None => (String::new(), 1),
            }
        }

        pub(crate) async fn ping(pool: &Pool<Db>) -> Result<(), StoreError> {
            sqlx::query("SELECT 1").execute(pool).await?;
            Ok(())
        }
    };
}

#[macro_use]
mod journal;
#[macro_use]
mod structures;
#[macro_use]
mod agents;
#[macro_use]
mod accounts;
#[macro_use]
mod persons;
#[macro_use]
mod requests;
#[macro_use]
mod mandates;
#[macro_use]
mod privacy;
#[macro_use]
mod stats;
#[macro_use]
mod demo;
#[macro_use]
mod places;
#[macro_use]
mod referrals;
#[macro_use]
mod reminders;
#[macro_use]
mod catalogue;

pub(crate) mod sqlite {
    repo_core!(sqlx::Sqlite);
    repo_journal!("");
    repo_structures!("");
    repo_agents!("");
    repo_accounts!("");
    repo_persons!("");
    repo_requests!("");
    repo_mandates!("");
    repo_privacy!("");
    repo_stats!("");
    repo_demo!("");
    repo_places!("");
    repo_referrals!("");
    repo_reminders!("");
    repo_catalogue!("");
}

pub(crate) mod postgres {
    repo_core!(sqlx::Postgres);
    repo_journal!(" FOR UPDATE");
    repo_structures!(" FOR UPDATE");
    repo_agents!(" FOR UPDATE");
    repo_accounts!(" FOR UPDATE");
    repo_persons!(" FOR UPDATE");
    repo_requests!(" FOR UPDATE");
    repo_mandates!(" FOR UPDATE");
    repo_privacy!(" FOR UPDATE");
    repo_stats!(" FOR UPDATE");
    repo_demo!(" FOR UPDATE");
    repo_places!(" FOR UPDATE");
    repo_referrals!(" FOR UPDATE");
    repo_reminders!(" FOR UPDATE");
    repo_catalogue!(" FOR UPDATE");
}
