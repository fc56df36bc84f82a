//! Project health and report schedules, assessed for many projects at once: a handful
//! of queries whatever the number of projects (the dashboard and the health loader use
//! it for a whole page).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{
    ActionItemStatus, ClockPhase, ProjectHealth, ReportKind, RiskStatus, StageStatus, action_item,
    kickoff_obligation, project, report, risk, stage, ticket, ticket_clock,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QuerySelect,
    RelationTrait, prelude::Expr, sea_query::ExprTrait,
};
use serde_json::json;

use super::{Ctx, EventDraft, UnitOfWork, check_version, load, save_versioned, service_levels};
use crate::{
    domain::{
        calendar::Calendar,
        health::{self, Reason, Signals},
        report_schedule,
        risk::RiskSeverity,
    },
    error::AppResult,
};

/// The report schedule of a project at an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportClock {
    pub cadence: ReportKind,
    pub last_report_at: Option<DateTime<Utc>>,
    /// `None` while the project is not in a phase that owes reports.
    pub due_at: Option<DateTime<Utc>>,
    pub overdue: bool,
}

/// A project's computed health with its reasons, and its report schedule.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub computed: ProjectHealth,
    pub reasons: Vec<Reason>,
    pub report: Option<ReportClock>,
}

/// Ids per query: well under every engine's bound-parameter limit.
const CHUNK: usize = 500;

/// Assesses `projects` at `now`.
pub async fn assess(
    db: &impl ConnectionTrait,
    projects: &[project::Model],
    now: DateTime<Utc>,
) -> AppResult<HashMap<i64, Assessment>> {
    let calendar = service_levels::current_policy(db).await?.calendar;
    let mut out = HashMap::new();
    for chunk in projects.chunks(CHUNK) {
        out.extend(assess_chunk(db, chunk, now, &calendar).await?);
    }
    Ok(out)
}

async fn assess_chunk(
    db: &impl ConnectionTrait,
    projects: &[project::Model],
    now: DateTime<Utc>,
    calendar: &Calendar,
) -> AppResult<HashMap<i64, Assessment>> {
    let ids: Vec<i64> = projects.iter().map(|p| p.id).collect();
    let today = calendar.date_of(now);
    let mut signals: HashMap<i64, Signals> = HashMap::new();

    let late: Vec<(i64, String, Option<chrono::NaiveDate>)> = stage::Entity::find()
        .select_only()
        .columns([
            stage::Column::ProjectId,
            stage::Column::Name,
            stage::Column::DueDate,
        ])
        .filter(stage::Column::ProjectId.is_in(ids.clone()))
        .filter(stage::Column::Status.ne(StageStatus::Done))
        .filter(stage::Column::DueDate.lt(today))
        .into_tuple()
        .all(db)
        .await?;
    for (project, name, due) in late {
        let days = due.map_or(0, |d| (today - d).num_days());
        signals
            .entry(project)
            .or_default()
            .overdue_milestones
            .push((name, days));
    }

    let kickoffs: Vec<(i64, DateTime<Utc>)> = kickoff_obligation::Entity::find()
        .select_only()
        .columns([
            kickoff_obligation::Column::ProjectId,
            kickoff_obligation::Column::DueAt,
        ])
        .filter(kickoff_obligation::Column::ProjectId.is_in(ids.clone()))
        .filter(kickoff_obligation::Column::MetAt.is_null())
        .filter(kickoff_obligation::Column::DueAt.lt(now))
        .into_tuple()
        .all(db)
        .await?;
    for (project, due) in kickoffs {
        signals.entry(project).or_default().kickoff_overdue_since = Some(due);
    }

    // `domain::action_item::overdue`, in SQL.
    let items: Vec<(i64, String, Option<chrono::NaiveDate>, Option<i64>)> =
        action_item::Entity::find()
            .select_only()
            .columns([
                action_item::Column::ProjectId,
                action_item::Column::Title,
                action_item::Column::DueDate,
                action_item::Column::AssigneeContactId,
            ])
            .filter(action_item::Column::ProjectId.is_in(ids.clone()))
            .filter(action_item::Column::Status.eq(ActionItemStatus::Open))
            .filter(action_item::Column::DueDate.lt(today))
            .into_tuple()
            .all(db)
            .await?;
    for (project, title, due, contact) in items {
        let days = due.map_or(0, |d| (today - d).num_days());
        let s = signals.entry(project).or_default();
        match contact {
            Some(_) => s.overdue_customer_items.push((title, days)),
            None => s.overdue_vendor_items.push((title, days)),
        }
    }

    let high = *RiskSeverity::High.scores().start();
    let risks: Vec<(i64, String, i32)> = risk::Entity::find()
        .select_only()
        .columns([
            risk::Column::ProjectId,
            risk::Column::Title,
            risk::Column::Score,
        ])
        .filter(risk::Column::ProjectId.is_in(ids.clone()))
        .filter(risk::Column::Status.ne(RiskStatus::Closed))
        .filter(risk::Column::Score.gte(high))
        .into_tuple()
        .all(db)
        .await?;
    for (project, title, score) in risks {
        signals
            .entry(project)
            .or_default()
            .open_risks
            .push((title, RiskSeverity::of_score(score)));
    }

    let breached: Vec<(i64, i64)> = ticket_clock::Entity::find()
        .select_only()
        .column(ticket::Column::ProjectId)
        .column(ticket::Column::Id)
        .join(JoinType::InnerJoin, ticket_clock::Relation::Ticket.def())
        .filter(ticket::Column::ProjectId.is_in(ids.clone()))
        .filter(super::tickets::open_condition(true))
        .filter(breached_condition(now))
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    for (project, _) in breached {
        signals.entry(project).or_default().breached_tickets += 1;
    }

    let last_reports: Vec<(i64, ReportKind, Option<DateTime<Utc>>)> = report::Entity::find()
        .select_only()
        .column(report::Column::ProjectId)
        .column(report::Column::Kind)
        // A report is sent when published: a draft keeps nothing on schedule.
        .column_as(report::Column::PublishedAt.max(), "last")
        .filter(report::Column::ProjectId.is_in(ids))
        .filter(report::Column::Status.eq(entity::ReportStatus::Published))
        .group_by(report::Column::ProjectId)
        .group_by(report::Column::Kind)
        .into_tuple()
        .all(db)
        .await?;
    let last: HashMap<(i64, ReportKind), DateTime<Utc>> = last_reports
        .into_iter()
        .filter_map(|(p, k, at)| Some(((p, k), at?)))
        .collect();

    let mut out = HashMap::new();
    for p in projects {
        let mut s = signals.remove(&p.id).unwrap_or_default();
        let report = p.report_cadence.map(|cadence| {
            let last_report_at = last.get(&(p.id, cadence)).copied();
            let due_at = p
                .reports_due_from
                .filter(|_| report_schedule::applies(p.status))
                .and_then(|since| {
                    report_schedule::due_at(cadence, since, last_report_at, calendar)
                });
            ReportClock {
                cadence,
                last_report_at,
                due_at,
                overdue: due_at.is_some_and(|d| now > d),
            }
        });
        if let Some(r) = report.as_ref().filter(|r| r.overdue) {
            s.report_overdue_since = r.due_at;
        }
        let (computed, reasons) = health::assess(&s);
        out.insert(
            p.id,
            Assessment {
                computed,
                reasons,
                report,
            },
        );
    }
    Ok(out)
}

/// Clocks past their target at `now`: alerted as breached, or running past the
/// deadline before the alarm task got to them.
pub fn breached_condition(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(ticket_clock::Column::BreachAlerted.eq(true))
        .add(
            Condition::all()
                .add(ticket_clock::Column::Phase.eq(ClockPhase::Running))
                .add(ticket_clock::Column::BreachesAt.lt(now)),
        )
        .add(
            Condition::all()
                .add(ticket_clock::Column::Phase.eq(ClockPhase::Paused))
                .add(
                    Expr::col(ticket_clock::Column::BankedSeconds)
                        .gt(Expr::col(ticket_clock::Column::TargetMinutes).mul(60)),
                ),
        )
}

/// The team declares the project's health (or clears it with `None`); it is kept beside
/// the computed one.
pub async fn declare(
    ctx: Ctx<'_>,
    project_id: i64,
    health: Option<ProjectHealth>,
    note: Option<String>,
    expected: Option<i32>,
) -> AppResult<project::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<project::Entity>(uow.txn(), ctx.caller, project_id).await?;
    check_version("project", cur.version, expected)?;
    let by = ctx.caller.user_id();
    let am = project::ActiveModel {
        declared_health: sea_orm::Set(health),
        declared_health_note: sea_orm::Set(note.clone()),
        declared_health_at: sea_orm::Set(health.map(|_| uow.now())),
        declared_health_by: sea_orm::Set(health.and(by)),
        updated_at: sea_orm::Set(uow.now()),
        ..Default::default()
    };
    let row = save_versioned(uow.txn(), am, project_id, cur.version).await?;
    uow.record(
        EventDraft::new(
            entity::EventKind::Updated,
            entity::EntityKind::Project,
            project_id,
        )
        .project(project_id, cur.client_id)
        .changes(json!({ "declared_health": health, "declared_health_note": note })),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

/// Sets how often a project's progress report is due (`None`: no schedule); the
/// schedule counts from now.
pub async fn set_report_cadence(
    ctx: Ctx<'_>,
    project_id: i64,
    cadence: Option<ReportKind>,
    expected: Option<i32>,
) -> AppResult<project::Model> {
    ctx.caller.require_staff_write()?;
    let cadence = cadence.map(report_schedule::check_cadence).transpose()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<project::Entity>(uow.txn(), ctx.caller, project_id).await?;
    check_version("project", cur.version, expected)?;
    let am = project::ActiveModel {
        report_cadence: sea_orm::Set(cadence),
        reports_due_from: sea_orm::Set(Some(uow.now())),
        updated_at: sea_orm::Set(uow.now()),
        ..Default::default()
    };
    let row = save_versioned(uow.txn(), am, project_id, cur.version).await?;
    uow.record(
        EventDraft::new(
            entity::EventKind::Updated,
            entity::EntityKind::Project,
            project_id,
        )
        .project(project_id, cur.client_id)
        .changes(json!({ "report_cadence": cadence })),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}
