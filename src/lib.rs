//! Delivery Desk: a GraphQL API for delivering what was sold.

pub mod config;
pub mod domain;
pub mod error;
pub mod graphql;
pub mod http;
pub mod startup;
pub mod seed;
pub mod service;
