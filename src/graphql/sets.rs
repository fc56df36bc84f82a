//! The child sets the graph loads through [`super::loaders::Children`].

use async_graphql::{Name, Value as ConstValue};
use entity::{
    DocumentOwner, RiskStatus, acceptance, acceptance_criterion, action_item, change_request,
    contact, contract, document, escalation_level, follow_up, interaction, meeting,
    milestone_rating, negotiation_round, negotiation_term, project, proposal_feedback,
    proposal_review, proposal_version, report, report_read, requirement, requirement_sheet, risk,
    service_level_target, stage, survey_answer, survey_client, team_member, ticket, ticket_clock,
    ticket_comment, ticket_escalation,
};
use sea_orm::{ColumnTrait, Condition, Order};

use super::{
    loaders::{ChildSet, ChildrenOf},
    nested::{Nestable, open_argument},
};
use crate::{
    service::tickets::open_condition,
    sql::{none_of, one_of},
};

macro_rules! child_set {
    ($(#[$meta:meta])* $name:ident: $module:ident by $parent:ident of $of:ident, order $col:ident $order:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name;

        impl ChildrenOf for $name {
            type Parent = entity::$of::Entity;
        }

        impl ChildSet for $name {
            type Entity = entity::$module::Entity;
            fn parent_column(&self) -> $module::Column {
                $module::Column::$parent
            }
            fn order(&self) -> ($module::Column, Order) {
                ($module::Column::$col, Order::$order)
            }
        }
    };
}

child_set!(ContactsOfClient: contact by ClientId of client, order Name Asc);
child_set!(ProjectsOfClient: project by ClientId of client, order Id Asc);
child_set!(TeamOfProject: team_member by ProjectId of project, order Id Asc);
child_set!(RequirementsOfProject: requirement by ProjectId of project, order Id Asc);
child_set!(
    /// In plan order.
    StagesOfProject: stage by ProjectId of project, order Position Asc
);
child_set!(
    /// Newest first.
    ReportsOfProject: report by ProjectId of project, order CreatedAt Desc
);
child_set!(
    /// Oldest first: cycle by cycle.
    ClocksOfTicket: ticket_clock by TicketId of ticket, order Id Asc
);
child_set!(TargetsOfPolicy: service_level_target by PolicyId of service_level_policy, order Priority Asc);
child_set!(
    /// Oldest first: version 1, then each amendment.
    SheetsOfProject: requirement_sheet by ProjectId of project, order Version Asc
);
child_set!(
    /// Version 1 first.
    ProposalVersionsOfProject: proposal_version by ProjectId of project, order Number Asc
);
child_set!(
    /// In the order given, every revision.
    ReviewsOfVersion: proposal_review by ProposalVersionId of proposal_version, order Id Asc
);
child_set!(FeedbackOfVersion: proposal_feedback by ProposalVersionId of proposal_version, order Id Asc);
child_set!(
    /// Round 1 first.
    RoundsOfProject: negotiation_round by ProjectId of project, order Number Asc
);
child_set!(TermsOfRound: negotiation_term by RoundId of negotiation_round, order Id Asc);
child_set!(TermsOfProject: negotiation_term by ProjectId of project, order Id Asc);
child_set!(
    /// At most one: a project has one contract.
    ContractOfProject: contract by ProjectId of project, order Id Asc
);
child_set!(ChangeRequestsOfProject: change_request by ProjectId of project, order Id Asc);
child_set!(AcceptancesOfProject: acceptance by ProjectId of project, order Id Asc);
child_set!(LevelsOfPolicy: escalation_level by PolicyId of service_level_policy, order Level Asc);
child_set!(
    /// Lowest level first: the order they happened in.
    EscalationsOfTicket: ticket_escalation by TicketId of ticket, order Level Asc
);
child_set!(
    /// Oldest first: one per resolution.
    FollowUpsOfTicket: follow_up by TicketId of ticket, order Id Asc
);
child_set!(
    /// Oldest first, as a conversation reads.
    CommentsOfTicket: ticket_comment by TicketId of ticket, order CreatedAt Asc
);

impl Nestable for ProjectsOfClient {
    fn from_arguments(arguments: &[(Name, ConstValue)]) -> Option<Self> {
        arguments.is_empty().then_some(ProjectsOfClient)
    }
}

impl Nestable for StagesOfProject {
    fn from_arguments(arguments: &[(Name, ConstValue)]) -> Option<Self> {
        arguments.is_empty().then_some(StagesOfProject)
    }
}

/// Risks of a project; `open` keeps those not closed (or only the closed ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RisksOfProject {
    pub open: Option<bool>,
}

impl ChildrenOf for RisksOfProject {
    type Parent = entity::project::Entity;
}

impl ChildSet for RisksOfProject {
    type Entity = risk::Entity;
    fn parent_column(&self) -> risk::Column {
        risk::Column::ProjectId
    }
    fn condition(&self) -> Condition {
        match self.open {
            Some(true) => Condition::all().add(none_of(risk::Column::Status, [RiskStatus::Closed])),
            Some(false) => Condition::all().add(one_of(risk::Column::Status, [RiskStatus::Closed])),
            None => Condition::all(),
        }
    }
    fn order(&self) -> (risk::Column, Order) {
        (risk::Column::Id, Order::Asc)
    }
}

impl Nestable for RisksOfProject {
    fn from_arguments(arguments: &[(Name, ConstValue)]) -> Option<Self> {
        Some(Self {
            open: open_argument(arguments)?,
        })
    }
}

/// Which tickets of a parent: `open` as in the ticket filter.
fn open_tickets(open: Option<bool>) -> Condition {
    open.map_or(Condition::all(), |open| {
        Condition::all().add(open_condition(open))
    })
}

macro_rules! tickets_of {
    ($(#[$meta:meta])* $name:ident by $col:ident of $of:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name {
            pub open: Option<bool>,
        }

        impl ChildrenOf for $name {
            type Parent = entity::$of::Entity;
        }

        impl Nestable for $name {
            fn from_arguments(arguments: &[(Name, ConstValue)]) -> Option<Self> {
                Some(Self {
                    open: open_argument(arguments)?,
                })
            }
        }

        impl ChildSet for $name {
            type Entity = ticket::Entity;
            fn parent_column(&self) -> ticket::Column {
                ticket::Column::$col
            }
            fn condition(&self) -> Condition {
                open_tickets(self.open)
            }
            fn order(&self) -> (ticket::Column, Order) {
                (ticket::Column::CreatedAt, Order::Desc)
            }
        }
    };
}

tickets_of!(
    /// A project's tickets, newest first.
    TicketsOfProject by ProjectId of project
);
tickets_of!(
    /// A client's tickets, newest first.
    TicketsOfClient by ClientId of client
);

/// A client's intent grades: its `INTENT_GRADED` events, oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IntentGradesOfClient;

impl ChildrenOf for IntentGradesOfClient {
    type Parent = entity::client::Entity;
}

impl ChildSet for IntentGradesOfClient {
    type Entity = entity::event::Entity;
    fn parent_column(&self) -> entity::event::Column {
        entity::event::Column::EntityId
    }
    fn condition(&self) -> Condition {
        Condition::all()
            .add(entity::event::Column::EntityKind.eq(entity::EntityKind::Client))
            .add(entity::event::Column::Kind.eq(entity::EventKind::IntentGraded))
    }
    fn order(&self) -> (entity::event::Column, Order) {
        (entity::event::Column::Id, Order::Asc)
    }
}

child_set!(
    /// Newest first.
    InteractionsOfClient: interaction by ClientId of client, order OccurredAt Desc
);
child_set!(
    /// Newest first.
    InteractionsOfProject: interaction by ProjectId of project, order OccurredAt Desc
);

child_set!(
    /// In calendar order.
    MeetingsOfProject: meeting by ProjectId of project, order ScheduledAt Asc
);
child_set!(
    /// In calendar order: a stage's milestone reviews.
    MeetingsOfStage: meeting by StageId of stage, order ScheduledAt Asc
);
child_set!(ActionItemsOfProject: action_item by ProjectId of project, order Id Asc);
child_set!(ActionItemsOfStage: action_item by StageId of stage, order Id Asc);
child_set!(ActionItemsOfMeeting: action_item by MeetingId of meeting, order Id Asc);
child_set!(
    /// Who read first, first.
    ReadsOfReport: report_read by ReportId of report, order FirstReadAt Asc
);
child_set!(CriteriaOfProject: acceptance_criterion by ProjectId of project, order Id Asc);
child_set!(
    /// First rated first.
    RatingsOfStage: milestone_rating by StageId of stage, order RatedAt Asc
);
child_set!(
    /// First answered first.
    AnswersOfSurvey: survey_answer by SurveyId of survey, order AnsweredAt Asc
);
child_set!(ClientsOfSurvey: survey_client by SurveyId of survey, order ClientId Asc);
child_set!(DocumentsOfProject: document by ProjectId of project, order Id Asc);

/// The documents attached to one kind of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DocumentsOf {
    pub kind: DocumentOwner,
}

impl ChildSet for DocumentsOf {
    type Entity = document::Entity;
    fn parent_column(&self) -> document::Column {
        document::Column::OwnerId
    }
    fn condition(&self) -> Condition {
        Condition::all().add(document::Column::OwnerKind.eq(self.kind))
    }
    fn order(&self) -> (document::Column, Order) {
        (document::Column::Id, Order::Asc)
    }
}
