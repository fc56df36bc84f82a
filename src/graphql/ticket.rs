//! After-sales tickets and their comments in the graph.

use crate::auth::scope::Visible;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use chrono::{DateTime, Utc};
use entity::{
    EntityKind, TicketChannel, TicketGrade, TicketPriority, TicketStatus, TicketType, client,
    contact, project, ticket, ticket_comment, user,
};

use super::{
    client::{Client, Contact},
    event::Event,
    ids::{NodeKind, decode_as, encode},
    input::{opt_id, patch_id, patch_text, set_text},
    loaders::{self, EventScope},
    pagination::{KeyKind, Page, Sort, paginate},
    plain::{self, PlainFields, Read},
    project::Project,
    scope,
    sets::CommentsOfTicket,
    svc,
    user::User,
};
use crate::{
    domain::input::{LONG, SHORT, opt_text, text},
    service::tickets::{self, NewTicket, TicketFilter, TicketPatch},
};

/// An after-sales ticket.
pub struct Ticket(pub Visible<ticket::Model>);

/// The fields of [`Ticket`] that read only its row, as their resolvers below answer.
impl PlainFields for Ticket {
    const FIELDS: &'static [(&'static str, Read<Self>)] = &[
        ("id", |t| plain::id(encode(NodeKind::Ticket, t.0.id))),
        ("title", |t| plain::text(&t.0.title)),
        ("description", |t| {
            plain::opt_text(t.0.description.as_deref())
        }),
        ("type", |t| plain::variant(t.0.ticket_type)),
        ("priority", |t| plain::variant(t.0.priority)),
        ("grade", |t| plain::variant(t.0.grade)),
        ("status", |t| plain::variant(t.0.status)),
        ("channel", |t| plain::variant(t.0.channel)),
        ("createdAt", |t| plain::scalar(&t.0.created_at)),
        ("updatedAt", |t| plain::scalar(&t.0.updated_at)),
        ("resolvedAt", |t| plain::opt(&t.0.resolved_at)),
        ("closedAt", |t| plain::opt(&t.0.closed_at)),
        ("version", |t| plain::scalar(&t.0.version)),
    ];
}

/// The columns each field of [`Ticket`] reads ([`super::columns`]); a field not named
/// here reads the whole row.
pub const COLUMNS: super::columns::FieldColumns = &[
    ("id", &["id"]),
    ("title", &["title"]),
    ("description", &["description"]),
    ("type", &["ticket_type"]),
    ("priority", &["priority"]),
    ("grade", &["grade"]),
    ("status", &["status"]),
    ("channel", &["channel"]),
    ("createdAt", &["created_at"]),
    ("updatedAt", &["updated_at"]),
    ("resolvedAt", &["resolved_at"]),
    ("closedAt", &["closed_at"]),
    ("version", &["version"]),
    ("project", &["project_id"]),
    ("client", &["client_id"]),
    ("assignee", &["assignee_id"]),
    ("reporter", &["reporter_contact_id"]),
    ("comments", &[]),
];

#[Object]
impl Ticket {
    /// Files attached to it (a portal user: those not internal), oldest first.
    async fn documents(&self, ctx: &Context<'_>) -> Result<Vec<super::document::Document>> {
        super::document::attached_to(ctx, entity::DocumentOwner::Ticket, self.0.id).await
    }
    pub async fn id(&self) -> ID {
        encode(NodeKind::Ticket, self.0.id)
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    #[graphql(name = "type")]
    async fn ticket_type(&self) -> TicketType {
        self.0.ticket_type
    }
    async fn priority(&self) -> TicketPriority {
        self.0.priority
    }
    /// MINOR, MAJOR or CRITICAL: the three-level response mechanism's grade.
    async fn grade(&self) -> TicketGrade {
        self.0.grade
    }
    async fn status(&self) -> TicketStatus {
        self.0.status
    }
    async fn channel(&self) -> TicketChannel {
        self.0.channel
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    async fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.0.resolved_at
    }
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<Project>> {
        Ok(
            loaders::selected_one::<project::Entity>(ctx, self.0.project_id)
                .await?
                .map(Project),
        )
    }
    async fn client(&self, ctx: &Context<'_>) -> Result<Option<Client>> {
        Ok(
            loaders::selected_one::<client::Entity>(ctx, self.0.client_id)
                .await?
                .map(Client),
        )
    }
    async fn assignee(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(id) = self.0.assignee_id else {
            return Ok(None);
        };
        Ok(loaders::one::<user::Entity>(ctx, id).await?.map(User))
    }
    /// The client contact who raised the ticket.
    async fn reporter(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        let Some(id) = self.0.reporter_contact_id else {
            return Ok(None);
        };
        Ok(loaders::one::<contact::Entity>(ctx, id).await?.map(Contact))
    }
    /// The service-level clocks (first response, periodic update, resolution), all
    /// cycles oldest first, or only the current cycle's.
    async fn service_level_clocks(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] current_only: bool,
    ) -> Result<Vec<super::service_level::ServiceLevelClock>> {
        super::service_level::clocks_of(ctx, &self.0, current_only).await
    }
    /// Its escalations up the ladder, lowest level first.
    async fn escalations(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::escalation::TicketEscalation>> {
        super::escalation::of_ticket(ctx, self.0.id).await
    }
    /// The escalation level it is at: 0 when never escalated.
    async fn escalation_level(&self, ctx: &Context<'_>) -> Result<i32> {
        let escalations = loaders::children(ctx, &self.0, super::sets::EscalationsOfTicket).await?;
        Ok(crate::domain::escalation::current_level(
            escalations.iter().map(|e| e.level),
        ))
    }
    /// The satisfaction follow-ups, one per resolution, oldest first.
    async fn follow_ups(&self, ctx: &Context<'_>) -> Result<Vec<super::satisfaction::FollowUp>> {
        super::satisfaction::of_ticket(ctx, self.0.id).await
    }
    /// The service record, oldest first.
    async fn comments(&self, ctx: &Context<'_>) -> Result<Vec<TicketComment>> {
        Ok(loaders::children(ctx, &self.0, CommentsOfTicket)
            .await?
            .into_iter()
            .map(TicketComment)
            .collect())
    }
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, directive = super::preflight::constraint::apply(Some(1), Some(100), None))]
        last: u32,
    ) -> Result<Vec<Event>> {
        let scope = EventScope::Entity(EntityKind::Ticket);
        Ok(loaders::latest_events(ctx, self.0.id, scope, last)
            .await?
            .into_iter()
            .map(Event)
            .collect())
    }
}

/// A comment on a ticket.
pub struct TicketComment(pub Visible<ticket_comment::Model>);

#[Object]
impl TicketComment {
    pub async fn id(&self) -> ID {
        encode(NodeKind::TicketComment, self.0.id)
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// Visible to the vendor's team only.
    async fn internal(&self) -> bool {
        self.0.internal
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The staff member who wrote it, if staff did.
    async fn author(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(id) = self.0.author_user_id else {
            return Ok(None);
        };
        Ok(loaders::one::<user::Entity>(ctx, id).await?.map(User))
    }
    /// The client contact who wrote it, if a contact did.
    async fn author_contact(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        let Some(id) = self.0.author_contact_id else {
            return Ok(None);
        };
        Ok(loaders::one::<contact::Entity>(ctx, id).await?.map(Contact))
    }
    async fn ticket(&self, ctx: &Context<'_>) -> Result<Option<Ticket>> {
        Ok(
            loaders::selected_one::<ticket::Entity>(ctx, self.0.ticket_id)
                .await?
                .map(Ticket),
        )
    }
}

#[derive(InputObject)]
pub struct TicketFilterInput {
    statuses: Option<Vec<TicketStatus>>,
    priorities: Option<Vec<TicketPriority>>,
    grades: Option<Vec<TicketGrade>>,
    types: Option<Vec<TicketType>>,
    assignee_id: Option<ID>,
    project_id: Option<ID>,
    client_id: Option<ID>,
    /// `true`: NEW, ACKNOWLEDGED, IN_PROGRESS or WAITING_ON_CUSTOMER; `false`: the others.
    open: Option<bool>,
    /// `true`: only tickets whose satisfaction follow-up is unanswered past its deadline.
    follow_up_overdue: Option<bool>,
}

#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq)]
pub enum TicketOrder {
    CreatedAtDesc,
    CreatedAtAsc,
    UpdatedAtDesc,
    PriorityDesc,
}

#[derive(Default)]
pub struct TicketQuery;

#[Object]
impl TicketQuery {
    /// Tickets, filtered and ordered, one page at a time.
    async fn tickets(
        &self,
        ctx: &Context<'_>,
        filter: Option<TicketFilterInput>,
        #[graphql(default_with = "TicketOrder::CreatedAtDesc")] order_by: TicketOrder,
        #[graphql(directive = super::preflight::constraint::apply(Some(0), Some(super::pagination::MAX_PAGE_SIZE), None))]
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<Ticket>> {
        let f = match filter {
            None => TicketFilter::default(),
            Some(f) => TicketFilter {
                statuses: f.statuses.unwrap_or_default(),
                priorities: f.priorities.unwrap_or_default(),
                grades: f.grades.unwrap_or_default(),
                types: f.types.unwrap_or_default(),
                assignee_id: opt_id("assigneeId", f.assignee_id.as_ref(), NodeKind::User)?,
                project_id: opt_id("projectId", f.project_id.as_ref(), NodeKind::Project)?,
                client_id: opt_id("clientId", f.client_id.as_ref(), NodeKind::Client)?,
                open: f.open,
                follow_up_overdue_at: (f.follow_up_overdue == Some(true))
                    .then(|| svc(ctx).map(|s| s.time.now()))
                    .transpose()?,
            },
        };
        use ticket::Column as C;
        let sort = match order_by {
            TicketOrder::CreatedAtDesc => Sort {
                name: "created-",
                column: C::CreatedAt,
                kind: KeyKind::Time,
                descending: true,
            },
            TicketOrder::CreatedAtAsc => Sort {
                name: "created+",
                column: C::CreatedAt,
                kind: KeyKind::Time,
                descending: false,
            },
            TicketOrder::UpdatedAtDesc => Sort {
                name: "updated-",
                column: C::UpdatedAt,
                kind: KeyKind::Time,
                descending: true,
            },
            TicketOrder::PriorityDesc => Sort {
                name: "priority-",
                column: C::Priority,
                kind: KeyKind::Int,
                descending: true,
            },
        };
        paginate(
            ctx,
            tickets::list(scope(ctx)?, f),
            C::Id,
            sort,
            (first, after),
            Ticket,
        )
        .await
    }

    async fn ticket(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Ticket>> {
        let id = decode_as("id", &id, NodeKind::Ticket)?;
        Ok(loaders::selected_one::<ticket::Entity>(ctx, id)
            .await?
            .map(Ticket))
    }
}

#[derive(InputObject)]
pub struct CreateTicketInput {
    project_id: ID,
    title: String,
    description: Option<String>,
    #[graphql(name = "type")]
    ticket_type: TicketType,
    #[graphql(default_with = "TicketPriority::Medium")]
    priority: TicketPriority,
    /// The three-level response mechanism's grade (MINOR when not given): MAJOR starts
    /// at the second escalation level, CRITICAL at the top. The vendor's to set.
    grade: Option<TicketGrade>,
    #[graphql(default_with = "TicketChannel::Portal")]
    channel: TicketChannel,
    assignee_id: Option<ID>,
    /// A contact of the project's client.
    reporter_contact_id: Option<ID>,
}

#[derive(InputObject)]
pub struct UpdateTicketInput {
    title: Option<String>,
    description: MaybeUndefined<String>,
    #[graphql(name = "type")]
    ticket_type: Option<TicketType>,
    priority: Option<TicketPriority>,
    /// Grading up escalates to where the new grade starts; grading down does not
    /// de-escalate.
    grade: Option<TicketGrade>,
    channel: Option<TicketChannel>,
    assignee_id: MaybeUndefined<ID>,
    reporter_contact_id: MaybeUndefined<ID>,
}

#[derive(Default)]
pub struct TicketMutation;

#[Object]
impl TicketMutation {
    async fn create_ticket(&self, ctx: &Context<'_>, input: CreateTicketInput) -> Result<Ticket> {
        let new = NewTicket {
            project_id: decode_as("projectId", &input.project_id, NodeKind::Project)?,
            title: text("title", &input.title, SHORT)?,
            description: opt_text("description", input.description.as_deref(), LONG)?,
            ticket_type: input.ticket_type,
            priority: input.priority,
            grade: input.grade,
            channel: input.channel,
            assignee_id: opt_id("assigneeId", input.assignee_id.as_ref(), NodeKind::User)?,
            reporter_contact_id: opt_id(
                "reporterContactId",
                input.reporter_contact_id.as_ref(),
                NodeKind::Contact,
            )?,
        };
        Ok(Ticket(super::seen(
            ctx,
            tickets::create(svc(ctx)?, new).await?,
        )?))
    }

    async fn update_ticket(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateTicketInput,
        expected_version: Option<i32>,
    ) -> Result<Ticket> {
        let id = decode_as("id", &id, NodeKind::Ticket)?;
        let p = TicketPatch {
            title: set_text("title", input.title, SHORT)?,
            description: patch_text("description", input.description, LONG)?,
            ticket_type: input.ticket_type,
            priority: input.priority,
            grade: input.grade,
            channel: input.channel,
            assignee_id: patch_id("assigneeId", input.assignee_id, NodeKind::User)?,
            reporter_contact_id: patch_id(
                "reporterContactId",
                input.reporter_contact_id,
                NodeKind::Contact,
            )?,
        };
        Ok(Ticket(super::seen(
            ctx,
            tickets::update(svc(ctx)?, id, p, expected_version).await?,
        )?))
    }

    /// Moves a ticket along NEW -> ACKNOWLEDGED -> IN_PROGRESS <-> WAITING_ON_CUSTOMER -> RESOLVED -> CLOSED.
    async fn change_ticket_status(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: TicketStatus,
        expected_version: Option<i32>,
    ) -> Result<Ticket> {
        let id = decode_as("id", &id, NodeKind::Ticket)?;
        Ok(Ticket(super::seen(
            ctx,
            tickets::change_status(svc(ctx)?, id, status, expected_version).await?,
        )?))
    }

    /// Adds to the ticket's service record. Internal comments are for the vendor's team only.
    async fn add_ticket_comment(
        &self,
        ctx: &Context<'_>,
        ticket_id: ID,
        body: String,
        #[graphql(default = false)] internal: bool,
    ) -> Result<TicketComment> {
        let ticket_id = decode_as("ticketId", &ticket_id, NodeKind::Ticket)?;
        let body = text("body", &body, LONG)?;
        Ok(TicketComment(super::seen(
            ctx,
            tickets::add_comment(svc(ctx)?, ticket_id, body, internal).await?,
        )?))
    }
}
