//! The two GraphQL-over-WebSocket subprotocols, as messages.
//!
//! - `graphql-transport-ws`: <https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md>
//! - `graphql-ws`: the legacy protocol of Apollo's `subscriptions-transport-ws`.
//!
//! Parsing is strict: any message that is not valid JSON, lacks a field, or has a
//! type unknown to the subprotocol is an error, which the session answers with 4400.

use serde_json::{Map, Value, json};

/// The negotiated subprotocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    TransportWs,
    LegacyWs,
}

impl Protocol {
    pub const ALL: [Protocol; 2] = [Protocol::TransportWs, Protocol::LegacyWs];

    pub fn name(self) -> &'static str {
        match self {
            Protocol::TransportWs => "graphql-transport-ws",
            Protocol::LegacyWs => "graphql-ws",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name.trim())
    }
}

/// Close codes, with the reasons the specification gives.
pub mod close {
    pub const NORMAL: u16 = 1000;
    /// The server is shutting down: reconnect (elsewhere).
    pub const GOING_AWAY: u16 = 1001;
    /// The client read too slowly or the server is at a limit: reconnect later and resume
    /// from the last cursor received.
    pub const TRY_AGAIN_LATER: u16 = 1013;
    pub const BAD_REQUEST: u16 = 4400;
    pub const UNAUTHORIZED: u16 = 4401;
    pub const FORBIDDEN: u16 = 4403;
    pub const SUBPROTOCOL_NOT_ACCEPTABLE: u16 = 4406;
    pub const INIT_TIMEOUT: u16 = 4408;
    pub const SUBSCRIBER_EXISTS: u16 = 4409;
    pub const TOO_MANY_INITS: u16 = 4429;
    pub const INTERNAL: u16 = 4500;
}

/// A GraphQL request inside a `subscribe` (or legacy `start`) message.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub query: String,
    pub operation_name: Option<String>,
    pub variables: Map<String, Value>,
}

/// What a client may send.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientMessage {
    ConnectionInit(Map<String, Value>),
    Ping,
    Pong,
    Subscribe {
        id: String,
        operation: Operation,
    },
    Complete {
        id: String,
    },
    /// Legacy only: the client is leaving.
    Terminate,
}

fn string<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<&'a str, String> {
    match obj.get(key) {
        Some(Value::String(s)) => Ok(s),
        _ => Err(format!("\"{key}\" must be a string")),
    }
}

fn optional_object(obj: &Map<String, Value>, key: &str) -> Result<Map<String, Value>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(_) => Err(format!("\"{key}\" must be an object")),
    }
}

fn id(obj: &Map<String, Value>) -> Result<String, String> {
    let id = string(obj, "id")?;
    if id.is_empty() {
        return Err("\"id\" must not be empty".into());
    }
    Ok(id.to_owned())
}

fn operation(obj: &Map<String, Value>) -> Result<Operation, String> {
    let payload = match obj.get("payload") {
        Some(Value::Object(p)) => p,
        _ => return Err("\"payload\" must be an object".into()),
    };
    let operation_name = match payload.get("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err("\"operationName\" must be a string".into()),
    };
    Ok(Operation {
        query: string(payload, "query")?.to_owned(),
        operation_name,
        variables: optional_object(payload, "variables")?,
    })
}

/// Parses one text message of `protocol`.
pub fn parse(protocol: Protocol, text: &str) -> Result<ClientMessage, String> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("Invalid message received: {e}"))?;
    let Value::Object(obj) = value else {
        return Err("Invalid message received: not an object".into());
    };
    let kind = string(&obj, "type")?;
    let message = match (protocol, kind) {
        (_, "connection_init") => ClientMessage::ConnectionInit(optional_object(&obj, "payload")?),
        (Protocol::TransportWs, "ping") => ClientMessage::Ping,
        (Protocol::TransportWs, "pong") => ClientMessage::Pong,
        (Protocol::TransportWs, "subscribe") | (Protocol::LegacyWs, "start") => {
            ClientMessage::Subscribe {
                id: id(&obj)?,
                operation: operation(&obj)?,
            }
        }
        (Protocol::TransportWs, "complete") | (Protocol::LegacyWs, "stop") => {
            ClientMessage::Complete { id: id(&obj)? }
        }
        (Protocol::LegacyWs, "connection_terminate") => ClientMessage::Terminate,
        (_, other) => {
            return Err(format!(
                "Invalid message received: unknown type \"{other}\""
            ));
        }
    };
    Ok(message)
}

/// What the server sends.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerMessage<'a> {
    ConnectionAck,
    /// Legacy: `connection_error` before closing.
    ConnectionError(&'a str),
    /// A keep-alive: `ping` (answered by `pong`) or legacy `ka`.
    KeepAlive,
    Pong,
    /// `payload` is the JSON text of an execution result.
    Next {
        id: &'a str,
        payload: &'a str,
    },
    /// `errors` is the JSON text of an array of GraphQL errors.
    Error {
        id: &'a str,
        errors: &'a str,
    },
    Complete {
        id: &'a str,
    },
}

/// The text of `message` in `protocol`.
pub fn encode(protocol: Protocol, message: ServerMessage<'_>) -> String {
    let legacy = protocol == Protocol::LegacyWs;
    let value = match message {
        ServerMessage::ConnectionAck => json!({ "type": "connection_ack" }),
        ServerMessage::ConnectionError(message) => {
            json!({ "type": "connection_error", "payload": { "message": message } })
        }
        ServerMessage::KeepAlive if legacy => json!({ "type": "ka" }),
        ServerMessage::KeepAlive => json!({ "type": "ping" }),
        ServerMessage::Pong => json!({ "type": "pong" }),
        // Results are already JSON text; they are spliced in rather than parsed again.
        ServerMessage::Next { id, payload } => {
            let kind = if legacy { "data" } else { "next" };
            return format!(
                r#"{{"id":{},"type":"{kind}","payload":{payload}}}"#,
                Value::from(id)
            );
        }
        ServerMessage::Error { id, errors } => {
            return format!(
                r#"{{"id":{},"type":"error","payload":{errors}}}"#,
                Value::from(id)
            );
        }
        ServerMessage::Complete { id } => json!({ "id": id, "type": "complete" }),
    };
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscribe_and_start_are_the_same_operation() {
        let op = r#"{"id":"1","type":"subscribe","payload":{"query":"subscription { x }","variables":{"a":1}}}"#;
        let ClientMessage::Subscribe { id, operation } = parse(Protocol::TransportWs, op).unwrap()
        else {
            panic!("not a subscribe")
        };
        assert_eq!(id, "1");
        assert_eq!(operation.variables["a"], 1);
        let legacy = op.replace("subscribe", "start");
        assert_eq!(
            parse(Protocol::LegacyWs, &legacy).unwrap(),
            parse(Protocol::TransportWs, op).unwrap()
        );
    }

    #[test]
    fn each_subprotocol_knows_only_its_own_types() {
        assert!(parse(Protocol::TransportWs, r#"{"type":"ping"}"#).is_ok());
        assert!(parse(Protocol::LegacyWs, r#"{"type":"ping"}"#).is_err());
        assert!(parse(Protocol::TransportWs, r#"{"type":"stop","id":"1"}"#).is_err());
        assert_eq!(
            parse(Protocol::LegacyWs, r#"{"type":"connection_terminate"}"#).unwrap(),
            ClientMessage::Terminate
        );
    }

    #[test]
    fn malformed_messages_are_errors() {
        for bad in [
            "",
            "[]",
            "{}",
            r#"{"type":7}"#,
            r#"{"type":"subscribe","payload":{"query":"{a}"}}"#,
            r#"{"type":"subscribe","id":"","payload":{"query":"{a}"}}"#,
            r#"{"type":"subscribe","id":"1","payload":{"query":1}}"#,
            r#"{"type":"subscribe","id":"1","payload":{"query":"{a}","variables":[]}}"#,
            r#"{"type":"connection_init","payload":"x"}"#,
            r#"{"type":"complete"}"#,
        ] {
            assert!(parse(Protocol::TransportWs, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_legacy_protocol_spells_next_as_data_and_ping_as_ka() {
        let next = ServerMessage::Next {
            id: "7\"",
            payload: r#"{"data":null}"#,
        };
        let legacy: Value =
            serde_json::from_str(&encode(Protocol::LegacyWs, next.clone())).unwrap();
        assert_eq!(
            legacy,
            json!({"id": "7\"", "type": "data", "payload": {"data": null}})
        );
        let current: Value = serde_json::from_str(&encode(Protocol::TransportWs, next)).unwrap();
        assert_eq!(current["type"], "next");
        assert_eq!(
            encode(Protocol::LegacyWs, ServerMessage::KeepAlive),
            r#"{"type":"ka"}"#
        );
    }
}
