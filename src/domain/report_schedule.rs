//! The report schedule of a project: during delivery a daily or weekly progress report
//! is due, counted like the other clocks.

use chrono::{DateTime, Duration, Utc};
use entity::{ProjectStatus, ReportKind};

use super::calendar::Calendar;
use crate::error::{AppError, AppResult};

/// The phases in which progress reports are owed.
pub fn applies(status: ProjectStatus) -> bool {
    matches!(status, ProjectStatus::Execution | ProjectStatus::Acceptance)
}

/// A cadence a schedule can have: milestone reviews come with milestones, not a clock.
pub fn check_cadence(cadence: ReportKind) -> AppResult<ReportKind> {
    match cadence {
        ReportKind::Daily | ReportKind::Weekly => Ok(cadence),
        ReportKind::MilestoneReview => Err(AppError::input(
            "cadence",
            "reports are due DAILY or WEEKLY; milestone reviews follow the milestones",
        )),
    }
}

/// When the next report is due: a daily one by the end of the next working day, a weekly
/// one 7 days after the last (or after the schedule started, before the first report).
pub fn due_at(
    cadence: ReportKind,
    since: DateTime<Utc>,
    last_report: Option<DateTime<Utc>>,
    calendar: &Calendar,
) -> Option<DateTime<Utc>> {
    let from = last_report.map_or(since, |last| last.max(since));
    match cadence {
        ReportKind::Daily => calendar.end_of_working_days(from, 1),
        ReportKind::Weekly => from.checked_add_signed(Duration::days(7)),
        ReportKind::MilestoneReview => None,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn weekly_reports_are_due_seven_days_after_the_last() {
        let since = Utc.with_ymd_and_hms(2026, 11, 2, 1, 0, 0).unwrap();
        let last = Utc.with_ymd_and_hms(2026, 11, 9, 3, 0, 0).unwrap();
        let cal = Calendar::AllHours;
        assert_eq!(
            due_at(ReportKind::Weekly, since, None, &cal),
            Some(since + Duration::days(7))
        );
        assert_eq!(
            due_at(ReportKind::Weekly, since, Some(last), &cal),
            Some(last + Duration::days(7))
        );
        // A report older than the schedule's start does not count.
        assert_eq!(
            due_at(ReportKind::Weekly, last, Some(since), &cal),
            Some(last + Duration::days(7))
        );
        assert_eq!(
            due_at(ReportKind::Daily, since, None, &cal),
            Some(since + Duration::days(1))
        );
    }

    #[test]
    fn only_daily_and_weekly_are_cadences() {
        assert!(check_cadence(ReportKind::Weekly).is_ok());
        assert!(check_cadence(ReportKind::MilestoneReview).is_err());
        assert!(applies(ProjectStatus::Execution));
        assert!(!applies(ProjectStatus::AfterSales));
    }
}
