//! GraphQL over WebSocket, checked point by point against the `graphql-transport-ws`
//! specification (and the legacy `graphql-ws` protocol): every close code, pings both
//! ways, and the limits. The protocol does not depend on the database: SQLite only.

use std::time::Duration;

use delivery_desk::{
    auth::token::Role,
    startup::{Options, WsOptions},
};
use futures_util::SinkExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{Backend, TestApp, spawn_app, spawn_app_with};

async fn app() -> TestApp {
    spawn_app(Backend::Sqlite).await.unwrap()
}

async fn app_with(ws: WsOptions) -> TestApp {
    let options = Options {
        rate_limit_per_minute: 1_000_000,
        ws,
        ..crate::helpers::test_options()
    };
    spawn_app_with(Backend::Sqlite, options).await.unwrap()
}

const SUB: &str = "subscription { ticketStatusChanged { cursor } }";

#[tokio::test]
async fn the_server_speaks_only_the_subprotocols_it_serves() {
    let app = app().await;
    let mut ws = app.ws_raw("").await;
    assert_eq!(ws.closed().await.code, 4406);
    // The negotiated protocol is echoed.
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = app.ws_url().into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (_, response) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "graphql-transport-ws"
    );
}

#[tokio::test]
async fn no_connection_init_in_time_is_4408() {
    let app = app_with(WsOptions {
        init_timeout: Duration::from_millis(300),
        ..WsOptions::default()
    })
    .await;
    let mut ws = app.ws_raw("graphql-transport-ws").await;
    let closed = ws.closed().await;
    assert_eq!(closed.code, 4408);
    assert_eq!(closed.reason, "Connection initialisation timeout");
}

#[tokio::test]
async fn a_second_connection_init_is_4429() {
    let app = app().await;
    let mut ws = app.ws(Some(&app.admin)).await;
    ws.send(json!({ "type": "connection_init" })).await;
    let closed = ws.closed().await;
    assert_eq!(closed.code, 4429);
    assert_eq!(closed.reason, "Too many initialisation requests");
}

#[tokio::test]
async fn subscribe_before_the_ack_is_4401() {
    let app = app().await;
    let mut ws = app.ws_raw("graphql-transport-ws").await;
    ws.subscribe("1", SUB, json!({})).await;
    assert_eq!(ws.closed().await.code, 4401);
}

#[tokio::test]
async fn a_running_operation_id_reused_is_4409_and_a_finished_one_may_be_reused() {
    let app = app().await;
    let mut ws = app.ws(Some(&app.admin)).await;
    ws.subscribe("q", "{ __typename }", json!({})).await;
    ws.next("q").await;
    assert_eq!(ws.recv().await["type"], "complete");
    ws.subscribe("q", SUB, json!({})).await;
    ws.silent(Duration::from_millis(100)).await;
    ws.subscribe("q", SUB, json!({})).await;
    let closed = ws.closed().await;
    assert_eq!(closed.code, 4409);
    assert_eq!(closed.reason, "Subscriber for q already exists");
}

#[tokio::test]
async fn malformed_messages_are_4400() {
    let app = app().await;
    for bad in [
        json!("not an object"),
        json!({ "type": "subscribe", "payload": { "query": SUB } }),
        json!({ "type": "subscribe", "id": "1", "payload": { "query": 5 } }),
        json!({ "type": "what" }),
        json!({ "type": "start", "id": "1", "payload": { "query": SUB } }),
    ] {
        let mut ws = app.ws(Some(&app.admin)).await;
        ws.send(bad.clone()).await;
        assert_eq!(ws.closed().await.code, 4400, "{bad}");
    }
    let mut ws = app.ws(Some(&app.admin)).await;
    ws.stream
        .send(Message::Binary(vec![1, 2, 3].into()))
        .await
        .unwrap();
    assert_eq!(ws.closed().await.code, 4400);
    // Before the ack too.
    let mut ws = app.ws_raw("graphql-transport-ws").await;
    ws.stream.send(Message::Text("{".into())).await.unwrap();
    assert_eq!(ws.closed().await.code, 4400);
}

#[tokio::test]
async fn bad_tokens_are_4403_and_a_token_expiring_closes_the_socket_with_4403() {
    let app = app().await;
    let forged = app.admin.replace('.', ".x");
    for token in [forged.as_str(), "garbage"] {
        let mut ws = app.ws_raw("graphql-transport-ws").await;
        ws.send(json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } }))
            .await;
        let closed = ws.closed().await;
        assert_eq!((closed.code, closed.reason.as_str()), (4403, "Forbidden"));
    }
    // A token that is not a string is not "no token".
    let mut ws = app.ws_raw("graphql-transport-ws").await;
    ws.send(json!({ "type": "connection_init", "payload": { "token": 42 } }))
        .await;
    assert_eq!(ws.closed().await.code, 4403);

    let short = app
        .keys
        .mint("user:1".into(), Role::Staff, None, 2)
        .unwrap();
    let mut ws = app.ws(Some(&short)).await;
    ws.subscribe("1", SUB, json!({})).await;
    let started = std::time::Instant::now();
    let closed = ws.closed().await;
    assert_eq!(closed.code, 4403);
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[tokio::test]
async fn pings_are_answered_and_the_server_pings_too() {
    let app = app_with(WsOptions {
        keepalive: Duration::from_millis(300),
        ..WsOptions::default()
    })
    .await;
    let mut ws = app.ws_raw("graphql-transport-ws").await;
    // Before the ack as after it.
    ws.send(json!({ "type": "ping" })).await;
    assert_eq!(ws.recv_any().await["type"], "pong");
    ws.init(Some(&app.admin)).await;
    ws.send(json!({ "type": "ping", "payload": { "n": 1 } }))
        .await;
    let mut kinds = Vec::new();
    while kinds.len() < 2 {
        kinds.push(ws.recv_any().await["type"].as_str().unwrap().to_owned());
    }
    kinds.sort();
    assert_eq!(kinds, ["ping", "pong"]);
    // Unsolicited pongs are fine.
    ws.send(json!({ "type": "pong" })).await;
    assert_eq!(ws.recv_any().await["type"], "ping");
}

#[tokio::test]
async fn the_legacy_protocol_works_for_older_apollo_clients() {
    let app = app_with(WsOptions {
        keepalive: Duration::from_millis(300),
        ..WsOptions::default()
    })
    .await;
    let mut ws = app.ws_raw("graphql-ws").await;
    ws.send(json!({ "type": "connection_init", "payload": { "authToken": null, "Authorization": format!("Bearer {}", app.admin) } }))
        .await;
    assert_eq!(ws.recv_any().await["type"], "connection_ack");
    assert_eq!(ws.recv_any().await["type"], "ka");
    ws.send(json!({ "type": "start", "id": "1", "payload": { "query": "{ __typename }" } }))
        .await;
    let data = ws.recv().await;
    assert_eq!(data["type"], "data");
    assert_eq!(data["payload"]["data"]["__typename"], "Query");
    assert_eq!(ws.recv().await["type"], "complete");
    ws.send(json!({ "type": "start", "id": "2", "payload": { "query": SUB } }))
        .await;
    ws.send(json!({ "type": "stop", "id": "2" })).await;
    ws.send(json!({ "type": "connection_terminate" })).await;
    assert_eq!(ws.closed().await.code, 1000);

    let mut ws = app.ws_raw("graphql-ws").await;
    ws.send(json!({ "type": "connection_init", "payload": { "Authorization": "Bearer nope" } }))
        .await;
    assert_eq!(ws.recv_any().await["type"], "connection_error");
    assert_eq!(ws.closed().await.code, 4403);
}

#[tokio::test]
async fn operations_per_socket_and_sockets_per_caller_are_limited() {
    let app = app_with(WsOptions {
        max_operations: 2,
        max_connections_per_caller: 2,
        ..WsOptions::default()
    })
    .await;
    let mut ws = app.ws(Some(&app.admin)).await;
    ws.subscribe("1", SUB, json!({})).await;
    ws.subscribe("2", SUB, json!({})).await;
    ws.subscribe("3", SUB, json!({})).await;
    let refused = ws.recv().await;
    assert_eq!(refused["type"], "error");
    assert_eq!(refused["id"], "3");
    assert_eq!(
        refused["payload"][0]["extensions"]["code"],
        "LIMIT_EXCEEDED"
    );
    // Completing one frees its place.
    ws.send(json!({ "id": "1", "type": "complete" })).await;
    ws.subscribe("3", SUB, json!({})).await;
    ws.silent(Duration::from_millis(200)).await;

    let _second = app.ws(Some(&app.admin)).await;
    let mut third = app.ws_raw("graphql-transport-ws").await;
    third
        .send(json!({ "type": "connection_init", "payload": { "token": app.admin } }))
        .await;
    assert_eq!(third.closed().await.code, 1013);
    // Another caller is not affected.
    let other = app.token("user:99", Role::Staff, None);
    app.ws(Some(&other)).await;
}
