//! A key contact leaves the client: their open work moves to a successor in one
//! transaction, announced by one event, and their portal access ends (see
//! [`crate::auth::departed`]).

use entity::{
    ActionItemStatus, ContactStatus, CriterionStatus, EntityKind, EventKind, MeetingStatus,
    acceptance_criterion, action_item, contact, meeting, project, ticket,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set, prelude::Expr,
    sea_query::ExprTrait,
};
use serde_json::json;

use super::{
    Ctx, EventDraft, UnitOfWork, check_version, ids_of, load, require, save_versioned,
    tickets::open_condition,
};
use crate::{
    domain::{
        contact::{check_successor, hand_over},
        status::Lifecycle,
    },
    error::AppResult,
};

/// What moved to the successor, by kind: ids of the rows.
#[derive(Debug, Default)]
pub struct Moved {
    pub action_items: Vec<i64>,
    pub tickets: Vec<i64>,
    pub meetings: Vec<i64>,
    pub projects: Vec<i64>,
    pub acceptance_criteria: Vec<i64>,
}

/// Ids of `E` rows matching `cond`, then those rows' owner column set to `to` with the
/// version bumped (so an edit begun before the handover is a conflict, not a revert).
async fn reassign<E, C>(
    txn: &impl ConnectionTrait,
    cond: sea_orm::Condition,
    id: C,
    column: C,
    version: Option<C>,
    to: i64,
) -> AppResult<Vec<i64>>
where
    E: EntityTrait<Column = C>,
    C: ColumnTrait,
{
    let ids: Vec<i64> = E::find()
        .select_only()
        .column(id)
        .filter(cond.clone())
        .into_tuple()
        .all(txn)
        .await?;
    if !ids.is_empty() {
        let mut update = E::update_many()
            .col_expr(column, Expr::value(to))
            .filter(id.is_in(ids.clone()));
        if let Some(v) = version {
            update = update.col_expr(v, Expr::col(v).add(1));
        }
        update.exec(txn).await?;
    }
    Ok(ids)
}

/// Marks `id` as having left, handing their open items to `successor_id`.
pub async fn mark_left(
    ctx: Ctx<'_>,
    id: i64,
    successor_id: i64,
    expected: Option<i32>,
) -> AppResult<(contact::Model, Moved)> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<contact::Entity>(uow.txn(), ctx.caller, id).await?;
    check_version("contact", cur.version, expected)?;
    cur.status.check(ContactStatus::Left)?;
    let successor =
        require::<contact::Entity>(uow.txn(), ctx.caller, "successorId", successor_id).await?;
    check_successor(
        (cur.id, cur.client_id),
        (successor.id, successor.client_id, successor.status),
    )?;
    let txn = uow.txn();
    let mut moved = Moved {
        action_items: reassign::<action_item::Entity, _>(
            txn,
            sea_orm::Condition::all()
                .add(action_item::Column::AssigneeContactId.eq(id))
                .add(action_item::Column::Status.eq(ActionItemStatus::Open)),
            action_item::Column::Id,
            action_item::Column::AssigneeContactId,
            Some(action_item::Column::Version),
            successor.id,
        )
        .await?,
        tickets: reassign::<ticket::Entity, _>(
            txn,
            sea_orm::Condition::all()
                .add(ticket::Column::ReporterContactId.eq(id))
                .add(open_condition(true)),
            ticket::Column::Id,
            ticket::Column::ReporterContactId,
            Some(ticket::Column::Version),
            successor.id,
        )
        .await?,
        projects: reassign::<project::Entity, _>(
            txn,
            sea_orm::Condition::all().add(project::Column::PrimaryContactId.eq(id)),
            project::Column::Id,
            project::Column::PrimaryContactId,
            Some(project::Column::Version),
            successor.id,
        )
        .await?,
        // Criteria they were to check and have not passed.
        acceptance_criteria: reassign::<acceptance_criterion::Entity, _>(
            txn,
            sea_orm::Condition::all()
                .add(acceptance_criterion::Column::CheckerContactId.eq(id))
                .add(acceptance_criterion::Column::Status.ne(CriterionStatus::Passed)),
            acceptance_criterion::Column::Id,
            acceptance_criterion::Column::CheckerContactId,
            Some(acceptance_criterion::Column::Version),
            successor.id,
        )
        .await?,
        meetings: Vec::new(),
    };
    // Meetings ahead that they attend: their seat goes to the successor.
    let ahead = meeting::Entity::find()
        .filter(
            meeting::Column::ProjectId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(project::Column::Id)
                    .from(project::Entity)
                    .and_where(project::Column::ClientId.eq(cur.client_id))
                    .to_owned(),
            ),
        )
        .filter(meeting::Column::Status.eq(MeetingStatus::Scheduled))
        .filter(meeting::Column::ScheduledAt.gt(uow.now()))
        .all(txn)
        .await?;
    for m in ahead {
        let attendees = ids_of(&m.contact_ids);
        if !attendees.contains(&id) {
            continue;
        }
        let am = meeting::ActiveModel {
            contact_ids: Set(json!(hand_over(&attendees, id, successor.id))),
            updated_at: Set(uow.now()),
            ..Default::default()
        };
        save_versioned(txn, am, m.id, m.version).await?;
        moved.meetings.push(m.id);
    }
    let am = contact::ActiveModel {
        status: Set(ContactStatus::Left),
        left_at: Set(Some(uow.now())),
        successor_id: Set(Some(successor.id)),
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    let row = save_versioned(txn, am, id, cur.version).await?;
    uow.record(
        EventDraft::new(EventKind::StatusChanged, EntityKind::Contact, id)
            .client(cur.client_id)
            .status(cur.status, ContactStatus::Left)
            .changes(json!({
                "successor_id": successor.id,
                "moved": {
                    "action_items": moved.action_items,
                    "tickets": moved.tickets,
                    "meetings": moved.meetings,
                    "projects": moved.projects,
                    "acceptance_criteria": moved.acceptance_criteria,
                },
            })),
    )
    .await?;
    uow.commit().await?;
    Ok((row, moved))
}

/// Every contact who has left, for the portal gate at start and after a missed event.
pub async fn departed(db: &impl ConnectionTrait) -> AppResult<Vec<i64>> {
    Ok(contact::Entity::find()
        .select_only()
        .column(contact::Column::Id)
        .filter(contact::Column::Status.eq(ContactStatus::Left))
        .into_tuple()
        .all(db)
        .await?)
}
