//! Escalating tickets up the policy's ladder, and acknowledging escalations.
//!
//! The rules are in [`crate::domain::escalation`]; each step is a row of
//! `ticket_escalations` and an event on the ticket's timeline, written together.

use chrono::Duration;
use entity::{
    EntityKind, EventKind, escalation_level as level, service_level_policy as policy, ticket,
    ticket_escalation as escalation,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;

use super::{Caller, Ctx, EventDraft, UnitOfWork, load, service_levels, tickets::OPEN_STATUSES};
use crate::{
    domain::{
        escalation::{Ladder, Level, current_level},
        service_level::{Policy, Target},
    },
    error::{AppError, AppResult},
};

/// A policy's ladder rows in their domain form.
pub fn to_domain(rows: &[level::Model]) -> AppResult<Ladder> {
    Ladder::new(
        rows.iter()
            .map(|r| Level {
                level: r.level,
                name: r.name.clone(),
                role: r.role.clone(),
                ack: Target {
                    duration: Duration::minutes(i64::from(r.ack_minutes)),
                    business_hours: r.business_hours,
                },
            })
            .collect(),
    )
    .map_err(|_| AppError::Internal("the escalation ladder stored is not valid".into()))
}

pub async fn levels(db: &impl ConnectionTrait, policy_id: i64) -> AppResult<Vec<level::Model>> {
    Ok(level::Entity::find()
        .filter(level::Column::PolicyId.eq(policy_id))
        .order_by_asc(level::Column::Level)
        .all(db)
        .await?)
}

/// Replaces the ladder of a policy (inside the policy change's transaction).
pub async fn replace(db: &impl ConnectionTrait, policy_id: i64, ladder: &Ladder) -> AppResult<()> {
    level::Entity::delete_many()
        .filter(level::Column::PolicyId.eq(policy_id))
        .exec(db)
        .await?;
    level::Entity::insert_many(ladder.levels().iter().map(|l| level::ActiveModel {
        policy_id: Set(policy_id),
        level: Set(l.level),
        name: Set(l.name.clone()),
        role: Set(l.role.clone()),
        ack_minutes: Set(i32::try_from(l.ack.duration.num_minutes()).unwrap_or(i32::MAX)),
        business_hours: Set(l.ack.business_hours),
        ..Default::default()
    }))
    .on_conflict(
        sea_orm::sea_query::OnConflict::columns([level::Column::PolicyId, level::Column::Level])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Every escalation of a ticket, lowest level first.
pub async fn of_ticket(
    db: &impl ConnectionTrait,
    ticket_id: i64,
) -> AppResult<Vec<escalation::Model>> {
    Ok(escalation::Entity::find()
        .filter(escalation::Column::TicketId.eq(ticket_id))
        .order_by_asc(escalation::Column::Level)
        .all(db)
        .await?)
}

/// Escalates `t` to the level its grade starts at, when that is above where it is
/// (creating a ticket, or grading it up), in `uow`.
pub async fn escalate_to_grade(uow: &mut UnitOfWork<'_>, t: &ticket::Model) -> AppResult<()> {
    if t.grade == entity::TicketGrade::Minor {
        return Ok(());
    }
    let (p, _) = service_levels::of_project(uow.txn(), t.project_id).await?;
    let rows = levels(uow.txn(), p.id).await?;
    // A policy without a ladder has nowhere to start a ticket but the frontline.
    if rows.is_empty() {
        return Ok(());
    }
    let ladder = to_domain(&rows)?;
    let Some(start) = crate::domain::escalation::start_level(t.grade, ladder.top()) else {
        return Ok(());
    };
    let current = current_level(of_ticket(uow.txn(), t.id).await?.iter().map(|e| e.level));
    if start > current {
        let reason = format!("graded {}", t.grade);
        escalate_in(uow, t, Some(start), reason, true).await?;
    }
    Ok(())
}

/// Escalates `t` to `requested` (or one level up) in `uow`, with its event.
async fn escalate_in(
    uow: &mut UnitOfWork<'_>,
    t: &ticket::Model,
    requested: Option<i32>,
    reason: String,
    automatic: bool,
) -> AppResult<escalation::Model> {
    let (p, targets) = service_levels::of_project(uow.txn(), t.project_id).await?;
    let calendar = service_levels::to_domain(&p, &targets)?;
    let ladder = to_domain(&levels(uow.txn(), p.id).await?)?;
    let current = current_level(of_ticket(uow.txn(), t.id).await?.iter().map(|e| e.level));
    let to = ladder.step(current, requested)?;
    let ack_due_at = ack_due(&calendar, to, uow.now());
    let by = uow.caller().user_id();
    let row = escalation::ActiveModel {
        ticket_id: Set(t.id),
        level: Set(to.level),
        reason: Set(reason.clone()),
        automatic: Set(automatic),
        escalated_at: Set(uow.now()),
        escalated_by_user_id: Set(by),
        ack_due_at: Set(ack_due_at),
        acknowledged_at: Set(None),
        acknowledged_by_user_id: Set(None),
        ..Default::default()
    }
    .insert(uow.txn())
    .await?;
    uow.record(
        EventDraft::new(EventKind::Escalated, EntityKind::Ticket, t.id)
            .project(t.project_id, t.client_id)
            .changes(json!({
                "from_level": current,
                "level": to.level,
                "level_name": to.name,
                "reason": reason,
                "automatic": automatic,
                "ack_due_at": ack_due_at,
            })),
    )
    .await?;
    Ok(row)
}

fn ack_due(
    policy: &Policy,
    level: &Level,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    policy
        .calendar_for(level.ack.business_hours)
        .add(now, level.ack.duration)
}

/// Staff escalate an open ticket.
pub async fn escalate(
    ctx: Ctx<'_>,
    ticket_id: i64,
    requested: Option<i32>,
    reason: String,
) -> AppResult<(ticket::Model, escalation::Model)> {
    ctx.caller.require_staff_write()?;
    let reason = reason.trim().to_owned();
    if reason.is_empty() {
        return Err(AppError::input("reason", "say why the ticket is escalated"));
    }
    let mut uow = UnitOfWork::begin(ctx).await?;
    let t = load::<ticket::Entity>(uow.txn(), ctx.caller, ticket_id).await?;
    if !OPEN_STATUSES.contains(&t.status) {
        return Err(AppError::Conflict(format!(
            "a {} ticket is not escalated; reopen it first",
            t.status
        )));
    }
    let row = escalate_in(&mut uow, &t, requested, reason, false).await?;
    uow.commit().await?;
    Ok((t, row))
}

/// The server escalates a ticket whose clock breached, when the policy says so and the
/// ticket is open and not at the top already. Runs inside the alert's transaction.
pub async fn on_breach(
    uow: &mut UnitOfWork<'_>,
    p: &policy::Model,
    t: &ticket::Model,
    clock: entity::ClockKind,
) -> AppResult<()> {
    if !p.auto_escalate_on_breach || !OPEN_STATUSES.contains(&t.status) {
        return Ok(());
    }
    let reason = format!("service level breached: {clock}");
    match escalate_in(uow, t, None, reason, true).await {
        // At the top of the ladder already: there is no one further to call.
        Ok(_) | Err(AppError::InvalidTransition { .. }) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Someone at the ticket's current level takes the escalation on.
pub async fn acknowledge(
    ctx: Ctx<'_>,
    ticket_id: i64,
) -> AppResult<(ticket::Model, escalation::Model)> {
    ctx.caller.require_staff_write()?;
    let Caller::Staff { user_id, .. } = ctx.caller else {
        return Err(AppError::Forbidden(
            "an escalation is acknowledged by a person".into(),
        ));
    };
    let mut uow = UnitOfWork::begin(ctx).await?;
    let t = load::<ticket::Entity>(uow.txn(), ctx.caller, ticket_id).await?;
    let Some(top) = of_ticket(uow.txn(), t.id).await?.pop() else {
        return Err(AppError::Conflict("the ticket is not escalated".into()));
    };
    // Conditional, so two people acknowledging at once cannot both succeed.
    let claimed = escalation::Entity::update_many()
        .col_expr(
            escalation::Column::AcknowledgedAt,
            sea_orm::prelude::Expr::value(uow.now()),
        )
        .col_expr(
            escalation::Column::AcknowledgedByUserId,
            sea_orm::prelude::Expr::value(*user_id),
        )
        .filter(escalation::Column::Id.eq(top.id))
        .filter(escalation::Column::AcknowledgedAt.is_null())
        .exec(uow.txn())
        .await?;
    if claimed.rows_affected == 0 {
        return Err(AppError::Conflict(format!(
            "the escalation to level {} is already acknowledged",
            top.level
        )));
    }
    let late = top.ack_due_at.is_some_and(|due| uow.now() > due);
    uow.record(
        EventDraft::new(EventKind::EscalationAcknowledged, EntityKind::Ticket, t.id)
            .project(t.project_id, t.client_id)
            .changes(json!({ "level": top.level, "late": late })),
    )
    .await?;
    let row = escalation::Entity::find_by_id(top.id)
        .one(uow.txn())
        .await?
        .ok_or(AppError::not_found("escalation"))?;
    uow.commit().await?;
    Ok((t, row))
}
