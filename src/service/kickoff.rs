//! The 72-hour kickoff obligation, driven by the changes of each unit of work.
//!
//! Nothing calls it by hand: [`follow`] runs in every [`UnitOfWork`] before it commits,
//! and reads the events the change recorded. A project entering `CONTRACT_SIGNED` (created
//! so, moved so, or by its contract's countersignature) starts the obligation; a change to
//! a project, its team or its meetings re-checks it, and the change that completes it (the
//! team formed and a kickoff meeting held) marks it met, in the same transaction. No road
//! that signs a contract or forms a team can miss it. The alarm task writes the at-risk
//! and overdue alerts ([`fire_due`]), each claimed once whichever instance finds it.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use entity::{
    EntityKind, EventKind, MeetingKind, MeetingStatus, ProjectStatus, kickoff_obligation as ko,
    meeting, project, team_member,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, prelude::Expr,
};
use serde_json::json;

use super::{Ctx, EventDraft, UnitOfWork};
use crate::{
    domain::kickoff::{Obligation, team_formed},
    error::AppResult,
};

fn event(kind: EventKind, p: &project::Model) -> EventDraft {
    EventDraft::new(kind, EntityKind::Kickoff, p.id).project(p.id, p.client_id)
}

/// Whether a creation event's snapshot has the status `status`.
fn created_as(changes: &str, status: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(changes)
        .is_ok_and(|v| v["status"].as_str() == Some(status))
}

/// Starts or settles the kickoff obligations the recorded changes of `uow` touch.
pub(super) async fn follow(uow: &mut UnitOfWork<'_>) -> AppResult<()> {
    let signed = ProjectStatus::ContractSigned.as_str();
    let mut starts = BTreeSet::new();
    let mut checks = BTreeSet::new();
    for e in uow.recorded() {
        let Some(p) = e.project_id else { continue };
        match e.entity_kind {
            EntityKind::Project
                if e.to_status.as_deref() == Some(signed)
                    || (e.kind == EventKind::Created && created_as(&e.changes, signed)) =>
            {
                starts.insert(p);
            }
            EntityKind::Project | EntityKind::TeamMember | EntityKind::Meeting => {
                checks.insert(p);
            }
            _ => {}
        }
    }
    if starts.is_empty() && checks.is_empty() {
        return Ok(());
    }
    for id in &starts {
        start(uow, *id).await?;
    }
    for id in starts.union(&checks) {
        settle(uow, *id).await?;
    }
    Ok(())
}

async fn start(uow: &mut UnitOfWork<'_>, project_id: i64) -> AppResult<()> {
    let Some(p) = project::Entity::find_by_id(project_id)
        .one(uow.txn())
        .await?
    else {
        return Ok(());
    };
    if p.status != ProjectStatus::ContractSigned
        || ko::Entity::find_by_id(p.id).one(uow.txn()).await?.is_some()
    {
        return Ok(());
    }
    let o = Obligation::start(uow.now());
    ko::ActiveModel {
        project_id: Set(p.id),
        started_at: Set(o.started_at),
        at_risk_at: Set(o.at_risk_at),
        due_at: Set(o.due_at),
        met_at: Set(None),
        at_risk_alerted: Set(false),
        overdue_alerted: Set(false),
    }
    .insert(uow.txn())
    .await?;
    uow.record(event(EventKind::Created, &p).changes(json!({ "due_at": o.due_at })))
        .await
}

/// Marks the open obligation of `project_id` met when the team is formed and a kickoff
/// meeting was held.
async fn settle(uow: &mut UnitOfWork<'_>, project_id: i64) -> AppResult<()> {
    let open = ko::Entity::find_by_id(project_id)
        .filter(ko::Column::MetAt.is_null())
        .one(uow.txn())
        .await?;
    if open.is_none() {
        return Ok(());
    }
    let Some(p) = project::Entity::find_by_id(project_id)
        .one(uow.txn())
        .await?
    else {
        return Ok(());
    };
    let members: Vec<i64> = team_member::Entity::find()
        .select_only()
        .column(team_member::Column::UserId)
        .filter(team_member::Column::ProjectId.eq(p.id))
        .into_tuple()
        .all(uow.txn())
        .await?;
    if !team_formed(p.primary_owner_id, &members) {
        return Ok(());
    }
    let held = meeting::Entity::find()
        .filter(meeting::Column::ProjectId.eq(p.id))
        .filter(meeting::Column::Kind.eq(MeetingKind::Kickoff))
        .filter(meeting::Column::Status.eq(MeetingStatus::Held))
        .count(uow.txn())
        .await?;
    if held == 0 {
        return Ok(());
    }
    ko::Entity::update_many()
        .col_expr(ko::Column::MetAt, Expr::value(uow.now()))
        .filter(ko::Column::ProjectId.eq(p.id))
        .filter(ko::Column::MetAt.is_null())
        .exec(uow.txn())
        .await?;
    uow.record(event(EventKind::Updated, &p).changes(json!({ "met_at": uow.now() })))
        .await
}

/// Writes the at-risk and overdue alerts that came due; each is claimed by a conditional
/// update, so it is written once whichever instance's alarm task finds it first.
pub async fn fire_due(ctx: Ctx<'_>) -> AppResult<usize> {
    let now = ctx.time.now();
    let due = ko::Entity::find()
        .filter(ko::Column::MetAt.is_null())
        .filter(
            sea_orm::Condition::any()
                .add(
                    sea_orm::Condition::all()
                        .add(ko::Column::AtRiskAlerted.eq(false))
                        .add(ko::Column::AtRiskAt.lte(now)),
                )
                .add(
                    sea_orm::Condition::all()
                        .add(ko::Column::OverdueAlerted.eq(false))
                        .add(ko::Column::DueAt.lt(now)),
                ),
        )
        .order_by_asc(ko::Column::DueAt)
        .all(ctx.db)
        .await?;
    let mut fired = 0;
    for o in due {
        let kind = if o.due_at < now {
            EventKind::KickoffOverdue
        } else {
            EventKind::KickoffAtRisk
        };
        fired += usize::from(alert(ctx, &o, kind).await?);
    }
    Ok(fired)
}

async fn alert(ctx: Ctx<'_>, o: &ko::Model, kind: EventKind) -> AppResult<bool> {
    let mut uow = UnitOfWork::begin(ctx).await?;
    let mut claim = ko::Entity::update_many()
        .filter(ko::Column::ProjectId.eq(o.project_id))
        .filter(ko::Column::MetAt.is_null());
    claim = match kind {
        EventKind::KickoffOverdue => claim
            // Overdue makes the at-risk alert moot.
            .col_expr(ko::Column::OverdueAlerted, Expr::value(true))
            .col_expr(ko::Column::AtRiskAlerted, Expr::value(true))
            .filter(ko::Column::OverdueAlerted.eq(false)),
        _ => claim
            .col_expr(ko::Column::AtRiskAlerted, Expr::value(true))
            .filter(ko::Column::AtRiskAlerted.eq(false)),
    };
    if claim.exec(uow.txn()).await?.rows_affected == 0 {
        return Ok(false);
    }
    let Some(p) = project::Entity::find_by_id(o.project_id)
        .one(uow.txn())
        .await?
    else {
        return Ok(false);
    };
    let due_at = match kind {
        EventKind::KickoffOverdue => o.due_at,
        _ => o.at_risk_at,
    };
    uow.record(
        event(kind, &p).changes(json!({ "due_at": due_at, "owner_id": p.primary_owner_id })),
    )
    .await?;
    uow.commit().await?;
    Ok(true)
}

/// The next instant an alert comes due, if any obligation is open: the earliest at-risk
/// instant not yet alerted, or the earliest due instant not yet alerted.
pub async fn next_due(db: &impl ConnectionTrait) -> AppResult<Option<DateTime<Utc>>> {
    let at_risk = ko::Entity::find()
        .filter(ko::Column::MetAt.is_null())
        .filter(ko::Column::AtRiskAlerted.eq(false))
        .order_by_asc(ko::Column::AtRiskAt)
        .one(db)
        .await?
        .map(|o| o.at_risk_at);
    let overdue = ko::Entity::find()
        .filter(ko::Column::MetAt.is_null())
        .filter(ko::Column::OverdueAlerted.eq(false))
        .order_by_asc(ko::Column::DueAt)
        .one(db)
        .await?
        .map(|o| o.due_at);
    Ok(at_risk.into_iter().chain(overdue).min())
}
