//! HTTP routes: GraphQL over HTTP, GraphiQL, health.

pub mod graphql;
pub mod negotiate;
pub mod rate_limit;
