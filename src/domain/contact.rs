//! A client's contacts: who is still there, and handing a departed one's work over.

use entity::ContactStatus;

use super::status::Lifecycle;
use crate::error::{AppError, AppResult};

impl Lifecycle for ContactStatus {
    const ENTITY: &'static str = "contact";
    /// Leaving is final: someone who comes back is a new contact, with new access.
    const TRANSITIONS: &'static [(Self, Self)] = &[(ContactStatus::Active, ContactStatus::Left)];
}

/// Checks a handover from `leaving` to `successor` (their ids, clients and statuses).
pub fn check_successor(leaving: (i64, i64), successor: (i64, i64, ContactStatus)) -> AppResult<()> {
    let (id, client) = leaving;
    let (s_id, s_client, s_status) = successor;
    if s_id == id {
        return Err(AppError::input(
            "successorId",
            "a contact cannot succeed itself",
        ));
    }
    if s_client != client {
        return Err(AppError::input(
            "successorId",
            "a contact of another client",
        ));
    }
    if s_status != ContactStatus::Active {
        return Err(AppError::input("successorId", "the successor has left too"));
    }
    Ok(())
}

/// The attendees of a meeting after `from` hands over to `to`: `to` in `from`'s place,
/// once.
pub fn hand_over(attendees: &[i64], from: i64, to: i64) -> Vec<i64> {
    let mut out = Vec::with_capacity(attendees.len());
    for id in attendees {
        let id = if *id == from { to } else { *id };
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_successor_is_another_active_contact_of_the_same_client() {
        use ContactStatus::*;
        assert!(check_successor((1, 10), (2, 10, Active)).is_ok());
        for bad in [(1, 10, Active), (2, 11, Active), (2, 10, Left)] {
            let err = check_successor((1, 10), bad).unwrap_err();
            assert_eq!(err.code(), "BAD_USER_INPUT");
        }
    }

    #[test]
    fn the_successor_takes_the_seat_once() {
        assert_eq!(hand_over(&[1, 2, 3], 2, 4), vec![1, 4, 3]);
        assert_eq!(hand_over(&[1, 2, 3], 2, 3), vec![1, 3]);
        assert_eq!(hand_over(&[1, 3], 2, 4), vec![1, 3]);
    }

    #[test]
    fn leaving_is_final() {
        assert!(ContactStatus::Active.check(ContactStatus::Left).is_ok());
        assert!(ContactStatus::Left.check(ContactStatus::Active).is_err());
    }
}
