//! Delivery Desk: a GraphQL API for delivering what was sold.

pub mod domain;
pub mod error;
pub mod graphql;
pub mod service;
