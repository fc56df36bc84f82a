//! After-sales tickets and their comments.

use entity::{
    EntityKind, EventKind, TicketChannel, TicketGrade, TicketPriority, TicketStatus, TicketType,
    contact, follow_up, project, ticket, ticket_comment, user,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, Set};

use super::{
    Caller, Ctx, EventDraft, UnitOfWork, check_version, escalations, follow_ups, load,
    patch::Changes, require, save_versioned, service_levels,
};
use crate::{
    auth::{Scope, scope::VisibleSelect},
    domain::{service_level::Fact, status::Lifecycle},
    error::{AppError, AppResult},
    snapshot,
};

/// Statuses in which a ticket still needs the vendor's attention.
pub const OPEN_STATUSES: [TicketStatus; 4] = [
    TicketStatus::New,
    TicketStatus::Acknowledged,
    TicketStatus::InProgress,
    TicketStatus::WaitingOnCustomer,
];

/// Tickets that are (`true`) or are not (`false`) open, the statuses written into the
/// statement ([`crate::sql`]): every road that asks for open tickets asks this.
pub fn open_condition(open: bool) -> sea_orm::sea_query::Expr {
    if open {
        crate::sql::one_of(ticket::Column::Status, OPEN_STATUSES)
    } else {
        crate::sql::none_of(ticket::Column::Status, OPEN_STATUSES)
    }
}

pub struct NewTicket {
    pub project_id: i64,
    pub title: String,
    pub description: Option<String>,
    pub ticket_type: TicketType,
    pub priority: TicketPriority,
    /// None: MINOR, or the vendor's to set (a portal user may not grade).
    pub grade: Option<TicketGrade>,
    pub channel: TicketChannel,
    pub assignee_id: Option<i64>,
    pub reporter_contact_id: Option<i64>,
}

#[derive(Default)]
pub struct TicketPatch {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub ticket_type: Option<TicketType>,
    pub priority: Option<TicketPriority>,
    pub grade: Option<TicketGrade>,
    pub channel: Option<TicketChannel>,
    pub assignee_id: Option<Option<i64>>,
    pub reporter_contact_id: Option<Option<i64>>,
}

#[derive(Default)]
pub struct TicketFilter {
    pub statuses: Vec<TicketStatus>,
    pub priorities: Vec<TicketPriority>,
    pub grades: Vec<TicketGrade>,
    pub types: Vec<TicketType>,
    pub assignee_id: Option<i64>,
    pub project_id: Option<i64>,
    pub client_id: Option<i64>,
    /// Only tickets still open (see [`OPEN_STATUSES`]).
    pub open: Option<bool>,
    /// Only tickets whose satisfaction follow-up is unanswered past its deadline at
    /// this instant.
    pub follow_up_overdue_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub fn list(scope: Scope, f: TicketFilter) -> VisibleSelect<ticket::Entity> {
    let mut q = VisibleSelect::<ticket::Entity>::new(scope);
    if !f.statuses.is_empty() {
        q = q.filter(ticket::Column::Status.is_in(f.statuses));
    }
    if !f.priorities.is_empty() {
        q = q.filter(ticket::Column::Priority.is_in(f.priorities));
    }
    if !f.grades.is_empty() {
        q = q.filter(ticket::Column::Grade.is_in(f.grades));
    }
    if !f.types.is_empty() {
        q = q.filter(ticket::Column::TicketType.is_in(f.types));
    }
    if let Some(id) = f.assignee_id {
        q = q.filter(ticket::Column::AssigneeId.eq(id));
    }
    if let Some(id) = f.project_id {
        q = q.filter(ticket::Column::ProjectId.eq(id));
    }
    if let Some(id) = f.client_id {
        q = q.filter(ticket::Column::ClientId.eq(id));
    }
    if let Some(open) = f.open {
        q = q.filter(open_condition(open));
    }
    if let Some(now) = f.follow_up_overdue_at {
        q = q.filter(
            ticket::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(follow_up::Column::TicketId)
                    .from(follow_up::Entity)
                    .and_where(follow_up::Column::Score.is_null())
                    .and_where(follow_up::Column::CancelledAt.is_null())
                    .and_where(follow_up::Column::DueAt.lt(now))
                    .to_owned(),
            ),
        );
    }
    q
}

/// A reporter must be a contact of the ticket's own client.
async fn check_reporter(
    txn: &sea_orm::DatabaseTransaction,
    caller: &Caller,
    contact_id: i64,
    client_id: i64,
) -> AppResult<()> {
    let contact = require::<contact::Entity>(txn, caller, "reporterContactId", contact_id).await?;
    if contact.client_id != client_id {
        return Err(AppError::input(
            "reporterContactId",
            "the reporter is not a contact of the project's client",
        ));
    }
    Ok(())
}

pub async fn create(ctx: Ctx<'_>, new: NewTicket) -> AppResult<ticket::Model> {
    let mut uow = UnitOfWork::begin(ctx).await?;
    let project =
        require::<project::Entity>(uow.txn(), ctx.caller, "projectId", new.project_id).await?;
    ctx.caller
        .require_staff_write_or_contact_of(project.client_id)?;
    let mut new = new;
    if let Caller::Contact { contact_id, .. } = ctx.caller {
        // A portal user opens tickets through the portal, for its own client, and leaves
        // the assignment to the vendor. What it asks otherwise is refused, never rewritten.
        if new.assignee_id.is_some() {
            return Err(AppError::Forbidden(
                "a portal user cannot assign a ticket".into(),
            ));
        }
        if new.grade.is_some() {
            return Err(AppError::Forbidden(
                "the vendor grades a ticket; describe its impact instead".into(),
            ));
        }
        if new.channel != TicketChannel::Portal {
            return Err(AppError::input(
                "channel",
                "a ticket opened in the portal comes through the PORTAL channel",
            ));
        }
        new.reporter_contact_id.get_or_insert(*contact_id);
    }
    if let Some(id) = new.assignee_id {
        require::<user::Entity>(uow.txn(), ctx.caller, "assigneeId", id).await?;
    }
    if let Some(id) = new.reporter_contact_id {
        check_reporter(uow.txn(), ctx.caller, id, project.client_id).await?;
    }
    let row = ticket::ActiveModel {
        project_id: Set(project.id),
        client_id: Set(project.client_id),
        title: Set(new.title),
        description: Set(new.description),
        ticket_type: Set(new.ticket_type),
        priority: Set(new.priority),
        grade: Set(new.grade.unwrap_or(TicketGrade::Minor)),
        status: Set(TicketStatus::New),
        channel: Set(new.channel),
        assignee_id: Set(new.assignee_id),
        reporter_contact_id: Set(new.reporter_contact_id),
        resolved_at: Set(None),
        closed_at: Set(None),
        created_at: Set(uow.now()),
        updated_at: Set(uow.now()),
        version: Set(1),
        ..Default::default()
    }
    .insert(uow.txn())
    .await?;
    service_levels::open(&uow, &row).await?;
    let snap = snapshot!(row; title, ticket_type, priority, grade, status, channel, assignee_id, reporter_contact_id);
    uow.record(
        EventDraft::new(EventKind::Created, EntityKind::Ticket, row.id)
            .project(project.id, project.client_id)
            .changes(snap),
    )
    .await?;
    escalations::escalate_to_grade(&mut uow, &row).await?;
    uow.commit().await?;
    Ok(row)
}

pub async fn update(
    ctx: Ctx<'_>,
    id: i64,
    p: TicketPatch,
    expected: Option<i32>,
) -> AppResult<ticket::Model> {
    ctx.caller.require_staff_write()?;
    // Destructured so that a field added to the patch and not applied fails to compile.
    let TicketPatch {
        title,
        description,
        ticket_type,
        priority,
        grade,
        channel,
        assignee_id,
        reporter_contact_id,
    } = p;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<ticket::Entity>(uow.txn(), ctx.caller, id).await?;
    check_version("ticket", cur.version, expected)?;
    if let Some(Some(a)) = assignee_id {
        require::<user::Entity>(uow.txn(), ctx.caller, "assigneeId", a).await?;
    }
    if let Some(Some(c)) = reporter_contact_id {
        check_reporter(uow.txn(), ctx.caller, c, cur.client_id).await?;
    }
    let mut ch = Changes::default();
    let am = ticket::ActiveModel {
        title: ch.field("title", &cur.title, title),
        description: ch.field("description", &cur.description, description),
        ticket_type: ch.field("ticket_type", &cur.ticket_type, ticket_type),
        priority: ch.field("priority", &cur.priority, priority),
        grade: ch.field("grade", &cur.grade, grade),
        channel: ch.field("channel", &cur.channel, channel),
        assignee_id: ch.field("assignee_id", &cur.assignee_id, assignee_id),
        reporter_contact_id: ch.field(
            "reporter_contact_id",
            &cur.reporter_contact_id,
            reporter_contact_id,
        ),
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    if ch.is_empty() {
        return Ok(cur);
    }
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    if row.priority != cur.priority {
        let fact = Fact::PriorityChanged { to: row.priority };
        service_levels::track(&uow, &cur, fact).await?;
    }
    uow.record(
        EventDraft::new(EventKind::Updated, EntityKind::Ticket, id)
            .project(cur.project_id, cur.client_id)
            .changes(ch.into_json()),
    )
    .await?;
    // Graded up: escalated to where the new grade starts (never down).
    if row.grade != cur.grade {
        escalations::escalate_to_grade(&mut uow, &row).await?;
    }
    uow.commit().await?;
    Ok(row)
}

pub async fn change_status(
    ctx: Ctx<'_>,
    id: i64,
    to: TicketStatus,
    expected: Option<i32>,
) -> AppResult<ticket::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<ticket::Entity>(uow.txn(), ctx.caller, id).await?;
    check_version("ticket", cur.version, expected)?;
    cur.status.check(to)?;
    let now = uow.now();
    let am = ticket::ActiveModel {
        status: Set(to),
        // Resolution time is kept through closing and cleared by reopening.
        resolved_at: Set(match to {
            TicketStatus::Resolved => Some(now),
            TicketStatus::Closed => cur.resolved_at,
            _ => None,
        }),
        closed_at: Set((to == TicketStatus::Closed).then_some(now)),
        updated_at: Set(now),
        ..Default::default()
    };
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    service_levels::track(&uow, &cur, Fact::StatusChanged { to }).await?;
    follow_ups::track(&uow, &cur, to).await?;
    uow.record(
        EventDraft::new(EventKind::StatusChanged, EntityKind::Ticket, id)
            .project(cur.project_id, cur.client_id)
            .status(cur.status, to),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

pub async fn add_comment(
    ctx: Ctx<'_>,
    ticket_id: i64,
    body: String,
    internal: bool,
) -> AppResult<ticket_comment::Model> {
    let mut uow = UnitOfWork::begin(ctx).await?;
    let ticket = require::<ticket::Entity>(uow.txn(), ctx.caller, "ticketId", ticket_id).await?;
    ctx.caller
        .require_staff_write_or_contact_of(ticket.client_id)?;
    let (author_user_id, author_contact_id) = match ctx.caller {
        Caller::Staff { user_id, .. } => (Some(*user_id), None),
        Caller::Contact { contact_id, .. } => {
            if internal {
                return Err(AppError::Forbidden(
                    "internal comments are for the vendor's team".into(),
                ));
            }
            (None, Some(*contact_id))
        }
        Caller::System | Caller::Anonymous => (None, None),
    };
    let row = ticket_comment::ActiveModel {
        ticket_id: Set(ticket_id),
        author_user_id: Set(author_user_id),
        author_contact_id: Set(author_contact_id),
        body: Set(body),
        internal: Set(internal),
        created_at: Set(uow.now()),
        ..Default::default()
    }
    .insert(uow.txn())
    .await?;
    if !internal && author_user_id.is_some() {
        // A public answer from the vendor's team is what the customer's clocks wait for.
        service_levels::track(&uow, &ticket, Fact::PublicReply).await?;
    }
    uow.record(
        EventDraft::new(EventKind::Created, EntityKind::TicketComment, row.id)
            .project(ticket.project_id, ticket.client_id)
            .changes(snapshot!(row; ticket_id, internal)),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}
