//! HTTP and CLI tests of relais: the application is started on port 0 with
//! a fresh database per test (SQLite file, or a throw-away PostgreSQL
//! database when `RELAIS_TEST_POSTGRES` is set), and driven like a browser
//! or a script would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// `on_both_engines!(a, b)`: each test function `a(opts: Options)` runs
/// as `a::on_sqlite` and `a::on_postgresql`.
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use crate::helpers::Options;

            #[tokio::test]
            async fn on_sqlite() {
                super::$name(Options::default()).await;
            }

            #[tokio::test]
            async fn on_postgresql() {
                super::$name(Options {
                    postgres: true,
                    ..Options::default()
                })
                .await;
            }
        }
    )*};
}

mod api;
mod auth;
mod catalog;
mod cli;
mod concurrent_edits;
mod desk;
mod desk_catalogue;
mod desk_flow;
mod desk_pages;
mod drifts;
mod helpers;
mod mandate_list;
mod mandate_revocation;
mod mandates;
mod nodes;
mod persons_races;
mod places;
mod privacy;
mod reminders;
mod rollups;
mod route_matrix;
mod search;
mod stats;
mod team;
mod text_input;
mod trust_accounts;
mod trust_api;
mod trust_journal;
mod trust_mandates;
mod trust_web;
