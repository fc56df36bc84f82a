//! Action items on both sides of a project: owed by a vendor user or by a client
//! contact. Staff create and assign them; a portal user completes (or reopens) its own
//! client's customer-side items.

use chrono::NaiveDate;
use entity::{ActionItemStatus, EntityKind, EventKind, action_item, meeting, project, stage, user};
use sea_orm::{ActiveModelTrait, ColumnTrait, Set};

use super::{
    Caller, Ctx, EventDraft, UnitOfWork, check_version, load, patch::Changes, require,
    require_contact_of, save_versioned,
};
use crate::{
    auth::{Scope, scope::VisibleSelect},
    domain::{
        action_item::{Assignee, Side},
        status::Lifecycle,
    },
    error::{AppError, AppResult},
    snapshot,
};

pub struct NewActionItem {
    pub project_id: i64,
    pub stage_id: Option<i64>,
    pub meeting_id: Option<i64>,
    pub title: String,
    pub due_date: Option<NaiveDate>,
    pub assignee: Assignee,
}

#[derive(Default)]
pub struct ActionItemPatch {
    pub title: Option<String>,
    pub due_date: Option<Option<NaiveDate>>,
    pub assignee: Option<Assignee>,
}

#[derive(Default)]
pub struct ActionItemFilter {
    pub project_id: Option<i64>,
    pub side: Option<Side>,
    pub status: Option<ActionItemStatus>,
    /// Only open items due before this day (today): overdue.
    pub due_before: Option<NaiveDate>,
}

pub fn list(scope: Scope, f: ActionItemFilter) -> VisibleSelect<action_item::Entity> {
    use action_item::Column as C;
    let mut q = VisibleSelect::<action_item::Entity>::new(scope);
    if let Some(p) = f.project_id {
        q = q.filter(C::ProjectId.eq(p));
    }
    match f.side {
        Some(Side::Customer) => q = q.filter(C::AssigneeContactId.is_not_null()),
        Some(Side::Vendor) => q = q.filter(C::AssigneeUserId.is_not_null()),
        None => {}
    }
    if let Some(s) = f.status {
        q = q.filter(C::Status.eq(s));
    }
    if let Some(today) = f.due_before {
        // `domain::action_item::overdue`, in SQL.
        q = q
            .filter(C::Status.eq(ActionItemStatus::Open))
            .filter(C::DueDate.lt(today));
    }
    q
}

/// Checks that `who` can owe an item of `p`: a user, or a contact of the project's client.
async fn check_assignee(
    txn: &sea_orm::DatabaseTransaction,
    caller: &Caller,
    p: &project::Model,
    who: Assignee,
) -> AppResult<()> {
    match who {
        Assignee::Vendor(u) => {
            require::<user::Entity>(txn, caller, "assigneeUserId", u).await?;
        }
        Assignee::Customer(c) => {
            require_contact_of(txn, caller, "assigneeContactId", c, p.client_id).await?;
        }
    }
    Ok(())
}

fn event(kind: EventKind, row: &action_item::Model, p: &project::Model) -> EventDraft {
    EventDraft::new(kind, EntityKind::ActionItem, row.id).project(p.id, p.client_id)
}

pub async fn create(ctx: Ctx<'_>, new: NewActionItem) -> AppResult<action_item::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let p = require::<project::Entity>(uow.txn(), ctx.caller, "projectId", new.project_id).await?;
    if let Some(id) = new.stage_id {
        let s = require::<stage::Entity>(uow.txn(), ctx.caller, "stageId", id).await?;
        if s.project_id != p.id {
            return Err(AppError::input("stageId", "a stage of another project"));
        }
    }
    if let Some(id) = new.meeting_id {
        let m = require::<meeting::Entity>(uow.txn(), ctx.caller, "meetingId", id).await?;
        if m.project_id != p.id {
            return Err(AppError::input("meetingId", "a meeting of another project"));
        }
    }
    check_assignee(uow.txn(), ctx.caller, &p, new.assignee).await?;
    let row = action_item::ActiveModel {
        project_id: Set(p.id),
        stage_id: Set(new.stage_id),
        meeting_id: Set(new.meeting_id),
        title: Set(new.title),
        due_date: Set(new.due_date),
        assignee_user_id: Set(new.assignee.user_id()),
        assignee_contact_id: Set(new.assignee.contact_id()),
        status: Set(ActionItemStatus::Open),
        done_at: Set(None),
        created_at: Set(uow.now()),
        updated_at: Set(uow.now()),
        version: Set(1),
        ..Default::default()
    }
    .insert(uow.txn())
    .await?;
    uow.record(event(EventKind::Created, &row, &p).changes(snapshot!(row;
        title, due_date, assignee_user_id, assignee_contact_id, stage_id, meeting_id, status)))
        .await?;
    uow.commit().await?;
    Ok(row)
}

pub async fn update(
    ctx: Ctx<'_>,
    id: i64,
    patch: ActionItemPatch,
    expected: Option<i32>,
) -> AppResult<action_item::Model> {
    ctx.caller.require_staff_write()?;
    let ActionItemPatch {
        title,
        due_date,
        assignee,
    } = patch;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<action_item::Entity>(uow.txn(), ctx.caller, id).await?;
    check_version("action item", cur.version, expected)?;
    let p = load::<project::Entity>(uow.txn(), ctx.caller, cur.project_id).await?;
    if let Some(who) = assignee {
        check_assignee(uow.txn(), ctx.caller, &p, who).await?;
    }
    let mut ch = Changes::default();
    let am = action_item::ActiveModel {
        title: ch.field("title", &cur.title, title),
        due_date: ch.field("due_date", &cur.due_date, due_date),
        assignee_user_id: ch.field(
            "assignee_user_id",
            &cur.assignee_user_id,
            assignee.map(Assignee::user_id),
        ),
        assignee_contact_id: ch.field(
            "assignee_contact_id",
            &cur.assignee_contact_id,
            assignee.map(Assignee::contact_id),
        ),
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    if ch.is_empty() {
        return Ok(cur);
    }
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    uow.record(event(EventKind::Updated, &row, &p).changes(ch.into_json()))
        .await?;
    uow.commit().await?;
    Ok(row)
}

/// Moves an item through its lifecycle. Staff move any item; a portal user completes or
/// reopens its own client's customer-side items, and nothing else.
pub async fn change_status(
    ctx: Ctx<'_>,
    id: i64,
    to: ActionItemStatus,
    expected: Option<i32>,
) -> AppResult<action_item::Model> {
    let mut uow = UnitOfWork::begin(ctx).await?;
    // `load` resolves in the caller's scope: another client's item is NOT_FOUND.
    let cur = load::<action_item::Entity>(uow.txn(), ctx.caller, id).await?;
    let p = load::<project::Entity>(uow.txn(), ctx.caller, cur.project_id).await?;
    ctx.caller.require_staff_write_or_contact_of(p.client_id)?;
    if let Caller::Contact { .. } = ctx.caller {
        if cur.assignee_contact_id.is_none() {
            return Err(AppError::Forbidden(
                "a portal user completes its own side's action items only".into(),
            ));
        }
        if to == ActionItemStatus::Cancelled {
            return Err(AppError::Forbidden(
                "only the vendor's staff cancel an action item".into(),
            ));
        }
    }
    check_version("action item", cur.version, expected)?;
    cur.status.check(to)?;
    let am = action_item::ActiveModel {
        status: Set(to),
        done_at: Set((to == ActionItemStatus::Done).then(|| uow.now())),
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    uow.record(
        event(EventKind::StatusChanged, &row, &p)
            .status(cur.status, to)
            .changes(serde_json::json!({ "done_at": row.done_at })),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}
