//! SIGTERM: the server stops, closing websockets with 1001 so that clients reconnect to
//! another instance, and exits cleanly. A real process on each engine.

use std::{process::Command, time::Duration};

use delivery_desk::auth::token::{Role, TokenKeys};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::{
    Message, client::IntoClientRequest, protocol::frame::coding::CloseCode,
};

use crate::{
    helpers::{TEST_SECRET, fresh_postgres_url},
    scale_out::Server,
};

async fn sigterm_closes_websockets_with_1001(database_url: &str) {
    let mut server = Server::start(database_url).await;
    let ws_base = server.base.replacen("http://", "ws://", 1);

    let token = TokenKeys::hs256(TEST_SECRET.as_bytes(), "delivery-desk")
        .unwrap()
        .mint("user:1".into(), Role::Admin, None, 3600)
        .unwrap();
    let mut request = format!("{ws_base}/graphql").into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let send = |v: serde_json::Value| Message::Text(v.to_string().into());
    ws.send(send(
        json!({ "type": "connection_init", "payload": { "token": token } }),
    ))
    .await
    .unwrap();
    let ack = ws.next().await.unwrap().unwrap();
    assert!(ack.to_text().unwrap().contains("connection_ack"), "{ack:?}");
    ws.send(send(json!({ "id": "1", "type": "subscribe",
        "payload": { "query": "subscription { stageStatusChanged { to } }" } })))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    let killed = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let close = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(message) = ws.next().await {
            if let Ok(Message::Close(frame)) = message {
                return frame;
            }
        }
        None
    })
    .await
    .expect("no close frame within 10 s");
    assert_eq!(
        close.map(|f| f.code),
        Some(CloseCode::Away),
        "the websocket closes with 1001"
    );
    let mut status = None;
    for _ in 0..100 {
        if let Some(s) = server.child.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Dropping the server kills it if it is still running.
    let status = status.expect("the server did not exit within 10 s of SIGTERM");
    assert!(status.success(), "exit status {status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_closes_websockets_with_1001_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/dd.db?mode=rwc", dir.path().display());
    sigterm_closes_websockets_with_1001(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_closes_websockets_with_1001_on_postgres() {
    let Some(url) = fresh_postgres_url().await else {
        return;
    };
    sigterm_closes_websockets_with_1001(&url).await;
}
