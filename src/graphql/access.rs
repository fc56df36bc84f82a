//! Who may use each root field, checked before anything else about it.
//!
//! Checked at every root field (by [`super::root`]) and before the arguments are
//! validated (by [`super::preflight`]), so a caller learns nothing about an operation it
//! may not perform: a portal user's `createRisk(likelihood: 9)` is `FORBIDDEN`, not
//! `BAD_USER_INPUT`. A root field not named below needs a signed-in caller (queries,
//! subscriptions: what it sees is then decided by scopes) or a staff member who may
//! write (mutations), so a field added later is protected by default. The services check
//! again, with the objects at hand (a contact acts on its own client's rows only).

use crate::{auth::Caller, error::AppError};

/// What a root field requires of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    SignedIn,
    Staff,
    StaffWrite,
    StaffWriteOrContact,
    Admin,
}

/// Queries that only the vendor's staff may read.
const STAFF_QUERIES: &[&str] = &[
    "users",
    "events",
    "dashboard",
    "interactions",
    "pipeline",
    "surveyReport",
    "outbox",
    "outboxCounts",
];

/// Subscriptions that only the vendor's staff may open: its own alarms.
const STAFF_SUBSCRIPTIONS: &[&str] = &["kickoffAlerts"];

/// Mutations a customer-portal user may call (for its own client's objects).
const PORTAL_MUTATIONS: &[&str] = &[
    "createTicket",
    "addTicketComment",
    "proposeChangeRequest",
    "signAcceptance",
    "recordSatisfaction",
    "addProposalFeedback",
    "changeActionItemStatus",
    "readReport",
    "judgeAcceptanceCriterion",
    "answerSurvey",
    "rateMilestone",
    "uploadDocument",
    "setMailSubscription",
];

/// Mutations of administrators only.
const ADMIN_MUTATIONS: &[&str] = &[
    "createUser",
    "updateUser",
    "createServiceLevelPolicy",
    "updateServiceLevelPolicy",
];

/// What the root field `field` of the root type `root` ("Query", "Mutation",
/// "Subscription") requires.
pub fn needs(root: &str, field: &str) -> Needs {
    match root {
        "Mutation" if PORTAL_MUTATIONS.contains(&field) => Needs::StaffWriteOrContact,
        "Mutation" if ADMIN_MUTATIONS.contains(&field) => Needs::Admin,
        "Mutation" => Needs::StaffWrite,
        "Query" if STAFF_QUERIES.contains(&field) => Needs::Staff,
        "Subscription" if STAFF_SUBSCRIPTIONS.contains(&field) => Needs::Staff,
        _ => Needs::SignedIn,
    }
}

/// Whether `caller` may use a root field that `needs` this.
pub fn check(caller: &Caller, needs: Needs) -> Result<(), AppError> {
    match needs {
        Needs::SignedIn => caller.scope().map(|_| ()),
        Needs::Staff => caller.require_staff_read(),
        Needs::StaffWrite => caller.require_staff_write(),
        Needs::StaffWriteOrContact => match caller {
            Caller::Contact { .. } => Ok(()),
            _ => caller.require_staff_write(),
        },
        Needs::Admin => caller.require_admin(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::StaffRole;

    const CONTACT: Caller = Caller::Contact {
        contact_id: 1,
        client_id: 1,
    };

    fn code(caller: &Caller, root: &str, field: &str) -> &'static str {
        check(caller, needs(root, field)).map_or_else(|e| e.code(), |()| "OK")
    }

    #[test]
    fn a_portal_user_is_refused_staff_mutations_and_queries() {
        assert_eq!(code(&CONTACT, "Mutation", "createRisk"), "FORBIDDEN");
        assert_eq!(
            code(&CONTACT, "Mutation", "someMutationAddedLater"),
            "FORBIDDEN"
        );
        assert_eq!(code(&CONTACT, "Query", "dashboard"), "FORBIDDEN");
        assert_eq!(code(&CONTACT, "Mutation", "createTicket"), "OK");
        assert_eq!(code(&CONTACT, "Query", "projects"), "OK");
    }

    #[test]
    fn read_only_staff_read_but_never_write() {
        let viewer = Caller::Staff {
            user_id: 1,
            role: StaffRole::ReadOnly,
        };
        assert_eq!(code(&viewer, "Query", "dashboard"), "OK");
        assert_eq!(code(&viewer, "Mutation", "createTicket"), "FORBIDDEN");
        assert_eq!(code(&viewer, "Mutation", "createUser"), "FORBIDDEN");
    }

    #[test]
    fn anonymous_callers_reach_no_root_field() {
        for (root, field) in [("Query", "projects"), ("Subscription", "events")] {
            assert_eq!(code(&Caller::Anonymous, root, field), "UNAUTHENTICATED");
        }
    }
}
