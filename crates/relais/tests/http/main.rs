//! HTTP and CLI tests of relais: the application is started on port 0 with
//! a fresh database per test (SQLite file, or a throw-away PostgreSQL
//! database when `RELAIS_TEST_POSTGRES` is set), and driven like a browser
//! or a script would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

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
mod mandate_revocation;
mod mandates;
mod nodes;
mod persons_races;
mod places;
mod privacy;
mod reminders;
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
