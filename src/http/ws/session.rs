//! One websocket connection, as the `graphql-transport-ws` specification says:
//!
//! - no `connection_init` within the init timeout: close 4408;
//! - a second `connection_init`: 4429; a rejected token: 4403 (the legacy protocol sends
//!   `connection_error` first); the token's expiry: 4403, so the client refreshes it;
//! - `subscribe` before `connection_ack`: 4401; a `subscribe` reusing the id of a running
//!   operation: 4409; any malformed message: 4400; no subprotocol we speak: 4406;
//! - `ping` is answered with `pong` at any time; the server sends `ping` (legacy: `ka`)
//!   every keep-alive interval;
//! - a client that takes no message for the send timeout is behind beyond repair: 1013, and
//!   it resumes from its last cursor; server shutdown: 1001.
//!
//! Operations beyond the per-connection limit, or beyond the caller's rate, are refused
//! with an `error` message for that operation; the connection stays open.

use std::{ops::ControlFlow, sync::Arc, task::Poll, time::Duration};

use async_graphql::{
    Response as GqlResponse, ServerError, Value as GqlValue,
    parser::types::{ExecutableDocument, OperationType, Selection},
};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::{SinkExt, StreamExt, stream::BoxStream};
use serde_json::{Map, Value};
use tokio::time::{Instant, error::Elapsed, interval_at, sleep, sleep_until, timeout};
use tokio_stream::StreamMap;

use super::{
    protocol::{ClientMessage, Operation, Protocol, ServerMessage, close, encode, parse},
    shared::Delivery,
};
use crate::{
    auth::Caller,
    error::AppError,
    http::operation::{self, Params, Prepared},
    startup::AppState,
};

type Flow = ControlFlow<()>;

/// The socket and how to write to it.
struct Conn {
    socket: WebSocket,
    protocol: Protocol,
    send_timeout: Duration,
}

impl Conn {
    /// Writes `message`, and anything queued before it.
    async fn send(&mut self, message: ServerMessage<'_>) -> Flow {
        if self.queue(message).await.is_break() {
            return ControlFlow::Break(());
        }
        self.flush().await
    }

    /// Queues `message` to leave with the next [`Conn::flush`] or [`Conn::send`]: messages
    /// ready at the same moment go out in one write (one system call, one segment).
    async fn queue(&mut self, message: ServerMessage<'_>) -> Flow {
        let text = encode(self.protocol, message);
        let fed = write(
            self.send_timeout,
            self.socket.feed(Message::Text(text.into())),
        )
        .await;
        self.written(fed).await
    }

    async fn flush(&mut self) -> Flow {
        let flushed = write(self.send_timeout, self.socket.flush()).await;
        self.written(flushed).await
    }

    /// What a write's outcome means for the connection.
    async fn written(&mut self, outcome: Result<Result<(), axum::Error>, Elapsed>) -> Flow {
        match outcome {
            Ok(Ok(())) => ControlFlow::Continue(()),
            Ok(Err(_)) => ControlFlow::Break(()),
            Err(_) => {
                self.close(
                    close::TRY_AGAIN_LATER,
                    "subscriber too slow; reconnect and resume from the last cursor",
                )
                .await
            }
        }
    }

    async fn close(&mut self, code: u16, reason: &str) -> Flow {
        let frame = CloseFrame {
            code,
            reason: reason.into(),
        };
        // A slow reader gets a few seconds to read up to the close frame and learn why;
        // then the connection is dropped.
        let _ = timeout(
            Duration::from_secs(5),
            self.socket.send(Message::Close(Some(frame))),
        )
        .await;
        ControlFlow::Break(())
    }
}

/// Awaits a write, with a timer only when it cannot complete at once: most complete at
/// once (the kernel's buffer has room), and a timer each at ten thousand subscribers per
/// event is measurable.
async fn write(
    limit: Duration,
    write: impl Future<Output = Result<(), axum::Error>>,
) -> Result<Result<(), axum::Error>, Elapsed> {
    tokio::pin!(write);
    match futures_util::poll!(write.as_mut()) {
        Poll::Ready(result) => Ok(result),
        Poll::Pending => timeout(limit, write).await,
    }
}

/// A message from the client, or why the connection ends.
enum Incoming {
    Message(ClientMessage),
    Closed,
    Invalid(String),
    Ignore,
}

async fn receive(conn: &mut Conn) -> Incoming {
    match conn.socket.recv().await {
        None | Some(Err(_)) | Some(Ok(Message::Close(_))) => Incoming::Closed,
        Some(Ok(Message::Text(text))) => match parse(conn.protocol, &text) {
            Ok(message) => Incoming::Message(message),
            Err(reason) => Incoming::Invalid(reason),
        },
        Some(Ok(Message::Binary(_))) => {
            Incoming::Invalid("binary messages are not supported".into())
        }
        // Frame-level pings are answered by the websocket layer.
        Some(Ok(Message::Ping(_) | Message::Pong(_))) => Incoming::Ignore,
    }
}

/// The bearer token of a `connection_init` payload: `{"authorization": "Bearer …"}`
/// (any capitalisation of the key, the scheme optional) or `{"token": "…"}`. `Err` when a
/// key is present but not a string.
fn init_token(payload: &Map<String, Value>) -> Result<Option<String>, ()> {
    let value = payload
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("authorization") || k.as_str() == "token")
        .map(|(_, v)| v);
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(operation::bearer_token(s, true).map(str::to_owned)),
        Some(_) => Err(()),
    }
}

/// What one response of an operation becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// An execution result (JSON text) for a `next` message.
    Next(Arc<str>),
    /// The errors (JSON text) of an operation that could not run: a request error, or a
    /// subscription refused at its root field. Sent as `error`, which ends the operation.
    Error(Arc<str>),
    /// The subscriber fell too far behind its shared subscription: close with 1013.
    Behind,
}

/// What makes two subscriptions the same (see [`super::shared`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SubscriptionKey {
    query: String,
    variables: String,
    operation_name: Option<String>,
    caller: Caller,
}

impl Outcome {
    fn of(response: &GqlResponse) -> Self {
        let json = |r: Result<String, serde_json::Error>| {
            r.unwrap_or_else(|_| r#"[{"message":"internal error"}]"#.to_owned())
        };
        if response.data == async_graphql::Value::Null && !response.errors.is_empty() {
            Outcome::Error(json(serde_json::to_string(&response.errors)).into())
        } else {
            Outcome::Next(json(serde_json::to_string(response)).into())
        }
    }
}

/// One running operation: its outcomes, then `None` when it has finished.
type Responses = BoxStream<'static, Option<Outcome>>;

/// Runs one connection to its end.
pub async fn run(
    socket: WebSocket,
    state: AppState,
    protocol: Option<Protocol>,
    header_token: Option<String>,
) {
    let mut conn = Conn {
        socket,
        protocol: protocol.unwrap_or(Protocol::TransportWs),
        send_timeout: state.options.ws.send_timeout,
    };
    if protocol.is_none() {
        let _ = conn
            .close(
                close::SUBPROTOCOL_NOT_ACCEPTABLE,
                "Subprotocol not acceptable",
            )
            .await;
        return;
    }
    let Some(payload) = await_init(&mut conn, &state).await else {
        return;
    };
    let token = match init_token(&payload) {
        Ok(token) => token.or(header_token),
        Err(()) => Some(String::new()),
    };
    let (caller, expires) = match token.map(|t| state.tokens.verify_until(&t)) {
        None => (Caller::Anonymous, None),
        Some(Ok((caller, exp))) if !state.departed.refuses(&caller) => (caller, Some(exp)),
        Some(_) => {
            if conn.protocol == Protocol::LegacyWs {
                let _ = conn
                    .send(ServerMessage::ConnectionError(
                        "the token is invalid or expired",
                    ))
                    .await;
            }
            let _ = conn.close(close::FORBIDDEN, "Forbidden").await;
            return;
        }
    };
    // Live feeds are acknowledged only once this process hears other instances' commits
    // (PostgreSQL LISTEN): a subscriber is never told "subscribed" while it could not be
    // told of a change. (What was committed meanwhile is read from the log on connect,
    // so waiting costs latency, never an event.)
    if !state
        .hub
        .until_listening(state.options.ws.init_timeout)
        .await
    {
        let _ = conn
            .close(
                close::TRY_AGAIN_LATER,
                "not ready: the event listener is not connected; retry shortly",
            )
            .await;
        return;
    }
    let Some(_slot) = state.ws.connections.acquire(&caller.limit_key()) else {
        let _ = conn
            .close(
                close::TRY_AGAIN_LATER,
                "too many connections for this caller",
            )
            .await;
        return;
    };
    if conn.send(ServerMessage::ConnectionAck).await.is_break() {
        return;
    }
    let _open = crate::metrics::ws_connection();
    operate(conn, &state, caller, expires).await;
}

/// Waits for `connection_init`, answering pings; `None` when the connection ended.
async fn await_init(conn: &mut Conn, state: &AppState) -> Option<Map<String, Value>> {
    let deadline = sleep(state.options.ws.init_timeout);
    tokio::pin!(deadline);
    loop {
        let incoming = tokio::select! {
            () = &mut deadline => {
                let _ = conn.close(close::INIT_TIMEOUT, "Connection initialisation timeout").await;
                return None;
            }
            () = state.shutdown.cancelled() => {
                let _ = conn.close(close::GOING_AWAY, "server shutting down").await;
                return None;
            }
            incoming = receive(conn) => incoming,
        };
        let flow = match incoming {
            Incoming::Message(ClientMessage::ConnectionInit(payload)) => return Some(payload),
            Incoming::Message(ClientMessage::Ping) => conn.send(ServerMessage::Pong).await,
            Incoming::Message(ClientMessage::Subscribe { .. }) => {
                conn.close(close::UNAUTHORIZED, "Unauthorized").await
            }
            Incoming::Message(ClientMessage::Terminate) => conn.close(close::NORMAL, "").await,
            Incoming::Message(ClientMessage::Pong | ClientMessage::Complete { .. })
            | Incoming::Ignore => ControlFlow::Continue(()),
            Incoming::Invalid(reason) => conn.close(close::BAD_REQUEST, &reason).await,
            Incoming::Closed => ControlFlow::Break(()),
        };
        if flow.is_break() {
            return None;
        }
    }
}

/// The acknowledged connection: runs operations until either side ends it.
async fn operate(mut conn: Conn, state: &AppState, caller: Caller, expires: Option<i64>) {
    let every = state.options.ws.keepalive;
    let mut keepalive = interval_at(Instant::now() + every, every);
    let expiry = match expires {
        Some(exp) => {
            let left = (exp - chrono::Utc::now().timestamp()).max(0);
            Instant::now() + Duration::from_secs(left.unsigned_abs())
        }
        // Far enough to never fire; `sleep_until` needs an instant.
        None => Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600),
    };
    let expiry = sleep_until(expiry);
    // A portal user whose contact leaves the client is closed like an expired token.
    let mut departures = state.departed.watch();
    let watch_departures = matches!(caller, Caller::Contact { .. });
    // A departure between the token check and the watch above is not missed.
    if watch_departures && state.departed.refuses(&caller) {
        let _ = conn
            .close(
                close::FORBIDDEN,
                "Forbidden: the contact has left the client",
            )
            .await;
        return;
    }
    // Made once, not per loop: each is a registration with a timer or a waiter list.
    let shutdown = state.shutdown.cancelled();
    tokio::pin!(expiry, shutdown);
    let mut ops: StreamMap<String, Responses> = StreamMap::new();
    loop {
        let flow = tokio::select! {
            () = &mut shutdown => {
                conn.close(close::GOING_AWAY, "server shutting down").await
            }
            () = &mut expiry => conn.close(close::FORBIDDEN, "Forbidden: the token has expired").await,
            Ok(()) = departures.changed(), if watch_departures => {
                if state.departed.refuses(&caller) {
                    conn.close(close::FORBIDDEN, "Forbidden: the contact has left the client").await
                } else {
                    ControlFlow::Continue(())
                }
            }
            _ = keepalive.tick() => conn.send(ServerMessage::KeepAlive).await,
            Some((id, item)) = ops.next(), if !ops.is_empty() => {
                let mut flow = deliver(&mut conn, &mut ops, &id, item).await;
                // What the other operations have ready now (several subscriptions on this
                // socket hearing of one change) leaves in the same write.
                while flow.is_continue() {
                    let Poll::Ready(Some((id, item))) = futures_util::poll!(ops.next()) else {
                        break;
                    };
                    flow = deliver(&mut conn, &mut ops, &id, item).await;
                }
                match flow {
                    ControlFlow::Continue(()) => conn.flush().await,
                    ControlFlow::Break(()) => flow,
                }
            }
            incoming = receive(&mut conn) => match incoming {
                Incoming::Message(message) => {
                    handle(&mut conn, state, &caller, &mut ops, message).await
                }
                Incoming::Ignore => ControlFlow::Continue(()),
                Incoming::Invalid(reason) => conn.close(close::BAD_REQUEST, &reason).await,
                Incoming::Closed => ControlFlow::Break(()),
            },
        };
        if flow.is_break() {
            return;
        }
    }
}

/// Hands one operation's outcome to the client: a result is queued (the caller flushes),
/// anything else is written at once.
async fn deliver(
    conn: &mut Conn,
    ops: &mut StreamMap<String, Responses>,
    id: &str,
    item: Option<Outcome>,
) -> Flow {
    match item {
        Some(Outcome::Error(errors)) => {
            ops.remove(id);
            conn.send(ServerMessage::Error {
                id,
                errors: &errors,
            })
            .await
        }
        Some(Outcome::Next(payload)) => {
            crate::metrics::delivered();
            conn.queue(ServerMessage::Next {
                id,
                payload: &payload,
            })
            .await
        }
        Some(Outcome::Behind) => {
            conn.close(
                close::TRY_AGAIN_LATER,
                "too far behind; resume from the last cursor",
            )
            .await
        }
        None => conn.send(ServerMessage::Complete { id }).await,
    }
}

async fn handle(
    conn: &mut Conn,
    state: &AppState,
    caller: &Caller,
    ops: &mut StreamMap<String, Responses>,
    message: ClientMessage,
) -> Flow {
    match message {
        ClientMessage::Ping => conn.send(ServerMessage::Pong).await,
        ClientMessage::Pong => ControlFlow::Continue(()),
        ClientMessage::ConnectionInit(_) => {
            conn.close(close::TOO_MANY_INITS, "Too many initialisation requests")
                .await
        }
        ClientMessage::Terminate => conn.close(close::NORMAL, "").await,
        ClientMessage::Complete { id } => {
            ops.remove(&id);
            ControlFlow::Continue(())
        }
        ClientMessage::Subscribe { id, operation } => {
            if ops.contains_key(&id) {
                let reason = format!("Subscriber for {id} already exists");
                return conn.close(close::SUBSCRIBER_EXISTS, &reason).await;
            }
            let limit = state.options.ws.max_operations;
            if limit > 0 && ops.len() >= limit {
                let message = format!("at most {limit} operations may run on one connection");
                let errors = AppError::LimitExceeded(message).errors_json();
                return conn
                    .send(ServerMessage::Error {
                        id: &id,
                        errors: &errors,
                    })
                    .await;
            }
            if let Err(err) = operation::admit(state, caller) {
                let errors = err.errors_json();
                return conn
                    .send(ServerMessage::Error {
                        id: &id,
                        errors: &errors,
                    })
                    .await;
            }
            // One span per operation, named by it and the caller (never the token).
            let span = tracing::info_span!(
                "ws_operation",
                id = %id,
                operation = operation.operation_name.as_deref().unwrap_or("-"),
                caller = %caller.limit_key(),
            );
            span.in_scope(|| tracing::debug!("started"));
            let running = crate::metrics::ws_subscription();
            let responses = start(state, caller, operation).map(move |item| {
                // Held by the stream: the gauge drops when the operation ends or is removed.
                let _ = &running;
                if item.is_none() {
                    span.in_scope(|| tracing::debug!("completed"));
                }
                item
            });
            ops.insert(id, responses.boxed());
            ControlFlow::Continue(())
        }
    }
}

/// Starts one operation (a subscription, or a query or mutation answered once).
/// Subscriptions identical to one already running join it (see [`super::shared`]).
fn start(state: &AppState, caller: &Caller, operation: Operation) -> Responses {
    let doc = state.ws.documents.parse(&operation.query);
    let subscription = doc
        .as_deref()
        .is_ok_and(|d| is_subscription(d, operation.operation_name.as_deref()));
    if !subscription {
        return execute(state, caller, operation, doc);
    }
    let resumes = doc.as_deref().is_ok_and(|d| {
        resumes_from_cursor(d, operation.operation_name.as_deref(), &operation.variables)
    });
    let key = SubscriptionKey {
        query: operation.query.clone(),
        variables: Value::Object(operation.variables.clone()).to_string(),
        operation_name: operation.operation_name.clone(),
        caller: caller.clone(),
    };
    state
        .ws
        .subscriptions
        .join(key, resumes, || execute(state, caller, operation, doc))
        .map(|delivery| match delivery {
            Delivery::Item(item) => item,
            Delivery::Behind => Some(Outcome::Behind),
        })
        .boxed()
}

fn is_subscription(doc: &ExecutableDocument, name: Option<&str>) -> bool {
    operation::selected(doc, name).is_some_and(|op| op.ty == OperationType::Subscription)
}

/// Whether a root field of the operation is given a non-null `after` (a cursor to
/// replay from), literally or through a variable.
fn resumes_from_cursor(
    doc: &ExecutableDocument,
    name: Option<&str>,
    variables: &Map<String, Value>,
) -> bool {
    let Some(op) = operation::selected(doc, name) else {
        return false;
    };
    op.selection_set.node.items.iter().any(|item| {
        let Selection::Field(field) = &item.node else {
            // Fragments at the root: assume the worst (history is only extra work).
            return true;
        };
        field.node.arguments.iter().any(|(arg, value)| {
            // Variables resolved; a missing one is null, as in execution.
            let resolved = value.node.clone().into_const_with(|var| {
                Ok::<_, ()>(match variables.get(var.as_str()) {
                    Some(json) => GqlValue::from_json(json.clone()).unwrap_or(GqlValue::Null),
                    None => GqlValue::Null,
                })
            });
            arg.node.as_str() == "after" && resolved.is_ok_and(|v| v != GqlValue::Null)
        })
    })
}

fn execute(
    state: &AppState,
    caller: &Caller,
    operation: Operation,
    doc: Result<Arc<ExecutableDocument>, ServerError>,
) -> Responses {
    let params = Params {
        query: operation.query,
        operation_name: operation.operation_name,
        variables: operation.variables,
        uploads: Vec::new(),
    };
    Prepared::new(params, doc)
        .stream(state, caller.clone())
        .map(|response| Some(Outcome::of(&response)))
        .chain(futures_util::stream::once(async { None }))
        .boxed()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_cursor_is_recognised_literally_or_through_a_variable() {
        let doc = |q: &str| async_graphql::parser::parse_query(q).unwrap();
        let vars = |v: Value| v.as_object().unwrap().clone();
        let by_var = doc("subscription($a: String) { stageStatusChanged(after: $a) { cursor } }");
        assert!(resumes_from_cursor(
            &by_var,
            None,
            &vars(json!({ "a": "RXZlbnQ6MQ" }))
        ));
        assert!(!resumes_from_cursor(
            &by_var,
            None,
            &vars(json!({ "a": null }))
        ));
        assert!(!resumes_from_cursor(&by_var, None, &vars(json!({}))));
        let literal = doc("subscription { stageStatusChanged(after: \"RXZlbnQ6MQ\") { cursor } }");
        assert!(resumes_from_cursor(&literal, None, &vars(json!({}))));
        let none = doc("subscription { stageStatusChanged { cursor } }");
        assert!(!resumes_from_cursor(&none, None, &vars(json!({}))));
        assert!(is_subscription(&none, None));
        assert!(!is_subscription(&doc("{ clients { totalCount } }"), None));
        assert!(!is_subscription(&doc("mutation { a }"), None));
    }

    #[test]
    fn the_init_token_is_found_under_any_usual_key() {
        let p = |v: Value| v.as_object().unwrap().clone();
        assert_eq!(
            init_token(&p(json!({"Authorization": "Bearer abc"}))),
            Ok(Some("abc".into()))
        );
        assert_eq!(
            init_token(&p(json!({"authorization": "abc"}))),
            Ok(Some("abc".into()))
        );
        assert_eq!(
            init_token(&p(json!({"token": "abc"}))),
            Ok(Some("abc".into()))
        );
        assert_eq!(init_token(&p(json!({}))), Ok(None));
        assert_eq!(init_token(&p(json!({"token": 5}))), Err(()));
    }
}
