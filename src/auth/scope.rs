//! The one place that says which rows a customer-portal user may see.
//!
//! Every read path applies [`visible`]: the by-id and child loaders, the root
//! connections, and the event feeds. A contact sees its own client's rows, minus what is
//! internal: risks not shared with the client, internal ticket comments, and the event
//! log of internal objects. Other clients' rows do not exist for it (`null`/`NOT_FOUND`).

use entity::{
    EntityKind, EventKind, acceptance, change_request, client, contact, escalation_level, event,
    follow_up, interaction, project, report, requirement, requirement_sheet, risk,
    service_level_policy, service_level_target, stage, team_member, ticket, ticket_clock,
    ticket_comment, ticket_escalation, user,
};
use sea_orm::{ColumnTrait, Condition, EntityTrait, sea_query::Query};

use super::Scope;

/// The objects whose events a portal user may see.
pub const PORTAL_EVENT_KINDS: [EntityKind; 7] = [
    EntityKind::Project,
    EntityKind::Stage,
    EntityKind::Requirement,
    EntityKind::RequirementSheet,
    EntityKind::ChangeRequest,
    EntityKind::Report,
    EntityKind::Ticket,
];

/// A table with a portal visibility rule.
pub trait Scoped: EntityTrait {
    /// The rows a contact of `client_id` may see.
    fn portal(client_id: i64) -> Condition;
}

/// Whether an event is visible in `scope`: [`Scoped::portal`] of events, in memory, for
/// live feeds.
pub fn event_visible(scope: Scope, e: &event::Model) -> bool {
    match scope {
        Scope::All => true,
        Scope::Client(c) => e.client_id == Some(c) && PORTAL_EVENT_KINDS.contains(&e.entity_kind),
    }
}

/// The rows of `E` visible in `scope`.
pub fn visible<E: Scoped>(scope: Scope) -> Condition {
    match scope {
        Scope::All => Condition::all(),
        Scope::Client(client_id) => E::portal(client_id),
    }
}

fn projects_of(client_id: i64) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(project::Column::Id)
        .from(project::Entity)
        .and_where(project::Column::ClientId.eq(client_id))
        .to_owned()
}

fn tickets_of(client_id: i64) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(ticket::Column::Id)
        .from(ticket::Entity)
        .and_where(ticket::Column::ClientId.eq(client_id))
        .to_owned()
}

impl Scoped for client::Entity {
    fn portal(c: i64) -> Condition {
        Condition::all().add(client::Column::Id.eq(c))
    }
}

impl Scoped for contact::Entity {
    fn portal(c: i64) -> Condition {
        Condition::all().add(contact::Column::ClientId.eq(c))
    }
}

impl Scoped for project::Entity {
    fn portal(c: i64) -> Condition {
        Condition::all().add(project::Column::ClientId.eq(c))
    }
}

impl Scoped for team_member::Entity {
    fn portal(c: i64) -> Condition {
        Condition::all().add(team_member::Column::ProjectId.in_subquery(projects_of(c)))
    }
}

impl Scoped for requirement::Entity {
    fn portal(c: i64) -> Condition {
        Condition::all().add(requirement::Column::ProjectId.in_subquery(projects_of(c)))
    }
}

impl Scoped for requirement_sheet::Entity {
    fn portal(c: i64) -> Condition {
        Condition::all().add(requirement_sheet::Column::ProjectId.in_subquery(projects_of(c)))
    }
}

impl Scoped for change_request::Entity {
    fn portal(c: i64) -> Condition {
        Condition::all().add(change_request::Column::ProjectId.in_subquery(projects_of(c)))
    }
}

impl Scoped for acceptance::Entity {
    fn portal(c: i64) -> Condition {
        Condition::all().add(acceptance::Column::ProjectId.in_subquery(projects_of(c)))
    }
}

impl Scoped for stage::Entity {
    fn portal(c: i64) -> Condition {
        Condition::all().add(stage::Column::ProjectId.in_subquery(projects_of(c)))
    }
}

impl Scoped for report::Entity {
    fn portal(c: i64) -> Condition {
        Condition::all().add(report::Column::ProjectId.in_subquery(projects_of(c)))
    }
}

impl Scoped for risk::Entity {
    fn portal(c: i64) -> Condition {
        Condition::all()
            .add(risk::Column::ProjectId.in_subquery(projects_of(c)))
            .add(risk::Column::SharedWithClient.eq(true))
    }
}

impl Scoped for ticket::Entity {
    fn portal(c: i64) -> Condition {
        Condition::all().add(ticket::Column::ClientId.eq(c))
    }
}

impl Scoped for ticket_comment::Entity {
    fn portal(c: i64) -> Condition {
        Condition::all()
            .add(ticket_comment::Column::TicketId.in_subquery(tickets_of(c)))
            .add(ticket_comment::Column::Internal.eq(false))
    }
}

impl Scoped for ticket_clock::Entity {
    fn portal(c: i64) -> Condition {
        Condition::all().add(ticket_clock::Column::TicketId.in_subquery(tickets_of(c)))
    }
}

impl Scoped for service_level_policy::Entity {
    /// The promise made to every customer: no secret.
    fn portal(_: i64) -> Condition {
        Condition::all()
    }
}

impl Scoped for service_level_target::Entity {
    fn portal(_: i64) -> Condition {
        Condition::all()
    }
}

impl Scoped for escalation_level::Entity {
    /// The ladder is part of the promise made to every customer.
    fn portal(_: i64) -> Condition {
        Condition::all()
    }
}

impl Scoped for ticket_escalation::Entity {
    fn portal(c: i64) -> Condition {
        Condition::all().add(ticket_escalation::Column::TicketId.in_subquery(tickets_of(c)))
    }
}

impl Scoped for follow_up::Entity {
    fn portal(c: i64) -> Condition {
        Condition::all().add(follow_up::Column::TicketId.in_subquery(tickets_of(c)))
    }
}

impl Scoped for event::Entity {
    fn portal(c: i64) -> Condition {
        Condition::all()
            .add(event::Column::ClientId.eq(c))
            .add(event::Column::EntityKind.is_in(PORTAL_EVENT_KINDS))
    }
}

impl Scoped for interaction::Entity {
    /// The vendor's sales log: never the customer's to read.
    fn portal(_: i64) -> Condition {
        Condition::all().add(interaction::Column::Id.is_null())
    }
}

impl Scoped for user::Entity {
    /// Staff appear in the portal only as the people working for the client: owners,
    /// assignees, authors. Their names and titles are not secret, so any user row is visible.
    fn portal(_: i64) -> Condition {
        Condition::all()
    }
}

/// The portal-safe projection of a row: what a contact must not read is blanked before
/// the row reaches any resolver.
pub trait Redact {
    fn redact(&mut self) {}
}

/// A row as the caller in `scope` may read it.
///
/// Only [`Visible::new`] builds one, and it redacts on the way. Every GraphQL object holds
/// its row as a `Visible`, so whatever loaded the row (a loader, a connection, a feed, a
/// service answering a mutation or building a digest), it cannot reach a portal user
/// unredacted: the compiler refuses the road that would skip this.
#[derive(Debug, Clone, PartialEq)]
pub struct Visible<M>(M);

impl<M: Redact> Visible<M> {
    pub fn new(scope: Scope, mut row: M) -> Self {
        if let Scope::Client(_) = scope {
            row.redact();
        }
        Self(row)
    }

    pub fn into_inner(self) -> M {
        self.0
    }
}

impl<M> std::ops::Deref for Visible<M> {
    type Target = M;
    fn deref(&self) -> &M {
        &self.0
    }
}

/// `rows` as `scope` may read them.
pub fn redact<M: Redact>(scope: Scope, rows: Vec<M>) -> Vec<Visible<M>> {
    rows.into_iter()
        .map(|row| Visible::new(scope, row))
        .collect()
}

impl Redact for client::Model {
    /// The vendor's sales notes about the client.
    fn redact(&mut self) {
        self.budget_range = None;
        self.decision_chain = None;
        self.key_needs = None;
        self.notes = None;
        self.first_contact_at = None;
    }
}

impl Redact for project::Model {
    fn redact(&mut self) {
        if self.contract_value_internal {
            self.contract_value_minor = None;
            self.currency = None;
        }
    }
}

impl Redact for event::Model {
    /// Changed fields can name internal ones (a contract value, a note); the status
    /// change itself stays visible.
    fn redact(&mut self) {
        // Service-level alerts carry only the clock, its cycle, the priority and the due
        // instant: what the customer was promised.
        if !matches!(
            self.kind,
            EventKind::ServiceLevelAtRisk | EventKind::ServiceLevelBreached
        ) {
            self.changes = "{}".to_owned();
        }
    }
}

impl Redact for contact::Model {}
impl Redact for team_member::Model {}
impl Redact for requirement::Model {}
impl Redact for stage::Model {}
impl Redact for report::Model {}
impl Redact for risk::Model {}
impl Redact for ticket::Model {}
impl Redact for ticket_comment::Model {}
impl Redact for ticket_clock::Model {}
impl Redact for service_level_policy::Model {}
impl Redact for service_level_target::Model {}
impl Redact for user::Model {}
impl Redact for escalation_level::Model {}
impl Redact for requirement_sheet::Model {}
impl Redact for change_request::Model {}
impl Redact for acceptance::Model {}
impl Redact for follow_up::Model {}
impl Redact for interaction::Model {}

impl Redact for ticket_escalation::Model {
    /// Why the team escalated is the team's business; that it did is the customer's.
    fn redact(&mut self) {
        self.reason = String::new();
    }
}
