//! Rules of the requirement list.

use entity::Feasibility;

use crate::error::{AppError, AppResult};

/// A requirement that cannot be delivered as asked must say what is offered instead.
pub fn check_alternative(feasibility: Feasibility, alternative: Option<&str>) -> AppResult<()> {
    if feasibility != Feasibility::Feasible && alternative.is_none() {
        return Err(AppError::input(
            "alternative",
            format!("a {feasibility} requirement needs an alternative"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_not_fully_feasible_requirement_needs_an_alternative() {
        assert!(check_alternative(Feasibility::Feasible, None).is_ok());
        assert!(check_alternative(Feasibility::Partial, None).is_err());
        assert!(check_alternative(Feasibility::NotFeasible, Some("phase two")).is_ok());
    }
}
