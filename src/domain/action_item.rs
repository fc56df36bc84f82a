//! Action items on both sides: who owes one, when it is overdue, and what a stage's
//! items say of its progress.

use chrono::NaiveDate;
use entity::ActionItemStatus;

use super::status::Lifecycle;
use crate::error::{AppError, AppResult};

/// Who owes an action item: the vendor's side or the customer's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignee {
    /// A user of the vendor.
    Vendor(i64),
    /// A contact of the client: "provide the interface protocol by Friday".
    Customer(i64),
}

impl Assignee {
    /// The assignee of an input that names a user or a contact: exactly one of the two.
    pub fn from_parts(user_id: Option<i64>, contact_id: Option<i64>) -> AppResult<Self> {
        match (user_id, contact_id) {
            (Some(u), None) => Ok(Self::Vendor(u)),
            (None, Some(c)) => Ok(Self::Customer(c)),
            _ => Err(AppError::input(
                "assignee",
                "an action item is owed by one vendor user (assigneeUserId) or one client contact (assigneeContactId), not both nor neither",
            )),
        }
    }

    /// The assignee of a stored row (whose columns hold exactly one, by a CHECK).
    pub fn of_row(user_id: Option<i64>, contact_id: Option<i64>) -> Option<Self> {
        Self::from_parts(user_id, contact_id).ok()
    }

    pub fn user_id(self) -> Option<i64> {
        match self {
            Self::Vendor(u) => Some(u),
            Self::Customer(_) => None,
        }
    }

    pub fn contact_id(self) -> Option<i64> {
        match self {
            Self::Customer(c) => Some(c),
            Self::Vendor(_) => None,
        }
    }
}

/// The side that owes an item, for filters and the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum Side {
    Vendor,
    Customer,
}

impl Assignee {
    pub fn side(self) -> Side {
        match self {
            Self::Vendor(_) => Side::Vendor,
            Self::Customer(_) => Side::Customer,
        }
    }
}

impl Lifecycle for ActionItemStatus {
    const ENTITY: &'static str = "action item";
    const TRANSITIONS: &'static [(Self, Self)] = {
        use ActionItemStatus::*;
        &[
            (Open, Done),
            (Open, Cancelled),
            // Done too soon: the customer's document did not arrive after all.
            (Done, Open),
            (Cancelled, Open),
        ]
    };
}

/// Whether an item is still owed.
pub fn is_open(status: ActionItemStatus) -> bool {
    status == ActionItemStatus::Open
}

/// Whether an open item due on `due` is overdue on `today` (the policy's calendar day).
pub fn overdue(status: ActionItemStatus, due: Option<NaiveDate>, today: NaiveDate) -> bool {
    is_open(status) && due.is_some_and(|d| d < today)
}

/// What a stage's action items say of its progress: cancelled items do not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
}

impl Progress {
    pub fn of(statuses: impl IntoIterator<Item = ActionItemStatus>) -> Self {
        statuses.into_iter().fold(Self::default(), |p, s| match s {
            ActionItemStatus::Done => Self {
                done: p.done + 1,
                total: p.total + 1,
            },
            ActionItemStatus::Open => Self {
                total: p.total + 1,
                ..p
            },
            ActionItemStatus::Cancelled => p,
        })
    }

    /// Whole percent done, rounded down; `None` when the stage has no items.
    pub fn percent(self) -> Option<i32> {
        (self.total > 0).then(|| (self.done * 100 / self.total) as i32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    #[test]
    fn an_item_is_owed_by_exactly_one_side() {
        assert_eq!(
            Assignee::from_parts(Some(3), None).unwrap(),
            Assignee::Vendor(3)
        );
        assert_eq!(
            Assignee::from_parts(None, Some(4)).unwrap().side(),
            Side::Customer
        );
        for bad in [(None, None), (Some(1), Some(2))] {
            let err = Assignee::from_parts(bad.0, bad.1).unwrap_err();
            assert_eq!(err.code(), "BAD_USER_INPUT");
        }
    }

    #[test]
    fn only_an_open_item_due_before_today_is_overdue() {
        use ActionItemStatus::*;
        assert!(overdue(Open, Some(day(2)), day(3)));
        assert!(
            !overdue(Open, Some(day(3)), day(3)),
            "due today is not late"
        );
        assert!(!overdue(Done, Some(day(1)), day(3)));
        assert!(!overdue(Cancelled, Some(day(1)), day(3)));
        assert!(!overdue(Open, None, day(3)));
    }

    #[test]
    fn progress_counts_done_of_what_is_not_cancelled() {
        use ActionItemStatus::*;
        let p = Progress::of([Done, Open, Cancelled, Done, Open]);
        assert_eq!((p.done, p.total), (2, 4));
        assert_eq!(p.percent(), Some(50));
        assert_eq!(Progress::of([Cancelled]).percent(), None);
        assert_eq!(Progress::of([Done, Done, Open]).percent(), Some(66));
    }

    #[test]
    fn a_cancelled_item_can_be_reopened_but_not_completed() {
        use ActionItemStatus::*;
        assert!(Cancelled.check(Open).is_ok());
        assert_eq!(
            Cancelled.check(Done).unwrap_err().code(),
            "INVALID_TRANSITION"
        );
    }
}
