//! The next step an interaction with a client leaves: what, who owes it, by when.

use chrono::{DateTime, NaiveDate, Utc};

use crate::error::{AppError, AppResult};

/// A next step: all three parts, or none (a step nobody owes by no date is no step).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextStep {
    pub what: String,
    pub owner_id: i64,
    pub due: NaiveDate,
}

impl NextStep {
    /// The next step of an input that names its parts separately.
    pub fn from_parts(
        what: Option<String>,
        owner_id: Option<i64>,
        due: Option<NaiveDate>,
    ) -> AppResult<Option<Self>> {
        match (what, owner_id, due) {
            (None, None, None) => Ok(None),
            (Some(what), Some(owner_id), Some(due)) => Ok(Some(Self {
                what,
                owner_id,
                due,
            })),
            _ => Err(AppError::input(
                "nextStep",
                "a next step needs what, an owner (nextStepOwnerId) and a due date (nextStepDue)",
            )),
        }
    }
}

/// Whether a next step due on `due` and not done is overdue on `today` (the policy's
/// calendar day): due before today.
pub fn overdue(due: Option<NaiveDate>, done_at: Option<DateTime<Utc>>, today: NaiveDate) -> bool {
    done_at.is_none() && due.is_some_and(|d| d < today)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    #[test]
    fn a_next_step_is_all_of_what_who_and_when_or_nothing() {
        assert_eq!(NextStep::from_parts(None, None, None).unwrap(), None);
        let step = NextStep::from_parts(Some("send the quote".into()), Some(3), Some(day(4)));
        assert_eq!(step.unwrap().unwrap().owner_id, 3);
        let half = NextStep::from_parts(Some("send the quote".into()), None, Some(day(4)));
        assert_eq!(half.unwrap_err().code(), "BAD_USER_INPUT");
    }

    #[test]
    fn a_step_not_done_is_overdue_from_the_day_after_its_due_date() {
        assert!(
            !overdue(Some(day(4)), None, day(4)),
            "due today is not late"
        );
        assert!(overdue(Some(day(4)), None, day(5)));
        assert!(!overdue(Some(day(4)), Some(Utc::now()), day(9)), "done");
        assert!(!overdue(None, None, day(9)), "no step");
    }
}
