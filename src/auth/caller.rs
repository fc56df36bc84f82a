//! The caller of a request and the permissions that follow from its role.

use entity::ActorKind;

use crate::error::{AppError, AppResult};

/// What a member of the vendor's staff may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StaffRole {
    /// Everything, including users.
    Admin,
    /// Reads and changes all clients' data.
    Staff,
    /// Reads all clients' data, changes nothing.
    ReadOnly,
}

/// Who is asking. Access control hangs off this; the event log records it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Caller {
    /// The server itself: demo data, background jobs.
    System,
    /// No token: sees nothing but `__typename` and introspection.
    Anonymous,
    /// A member of the vendor's staff.
    Staff { user_id: i64, role: StaffRole },
    /// A client contact using the customer portal.
    Contact { contact_id: i64, client_id: i64 },
}

/// Which rows a caller may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every client's data, internal fields included.
    All,
    /// One client's data, portal-visible rows and fields only.
    Client(i64),
}

impl Caller {
    /// The key per-caller limits count under. Anonymous callers can do nothing but
    /// introspect; they share one key.
    pub fn limit_key(&self) -> String {
        match self {
            Caller::Staff { user_id, .. } => format!("user:{user_id}"),
            Caller::Contact { contact_id, .. } => format!("contact:{contact_id}"),
            Caller::Anonymous | Caller::System => "anonymous".to_owned(),
        }
    }

    /// The actor recorded in the event log.
    pub fn actor(&self) -> (ActorKind, Option<i64>) {
        match self {
            Caller::System | Caller::Anonymous => (ActorKind::System, None),
            Caller::Staff { user_id, .. } => (ActorKind::User, Some(*user_id)),
            Caller::Contact { contact_id, .. } => (ActorKind::Contact, Some(*contact_id)),
        }
    }

    /// The member of staff making the call, if it is one.
    pub fn user_id(&self) -> Option<i64> {
        match self {
            Caller::Staff { user_id, .. } => Some(*user_id),
            _ => None,
        }
    }

    /// The rows the caller may read; anonymous callers may read none.
    pub fn scope(&self) -> AppResult<Scope> {
        match self {
            Caller::System | Caller::Staff { .. } => Ok(Scope::All),
            Caller::Contact { client_id, .. } => Ok(Scope::Client(*client_id)),
            Caller::Anonymous => Err(AppError::Unauthenticated),
        }
    }

    /// Staff that may change data (or the system itself).
    pub fn require_staff_write(&self) -> AppResult<()> {
        match self {
            Caller::System
            | Caller::Staff {
                role: StaffRole::Admin | StaffRole::Staff,
                ..
            } => Ok(()),
            Caller::Staff {
                role: StaffRole::ReadOnly,
                ..
            } => Err(AppError::Forbidden(
                "a read-only staff member cannot change data".into(),
            )),
            Caller::Contact { .. } => Err(AppError::Forbidden(
                "only the vendor's staff may do this".into(),
            )),
            Caller::Anonymous => Err(AppError::Unauthenticated),
        }
    }

    /// Any staff member (or the system).
    pub fn require_staff_read(&self) -> AppResult<()> {
        match self {
            Caller::System | Caller::Staff { .. } => Ok(()),
            Caller::Contact { .. } => Err(AppError::Forbidden(
                "only the vendor's staff may do this".into(),
            )),
            Caller::Anonymous => Err(AppError::Unauthenticated),
        }
    }

    /// Administrators (or the system).
    pub fn require_admin(&self) -> AppResult<()> {
        match self {
            Caller::System
            | Caller::Staff {
                role: StaffRole::Admin,
                ..
            } => Ok(()),
            Caller::Anonymous => Err(AppError::Unauthenticated),
            _ => Err(AppError::Forbidden(
                "only an administrator may do this".into(),
            )),
        }
    }

    /// Staff that may change data, or a contact of `client_id` (for the few things the
    /// portal may do: open tickets, comment).
    pub fn require_staff_write_or_contact_of(&self, client_id: i64) -> AppResult<()> {
        match self {
            Caller::Contact { client_id: own, .. } if *own == client_id => Ok(()),
            _ => self.require_staff_write(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_callers_are_unauthenticated_for_everything() {
        let anon = Caller::Anonymous;
        assert_eq!(anon.scope().unwrap_err().code(), "UNAUTHENTICATED");
        assert_eq!(
            anon.require_staff_read().unwrap_err().code(),
            "UNAUTHENTICATED"
        );
        assert_eq!(
            anon.require_staff_write_or_contact_of(1)
                .unwrap_err()
                .code(),
            "UNAUTHENTICATED"
        );
    }

    #[test]
    fn read_only_staff_read_everything_and_change_nothing() {
        let ro = Caller::Staff {
            user_id: 1,
            role: StaffRole::ReadOnly,
        };
        assert_eq!(ro.scope().unwrap(), Scope::All);
        assert_eq!(ro.require_staff_write().unwrap_err().code(), "FORBIDDEN");
        assert_eq!(ro.require_admin().unwrap_err().code(), "FORBIDDEN");
    }

    #[test]
    fn a_contact_acts_only_for_its_own_client() {
        let c = Caller::Contact {
            contact_id: 7,
            client_id: 3,
        };
        assert_eq!(c.scope().unwrap(), Scope::Client(3));
        assert!(c.require_staff_write_or_contact_of(3).is_ok());
        assert_eq!(
            c.require_staff_write_or_contact_of(4).unwrap_err().code(),
            "FORBIDDEN"
        );
        assert_eq!(c.require_staff_read().unwrap_err().code(), "FORBIDDEN");
    }
}
