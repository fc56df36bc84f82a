//! Acceptance criteria: drafted from a project's in-scope requirements and its stages'
//! deliverables (and added by hand), passed or failed by the client's contacts.

use entity::{
    CriterionStatus, EntityKind, EventKind, acceptance_criterion as criterion, project,
    requirement, stage,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::{
    Ctx, EventDraft, UnitOfWork, check_version, client_voice, load, require, save_versioned,
};
use crate::{domain::status::Lifecycle, error::AppResult, snapshot};

fn event(kind: EventKind, row: &criterion::Model, p: &project::Model) -> EventDraft {
    EventDraft::new(kind, EntityKind::AcceptanceCriterion, row.id).project(p.id, p.client_id)
}

async fn insert(
    uow: &mut UnitOfWork<'_>,
    p: &project::Model,
    text: String,
    requirement_id: Option<i64>,
    stage_id: Option<i64>,
    checker: Option<i64>,
) -> AppResult<criterion::Model> {
    let row = criterion::ActiveModel {
        project_id: Set(p.id),
        checker_contact_id: Set(checker.or(p.primary_contact_id)),
        requirement_id: Set(requirement_id),
        stage_id: Set(stage_id),
        text: Set(text),
        status: Set(CriterionStatus::Pending),
        created_at: Set(uow.now()),
        version: Set(1),
        ..Default::default()
    }
    .insert(uow.txn())
    .await?;
    uow.record(
        event(EventKind::Created, &row, p)
            .changes(snapshot!(row; text, requirement_id, stage_id, checker_contact_id)),
    )
    .await?;
    Ok(row)
}

/// Drafts the criteria of what was agreed: one per in-scope requirement and one per stage
/// with deliverables, each once however often this runs. Returns those it added.
pub async fn draft(ctx: Ctx<'_>, project_id: i64) -> AppResult<Vec<criterion::Model>> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let p = require::<project::Entity>(uow.txn(), ctx.caller, "projectId", project_id).await?;
    let existing = criterion::Entity::find()
        .filter(criterion::Column::ProjectId.eq(p.id))
        .all(uow.txn())
        .await?;
    let requirements = requirement::Entity::find()
        .filter(requirement::Column::ProjectId.eq(p.id))
        .filter(requirement::Column::InScope.eq(true))
        .all(uow.txn())
        .await?;
    let stages = stage::Entity::find()
        .filter(stage::Column::ProjectId.eq(p.id))
        .all(uow.txn())
        .await?;
    let mut added = Vec::new();
    for r in requirements {
        if !existing.iter().any(|c| c.requirement_id == Some(r.id)) {
            added.push(insert(&mut uow, &p, r.title, Some(r.id), None, None).await?);
        }
    }
    for s in stages {
        let Some(deliverables) = s.deliverables.filter(|d| !d.trim().is_empty()) else {
            continue;
        };
        if !existing.iter().any(|c| c.stage_id == Some(s.id)) {
            let text = format!("{}: {deliverables}", s.name);
            added.push(insert(&mut uow, &p, text, None, Some(s.id), None).await?);
        }
    }
    uow.commit().await?;
    Ok(added)
}

/// Adds a criterion of the team's or the client's asking, to be checked by `checker` (a
/// contact of the client; the project's primary contact when not given).
pub async fn add(
    ctx: Ctx<'_>,
    project_id: i64,
    text: String,
    checker: Option<i64>,
) -> AppResult<criterion::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let p = require::<project::Entity>(uow.txn(), ctx.caller, "projectId", project_id).await?;
    if let Some(c) = checker {
        super::require_contact_of(uow.txn(), ctx.caller, "checkerContactId", c, p.client_id)
            .await?;
    }
    let row = insert(&mut uow, &p, text, None, None, checker).await?;
    uow.commit().await?;
    Ok(row)
}

/// The client's verdict on a criterion: a portal user gives it as itself; staff record one
/// given elsewhere, naming the contact.
pub async fn judge(
    ctx: Ctx<'_>,
    id: i64,
    to: CriterionStatus,
    note: Option<String>,
    contact_id: Option<i64>,
    expected: Option<i32>,
) -> AppResult<criterion::Model> {
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<criterion::Entity>(uow.txn(), ctx.caller, id).await?;
    let p = load::<project::Entity>(uow.txn(), ctx.caller, cur.project_id).await?;
    let (by, recorded_by) = client_voice(uow.txn(), ctx.caller, contact_id, p.client_id).await?;
    check_version("acceptance criterion", cur.version, expected)?;
    cur.status.check(to)?;
    let am = criterion::ActiveModel {
        status: Set(to),
        note: Set(note),
        decided_at: Set(Some(uow.now())),
        decided_by_contact_id: Set(Some(by)),
        recorded_by_user_id: Set(recorded_by),
        ..Default::default()
    };
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    uow.record(
        event(EventKind::StatusChanged, &row, &p)
            .status(cur.status, to)
            .changes(snapshot!(row; note, decided_by_contact_id, recorded_by_user_id)),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

/// The statuses of a project's criteria (for the sign-off rule).
pub async fn statuses(
    db: &impl ConnectionTrait,
    project_id: i64,
) -> AppResult<Vec<CriterionStatus>> {
    Ok(criterion::Entity::find()
        .filter(criterion::Column::ProjectId.eq(project_id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.status)
        .collect())
}
