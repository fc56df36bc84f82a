//! Rules of a solution proposal (DOMAIN, step 3): a version's quote and its items, the
//! internal review a version needs before the client sees it, and what changed from one
//! version to the next.

use std::collections::BTreeSet;

use entity::{ProposalStatus, ReviewVerdict, ReviewerRole};
use serde::{Deserialize, Serialize};

use super::status::Lifecycle;
use crate::error::{AppError, AppResult};

/// At most this many lines, items, modules or highlights per version.
pub const MAX_LINES: usize = 200;

/// One line of a quote: `quantity` x `unit_price_minor`, in the version's currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteLine {
    pub item: String,
    pub quantity: i64,
    /// "licence", "person-day"...
    pub unit: Option<String>,
    pub unit_price_minor: i64,
}

impl QuoteLine {
    /// The line's amount; none when it does not fit in 64 bits.
    pub fn total_minor(&self) -> Option<i64> {
        self.quantity.checked_mul(self.unit_price_minor)
    }
}

/// The total of a quote, refusing amounts that do not fit: a quote is checked when
/// written, so a stored one always has a total.
pub fn quote_total(lines: &[QuoteLine]) -> AppResult<i64> {
    if lines.len() > MAX_LINES {
        return Err(AppError::input(
            "quoteLines",
            format!("at most {MAX_LINES} quote lines"),
        ));
    }
    let mut total: i64 = 0;
    for line in lines {
        if line.quantity <= 0 {
            return Err(AppError::input(
                "quoteLines.quantity",
                format!("{:?}: the quantity must be positive", line.item),
            ));
        }
        if line.unit_price_minor < 0 {
            return Err(AppError::input(
                "quoteLines.unitPrice",
                format!("{:?}: the unit price must not be negative", line.item),
            ));
        }
        total = line
            .total_minor()
            .and_then(|t| total.checked_add(t))
            .ok_or_else(|| AppError::input("quoteLines", "the quote total is too large"))?;
    }
    Ok(total)
}

/// A point of the offer the vendor will or will not negotiate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub name: String,
    pub negotiable: bool,
    pub note: Option<String>,
}

/// Items are named once each: negotiation terms refer to them by name.
pub fn check_items(items: &[Item]) -> AppResult<()> {
    if items.len() > MAX_LINES {
        return Err(AppError::input(
            "items",
            format!("at most {MAX_LINES} items"),
        ));
    }
    let mut names = BTreeSet::new();
    for item in items {
        if !names.insert(item.name.to_lowercase()) {
            return Err(AppError::input(
                "items",
                format!("{:?} is named twice", item.name),
            ));
        }
    }
    Ok(())
}

impl Lifecycle for ProposalStatus {
    const ENTITY: &'static str = "proposal version";
    const TRANSITIONS: &'static [(Self, Self)] = {
        use ProposalStatus::*;
        &[
            (Draft, InReview),
            // The last required approval.
            (InReview, Approved),
            (InReview, ChangesRequested),
            (ChangesRequested, InReview),
            // A change of content: the review starts again.
            (InReview, Draft),
            (ChangesRequested, Draft),
            (Approved, Draft),
            (Approved, Presented),
        ]
    };
}

/// Whether a version in `status` may still change: what the client saw stays as it saw it.
pub fn check_editable(status: ProposalStatus) -> AppResult<()> {
    if status == ProposalStatus::Presented {
        return Err(AppError::Conflict(
            "a presented version is what the client saw and stays so: write the next version"
                .into(),
        ));
    }
    Ok(())
}

/// The required reviewer roles, as configured: at least one, each once.
pub fn required_roles(roles: &[ReviewerRole]) -> AppResult<Vec<ReviewerRole>> {
    let mut out: Vec<ReviewerRole> = Vec::new();
    for role in roles {
        if !out.contains(role) {
            out.push(*role);
        }
    }
    if out.is_empty() {
        return Err(AppError::input(
            "requiredRoles",
            "a review needs at least one reviewer role",
        ));
    }
    Ok(out)
}

/// Where the review of one revision stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewState {
    pub approved: Vec<ReviewerRole>,
    pub changes_requested: Vec<ReviewerRole>,
    /// Required roles with no verdict yet.
    pub waiting: Vec<ReviewerRole>,
}

impl ReviewState {
    /// The state from the verdicts given on the current revision.
    pub fn of(required: &[ReviewerRole], verdicts: &[(ReviewerRole, ReviewVerdict)]) -> Self {
        let with = |v: ReviewVerdict| {
            required
                .iter()
                .copied()
                .filter(|r| verdicts.contains(&(*r, v)))
                .collect::<Vec<_>>()
        };
        let approved = with(ReviewVerdict::Approved);
        let changes_requested = with(ReviewVerdict::ChangesRequested);
        let waiting = required
            .iter()
            .copied()
            .filter(|r| !approved.contains(r) && !changes_requested.contains(r))
            .collect();
        Self {
            approved,
            changes_requested,
            waiting,
        }
    }

    /// The status the verdicts put an in-review version in.
    pub fn status(&self) -> ProposalStatus {
        if !self.changes_requested.is_empty() {
            ProposalStatus::ChangesRequested
        } else if self.waiting.is_empty() {
            ProposalStatus::Approved
        } else {
            ProposalStatus::InReview
        }
    }
}

/// A version may be presented only once approved by every required role.
pub fn check_presentable(status: ProposalStatus, state: &ReviewState) -> AppResult<()> {
    if status == ProposalStatus::Approved {
        return Ok(());
    }
    if status == ProposalStatus::Presented {
        return Err(AppError::Conflict(
            "the version is presented already".into(),
        ));
    }
    let names = |roles: &[ReviewerRole]| {
        roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut why = Vec::new();
    if status == ProposalStatus::Draft {
        why.push("it was not submitted for review since its last change".to_owned());
    }
    if !state.changes_requested.is_empty() {
        why.push(format!(
            "changes were requested by {}",
            names(&state.changes_requested)
        ));
    }
    if !state.waiting.is_empty() && status != ProposalStatus::Draft {
        why.push(format!("{} did not approve yet", names(&state.waiting)));
    }
    Err(AppError::ReviewRequired(format!(
        "the version cannot be presented before its internal review approves it: {}",
        why.join("; ")
    )))
}

impl Lifecycle for entity::FeedbackStatus {
    const ENTITY: &'static str = "proposal feedback";
    const TRANSITIONS: &'static [(Self, Self)] = {
        use entity::FeedbackStatus::*;
        &[
            (Open, Answered),
            (Open, Resolved),
            (Answered, Resolved),
            // The client is not satisfied with the answer.
            (Answered, Open),
        ]
    };
}

/// What one version changes from the one before it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VersionDiff {
    pub modules_added: Vec<String>,
    pub modules_removed: Vec<String>,
    pub highlights_added: Vec<String>,
    pub highlights_removed: Vec<String>,
    /// Items added, removed, or whose negotiability changed.
    pub items_changed: Vec<String>,
    /// The quote total before and after (minor units), when the currency is the same.
    pub total_change_minor: Option<i64>,
}

/// The content of a version that [`diff`] compares.
pub struct Compared<'a> {
    pub modules: &'a [String],
    pub highlights: &'a [String],
    pub items: &'a [Item],
    pub total_minor: i64,
    pub currency: &'a str,
}

/// What `next` changes from `prev`.
pub fn diff(prev: &Compared<'_>, next: &Compared<'_>) -> VersionDiff {
    let minus = |a: &[String], b: &[String]| {
        a.iter()
            .filter(|x| !b.contains(x))
            .cloned()
            .collect::<Vec<_>>()
    };
    let mut items_changed: Vec<String> = next
        .items
        .iter()
        .filter(|i| {
            !prev
                .items
                .iter()
                .any(|p| p.name == i.name && p.negotiable == i.negotiable)
        })
        .map(|i| i.name.clone())
        .collect();
    items_changed.extend(
        prev.items
            .iter()
            .filter(|p| !next.items.iter().any(|i| i.name == p.name))
            .map(|p| p.name.clone()),
    );
    VersionDiff {
        modules_added: minus(next.modules, prev.modules),
        modules_removed: minus(prev.modules, next.modules),
        highlights_added: minus(next.highlights, prev.highlights),
        highlights_removed: minus(prev.highlights, next.highlights),
        items_changed,
        total_change_minor: (prev.currency == next.currency)
            .then(|| next.total_minor - prev.total_minor),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReviewerRole::*;

    fn line(quantity: i64, price: i64) -> QuoteLine {
        QuoteLine {
            item: "licence".into(),
            quantity,
            unit: None,
            unit_price_minor: price,
        }
    }

    #[test]
    fn a_quote_totals_its_lines_and_refuses_what_does_not_add_up() {
        assert_eq!(quote_total(&[line(3, 100), line(1, 50)]).unwrap(), 350);
        assert_eq!(quote_total(&[]).unwrap(), 0);
        assert!(quote_total(&[line(0, 100)]).is_err());
        assert!(quote_total(&[line(1, -1)]).is_err());
        assert!(quote_total(&[line(i64::MAX, 2)]).is_err());
        assert!(quote_total(&[line(i64::MAX / 2, 1), line(i64::MAX / 2, 1), line(9, 1)]).is_err());
    }

    #[test]
    fn items_are_named_once() {
        let item = |name: &str| Item {
            name: name.into(),
            negotiable: true,
            note: None,
        };
        assert!(check_items(&[item("Price"), item("Delivery")]).is_ok());
        assert!(check_items(&[item("Price"), item("price")]).is_err());
    }

    #[test]
    fn every_required_role_approves_before_a_version_is_presentable() {
        let required = [Sales, Legal];
        let partial = ReviewState::of(&required, &[(Sales, ReviewVerdict::Approved)]);
        assert_eq!(partial.status(), ProposalStatus::InReview);
        assert_eq!(partial.waiting, vec![Legal]);
        let err = check_presentable(ProposalStatus::InReview, &partial).unwrap_err();
        assert_eq!(err.code(), "REVIEW_REQUIRED");
        assert!(err.message().contains("LEGAL did not approve"));

        let done = ReviewState::of(
            &required,
            &[
                (Sales, ReviewVerdict::Approved),
                (Legal, ReviewVerdict::Approved),
                // A verdict of a role not required does not count either way.
                (Technical, ReviewVerdict::ChangesRequested),
            ],
        );
        assert_eq!(done.status(), ProposalStatus::Approved);
        assert!(check_presentable(done.status(), &done).is_ok());

        let asked = ReviewState::of(&required, &[(Legal, ReviewVerdict::ChangesRequested)]);
        assert_eq!(asked.status(), ProposalStatus::ChangesRequested);
        assert!(
            check_presentable(ProposalStatus::Draft, &ReviewState::of(&required, &[]))
                .unwrap_err()
                .message()
                .contains("not submitted")
        );
    }

    #[test]
    fn a_change_after_approval_goes_back_to_draft_and_a_presented_version_is_frozen() {
        assert!(ProposalStatus::Approved.can_become(ProposalStatus::Draft));
        assert!(!ProposalStatus::Draft.can_become(ProposalStatus::Presented));
        assert!(!ProposalStatus::Presented.can_become(ProposalStatus::Draft));
        assert!(check_editable(ProposalStatus::Approved).is_ok());
        assert_eq!(
            check_editable(ProposalStatus::Presented)
                .unwrap_err()
                .code(),
            "CONFLICT"
        );
    }

    #[test]
    fn required_roles_are_at_least_one_each_once() {
        assert_eq!(
            required_roles(&[Sales, Sales, Legal]).unwrap(),
            vec![Sales, Legal]
        );
        assert!(required_roles(&[]).is_err());
    }

    #[test]
    fn a_diff_names_what_the_next_version_changed() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let item = |name: &str, negotiable| Item {
            name: name.into(),
            negotiable,
            note: None,
        };
        let (m1, m2) = (s(&["CRM", "Reports"]), s(&["CRM", "Mobile"]));
        let (h1, h2) = (s(&[]), s(&["cost down 20 %"]));
        let (i1, i2) = (
            vec![item("Price", true), item("IP", false)],
            vec![item("Price", false)],
        );
        let prev = Compared {
            modules: &m1,
            highlights: &h1,
            items: &i1,
            total_minor: 1000,
            currency: "CNY",
        };
        let next = Compared {
            modules: &m2,
            highlights: &h2,
            items: &i2,
            total_minor: 800,
            currency: "CNY",
        };
        let d = diff(&prev, &next);
        assert_eq!(d.modules_added, s(&["Mobile"]));
        assert_eq!(d.modules_removed, s(&["Reports"]));
        assert_eq!(d.highlights_added, s(&["cost down 20 %"]));
        assert_eq!(d.items_changed, s(&["Price", "IP"]));
        assert_eq!(d.total_change_minor, Some(-200));
    }
}
