//! Status lifecycles: one explicit transition table per status enum.
//!
//! The tables are the single source of truth for what may follow what; the README
//! prints the same tables for people. A forbidden move is `INVALID_TRANSITION`,
//! naming both states.

use entity::{ChangeRequestStatus, ProjectStatus, RiskStatus, StageStatus, TicketStatus};

use crate::error::{AppError, AppResult};

/// A status enum with a transition table.
pub trait Lifecycle: Copy + Eq + std::fmt::Display + 'static {
    /// Entity name used in error messages.
    const ENTITY: &'static str;
    /// Every allowed `(from, to)` move.
    const TRANSITIONS: &'static [(Self, Self)];

    fn can_become(self, to: Self) -> bool {
        Self::TRANSITIONS.contains(&(self, to))
    }

    /// `Ok` when `self -> to` is in the table.
    fn check(self, to: Self) -> AppResult<()> {
        if self.can_become(to) {
            Ok(())
        } else {
            Err(AppError::transition(Self::ENTITY, self, to))
        }
    }
}

impl Lifecycle for StageStatus {
    const ENTITY: &'static str = "stage";
    const TRANSITIONS: &'static [(Self, Self)] = {
        use StageStatus::*;
        &[
            (NotStarted, InProgress),
            (NotStarted, Blocked),
            (InProgress, Blocked),
            (Blocked, InProgress),
            (InProgress, Done),
            // Reopening a milestone found incomplete after all.
            (Done, InProgress),
        ]
    };
}

impl Lifecycle for TicketStatus {
    const ENTITY: &'static str = "ticket";
    const TRANSITIONS: &'static [(Self, Self)] = {
        use TicketStatus::*;
        &[
            (New, Acknowledged),
            (New, InProgress),
            (Acknowledged, InProgress),
            // A question answered at first response.
            (Acknowledged, Resolved),
            (InProgress, WaitingOnCustomer),
            (WaitingOnCustomer, InProgress),
            (InProgress, Resolved),
            (WaitingOnCustomer, Resolved),
            // Reopening: the customer says the fix did not hold.
            (Resolved, InProgress),
            (Resolved, Closed),
        ]
    };
}

impl Lifecycle for RiskStatus {
    const ENTITY: &'static str = "risk";
    const TRANSITIONS: &'static [(Self, Self)] = {
        use RiskStatus::*;
        &[
            (Open, Mitigating),
            (Open, Occurred),
            (Open, Closed),
            (Mitigating, Occurred),
            (Mitigating, Closed),
            (Occurred, Mitigating),
            (Occurred, Closed),
            // A closed risk that comes back.
            (Closed, Open),
        ]
    };
}

impl Lifecycle for ChangeRequestStatus {
    const ENTITY: &'static str = "change request";
    // A decision is final: a new ask is a new change request.
    const TRANSITIONS: &'static [(Self, Self)] = &[
        (ChangeRequestStatus::Proposed, ChangeRequestStatus::Approved),
        (ChangeRequestStatus::Proposed, ChangeRequestStatus::Rejected),
    ];
}

impl Lifecycle for ProjectStatus {
    const ENTITY: &'static str = "project";
    const TRANSITIONS: &'static [(Self, Self)] = {
        use ProjectStatus::*;
        &[
            (Lead, Discovery),
            (Discovery, Proposal),
            (Proposal, Discovery),
            (Proposal, Negotiation),
            (Negotiation, Proposal),
            (Negotiation, ContractSigned),
            (ContractSigned, Requirements),
            (Requirements, Design),
            (Design, Requirements),
            (Design, Execution),
            (Execution, Acceptance),
            // The client refused acceptance: back to work.
            (Acceptance, Execution),
            (Acceptance, AfterSales),
            (AfterSales, Closed),
        ]
    };

    fn can_become(self, to: Self) -> bool {
        // Any live phase may be put on hold or cancelled; ON_HOLD itself is resolved by
        // `ProjectPhase::transition`, which knows the phase it was held in.
        (self.is_live() && matches!(to, ProjectStatus::OnHold | ProjectStatus::Cancelled))
            || Self::TRANSITIONS.contains(&(self, to))
    }
}

impl ProjectStatusExt for ProjectStatus {
    fn is_live(&self) -> bool {
        !matches!(self, Self::OnHold | Self::Cancelled | Self::Closed)
    }
    fn is_pre_contract(&self) -> bool {
        matches!(
            self,
            Self::Lead | Self::Discovery | Self::Proposal | Self::Negotiation
        )
    }
}

/// Facts about project phases used by the rules below and by services.
pub trait ProjectStatusExt {
    /// Neither finished, cancelled nor on hold.
    fn is_live(&self) -> bool;
    /// Before the contract is signed (steps 1-4 of the road).
    fn is_pre_contract(&self) -> bool;
}

/// A project's phase together with the phase it was put on hold in, if it is on hold.
/// The pair is what the ON_HOLD rule needs: a held project resumes where it stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProjectPhase {
    pub status: ProjectStatus,
    pub held_from: Option<ProjectStatus>,
}

/// What a project must have before it may enter a phase.
#[derive(Debug, Clone, Copy, Default)]
pub struct ContractFacts {
    pub has_contract_number: bool,
    pub has_signed_date: bool,
}

impl ProjectPhase {
    /// The phase after moving to `to`, or why the move is refused.
    pub fn transition(self, to: ProjectStatus, contract: ContractFacts) -> AppResult<ProjectPhase> {
        let refused = || AppError::transition(ProjectStatus::ENTITY, self.status, to);
        let next = match (self.status, to) {
            (ProjectStatus::OnHold, ProjectStatus::Cancelled) => ProjectPhase {
                status: to,
                held_from: None,
            },
            (ProjectStatus::OnHold, _) if Some(to) == self.held_from => ProjectPhase {
                status: to,
                held_from: None,
            },
            (ProjectStatus::OnHold, _) => return Err(refused()),
            (from, ProjectStatus::OnHold) if from.can_become(to) => ProjectPhase {
                status: to,
                held_from: Some(from),
            },
            (from, _) if from.can_become(to) => ProjectPhase {
                status: to,
                held_from: None,
            },
            _ => return Err(refused()),
        };
        if next.requires_contract() && !(contract.has_contract_number && contract.has_signed_date) {
            return Err(AppError::input(
                "status",
                format!("a project enters {to} only with a contract number and a signed date"),
            ));
        }
        Ok(next)
    }
}

impl ProjectPhase {
    /// Whether the project is past signing (also while held in such a phase), so that its
    /// contract number and signed date must be present.
    pub fn requires_contract(self) -> bool {
        let effective = self.held_from.unwrap_or(self.status);
        !effective.is_pre_contract() && effective != ProjectStatus::Cancelled
    }
}

/// The phase a new project starts in: at contract signing when it has a contract,
/// otherwise as a lead (step 1 of the road).
pub fn initial_project_status(contract: ContractFacts) -> ProjectStatus {
    if contract.has_contract_number && contract.has_signed_date {
        ProjectStatus::ContractSigned
    } else {
        ProjectStatus::Lead
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIGNED: ContractFacts = ContractFacts {
        has_contract_number: true,
        has_signed_date: true,
    };

    #[test]
    fn a_stage_goes_from_not_started_through_in_progress_to_done() {
        assert!(StageStatus::NotStarted.can_become(StageStatus::InProgress));
        assert!(StageStatus::InProgress.can_become(StageStatus::Done));
        assert!(!StageStatus::NotStarted.can_become(StageStatus::Done));
    }

    #[test]
    fn a_forbidden_move_names_both_states() {
        let err = TicketStatus::Closed
            .check(TicketStatus::InProgress)
            .unwrap_err();
        assert_eq!(err.code(), "INVALID_TRANSITION");
        assert_eq!(
            err.message(),
            "cannot change ticket status from CLOSED to IN_PROGRESS"
        );
    }

    #[test]
    fn a_resolved_ticket_can_be_reopened_but_a_closed_one_cannot() {
        assert!(TicketStatus::Resolved.can_become(TicketStatus::InProgress));
        assert!(!TicketStatus::Closed.can_become(TicketStatus::InProgress));
    }

    #[test]
    fn no_status_moves_to_itself() {
        for (from, to) in StageStatus::TRANSITIONS {
            assert_ne!(from, to);
        }
        for (from, to) in TicketStatus::TRANSITIONS {
            assert_ne!(from, to);
        }
        for (from, to) in RiskStatus::TRANSITIONS {
            assert_ne!(from, to);
        }
        for (from, to) in ProjectStatus::TRANSITIONS {
            assert_ne!(from, to);
        }
    }

    #[test]
    fn a_project_on_hold_resumes_only_in_the_phase_it_was_held_in() {
        let execution = ProjectPhase {
            status: ProjectStatus::Execution,
            held_from: None,
        };
        let held = execution.transition(ProjectStatus::OnHold, SIGNED).unwrap();
        assert_eq!(held.held_from, Some(ProjectStatus::Execution));
        assert!(held.transition(ProjectStatus::Design, SIGNED).is_err());
        let resumed = held.transition(ProjectStatus::Execution, SIGNED).unwrap();
        assert_eq!(resumed, execution);
    }

    #[test]
    fn any_live_project_can_be_cancelled_but_a_closed_one_cannot() {
        let lead = ProjectPhase {
            status: ProjectStatus::Lead,
            held_from: None,
        };
        assert!(
            lead.transition(ProjectStatus::Cancelled, ContractFacts::default())
                .is_ok()
        );
        let closed = ProjectPhase {
            status: ProjectStatus::Closed,
            held_from: None,
        };
        assert!(closed.transition(ProjectStatus::Cancelled, SIGNED).is_err());
    }

    #[test]
    fn signing_needs_a_contract_number_and_date() {
        let negotiation = ProjectPhase {
            status: ProjectStatus::Negotiation,
            held_from: None,
        };
        let err = negotiation
            .transition(ProjectStatus::ContractSigned, ContractFacts::default())
            .unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT");
        assert!(
            negotiation
                .transition(ProjectStatus::ContractSigned, SIGNED)
                .is_ok()
        );
    }

    #[test]
    fn a_new_project_starts_signed_only_with_a_contract() {
        assert_eq!(
            initial_project_status(SIGNED),
            ProjectStatus::ContractSigned
        );
        assert_eq!(
            initial_project_status(ContractFacts::default()),
            ProjectStatus::Lead
        );
    }
}
