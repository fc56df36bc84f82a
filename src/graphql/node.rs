//! The Relay `Node` interface: any object by its global id.

use async_graphql::{Context, ID, Interface, Object, Result};
use entity::{
    change_request, client, contact, event, project, report, requirement, requirement_sheet, risk,
    service_level_policy, stage, team_member, ticket, ticket_comment, user,
};

use super::{
    agreement::{ChangeRequest, RequirementSheet},
    client::{Client, Contact},
    delivery::{Report, Requirement, Risk, Stage},
    event::Event,
    ids::{NodeKind, decode},
    loaders::one,
    project::{Project, TeamMember},
    service_level::ServiceLevelPolicy,
    ticket::{Ticket, TicketComment},
    user::User,
};

/// An object with a global id.
// A node lives for one resolver and is moved once into the response: boxing the large
// rows (a proposal version) would cost an allocation for every node of every kind.
#[allow(clippy::large_enum_variant)]
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    User(User),
    Client(Client),
    Contact(Contact),
    Project(Project),
    TeamMember(TeamMember),
    Requirement(Requirement),
    Stage(Stage),
    Risk(Risk),
    Ticket(Ticket),
    TicketComment(TicketComment),
    Report(Report),
    Event(Event),
    ServiceLevelPolicy(ServiceLevelPolicy),
    ChangeRequest(ChangeRequest),
    RequirementSheet(RequirementSheet),
    Interaction(super::interaction::Interaction),
    ProposalVersion(super::proposal::ProposalVersion),
    ProposalReview(super::proposal::ProposalReview),
    ProposalFeedback(super::proposal::ProposalFeedback),
    NegotiationRound(super::negotiation::NegotiationRound),
    NegotiationTerm(super::negotiation::NegotiationTerm),
    Contract(super::contract::Contract),
    Meeting(super::meeting::Meeting),
    ActionItem(super::action_item::ActionItem),
    AcceptanceCriterion(super::acceptance::AcceptanceCriterion),
    Survey(super::survey::Survey),
    Document(super::document::Document),
    Webhook(super::webhook::WebhookEndpoint),
    OutboxMessage(super::mail::OutboxMessage),
}

/// Loads any object by kind and database id through the request's loaders.
pub async fn load_node(ctx: &Context<'_>, kind: NodeKind, id: i64) -> Result<Option<Node>> {
    Ok(match kind {
        NodeKind::User => one::<user::Entity>(ctx, id)
            .await?
            .map(|m| Node::User(User(m))),
        NodeKind::Client => one::<client::Entity>(ctx, id)
            .await?
            .map(|m| Node::Client(Client(m))),
        NodeKind::Contact => one::<contact::Entity>(ctx, id)
            .await?
            .map(|m| Node::Contact(Contact(m))),
        NodeKind::Project => one::<project::Entity>(ctx, id)
            .await?
            .map(|m| Node::Project(Project(m))),
        NodeKind::TeamMember => one::<team_member::Entity>(ctx, id)
            .await?
            .map(|m| Node::TeamMember(TeamMember(m))),
        NodeKind::Requirement => one::<requirement::Entity>(ctx, id)
            .await?
            .map(|m| Node::Requirement(Requirement(m))),
        NodeKind::Stage => one::<stage::Entity>(ctx, id)
            .await?
            .map(|m| Node::Stage(Stage(m))),
        NodeKind::Risk => one::<risk::Entity>(ctx, id)
            .await?
            .map(|m| Node::Risk(Risk(m))),
        NodeKind::Ticket => one::<ticket::Entity>(ctx, id)
            .await?
            .map(|m| Node::Ticket(Ticket(m))),
        NodeKind::TicketComment => one::<ticket_comment::Entity>(ctx, id)
            .await?
            .map(|m| Node::TicketComment(TicketComment(m))),
        NodeKind::Report => one::<report::Entity>(ctx, id)
            .await?
            .map(|m| Node::Report(Report(m))),
        NodeKind::Event => one::<event::Entity>(ctx, id)
            .await?
            .map(|m| Node::Event(Event(m))),
        NodeKind::ServiceLevelPolicy => one::<service_level_policy::Entity>(ctx, id)
            .await?
            .map(|m| Node::ServiceLevelPolicy(ServiceLevelPolicy(m))),
        NodeKind::ChangeRequest => one::<change_request::Entity>(ctx, id)
            .await?
            .map(|m| Node::ChangeRequest(ChangeRequest(m))),
        NodeKind::RequirementSheet => one::<requirement_sheet::Entity>(ctx, id)
            .await?
            .map(|m| Node::RequirementSheet(RequirementSheet(m))),
        NodeKind::Interaction => one::<entity::interaction::Entity>(ctx, id)
            .await?
            .map(|m| Node::Interaction(super::interaction::Interaction(m))),
        NodeKind::ProposalVersion => one::<entity::proposal_version::Entity>(ctx, id)
            .await?
            .map(|m| Node::ProposalVersion(super::proposal::ProposalVersion(m))),
        NodeKind::ProposalReview => one::<entity::proposal_review::Entity>(ctx, id)
            .await?
            .map(|m| Node::ProposalReview(super::proposal::ProposalReview(m))),
        NodeKind::ProposalFeedback => one::<entity::proposal_feedback::Entity>(ctx, id)
            .await?
            .map(|m| Node::ProposalFeedback(super::proposal::ProposalFeedback(m))),
        NodeKind::NegotiationRound => one::<entity::negotiation_round::Entity>(ctx, id)
            .await?
            .map(|m| Node::NegotiationRound(super::negotiation::NegotiationRound(m))),
        NodeKind::NegotiationTerm => one::<entity::negotiation_term::Entity>(ctx, id)
            .await?
            .map(|m| Node::NegotiationTerm(super::negotiation::NegotiationTerm(m))),
        NodeKind::Contract => one::<entity::contract::Entity>(ctx, id)
            .await?
            .map(|m| Node::Contract(super::contract::Contract(m))),
        NodeKind::Meeting => one::<entity::meeting::Entity>(ctx, id)
            .await?
            .map(|m| Node::Meeting(super::meeting::Meeting(m))),
        NodeKind::ActionItem => one::<entity::action_item::Entity>(ctx, id)
            .await?
            .map(|m| Node::ActionItem(super::action_item::ActionItem(m))),
        NodeKind::AcceptanceCriterion => one::<entity::acceptance_criterion::Entity>(ctx, id)
            .await?
            .map(|m| Node::AcceptanceCriterion(super::acceptance::AcceptanceCriterion(m))),
        NodeKind::Survey => one::<entity::survey::Entity>(ctx, id)
            .await?
            .map(|m| Node::Survey(super::survey::Survey(m))),
        NodeKind::Document => one::<entity::document::Entity>(ctx, id)
            .await?
            .map(|m| Node::Document(super::document::Document(m))),
        NodeKind::Webhook => one::<entity::webhook_endpoint::Entity>(ctx, id)
            .await?
            .map(|m| Node::Webhook(super::webhook::WebhookEndpoint(m))),
        NodeKind::OutboxMessage => one::<entity::outbox_message::Entity>(ctx, id)
            .await?
            .map(|m| Node::OutboxMessage(super::mail::OutboxMessage(m))),
    })
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global id; `null` when there is none.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        let (kind, id) = decode("id", &id)?;
        load_node(ctx, kind, id).await
    }

    /// Several objects by global id, in the order asked (at most 100).
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(directive = super::preflight::constraint::apply(None, None, Some(100)))] ids: Vec<
            ID,
        >,
    ) -> Result<Vec<Option<Node>>> {
        let keys = ids
            .iter()
            .map(|id| decode("ids", id))
            .collect::<Result<Vec<_>, _>>()?;
        // Loaded together, so objects of one kind batch into one query.
        futures_util::future::try_join_all(
            keys.into_iter().map(|(kind, id)| load_node(ctx, kind, id)),
        )
        .await
    }
}
