//! Rules of the requirement list and of its confirmation sheet: once signed, the list
//! is frozen, and only an approved change request amends it, as a new signed version.

use entity::{Feasibility, RequirementCategory, requirement};
use serde::{Deserialize, Serialize};

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

/// Requirements are edited freely until the sheet is signed; after that, only through
/// change requests.
pub fn check_unsigned(signed_version: Option<i32>) -> AppResult<()> {
    match signed_version {
        None => Ok(()),
        Some(v) => Err(AppError::Conflict(format!(
            "the requirement sheet is signed (version {v}) and frozen: propose a change request"
        ))),
    }
}

/// One requirement as a sheet version records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agreed {
    pub requirement_id: i64,
    pub title: String,
    pub detail: Option<String>,
    pub category: RequirementCategory,
    pub feasibility: Feasibility,
    pub alternative: Option<String>,
    pub in_scope: bool,
    pub scope_note: Option<String>,
}

impl From<&requirement::Model> for Agreed {
    fn from(r: &requirement::Model) -> Self {
        Self {
            requirement_id: r.id,
            title: r.title.clone(),
            detail: r.detail.clone(),
            category: r.category,
            feasibility: r.feasibility,
            alternative: r.alternative.clone(),
            in_scope: r.in_scope,
            scope_note: r.scope_note.clone(),
        }
    }
}

/// A requirement a change request adds to the scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Addition {
    pub title: String,
    pub detail: Option<String>,
    pub category: RequirementCategory,
    pub feasibility: Feasibility,
    pub alternative: Option<String>,
    pub scope_note: Option<String>,
}

/// What a change request does to the requirement list when approved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeChange {
    pub add: Vec<Addition>,
    /// Requirements taken out of scope.
    pub descope: Vec<i64>,
}

impl ScopeChange {
    /// At most this many lines per change request.
    pub const MAX_LINES: usize = 100;

    pub fn check(&self) -> AppResult<()> {
        if self.add.len() + self.descope.len() > Self::MAX_LINES {
            return Err(AppError::input(
                "scopeChange",
                format!("at most {} lines per change request", Self::MAX_LINES),
            ));
        }
        for a in &self.add {
            check_alternative(a.feasibility, a.alternative.as_deref()).map_err(|_| {
                AppError::input(
                    "scopeChange.add.alternative",
                    format!(
                        "{:?} is {} and needs an alternative",
                        a.title, a.feasibility
                    ),
                )
            })?;
        }
        let mut ids = self.descope.clone();
        ids.sort_unstable();
        ids.dedup();
        if ids.len() != self.descope.len() {
            return Err(AppError::input(
                "scopeChange.descope",
                "a requirement is named twice",
            ));
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.descope.is_empty()
    }
}

/// Effort in tenths of a person-day, from the person-days a caller gives (1.5 -> 15).
pub fn effort_tenths(person_days: f64) -> AppResult<i32> {
    let tenths = person_days * 10.0;
    if !tenths.is_finite() || !(0.0..=1_000_000.0).contains(&tenths) {
        return Err(AppError::input(
            "effortPersonDays",
            "the effort must be between 0 and 100000 person-days",
        ));
    }
    if (tenths - tenths.round()).abs() > 1e-6 {
        return Err(AppError::input(
            "effortPersonDays",
            "the effort is counted in tenths of a person-day",
        ));
    }
    Ok(tenths.round() as i32)
}

/// Effort and cost added up over requirements, cost per currency.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub effort_tenth_days: i64,
    /// `(currency, minor units)`, in currency order.
    pub cost: Vec<(String, i64)>,
    /// Requirements counted that carry no estimate yet.
    pub unestimated: i64,
}

impl Totals {
    pub fn add(&mut self, r: &requirement::Model) {
        if let Some(e) = r.effort_tenth_days {
            self.effort_tenth_days += i64::from(e);
        }
        if let (Some(minor), Some(currency)) = (r.cost_minor, &r.cost_currency) {
            match self.cost.iter_mut().find(|(c, _)| c == currency) {
                Some((_, sum)) => *sum = sum.saturating_add(minor),
                None => {
                    self.cost.push((currency.clone(), minor));
                    self.cost.sort();
                }
            }
        }
        if r.effort_tenth_days.is_none() && r.cost_minor.is_none() {
            self.unestimated += 1;
        }
    }
}

/// The totals of a requirement list in scope and out of it (the analysis report).
pub fn totals<'a>(rows: impl IntoIterator<Item = &'a requirement::Model>) -> (Totals, Totals) {
    let (mut inside, mut outside) = (Totals::default(), Totals::default());
    for r in rows {
        if r.in_scope {
            inside.add(r);
        } else {
            outside.add(r);
        }
    }
    (inside, outside)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effort_is_kept_in_tenths_of_a_person_day() {
        assert_eq!(effort_tenths(1.5).unwrap(), 15);
        assert_eq!(effort_tenths(0.0).unwrap(), 0);
        assert_eq!(effort_tenths(12.3).unwrap(), 123);
        assert!(effort_tenths(1.25).is_err());
        assert!(effort_tenths(-1.0).is_err());
        assert!(effort_tenths(f64::NAN).is_err());
    }

    #[test]
    fn totals_split_in_and_out_of_scope_with_cost_per_currency() {
        let row = |in_scope, effort, cost: Option<(i64, &str)>| requirement::Model {
            id: 1,
            project_id: 1,
            title: "x".into(),
            detail: None,
            category: RequirementCategory::Core,
            feasibility: Feasibility::Feasible,
            alternative: None,
            in_scope,
            scope_note: None,
            nature: None,
            effort_tenth_days: effort,
            cost_minor: cost.map(|c| c.0),
            cost_currency: cost.map(|c| c.1.to_owned()),
            resources: None,
            analysed_by: None,
            analysed_at: None,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
            version: 1,
        };
        let (inside, outside) = totals(&[
            row(true, Some(15), Some((100, "CNY"))),
            row(true, Some(5), Some((50, "CNY"))),
            row(true, None, Some((7, "USD"))),
            row(false, Some(30), None),
            row(false, None, None),
        ]);
        assert_eq!(inside.effort_tenth_days, 20);
        assert_eq!(inside.cost, vec![("CNY".into(), 150), ("USD".into(), 7)]);
        assert_eq!(outside.effort_tenth_days, 30);
        assert_eq!(outside.unestimated, 1);
    }

    #[test]
    fn a_signed_sheet_is_frozen() {
        assert!(check_unsigned(None).is_ok());
        assert!(matches!(
            check_unsigned(Some(2)).unwrap_err(),
            AppError::Conflict(m) if m.contains("version 2")
        ));
    }

    #[test]
    fn a_scope_change_is_checked_line_by_line() {
        let add = |feasibility, alternative: Option<&str>| Addition {
            title: "Dashboards".into(),
            detail: None,
            category: RequirementCategory::Expected,
            feasibility,
            alternative: alternative.map(str::to_owned),
            scope_note: None,
        };
        let ok = ScopeChange {
            add: vec![add(Feasibility::Feasible, None)],
            descope: vec![3, 4],
        };
        assert!(ok.check().is_ok());
        assert!(!ok.is_empty());
        assert!(ScopeChange::default().is_empty());
        let no_alternative = ScopeChange {
            add: vec![add(Feasibility::Partial, None)],
            descope: vec![],
        };
        assert!(no_alternative.check().is_err());
        let twice = ScopeChange {
            add: vec![],
            descope: vec![3, 3],
        };
        assert!(twice.check().is_err());
    }

    #[test]
    fn a_not_fully_feasible_requirement_needs_an_alternative() {
        assert!(check_alternative(Feasibility::Feasible, None).is_ok());
        assert!(check_alternative(Feasibility::Partial, None).is_err());
        assert!(check_alternative(Feasibility::NotFeasible, Some("phase two")).is_ok());
    }
}
