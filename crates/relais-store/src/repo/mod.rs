//! The SQL of relais, written once and instantiated for each engine.
//!
//! Every write runs in one transaction together with its journal entries.
//! The only dialect difference so far is row locking (`FOR UPDATE` on
//! PostgreSQL; SQLite serialises writers on one connection): of the journal
//! head, of the person a write creates something for, and of the request
//! and mandates a write relies on.
//!
//! Each area has its own file holding one macro (`repo_<area>!`); the
//! engine modules below expand the shared preamble and every area macro
//! once per engine, so that all areas of one engine share one namespace
//! (an area may call another's transaction helpers).

/// The search key of a text: folded by the domain's one rule
/// ([`relais_domain::search::fold`]: no accents, lower case, words split by
/// single spaces), stored beside the text so that a search with a folded
/// needle finds the same rows on SQLite and on PostgreSQL.
pub(crate) fn fold_key(text: &str) -> String {
    relais_domain::search::fold(text)
}

macro_rules! repo_core {
    ($db:ty) => {
        use crate::error::StoreError;
        use crate::rows::*;
        use chrono::{DateTime, Utc};
        use relais_domain::journal::{entry_hash, journal_time, JournalEvent, GENESIS_HASH};
        use sqlx::{Pool, QueryBuilder, Transaction};
        use uuid::Uuid;

        type Db = $db;
        type Tx<'a> = Transaction<'a, Db>;
        type DbConn = <Db as sqlx::Database>::Connection;
        /// The one way SQL whose shape depends on the input is built:
        /// fragments pushed in order, values bound (`$n` numbered by sqlx).
        type Sql<'a> = QueryBuilder<'a, Db>;

        /// Limits statistics to one structure (`None`: the whole instance).
        fn and_scope(q: &mut Sql<'_>, column: &'static str, scope: Option<Uuid>) {
            if let Some(s) = scope {
                q.push(" AND ").push(column).push(" = ").push_bind(s);
            }
        }

        /// `AND column >= from AND column < to` (or `<=` when `inclusive`).
        fn and_between<'a, T>(
            q: &mut Sql<'a>,
            column: &'static str,
            from: T,
            to: T,
            inclusive: bool,
        ) where
            T: 'a + sqlx::Encode<'a, Db> + sqlx::Type<Db>,
        {
            q.push(" AND ").push(column).push(" >= ").push_bind(from);
            q.push(" AND ")
                .push(column)
                .push(if inclusive { " <= " } else { " < " });
            q.push_bind(to);
        }

        /// `AND column IN (values…)`, each value bound (at least one).
        fn and_in<'a, T>(q: &mut Sql<'a>, column: &str, values: impl IntoIterator<Item = T>)
        where
            T: 'a + sqlx::Encode<'a, Db> + sqlx::Type<Db>,
        {
            q.push(" AND ").push(column).push(" IN (");
            let mut list = q.separated(", ");
            for v in values {
                list.push_bind(v);
            }
            q.push(")");
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
mod rollups;
#[cfg(feature = "demo")]
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

/// One engine's module: the preamble, then every area's SQL.
macro_rules! engine {
    ($name:ident, $db:ty, $lock:literal) => {
        pub(crate) mod $name {
            repo_core!($db);
            repo_journal!($lock);
            repo_structures!();
            repo_agents!();
            repo_accounts!($lock);
            repo_persons!($lock);
            repo_requests!($lock);
            repo_mandates!();
            repo_privacy!();
            repo_stats!();
            repo_rollups!();
            #[cfg(feature = "demo")]
            repo_demo!();
            repo_places!();
            repo_referrals!();
            repo_reminders!();
            repo_catalogue!();
        }
    };
}

engine!(sqlite, sqlx::Sqlite, "");
engine!(postgres, sqlx::Postgres, " FOR UPDATE");
