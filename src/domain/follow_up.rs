//! The satisfaction follow-up of a resolved ticket: due within 3 working days of the
//! resolution, on the service-level policy's business calendar.

use chrono::{DateTime, Utc};

use super::calendar::Calendar;
use crate::error::{AppError, AppResult};

/// Working days the customer-success manager has to ask for a score (DOMAIN, step 8).
pub const WORKING_DAYS: u32 = 3;

/// When the follow-up of a ticket resolved at `resolved_at` is due; `None` only for a
/// calendar with no working day ahead.
pub fn due_at(calendar: &Calendar, resolved_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    calendar.end_of_working_days(resolved_at, WORKING_DAYS)
}

/// A satisfaction score: 1 (very dissatisfied) to 5 (very satisfied).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Score(u8);

impl Score {
    pub const MIN: i32 = 1;
    pub const MAX: i32 = 5;

    pub fn new(value: i32) -> AppResult<Self> {
        u8::try_from(value)
            .ok()
            .filter(|v| (1..=5).contains(v))
            .map(Self)
            .ok_or_else(|| AppError::input("score", "must be between 1 and 5"))
    }

    pub fn get(self) -> i32 {
        i32::from(self.0)
    }

    /// 0 for a score of 1, 4 for a score of 5.
    pub fn index(self) -> usize {
        usize::from(self.0 - 1)
    }
}

/// Where a follow-up stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum FollowUpState {
    /// Waiting for the customer's score, still within its deadline.
    Pending,
    /// Waiting for the customer's score, past its deadline.
    Overdue,
    /// The score is recorded.
    Done,
    /// The ticket was reopened before a score was recorded; the next resolution brings
    /// a new follow-up.
    Cancelled,
}

impl FollowUpState {
    pub fn of(
        scored: bool,
        cancelled: bool,
        due_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> FollowUpState {
        match (scored, cancelled) {
            (true, _) => Self::Done,
            (false, true) => Self::Cancelled,
            (false, false) if now > due_at => Self::Overdue,
            (false, false) => Self::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    #[test]
    fn scores_are_one_to_five() {
        assert!(Score::new(0).is_err());
        assert!(Score::new(6).is_err());
        assert!(Score::new(-3).is_err());
        assert_eq!(Score::new(1).unwrap().get(), 1);
        assert_eq!(Score::new(5).unwrap().get(), 5);
    }

    #[test]
    fn a_follow_up_is_overdue_only_after_its_deadline_and_while_unscored() {
        let due = Utc.with_ymd_and_hms(2026, 11, 19, 10, 0, 0).unwrap();
        let before = due - Duration::minutes(1);
        let after = due + Duration::minutes(1);
        assert_eq!(
            FollowUpState::of(false, false, due, before),
            FollowUpState::Pending
        );
        assert_eq!(
            FollowUpState::of(false, false, due, due),
            FollowUpState::Pending
        );
        assert_eq!(
            FollowUpState::of(false, false, due, after),
            FollowUpState::Overdue
        );
        assert_eq!(
            FollowUpState::of(true, false, due, after),
            FollowUpState::Done
        );
        assert_eq!(
            FollowUpState::of(false, true, due, after),
            FollowUpState::Cancelled
        );
    }

    #[test]
    fn the_deadline_is_three_working_days() {
        let cal = Calendar::AllHours;
        let at = Utc.with_ymd_and_hms(2026, 11, 16, 7, 0, 0).unwrap();
        assert_eq!(due_at(&cal, at), Some(at + Duration::days(3)));
    }
}
