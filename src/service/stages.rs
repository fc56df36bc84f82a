//! Stages (milestones) of a project's delivery plan.

use chrono::NaiveDate;
use entity::{EntityKind, EventKind, StageStatus, project, stage, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::{
    Ctx, EventDraft, UnitOfWork, check_version, load, patch::Changes, require, save_versioned,
};
use crate::{
    domain::{input::date_order, status::Lifecycle},
    error::AppResult,
    snapshot,
};

pub struct NewStage {
    pub project_id: i64,
    pub name: String,
    /// Where the stage goes in the plan; appended when absent.
    pub position: Option<i32>,
    pub owner_id: Option<i64>,
    pub planned_start: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub deliverables: Option<String>,
}

#[derive(Default)]
pub struct StagePatch {
    pub name: Option<String>,
    pub position: Option<i32>,
    pub owner_id: Option<Option<i64>>,
    pub planned_start: Option<Option<NaiveDate>>,
    pub due_date: Option<Option<NaiveDate>>,
    pub deliverables: Option<Option<String>>,
}

pub async fn create(ctx: Ctx<'_>, new: NewStage) -> AppResult<stage::Model> {
    ctx.caller.require_staff_write()?;
    date_order("dueDate", new.planned_start, new.due_date)?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let project =
        require::<project::Entity>(uow.txn(), ctx.caller, "projectId", new.project_id).await?;
    if let Some(owner) = new.owner_id {
        require::<user::Entity>(uow.txn(), ctx.caller, "ownerId", owner).await?;
    }
    let position = match new.position {
        Some(p) => p,
        None => {
            let last: Option<i32> = stage::Entity::find()
                .select_only()
                .column(stage::Column::Position)
                .filter(stage::Column::ProjectId.eq(new.project_id))
                .order_by_desc(stage::Column::Position)
                .into_tuple()
                .one(uow.txn())
                .await?;
            last.map_or(1, |p| p.saturating_add(1))
        }
    };
    let row = stage::ActiveModel {
        project_id: Set(new.project_id),
        name: Set(new.name),
        position: Set(position),
        owner_id: Set(new.owner_id),
        planned_start: Set(new.planned_start),
        due_date: Set(new.due_date),
        completed_at: Set(None),
        deliverables: Set(new.deliverables),
        status: Set(StageStatus::NotStarted),
        created_at: Set(uow.now()),
        updated_at: Set(uow.now()),
        version: Set(1),
        ..Default::default()
    }
    .insert(uow.txn())
    .await?;
    let snap =
        snapshot!(row; name, position, owner_id, planned_start, due_date, deliverables, status);
    uow.record(
        EventDraft::new(EventKind::Created, EntityKind::Stage, row.id)
            .project(project.id, project.client_id)
            .changes(snap),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

pub async fn update(
    ctx: Ctx<'_>,
    id: i64,
    p: StagePatch,
    expected: Option<i32>,
) -> AppResult<stage::Model> {
    ctx.caller.require_staff_write()?;
    // Destructured so that a field added to the patch and not applied fails to compile.
    let StagePatch {
        name,
        position,
        owner_id,
        planned_start,
        due_date,
        deliverables,
    } = p;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<stage::Entity>(uow.txn(), ctx.caller, id).await?;
    check_version("stage", cur.version, expected)?;
    if let Some(Some(owner)) = owner_id {
        require::<user::Entity>(uow.txn(), ctx.caller, "ownerId", owner).await?;
    }
    date_order(
        "dueDate",
        planned_start.unwrap_or(cur.planned_start),
        due_date.unwrap_or(cur.due_date),
    )?;
    let project = load::<project::Entity>(uow.txn(), ctx.caller, cur.project_id).await?;
    let mut ch = Changes::default();
    let am = stage::ActiveModel {
        name: ch.field("name", &cur.name, name),
        position: ch.field("position", &cur.position, position),
        owner_id: ch.field("owner_id", &cur.owner_id, owner_id),
        planned_start: ch.field("planned_start", &cur.planned_start, planned_start),
        due_date: ch.field("due_date", &cur.due_date, due_date),
        deliverables: ch.field("deliverables", &cur.deliverables, deliverables),
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    if ch.is_empty() {
        return Ok(cur);
    }
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    uow.record(
        EventDraft::new(EventKind::Updated, EntityKind::Stage, id)
            .project(project.id, project.client_id)
            .changes(ch.into_json()),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

pub async fn change_status(
    ctx: Ctx<'_>,
    id: i64,
    to: StageStatus,
    expected: Option<i32>,
) -> AppResult<stage::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<stage::Entity>(uow.txn(), ctx.caller, id).await?;
    check_version("stage", cur.version, expected)?;
    cur.status.check(to)?;
    let project = load::<project::Entity>(uow.txn(), ctx.caller, cur.project_id).await?;
    // Completion time belongs to DONE: set on entering it, cleared on reopening.
    let completed_at = (to == StageStatus::Done).then(|| uow.now());
    let am = stage::ActiveModel {
        status: Set(to),
        completed_at: Set(completed_at),
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    uow.record(
        EventDraft::new(EventKind::StatusChanged, EntityKind::Stage, id)
            .project(project.id, project.client_id)
            .status(cur.status, to),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}
