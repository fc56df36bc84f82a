//! A small GraphQL-over-WebSocket client for the tests: raw enough to break the protocol
//! on purpose.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream,
    tungstenite::{Message, client::IntoClientRequest, http::HeaderValue},
};

use crate::helpers::TestApp;

pub struct Ws {
    pub stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// What the server ended the connection with.
#[derive(Debug, PartialEq, Eq)]
pub struct Closed {
    pub code: u16,
    pub reason: String,
}

const WAIT: Duration = Duration::from_secs(15);

impl TestApp {
    pub fn ws_url(&self) -> String {
        format!("{}/graphql", self.base.replacen("http", "ws", 1))
    }

    /// Opens a websocket offering `protocol` (none if empty); no message is sent.
    pub async fn ws_raw(&self, protocol: &str) -> Ws {
        let mut request = self.ws_url().into_client_request().unwrap();
        if !protocol.is_empty() {
            request.headers_mut().insert(
                "Sec-WebSocket-Protocol",
                HeaderValue::from_str(protocol).unwrap(),
            );
        }
        let (stream, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        Ws { stream }
    }

    /// An acknowledged `graphql-transport-ws` connection as `token`'s bearer.
    pub async fn ws(&self, token: Option<&str>) -> Ws {
        let mut ws = self.ws_raw("graphql-transport-ws").await;
        ws.init(token).await;
        ws
    }
}

impl Ws {
    pub async fn send(&mut self, message: Value) {
        self.stream
            .send(Message::Text(message.to_string().into()))
            .await
            .unwrap();
    }

    pub async fn init(&mut self, token: Option<&str>) {
        let payload = match token {
            Some(t) => json!({ "Authorization": format!("Bearer {t}") }),
            None => json!({}),
        };
        self.send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        assert_eq!(self.recv().await["type"], "connection_ack");
    }

    /// The next text message, skipping the server's keep-alive pings.
    pub async fn recv(&mut self) -> Value {
        loop {
            let message = self.recv_any().await;
            if message["type"] != "ping" && message["type"] != "ka" {
                return message;
            }
        }
    }

    /// The next text message, pings included; panics on close or after a while.
    pub async fn recv_any(&mut self) -> Value {
        loop {
            let next = tokio::time::timeout(WAIT, self.stream.next())
                .await
                .expect("a message in time");
            match next {
                Some(Ok(Message::Text(t))) => return serde_json::from_str(&t).unwrap(),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                other => panic!("expected a message, got {other:?}"),
            }
        }
    }

    /// Waits for the server to close, skipping messages; the code and reason.
    pub async fn closed(&mut self) -> Closed {
        loop {
            let next = tokio::time::timeout(WAIT, self.stream.next())
                .await
                .expect("closed in time");
            match next {
                Some(Ok(Message::Close(Some(frame)))) => {
                    return Closed {
                        code: frame.code.into(),
                        reason: frame.reason.to_string(),
                    };
                }
                Some(Ok(Message::Close(None))) | None | Some(Err(_)) => {
                    return Closed {
                        code: 1005,
                        reason: String::new(),
                    };
                }
                Some(Ok(_)) => {}
            }
        }
    }

    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({ "id": id, "type": "subscribe",
            "payload": { "query": query, "variables": variables } }))
            .await;
    }

    /// The payload of the next `next` message, which must be for `id`.
    pub async fn next(&mut self, id: &str) -> Value {
        let message = self.recv().await;
        assert_eq!(message["type"], "next", "{message}");
        assert_eq!(message["id"], id, "{message}");
        message["payload"].clone()
    }

    /// Asserts that no message other than pings arrives within `wait`.
    pub async fn silent(&mut self, wait: Duration) {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Err(_) => return,
                Ok(Some(Ok(Message::Text(t)))) => {
                    let v: Value = serde_json::from_str(&t).unwrap();
                    assert!(v["type"] == "ping" || v["type"] == "ka", "unexpected {v}");
                }
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => {}
                Ok(other) => panic!("unexpected {other:?}"),
            }
        }
    }
}
