//! Meetings of a project: their lifecycle, and who may see them.

use entity::MeetingStatus;

use super::status::Lifecycle;

impl Lifecycle for MeetingStatus {
    const ENTITY: &'static str = "meeting";
    const TRANSITIONS: &'static [(Self, Self)] = {
        use MeetingStatus::*;
        &[
            (Scheduled, Held),
            (Scheduled, Cancelled),
            // Put back on the calendar.
            (Cancelled, Scheduled),
        ]
    };
}

/// A meeting is the client's to see when any of its contacts attends; the vendor's own
/// meetings (an internal solution review) are not.
pub fn with_client(contact_ids: &[i64]) -> bool {
    !contact_ids.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_meeting_stays_held() {
        use MeetingStatus::*;
        assert!(Scheduled.check(Held).is_ok());
        assert_eq!(
            Held.check(Scheduled).unwrap_err().code(),
            "INVALID_TRANSITION"
        );
        assert!(Held.check(Cancelled).is_err());
    }

    #[test]
    fn only_a_meeting_with_a_client_contact_is_the_clients() {
        assert!(with_client(&[4]));
        assert!(!with_client(&[]));
    }
}
