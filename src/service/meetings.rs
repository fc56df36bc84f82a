//! The meetings of a project: scheduled, held (with minutes and decisions) or cancelled.
//! The portal sees those its client's contacts attend, without the internal notes.

use chrono::{DateTime, Utc};
use entity::{EntityKind, EventKind, MeetingKind, MeetingStatus, meeting, project, stage, user};
use sea_orm::{ActiveModelTrait, Set};

use super::{
    Ctx, EventDraft, UnitOfWork, check_version, load, patch::Changes, require, require_contact_of,
    save_versioned,
};
use crate::{
    domain::{meeting::with_client, status::Lifecycle},
    error::{AppError, AppResult},
    snapshot,
};

pub struct NewMeeting {
    pub project_id: i64,
    pub stage_id: Option<i64>,
    pub kind: MeetingKind,
    pub scheduled_at: DateTime<Utc>,
    pub user_ids: Vec<i64>,
    pub contact_ids: Vec<i64>,
    pub agenda: Option<String>,
}

#[derive(Default)]
pub struct MeetingPatch {
    pub scheduled_at: Option<DateTime<Utc>>,
    pub user_ids: Option<Vec<i64>>,
    pub contact_ids: Option<Vec<i64>>,
    pub agenda: Option<Option<String>>,
    pub minutes: Option<Option<String>>,
    pub decisions: Option<Option<String>>,
    pub internal_notes: Option<Option<String>>,
}

/// Checks that the people named exist and that the contacts are the project's client's.
async fn check_people(
    txn: &sea_orm::DatabaseTransaction,
    ctx: Ctx<'_>,
    client_id: i64,
    users: &[i64],
    contacts: &[i64],
) -> AppResult<()> {
    for id in users {
        require::<user::Entity>(txn, ctx.caller, "userIds", *id).await?;
    }
    for id in contacts {
        require_contact_of(txn, ctx.caller, "contactIds", *id, client_id).await?;
    }
    Ok(())
}

fn event(kind: EventKind, row: &meeting::Model, p: &project::Model) -> EventDraft {
    EventDraft::new(kind, EntityKind::Meeting, row.id).project(p.id, p.client_id)
}

pub async fn schedule(ctx: Ctx<'_>, new: NewMeeting) -> AppResult<meeting::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let p = require::<project::Entity>(uow.txn(), ctx.caller, "projectId", new.project_id).await?;
    if let Some(id) = new.stage_id {
        let s = require::<stage::Entity>(uow.txn(), ctx.caller, "stageId", id).await?;
        if s.project_id != p.id {
            return Err(AppError::input("stageId", "a stage of another project"));
        }
    } else if new.kind == MeetingKind::MilestoneReview {
        return Err(AppError::input(
            "stageId",
            "a milestone review belongs to its stage",
        ));
    }
    check_people(uow.txn(), ctx, p.client_id, &new.user_ids, &new.contact_ids).await?;
    let row = meeting::ActiveModel {
        project_id: Set(p.id),
        stage_id: Set(new.stage_id),
        kind: Set(new.kind),
        status: Set(MeetingStatus::Scheduled),
        scheduled_at: Set(new.scheduled_at),
        held_at: Set(None),
        user_ids: Set(serde_json::json!(new.user_ids)),
        with_client: Set(with_client(&new.contact_ids)),
        contact_ids: Set(serde_json::json!(new.contact_ids)),
        agenda: Set(new.agenda),
        minutes: Set(None),
        decisions: Set(None),
        internal_notes: Set(None),
        created_at: Set(uow.now()),
        updated_at: Set(uow.now()),
        version: Set(1),
        ..Default::default()
    }
    .insert(uow.txn())
    .await?;
    uow.record(
        event(EventKind::Created, &row, &p)
            .changes(snapshot!(row; kind, scheduled_at, stage_id, with_client)),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

pub async fn update(
    ctx: Ctx<'_>,
    id: i64,
    patch: MeetingPatch,
    expected: Option<i32>,
) -> AppResult<meeting::Model> {
    ctx.caller.require_staff_write()?;
    // Destructured so that a field added to the patch and not applied fails to compile.
    let MeetingPatch {
        scheduled_at,
        user_ids,
        contact_ids,
        agenda,
        minutes,
        decisions,
        internal_notes,
    } = patch;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<meeting::Entity>(uow.txn(), ctx.caller, id).await?;
    check_version("meeting", cur.version, expected)?;
    let p = load::<project::Entity>(uow.txn(), ctx.caller, cur.project_id).await?;
    check_people(
        uow.txn(),
        ctx,
        p.client_id,
        user_ids.as_deref().unwrap_or_default(),
        contact_ids.as_deref().unwrap_or_default(),
    )
    .await?;
    let mut ch = Changes::default();
    let users_json = user_ids.map(|ids| serde_json::json!(ids));
    let contacts = contact_ids.clone();
    let contacts_json = contact_ids.map(|ids| serde_json::json!(ids));
    let mut am = meeting::ActiveModel {
        scheduled_at: ch.field("scheduled_at", &cur.scheduled_at, scheduled_at),
        user_ids: ch.field("user_ids", &cur.user_ids, users_json),
        contact_ids: ch.field("contact_ids", &cur.contact_ids, contacts_json),
        agenda: ch.field("agenda", &cur.agenda, agenda),
        minutes: ch.field("minutes", &cur.minutes, minutes),
        decisions: ch.field("decisions", &cur.decisions, decisions),
        internal_notes: ch.field("internal_notes", &cur.internal_notes, internal_notes),
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    if ch.is_empty() {
        return Ok(cur);
    }
    if let Some(ids) = contacts {
        am.with_client = Set(with_client(&ids));
    }
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    uow.record(event(EventKind::Updated, &row, &p).changes(ch.into_json()))
        .await?;
    uow.commit().await?;
    Ok(row)
}

/// Marks a meeting held (at `held_at`, or now) or cancelled, or puts it back on the
/// calendar.
pub async fn change_status(
    ctx: Ctx<'_>,
    id: i64,
    to: MeetingStatus,
    held_at: Option<DateTime<Utc>>,
    expected: Option<i32>,
) -> AppResult<meeting::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<meeting::Entity>(uow.txn(), ctx.caller, id).await?;
    check_version("meeting", cur.version, expected)?;
    cur.status.check(to)?;
    if held_at.is_some() && to != MeetingStatus::Held {
        return Err(AppError::input(
            "heldAt",
            "only a meeting held has a time held",
        ));
    }
    let held = match to {
        MeetingStatus::Held => {
            let at = held_at.unwrap_or(uow.now());
            if at > uow.now() {
                return Err(AppError::input(
                    "heldAt",
                    "a meeting cannot be held in the future",
                ));
            }
            Some(at)
        }
        _ => None,
    };
    let p = load::<project::Entity>(uow.txn(), ctx.caller, cur.project_id).await?;
    let am = meeting::ActiveModel {
        status: Set(to),
        held_at: Set(held),
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    uow.record(
        event(EventKind::StatusChanged, &row, &p)
            .status(cur.status, to)
            .changes(serde_json::json!({ "held_at": row.held_at })),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}
