//! The API test suite: one binary, a real server per test, SQLite and PostgreSQL.
#![allow(clippy::unwrap_used)]

mod helpers;

mod access;
mod aftercare;
mod agreements;
mod browser;
mod cli;
mod collaboration;
mod columns;
mod concurrency;
mod delivery_walk;
mod documents;
mod faults;
mod handover;
mod hostile_input;
mod http_spec;
mod interactions;
mod kickoff;
mod lifecycle;
mod live;
mod mail;
mod n_plus_one;
mod nested;
mod operations;
mod oversight;
mod pagination;
mod pg_restart;
mod plain;
mod portal_walk;
mod readme;
mod reads;
mod request_errors;
mod road;
mod scale_out;
mod schema_drift;
mod service_levels;
mod shutdown;
mod smtp_sink;
mod start_up;
mod surveys;
mod validation;
mod webhooks;
mod ws_client;
mod ws_protocol;
