//! What a progress report says, and its road from draft to the client.
//!
//! The source documents' daily note is about 100 words: progress, what is next and by
//! when ("server deployment 80 % done, rest by 12:00 tomorrow"); the weekly report has
//! progress, problems and next week's plan. A report given in those parts is sent as the
//! text composed from them.

use chrono::NaiveDate;
use entity::{ReportKind, ReportStatus};

use super::status::Lifecycle;
use crate::error::{AppError, AppResult};

impl Lifecycle for ReportStatus {
    const ENTITY: &'static str = "report";
    /// Published is final: what the client was sent stays as sent.
    const TRANSITIONS: &'static [(Self, Self)] = &[(ReportStatus::Draft, ReportStatus::Published)];
}

/// The parts of a report as given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parts {
    pub body: Option<String>,
    pub progress: Option<String>,
    pub problems: Option<String>,
    pub plan: Option<String>,
    pub next_by: Option<NaiveDate>,
}

/// The text a report is sent as: the body given, or one composed from the parts its kind
/// needs (a daily note: progress and what is next; a weekly report: progress and next
/// week's plan, problems when there are any).
pub fn compose(kind: ReportKind, p: &Parts) -> AppResult<String> {
    if let Some(body) = &p.body {
        return Ok(body.clone());
    }
    let (Some(progress), Some(plan)) = (&p.progress, &p.plan) else {
        return Err(AppError::input(
            "body",
            match kind {
                ReportKind::MilestoneReview => "a milestone review needs its body",
                _ => "give the body, or the progress and what is next (plan)",
            },
        ));
    };
    if kind == ReportKind::MilestoneReview {
        return Err(AppError::input("body", "a milestone review needs its body"));
    }
    let by = p
        .next_by
        .map(|d| format!(" by {}", d.format("%Y-%m-%d")))
        .unwrap_or_default();
    Ok(match kind {
        ReportKind::Weekly => format!(
            "Progress: {progress}\nProblems: {}\nNext week: {plan}{by}",
            p.problems.as_deref().unwrap_or("none")
        ),
        _ => format!("{progress}. Next: {plan}{by}."),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(progress: &str, plan: &str) -> Parts {
        Parts {
            progress: Some(progress.into()),
            plan: Some(plan.into()),
            ..Parts::default()
        }
    }

    #[test]
    fn a_daily_note_says_progress_and_what_is_next_by_when() {
        let mut p = parts("Server deployment 80 % done", "the rest");
        p.next_by = NaiveDate::from_ymd_opt(2026, 12, 4);
        assert_eq!(
            compose(ReportKind::Daily, &p).unwrap(),
            "Server deployment 80 % done. Next: the rest by 2026-12-04."
        );
    }

    #[test]
    fn a_weekly_report_has_problems_and_next_weeks_plan() {
        let mut p = parts("Gateways installed", "ERP export");
        p.problems = Some("VPN access pending".into());
        assert_eq!(
            compose(ReportKind::Weekly, &p).unwrap(),
            "Progress: Gateways installed\nProblems: VPN access pending\nNext week: ERP export"
        );
    }

    #[test]
    fn a_body_given_is_sent_as_given_and_a_report_needs_one_or_the_parts() {
        let p = Parts {
            body: Some("All hardware delivered".into()),
            ..Parts::default()
        };
        assert_eq!(
            compose(ReportKind::MilestoneReview, &p).unwrap(),
            "All hardware delivered"
        );
        let half = Parts {
            progress: Some("x".into()),
            ..Parts::default()
        };
        assert_eq!(
            compose(ReportKind::Daily, &half).unwrap_err().code(),
            "BAD_USER_INPUT"
        );
        assert!(compose(ReportKind::MilestoneReview, &parts("x", "y")).is_err());
    }

    #[test]
    fn what_was_published_stays_published() {
        assert!(ReportStatus::Draft.check(ReportStatus::Published).is_ok());
        assert!(ReportStatus::Published.check(ReportStatus::Draft).is_err());
    }
}
