//! Acceptance against what was agreed: each criterion passed or failed by the client, and
//! the sign-off that needs them all passed, or a waiver.

use entity::CriterionStatus;

use super::status::Lifecycle;
use crate::error::{AppError, AppResult};

impl Lifecycle for CriterionStatus {
    const ENTITY: &'static str = "acceptance criterion";
    const TRANSITIONS: &'static [(Self, Self)] = {
        use CriterionStatus::*;
        &[
            (Pending, Passed),
            (Pending, Failed),
            // Fixed and tested again; or found wanting after all.
            (Failed, Passed),
            (Passed, Failed),
        ]
    };
}

/// Whether acceptance may be signed over criteria in `statuses`: all passed, or a waiver
/// with its reason.
pub fn check_sign_off(
    statuses: impl IntoIterator<Item = CriterionStatus>,
    waiver: Option<&str>,
) -> AppResult<()> {
    let open = statuses
        .into_iter()
        .filter(|s| *s != CriterionStatus::Passed)
        .count();
    match (open, waiver) {
        (0, _) => Ok(()),
        (_, Some(reason)) if !reason.trim().is_empty() => Ok(()),
        (n, _) => Err(AppError::input(
            "waiverReason",
            format!(
                "{n} acceptance criteria are not passed: pass them, or waive them with a reason"
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CriterionStatus::*;

    #[test]
    fn acceptance_needs_every_criterion_passed_or_a_waiver() {
        assert!(check_sign_off([Passed, Passed], None).is_ok());
        assert!(check_sign_off([], None).is_ok());
        let err = check_sign_off([Passed, Failed, Pending], None).unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT");
        assert!(check_sign_off([Failed], Some(" ")).is_err());
        assert!(check_sign_off([Failed], Some("report export moved to phase two")).is_ok());
    }

    #[test]
    fn a_verdict_can_change_but_never_back_to_pending() {
        assert!(Failed.check(Passed).is_ok());
        assert!(Passed.check(Pending).is_err());
    }
}
