//! HTTP routes: GraphQL over HTTP and WebSocket, GraphiQL, health.

pub mod assets;
pub mod documents;
pub mod graphql;
pub mod negotiate;
pub mod operation;
pub mod parsed;
pub mod rate_limit;
pub mod unsubscribe;
pub mod ws;
