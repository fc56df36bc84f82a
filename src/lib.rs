//! Delivery Desk: a GraphQL API for delivering what was sold.

pub mod alarms;
pub mod auth;
pub mod config;
pub mod database;
pub mod documents;
pub mod domain;
pub mod error;
pub mod graphql;
pub mod http;
pub mod live;
pub mod mail;
pub mod metrics;
pub mod public_address;
pub mod random;
pub mod reads;
pub mod seed;
pub mod service;
pub mod sql;
pub mod startup;
pub mod time;
pub mod webhooks;
