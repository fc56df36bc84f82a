//! Opaque global ids (Relay): `base64url("Type:id")`.
//!
//! Clients must treat ids as opaque; the type prefix lets `node(id:)` find the object and
//! lets every argument check that it was given an id of the right kind.

use async_graphql::ID;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::error::{AppError, AppResult};

macro_rules! node_kinds {
    ($($kind:ident),+ $(,)?) => {
        /// The object types that have global ids.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum NodeKind { $($kind),+ }

        impl NodeKind {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$kind => stringify!($kind)),+ }
            }

            fn parse(s: &str) -> Option<Self> {
                match s { $(stringify!($kind) => Some(Self::$kind),)+ _ => None }
            }
        }
    };
}

node_kinds!(
    User,
    Client,
    Contact,
    Project,
    TeamMember,
    Requirement,
    Stage,
    Risk,
    Ticket,
    TicketComment,
    Report,
    Event,
    ServiceLevelPolicy,
    ChangeRequest,
    RequirementSheet,
    Interaction,
    ProposalVersion,
    ProposalReview,
    ProposalFeedback,
    NegotiationRound,
    NegotiationTerm,
    Contract,
    Meeting,
    ActionItem,
    AcceptanceCriterion,
    Survey,
    Document,
    Webhook,
    OutboxMessage
);

pub fn encode(kind: NodeKind, id: i64) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", kind.as_str())))
}

/// The kind and database id behind a global id.
pub fn decode(field: &str, id: &ID) -> AppResult<(NodeKind, i64)> {
    let invalid = || AppError::input(field, format!("{field} is not a valid id"));
    let raw = URL_SAFE_NO_PAD
        .decode(id.as_str().trim_end_matches('='))
        .map_err(|_| invalid())?;
    let raw = String::from_utf8(raw).map_err(|_| invalid())?;
    let (kind, num) = raw.split_once(':').ok_or_else(invalid)?;
    let kind = NodeKind::parse(kind).ok_or_else(invalid)?;
    let num = num
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(invalid)?;
    Ok((kind, num))
}

/// The database id behind a global id that must be of `kind`.
pub fn decode_as(field: &str, id: &ID, kind: NodeKind) -> AppResult<i64> {
    match decode(field, id)? {
        (k, n) if k == kind => Ok(n),
        _ => Err(AppError::input(
            field,
            format!("{field} is not a {} id", kind.as_str()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        let id = encode(NodeKind::Project, 42);
        assert_eq!(decode("id", &id).unwrap(), (NodeKind::Project, 42));
        assert_eq!(decode_as("id", &id, NodeKind::Project).unwrap(), 42);
    }

    #[test]
    fn an_id_of_another_kind_is_refused() {
        let id = encode(NodeKind::Client, 1);
        let err = decode_as("projectId", &id, NodeKind::Project).unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT");
    }

    #[test]
    fn garbage_ids_are_refused() {
        for bad in [
            "",
            "!!!",
            "UHJvamVjdA",
            "UHJvamVjdDphYmM",
            "Rm9vOjE",
            "UHJvamVjdDotMQ",
        ] {
            assert!(decode("id", &ID(bad.into())).is_err(), "{bad}");
        }
    }
}
