//! The staff dashboard: projects by status and health, overdue milestones, tickets near
//! or past their service levels, open risks by severity, and service-level compliance.

use chrono::{DateTime, Utc};
use entity::{
    ClockPhase, ProjectHealth, ProjectStatus, RiskStatus, StageStatus, TicketGrade, project, risk,
    stage, ticket, ticket_clock,
};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{ExprTrait, Query, SelectStatement},
};

use super::{Ctx, health, service_levels, tickets::open_condition};
use crate::{
    domain::{risk::RiskSeverity, satisfaction::Period},
    error::AppResult,
};

/// How many rows each list of the dashboard holds at most, most urgent first.
pub const LIST_LIMIT: u64 = 50;

/// Service-level clocks that came due in a period: met in time, or breached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Compliance {
    pub met: u32,
    pub breached: u32,
}

impl Compliance {
    /// Met in time per clock due, 0-100; `None` when no clock came due.
    pub fn percent(&self) -> Option<f64> {
        let total = self.met + self.breached;
        (total > 0).then(|| f64::from(self.met) * 100.0 / f64::from(total))
    }
}

pub struct Dashboard {
    pub now: DateTime<Utc>,
    pub by_status: Vec<(ProjectStatus, i64)>,
    /// Live projects (not closed, cancelled or on hold) by computed health.
    pub by_health: Vec<(ProjectHealth, i64)>,
    pub overdue_stages: Vec<stage::Model>,
    pub tickets_at_risk: Vec<ticket::Model>,
    pub tickets_breached: Vec<ticket::Model>,
    pub open_risks_by_severity: Vec<(RiskSeverity, i64)>,
    /// Open tickets per grade, critical first (every grade, zero included).
    pub open_tickets_by_grade: Vec<(TicketGrade, i64)>,
    pub compliance: Compliance,
}

pub async fn build(ctx: Ctx<'_>, period: Period) -> AppResult<Dashboard> {
    ctx.caller.require_staff_read()?;
    let db = ctx.db;
    let now = ctx.time.now();
    let calendar = service_levels::current_policy(db).await?.calendar;

    let by_status: Vec<(ProjectStatus, i64)> = project::Entity::find()
        .select_only()
        .column(project::Column::Status)
        .column_as(project::Column::Id.count(), "n")
        .group_by(project::Column::Status)
        .into_tuple()
        .all(db)
        .await?;

    let live = project::Entity::find()
        .filter(project::Column::Status.is_not_in([
            ProjectStatus::Closed,
            ProjectStatus::Cancelled,
            ProjectStatus::OnHold,
        ]))
        .all(db)
        .await?;
    let assessed = health::assess(db, &live, now).await?;
    let by_health = [
        ProjectHealth::OnTrack,
        ProjectHealth::AtRisk,
        ProjectHealth::OffTrack,
    ]
    .map(|h| {
        let n = assessed.values().filter(|a| a.computed == h).count();
        (h, i64::try_from(n).unwrap_or(i64::MAX))
    })
    .to_vec();

    let overdue_stages = stage::Entity::find()
        .filter(stage::Column::Status.ne(StageStatus::Done))
        .filter(stage::Column::DueDate.lt(calendar.date_of(now)))
        .order_by_asc(stage::Column::DueDate)
        .order_by_asc(stage::Column::Id)
        .limit(LIST_LIMIT)
        .all(db)
        .await?;

    let open_tickets_with = |clocks: Condition| {
        ticket::Entity::find()
            .filter(open_condition(true))
            .filter(ticket::Column::Id.in_subquery(tickets_with(clocks)))
            .order_by_desc(ticket::Column::Priority)
            .order_by_asc(ticket::Column::Id)
            .limit(LIST_LIMIT)
    };
    let tickets_breached = open_tickets_with(health::breached_condition(now))
        .all(db)
        .await?;
    let at_risk = Condition::all()
        .add(ticket_clock::Column::Phase.eq(ClockPhase::Running))
        .add(ticket_clock::Column::AtRiskAt.lte(now))
        .add(ticket_clock::Column::BreachesAt.gte(now));
    let tickets_at_risk = open_tickets_with(at_risk)
        .filter(ticket::Column::Id.not_in_subquery(tickets_with(health::breached_condition(now))))
        .all(db)
        .await?;

    let graded: Vec<(TicketGrade, i64)> = ticket::Entity::find()
        .select_only()
        .column(ticket::Column::Grade)
        .column_as(ticket::Column::Id.count(), "n")
        .filter(open_condition(true))
        .group_by(ticket::Column::Grade)
        .into_tuple()
        .all(db)
        .await?;
    let open_tickets_by_grade = [
        TicketGrade::Critical,
        TicketGrade::Major,
        TicketGrade::Minor,
    ]
    .map(|g| {
        (
            g,
            graded.iter().find(|(x, _)| *x == g).map_or(0, |(_, n)| *n),
        )
    })
    .to_vec();

    let scores: Vec<i32> = risk::Entity::find()
        .select_only()
        .column(risk::Column::Score)
        .filter(risk::Column::Status.ne(RiskStatus::Closed))
        .into_tuple()
        .all(db)
        .await?;
    let open_risks_by_severity = [
        RiskSeverity::Critical,
        RiskSeverity::High,
        RiskSeverity::Medium,
        RiskSeverity::Low,
    ]
    .map(|s| {
        let n = scores
            .iter()
            .filter(|v| RiskSeverity::of_score(**v) == s)
            .count();
        (s, i64::try_from(n).unwrap_or(i64::MAX))
    })
    .to_vec();

    Ok(Dashboard {
        now,
        by_status,
        by_health,
        overdue_stages,
        tickets_at_risk,
        tickets_breached,
        open_risks_by_severity,
        open_tickets_by_grade,
        compliance: compliance(ctx, period, now).await?,
    })
}

/// The ids of tickets with a clock matching `clocks`.
fn tickets_with(clocks: Condition) -> SelectStatement {
    Query::select()
        .column(ticket_clock::Column::TicketId)
        .from(ticket_clock::Entity)
        .cond_where(clocks)
        .to_owned()
}

/// The clocks that came due in `period`: those that ended (MET) in it, in time or
/// late, and those still counting or paused whose target passed in it.
pub async fn compliance(ctx: Ctx<'_>, period: Period, now: DateTime<Utc>) -> AppResult<Compliance> {
    let until = std::cmp::min(period.to, now);
    let rows: Vec<(ClockPhase, i64, i32)> = ticket_clock::Entity::find()
        .select_only()
        .columns([
            ticket_clock::Column::Phase,
            ticket_clock::Column::BankedSeconds,
            ticket_clock::Column::TargetMinutes,
        ])
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(ticket_clock::Column::Phase.eq(ClockPhase::Met))
                        .add(ticket_clock::Column::Since.gte(period.from))
                        .add(ticket_clock::Column::Since.lt(period.to)),
                )
                .add(
                    Condition::all()
                        .add(ticket_clock::Column::Phase.eq(ClockPhase::Running))
                        .add(ticket_clock::Column::BreachesAt.gte(period.from))
                        .add(ticket_clock::Column::BreachesAt.lt(until)),
                )
                .add(
                    Condition::all()
                        .add(ticket_clock::Column::Phase.eq(ClockPhase::Paused))
                        .add(ticket_clock::Column::Since.gte(period.from))
                        .add(ticket_clock::Column::Since.lt(period.to))
                        .add(
                            sea_orm::prelude::Expr::col(ticket_clock::Column::BankedSeconds).gt(
                                sea_orm::prelude::Expr::col(ticket_clock::Column::TargetMinutes)
                                    .mul(60),
                            ),
                        ),
                ),
        )
        .into_tuple()
        .all(ctx.db)
        .await?;
    let mut c = Compliance::default();
    for (phase, banked, target) in rows {
        if phase == ClockPhase::Met && banked <= i64::from(target) * 60 {
            c.met += 1;
        } else {
            c.breached += 1;
        }
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compliance_is_the_share_met_in_time() {
        assert_eq!(Compliance::default().percent(), None);
        let c = Compliance {
            met: 3,
            breached: 1,
        };
        assert_eq!(c.percent(), Some(75.0));
    }
}
