//! The event log in the graph: the audit trail of every change.

use crate::auth::scope::Visible;
use async_graphql::{Context, ID, InputObject, Json, Object, Result};
use chrono::{DateTime, Utc};
use entity::{ActorKind, EntityKind, EventKind, contact, event, user};
use sea_orm::{ColumnTrait, Iterable};

use super::{
    client::Contact,
    ids::{NodeKind, decode, encode},
    input::opt_id,
    loaders,
    node::{Node, load_node},
    pagination::{KeyKind, Page, Sort, paginate},
    svc,
    user::User,
};

/// One change: what happened to which object, from which status to which, by whom, when.
pub struct Event(pub Visible<event::Model>);

pub fn node_kind(kind: EntityKind) -> NodeKind {
    match kind {
        EntityKind::User => NodeKind::User,
        EntityKind::Client => NodeKind::Client,
        EntityKind::Contact => NodeKind::Contact,
        EntityKind::Project => NodeKind::Project,
        EntityKind::TeamMember => NodeKind::TeamMember,
        EntityKind::Requirement => NodeKind::Requirement,
        EntityKind::Stage => NodeKind::Stage,
        EntityKind::Risk => NodeKind::Risk,
        EntityKind::Ticket => NodeKind::Ticket,
        EntityKind::TicketComment => NodeKind::TicketComment,
        EntityKind::Report => NodeKind::Report,
        EntityKind::ServiceLevelPolicy => NodeKind::ServiceLevelPolicy,
        EntityKind::RequirementSheet => NodeKind::RequirementSheet,
        EntityKind::ChangeRequest => NodeKind::ChangeRequest,
        EntityKind::Interaction => NodeKind::Interaction,
        EntityKind::ProposalVersion => NodeKind::ProposalVersion,
        EntityKind::ProposalReview => NodeKind::ProposalReview,
        EntityKind::ProposalFeedback => NodeKind::ProposalFeedback,
        EntityKind::NegotiationRound => NodeKind::NegotiationRound,
        EntityKind::NegotiationTerm => NodeKind::NegotiationTerm,
        EntityKind::Contract => NodeKind::Contract,
        EntityKind::Meeting => NodeKind::Meeting,
        EntityKind::ActionItem => NodeKind::ActionItem,
        // An obligation is known by its project.
        EntityKind::Kickoff => NodeKind::Project,
        EntityKind::AcceptanceCriterion => NodeKind::AcceptanceCriterion,
        EntityKind::Survey => NodeKind::Survey,
        EntityKind::Document => NodeKind::Document,
        EntityKind::Webhook => NodeKind::Webhook,
        EntityKind::OutboxMessage => NodeKind::OutboxMessage,
    }
}

#[Object]
impl Event {
    pub async fn id(&self) -> ID {
        encode(NodeKind::Event, self.0.id)
    }
    /// Position in the log: strictly increasing in commit order.
    async fn sequence(&self) -> i64 {
        self.0.id
    }
    /// Where a live feed resumes after this event (the `after` argument of subscriptions).
    async fn cursor(&self) -> String {
        super::live::cursor(&self.0)
    }
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    async fn kind(&self) -> EventKind {
        self.0.kind
    }
    async fn entity_kind(&self) -> EntityKind {
        self.0.entity_kind
    }
    /// Global id of the object the event is about, even if it no longer exists.
    async fn entity_id(&self) -> ID {
        encode(node_kind(self.0.entity_kind), self.0.entity_id)
    }
    /// The object as it is now, if it still exists.
    async fn entity(&self, ctx: &Context<'_>) -> Result<Option<Node>> {
        load_node(ctx, node_kind(self.0.entity_kind), self.0.entity_id).await
    }
    async fn from_status(&self) -> Option<&str> {
        self.0.from_status.as_deref()
    }
    async fn to_status(&self) -> Option<&str> {
        self.0.to_status.as_deref()
    }
    /// The changed fields with their new values (database field names).
    async fn changes(&self) -> Json<serde_json::Value> {
        Json(serde_json::from_str(&self.0.changes).unwrap_or_default())
    }
    async fn actor_kind(&self) -> ActorKind {
        self.0.actor_kind
    }
    /// The client contact who made the change through the portal, when one did.
    async fn actor_contact(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        match (self.0.actor_kind, self.0.actor_id) {
            (ActorKind::Contact, Some(id)) => {
                Ok(loaders::one::<contact::Entity>(ctx, id).await?.map(Contact))
            }
            _ => Ok(None),
        }
    }
    /// The staff member who made the change, when staff did.
    async fn actor(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        match (self.0.actor_kind, self.0.actor_id) {
            (ActorKind::User, Some(id)) => {
                Ok(loaders::one::<user::Entity>(ctx, id).await?.map(User))
            }
            _ => Ok(None),
        }
    }
}

#[derive(InputObject, Default)]
pub struct EventFilterInput {
    project_id: Option<ID>,
    client_id: Option<ID>,
    /// Events about one object, given by its global id.
    entity_id: Option<ID>,
    kinds: Option<Vec<EventKind>>,
}

#[derive(Default)]
pub struct EventQuery;

#[Object]
impl EventQuery {
    /// The audit trail, oldest first (or newest first with `newestFirst`).
    async fn events(
        &self,
        ctx: &Context<'_>,
        filter: Option<EventFilterInput>,
        #[graphql(default = false)] newest_first: bool,
        #[graphql(directive = super::preflight::constraint::apply(Some(0), Some(super::pagination::MAX_PAGE_SIZE), None))]
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<Event>> {
        svc(ctx)?.caller.require_staff_read()?;
        let f = filter.unwrap_or_default();
        let mut q = crate::auth::scope::VisibleSelect::<event::Entity>::new(super::scope(ctx)?);
        if let Some(id) = opt_id("projectId", f.project_id.as_ref(), NodeKind::Project)? {
            q = q.filter(event::Column::ProjectId.eq(id));
        }
        if let Some(id) = opt_id("clientId", f.client_id.as_ref(), NodeKind::Client)? {
            q = q.filter(event::Column::ClientId.eq(id));
        }
        if let Some(id) = &f.entity_id {
            let (kind, id) = decode("entityId", id)?;
            let entity_kind = EntityKind::iter().find(|k| node_kind(*k) == kind);
            match entity_kind {
                Some(k) => {
                    q = q
                        .filter(event::Column::EntityKind.eq(k))
                        .filter(event::Column::EntityId.eq(id))
                }
                None => q = q.filter(event::Column::Id.eq(-1)),
            }
        }
        if let Some(kinds) = f.kinds.filter(|k| !k.is_empty()) {
            q = q.filter(event::Column::Kind.is_in(kinds));
        }
        let sort = Sort {
            name: if newest_first { "seq-" } else { "seq+" },
            column: event::Column::Id,
            kind: KeyKind::Int,
            descending: newest_first,
        };
        paginate(ctx, q, event::Column::Id, sort, (first, after), Event).await
    }
}

/// An event as a webhook receives it: the fields of `Event` that need no lookup, named
/// and written as the subscriptions write them, with the project and client ids.
pub fn payload(e: &event::Model) -> serde_json::Value {
    let id = |kind: NodeKind, v: Option<i64>| v.map(|v| encode(kind, v).0);
    serde_json::json!({
        "id": encode(NodeKind::Event, e.id).0,
        "sequence": e.id,
        "cursor": super::live::cursor(e),
        "occurredAt": e.occurred_at.to_rfc3339(),
        "kind": e.kind,
        "entityKind": e.entity_kind,
        "entityId": encode(node_kind(e.entity_kind), e.entity_id).0,
        "projectId": id(NodeKind::Project, e.project_id),
        "clientId": id(NodeKind::Client, e.client_id),
        "fromStatus": e.from_status,
        "toStatus": e.to_status,
        "changes": serde_json::from_str::<serde_json::Value>(&e.changes).unwrap_or_default(),
        "actorKind": e.actor_kind,
    })
}
