//! GraphQL over WebSocket on the GraphQL endpoint's path: `graphql-transport-ws`, and the
//! legacy `graphql-ws` for older Apollo clients.
//!
//! Written here rather than taken from async-graphql, whose handler closes with codes the
//! specification does not give (1002/1011 where it says 4400/4401/4403) and which real
//! clients treat as fatal; see [`session`] for the rules as implemented.

pub mod protocol;
pub mod session;
pub mod shared;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, Weak},
};

use async_graphql::{ServerError, parser::types::ExecutableDocument};
use axum::{
    extract::{FromRequestParts, WebSocketUpgrade},
    http::{HeaderMap, header, request::Parts},
    response::{IntoResponse, Response},
};

use self::protocol::Protocol;
use crate::{graphql::document_size, startup::AppState};

/// Whether a request asks to become a websocket.
pub fn is_upgrade(headers: &HeaderMap) -> bool {
    headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// The subprotocol to speak: the first of the client's offers that we serve.
fn choose(headers: &HeaderMap) -> Option<Protocol> {
    headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(Protocol::from_name)
}

/// The token of an `Authorization: Bearer` header on the upgrade request, if any; the
/// `connection_init` payload takes precedence (browsers cannot set the header).
fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

/// Upgrades the request and runs the session on one of the executor's threads, where the
/// groups of identical subscriptions it may join live.
pub async fn upgrade(state: AppState, mut parts: Parts) -> Response {
    let protocol = choose(&parts.headers);
    let token = bearer(&parts.headers);
    let ws = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(ws) => ws,
        Err(rejection) => return rejection.into_response(),
    };
    let ws = match protocol {
        Some(p) => ws.protocols([p.name()]),
        // Accepted only to close it with 4406, which a client can read; a refused
        // upgrade would tell it nothing.
        None => ws,
    };
    // Small buffers: an idle subscriber should cost kilobytes, not the 128 KiB default.
    // Messages are written when the session flushes (results ready together leave in
    // one write), or once 8 KiB are waiting; the buffer grows only as far as it is used.
    let ws = ws
        .read_buffer_size(1024)
        .write_buffer_size(8 * 1024)
        .max_write_buffer_size(4 << 20)
        .max_message_size(state.options.max_body_bytes);
    let sessions = state.ws.sessions.clone();
    ws.on_upgrade(move |socket| {
        // Tracked, so that shutdown waits for each session's 1001 close frame.
        sessions.track_future(async move {
            let executor = state.executor.clone();
            let run = executor.spawn_pinned(move || session::run(socket, state, protocol, token));
            if let Err(err) = run.await {
                tracing::error!(error = %err, "websocket session failed");
            }
        })
    })
}

/// What the websockets of one server share.
pub struct Shared {
    pub connections: ConnectionCounter,
    pub documents: Documents,
    /// Identical subscriptions, run once each.
    pub subscriptions: shared::Groups<session::SubscriptionKey, Option<session::Outcome>>,
    /// The running sessions: upgraded connections are no longer the HTTP server's, so
    /// graceful shutdown waits for these itself.
    pub sessions: tokio_util::task::TaskTracker,
}

impl Shared {
    pub fn new(max_connections_per_caller: usize) -> Self {
        Self {
            connections: ConnectionCounter::new(max_connections_per_caller),
            documents: Documents::default(),
            subscriptions: shared::Groups::default(),
            sessions: tokio_util::task::TaskTracker::new(),
        }
    }
}

/// Parsed operations shared by the subscriptions that run the same text: ten thousand
/// dashboards with one query keep one copy (used to order their responses like it).
#[derive(Default)]
pub struct Documents(Mutex<HashMap<String, Weak<ExecutableDocument>>>);

impl Documents {
    pub fn parse(&self, query: &str) -> Result<Arc<ExecutableDocument>, ServerError> {
        let mut docs = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(doc) = docs.get(query).and_then(Weak::upgrade) {
            return Ok(doc);
        }
        let doc = Arc::new(document_size::parse(query)?);
        if docs.len() >= 1024 {
            docs.retain(|_, d| d.strong_count() > 0);
        }
        docs.insert(query.to_owned(), Arc::downgrade(&doc));
        Ok(doc)
    }
}

/// Open websockets per caller, bounded.
pub struct ConnectionCounter {
    limit: usize,
    open: Arc<Mutex<HashMap<String, usize>>>,
}

/// One counted connection; dropping it frees the slot.
pub struct Slot {
    key: String,
    open: Arc<Mutex<HashMap<String, usize>>>,
}

impl ConnectionCounter {
    /// At most `limit` connections per caller; 0 means no limit.
    pub fn new(limit: usize) -> Self {
        Self {
            limit,
            open: Arc::default(),
        }
    }

    /// Takes a slot for `key`, or `None` when it has `limit` open already.
    pub fn acquire(&self, key: &str) -> Option<Slot> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(key.to_owned()).or_default();
        if self.limit > 0 && *count >= self.limit {
            return None;
        }
        *count += 1;
        Some(Slot {
            key: key.to_owned(),
            open: self.open.clone(),
        })
    }

    /// Connections open now, over all callers.
    pub fn total(&self) -> usize {
        self.open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .sum()
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_text_is_parsed_once_while_in_use() {
        let docs = Documents::default();
        let a = docs.parse("{ a }").unwrap();
        let b = docs.parse("{ a }").unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert!(docs.parse("{").is_err());
    }

    #[test]
    fn slots_are_bounded_per_caller_and_freed_on_drop() {
        let counter = ConnectionCounter::new(2);
        let a = counter.acquire("user:1").unwrap();
        let _b = counter.acquire("user:1").unwrap();
        assert!(counter.acquire("user:1").is_none());
        let _c = counter.acquire("user:2").unwrap();
        drop(a);
        let _d = counter.acquire("user:1").unwrap();
        assert_eq!(counter.total(), 3);
    }

    #[test]
    fn the_first_offered_subprotocol_we_serve_is_chosen() {
        let mut h = HeaderMap::new();
        h.insert(
            header::SEC_WEBSOCKET_PROTOCOL,
            "foo, graphql-ws, graphql-transport-ws".parse().unwrap(),
        );
        assert_eq!(choose(&h), Some(Protocol::LegacyWs));
        h.insert(header::SEC_WEBSOCKET_PROTOCOL, "foo".parse().unwrap());
        assert_eq!(choose(&h), None);
    }
}
