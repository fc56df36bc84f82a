//! Where each milestone stands for a dashboard, and a project's progress.

use chrono::NaiveDate;
use entity::StageStatus;

/// How near a stage's due date is, in days, when it is DUE_SOON.
pub const DUE_SOON_DAYS: i64 = 7;

/// A stage's standing for dashboards, computed from its status and due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum MilestoneState {
    /// Done.
    Done,
    /// Not done and past its due date.
    Overdue,
    /// Not done, due within the next 7 days.
    DueSoon,
    /// The first stage of the plan not done yet (and not overdue or due soon).
    Next,
    /// Later in the plan.
    Upcoming,
}

/// What the computation needs of a stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Milestone {
    pub id: i64,
    pub position: i32,
    pub status: StageStatus,
    pub due: Option<NaiveDate>,
}

impl Milestone {
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status != StageStatus::Done && self.due.is_some_and(|d| d < today)
    }
}

/// The state of `stage` within its project's `plan` (all its stages) on `today`.
pub fn state(stage: &Milestone, plan: &[Milestone], today: NaiveDate) -> MilestoneState {
    if stage.status == StageStatus::Done {
        return MilestoneState::Done;
    }
    if stage.is_overdue(today) {
        return MilestoneState::Overdue;
    }
    if stage
        .due
        .is_some_and(|d| (d - today).num_days() <= DUE_SOON_DAYS)
    {
        return MilestoneState::DueSoon;
    }
    let next = plan
        .iter()
        .filter(|s| s.status != StageStatus::Done)
        .min_by_key(|s| (s.position, s.id));
    if next.is_some_and(|n| n.id == stage.id) {
        MilestoneState::Next
    } else {
        MilestoneState::Upcoming
    }
}

/// Share of the plan's stages done, 0-100; `None` for a project without a plan.
pub fn progress_percent(plan: &[Milestone]) -> Option<i32> {
    if plan.is_empty() {
        return None;
    }
    let done = plan
        .iter()
        .filter(|s| s.status == StageStatus::Done)
        .count();
    i32::try_from(done * 100 / plan.len()).ok()
}

/// Whether a milestone slipped: a date the client was given (whenever the stage was
/// created, before or during the period) and then moved later. A date first given, or
/// taken away, is no slip. `Some((from, to))` when it slipped.
pub fn slipped(given: Option<NaiveDate>, now: Option<NaiveDate>) -> Option<(NaiveDate, NaiveDate)> {
    let (from, to) = (given?, now?);
    (to > from).then_some((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_given_and_moved_later_is_a_slip_and_nothing_else_is() {
        assert_eq!(
            slipped(Some(day(7)), Some(day(14))),
            Some((day(7), day(14)))
        );
        assert_eq!(
            slipped(Some(day(14)), Some(day(7))),
            None,
            "earlier is no slip"
        );
        assert_eq!(slipped(None, Some(day(7))), None, "a first date is no slip");
        assert_eq!(
            slipped(Some(day(7)), None),
            None,
            "a date taken away is no slip"
        );
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn stage(id: i64, status: StageStatus, due: Option<u32>) -> Milestone {
        Milestone {
            id,
            position: i32::try_from(id).unwrap(),
            status,
            due: due.map(day),
        }
    }

    #[test]
    fn each_stage_gets_its_standing() {
        use StageStatus::*;
        let plan = [
            stage(1, Done, Some(1)),
            stage(2, InProgress, Some(10)),
            stage(3, NotStarted, Some(25)),
            stage(4, Blocked, Some(28)),
            stage(5, NotStarted, None),
        ];
        let today = day(20);
        let states: Vec<_> = plan.iter().map(|s| state(s, &plan, today)).collect();
        assert_eq!(
            states,
            [
                MilestoneState::Done,
                MilestoneState::Overdue,
                MilestoneState::DueSoon,
                MilestoneState::Upcoming,
                MilestoneState::Upcoming,
            ]
        );
        // Due today is not overdue; the first open stage without a near date is NEXT.
        let plan = [stage(1, Done, None), stage(2, NotStarted, Some(30))];
        assert_eq!(state(&plan[1], &plan, day(1)), MilestoneState::Next);
        assert_eq!(state(&plan[1], &plan, day(30)), MilestoneState::DueSoon);
        assert!(!plan[1].is_overdue(day(30)));
    }

    #[test]
    fn progress_is_the_share_of_stages_done() {
        use StageStatus::*;
        assert_eq!(progress_percent(&[]), None);
        let plan = [
            stage(1, Done, None),
            stage(2, Done, None),
            stage(3, InProgress, None),
        ];
        assert_eq!(progress_percent(&plan), Some(66));
        assert_eq!(progress_percent(&plan[..2]), Some(100));
    }
}
