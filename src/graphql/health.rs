//! Dashboards' view of delivery: milestone standing, progress, project health with its
//! reasons beside the declared health, and the report schedule.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{ProjectHealth, ReportKind, project, stage, user};

use super::{
    ids::{NodeKind, decode_as},
    loaders,
    project::Project,
    sets::StagesOfProject,
    svc,
    user::User,
};
use crate::{
    auth::Scope,
    domain::{
        health::HealthSignal,
        input::{LONG, opt_text},
        milestone::{self, Milestone, MilestoneState},
    },
    service::health::{self, Assessment},
};

fn milestone_of(s: &stage::Model) -> Milestone {
    Milestone {
        id: s.id,
        position: s.position,
        status: s.status,
        due: s.due_date,
    }
}

/// A stage's standing on the calendar's today (the policy's time zone).
pub async fn milestone_state(ctx: &Context<'_>, s: &stage::Model) -> Result<MilestoneState> {
    let plan: Vec<Milestone> = loaders::children_by_id(ctx, s.project_id, StagesOfProject)
        .await?
        .iter()
        .map(|s| milestone_of(s))
        .collect();
    let today = loaders::today(ctx).await?;
    Ok(milestone::state(&milestone_of(s), &plan, today))
}

/// Share of a project's stages done, 0-100; null without a plan.
pub async fn progress_percent(ctx: &Context<'_>, project_id: i64) -> Result<Option<i32>> {
    let plan: Vec<Milestone> = loaders::children_by_id(ctx, project_id, StagesOfProject)
        .await?
        .iter()
        .map(|s| milestone_of(s))
        .collect();
    Ok(milestone::progress_percent(&plan))
}

/// One reason for a project's computed health.
#[derive(SimpleObject)]
pub struct HealthReason {
    pub signal: HealthSignal,
    /// The health this reason alone gives.
    pub health: ProjectHealth,
    pub detail: String,
}

/// A project's health: computed from signals, declared by its team, and whether they
/// disagree.
pub struct ProjectHealthView {
    project: project::Model,
    assessment: Arc<Assessment>,
}

#[Object]
impl ProjectHealthView {
    /// From overdue milestones, open high and critical risks, breached ticket clocks
    /// and an overdue progress report.
    async fn computed(&self) -> ProjectHealth {
        self.assessment.computed
    }
    /// Why, worst first; empty when ON_TRACK.
    async fn reasons(&self) -> Vec<HealthReason> {
        self.assessment
            .reasons
            .iter()
            .map(|r| HealthReason {
                signal: r.signal,
                health: r.health,
                detail: r.detail.clone(),
            })
            .collect()
    }
    /// What the team says; null when it has not said.
    async fn declared(&self) -> Option<ProjectHealth> {
        self.project.declared_health
    }
    async fn declared_note(&self) -> Option<&str> {
        self.project.declared_health_note.as_deref()
    }
    async fn declared_at(&self) -> Option<DateTime<Utc>> {
        self.project.declared_health_at
    }
    async fn declared_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(id) = self.project.declared_health_by else {
            return Ok(None);
        };
        Ok(loaders::one::<user::Entity>(ctx, id).await?.map(User))
    }
    /// The team declared a health other than the computed one.
    async fn disagrees(&self) -> bool {
        self.project
            .declared_health
            .is_some_and(|d| d != self.assessment.computed)
    }
}

/// A project's health, for staff; null in the portal (it weighs internal risks).
pub async fn health_of(ctx: &Context<'_>, p: &project::Model) -> Result<Option<ProjectHealthView>> {
    if svc(ctx)?.caller.scope()? != Scope::All {
        return Ok(None);
    }
    Ok(loaders::health_of(ctx, p.id)
        .await?
        .map(|assessment| ProjectHealthView {
            project: p.clone(),
            assessment,
        }))
}

/// When the next progress report is due.
#[derive(SimpleObject)]
pub struct ReportSchedule {
    pub cadence: ReportKind,
    pub last_report_at: Option<DateTime<Utc>>,
    /// Null outside EXECUTION and ACCEPTANCE, when no report is owed.
    pub due_at: Option<DateTime<Utc>>,
    pub overdue: bool,
}

pub async fn report_schedule_of(
    ctx: &Context<'_>,
    project_id: i64,
) -> Result<Option<ReportSchedule>> {
    Ok(loaders::health_of(ctx, project_id)
        .await?
        .and_then(|a| a.report.clone())
        .map(|r| ReportSchedule {
            cadence: r.cadence,
            last_report_at: r.last_report_at,
            due_at: r.due_at,
            overdue: r.overdue,
        }))
}

#[derive(Default)]
pub struct HealthMutation;

#[Object]
impl HealthMutation {
    /// The team's own view of a project's health (null clears it), kept beside the
    /// computed one.
    async fn declare_project_health(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        health: Option<ProjectHealth>,
        note: Option<String>,
        expected_version: Option<i32>,
    ) -> Result<Project> {
        let id = decode_as("projectId", &project_id, NodeKind::Project)?;
        let note = opt_text("note", note.as_deref(), LONG)?;
        Ok(Project(super::seen(
            ctx,
            health::declare(svc(ctx)?, id, health, note, expected_version).await?,
        )?))
    }

    /// How often the project's progress report is due: DAILY or WEEKLY (null: no
    /// schedule). The schedule counts from now.
    async fn set_report_cadence(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        cadence: Option<ReportKind>,
        expected_version: Option<i32>,
    ) -> Result<Project> {
        let id = decode_as("projectId", &project_id, NodeKind::Project)?;
        Ok(Project(super::seen(
            ctx,
            health::set_report_cadence(svc(ctx)?, id, cadence, expected_version).await?,
        )?))
    }
}
