//! A contract's way to signature (DOMAIN, step 4): drafted by legal, reviewed, sent to
//! the client, signed by the client, countersigned, archived.

use chrono::{DateTime, Utc};
use entity::{ActorKind, ContractStatus};
use serde::{Deserialize, Serialize};

use super::status::Lifecycle;

impl Lifecycle for ContractStatus {
    const ENTITY: &'static str = "contract";
    const TRANSITIONS: &'static [(Self, Self)] = {
        use ContractStatus::*;
        &[
            (Drafting, LegalReview),
            // Legal sends it back, or the client asks for changes before signing.
            (LegalReview, Drafting),
            (LegalReview, Sent),
            (Sent, Drafting),
            (Sent, ClientSigned),
            (ClientSigned, Countersigned),
            (Countersigned, Archived),
        ]
    };
}

/// Whether a contract in `status` waits for a signature (the client's or ours).
pub fn awaits_signature(status: ContractStatus) -> bool {
    matches!(status, ContractStatus::Sent | ContractStatus::ClientSigned)
}

/// Whether the client has the contract in hand, so its state is theirs to see.
pub fn shown_to_client(status: ContractStatus) -> bool {
    !matches!(
        status,
        ContractStatus::Drafting | ContractStatus::LegalReview
    )
}

/// One step of a contract: what it became, when, by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub status: ContractStatus,
    pub at: DateTime<Utc>,
    pub actor_kind: ActorKind,
    pub actor_id: Option<i64>,
    pub note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use ContractStatus::*;

    #[test]
    fn a_contract_is_countersigned_only_after_the_client_signed() {
        assert!(ClientSigned.can_become(Countersigned));
        assert!(!Sent.can_become(Countersigned));
        assert!(!Drafting.can_become(Sent), "legal reviews first");
        assert_eq!(
            Archived.check(Drafting).unwrap_err().code(),
            "INVALID_TRANSITION"
        );
    }

    #[test]
    fn the_client_sees_a_contract_once_sent_and_it_waits_until_countersigned() {
        assert!(!shown_to_client(LegalReview));
        assert!(shown_to_client(Sent));
        assert!(awaits_signature(Sent) && awaits_signature(ClientSigned));
        assert!(!awaits_signature(Countersigned));
    }
}
