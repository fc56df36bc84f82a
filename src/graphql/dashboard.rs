//! The staff dashboard and the weekly digest in the graph.

use async_graphql::{Context, ID, Object, Result, SimpleObject};

use crate::auth::{Scope, scope::Visible};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{ProjectHealth, ProjectStatus};

use super::{
    delivery::{Risk, Stage},
    ids::{NodeKind, decode_as},
    loaders::current_policy,
    project::Project,
    svc,
    ticket::Ticket,
};
use crate::{
    domain::{risk::RiskSeverity, satisfaction::Period},
    service::{
        dashboard::{self, Compliance},
        digest::{self, Audience, Digest},
    },
};

fn count(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

#[derive(SimpleObject)]
pub struct StatusCount {
    pub status: ProjectStatus,
    pub count: i32,
}

#[derive(SimpleObject)]
pub struct HealthCount {
    pub health: ProjectHealth,
    pub count: i32,
}

#[derive(SimpleObject)]
pub struct GradeCount {
    pub grade: entity::TicketGrade,
    pub count: i32,
}

#[derive(SimpleObject)]
pub struct SeverityCount {
    pub severity: RiskSeverity,
    pub count: i32,
}

/// Service-level clocks that came due in the period.
#[derive(SimpleObject)]
pub struct ServiceLevelCompliance {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Clocks met within their target.
    pub met: i32,
    /// Clocks past their target (met late, or still open past it).
    pub breached: i32,
    /// Met per clock due, 0-100; null when none came due.
    pub percent: Option<f64>,
}

/// The staff dashboard, with the scope its rows are shown in.
pub struct Dashboard(dashboard::Dashboard, Period, Scope);

#[Object]
impl Dashboard {
    async fn generated_at(&self) -> DateTime<Utc> {
        self.0.now
    }
    async fn projects_by_status(&self) -> Vec<StatusCount> {
        self.0
            .by_status
            .iter()
            .map(|(status, n)| StatusCount {
                status: *status,
                count: count(*n),
            })
            .collect()
    }
    /// Live projects (not closed, cancelled or on hold) by computed health.
    async fn projects_by_health(&self) -> Vec<HealthCount> {
        self.0
            .by_health
            .iter()
            .map(|(health, n)| HealthCount {
                health: *health,
                count: count(*n),
            })
            .collect()
    }
    /// Milestones past their due date and not done, most overdue first (at most 50).
    async fn overdue_milestones(&self) -> Vec<Stage> {
        self.0
            .overdue_stages
            .iter()
            .cloned()
            .map(|r| Stage(Visible::new(self.2, r)))
            .collect()
    }
    /// Open tickets with a clock AT_RISK and none breached, highest priority first.
    async fn tickets_at_risk(&self) -> Vec<Ticket> {
        self.0
            .tickets_at_risk
            .iter()
            .cloned()
            .map(|r| Ticket(Visible::new(self.2, r)))
            .collect()
    }
    /// Open tickets with a clock past its target, highest priority first.
    async fn tickets_breached(&self) -> Vec<Ticket> {
        self.0
            .tickets_breached
            .iter()
            .cloned()
            .map(|r| Ticket(Visible::new(self.2, r)))
            .collect()
    }
    /// Open risks per severity band, critical first (the risks themselves: `risks`).
    async fn open_risks_by_severity(&self) -> Vec<SeverityCount> {
        self.0
            .open_risks_by_severity
            .iter()
            .map(|(severity, n)| SeverityCount {
                severity: *severity,
                count: count(*n),
            })
            .collect()
    }
    /// Open tickets per grade of the three-level response mechanism, critical first.
    async fn open_tickets_by_grade(&self) -> Vec<GradeCount> {
        self.0
            .open_tickets_by_grade
            .iter()
            .map(|(grade, n)| GradeCount {
                grade: *grade,
                count: count(*n),
            })
            .collect()
    }
    async fn service_level_compliance(&self) -> ServiceLevelCompliance {
        let Compliance { met, breached } = self.0.compliance;
        ServiceLevelCompliance {
            from: self.1.from,
            to: self.1.to,
            met: i32::try_from(met).unwrap_or(i32::MAX),
            breached: i32::try_from(breached).unwrap_or(i32::MAX),
            percent: self.0.compliance.percent(),
        }
    }
}

/// A milestone whose due date moved later.
#[derive(SimpleObject)]
pub struct MilestoneSlip {
    pub stage: Stage,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// A milestone done in the period.
#[derive(SimpleObject)]
pub struct MilestoneCompletion {
    pub stage: Stage,
    pub completed_at: DateTime<Utc>,
}

/// A digest, with the scope its rows are shown in.
pub struct WeeklyDigest(Digest, Scope);

#[Object]
impl WeeklyDigest {
    async fn project(&self) -> Project {
        Project(Visible::new(self.1, self.0.project.clone()))
    }
    async fn from(&self) -> DateTime<Utc> {
        self.0.period.from
    }
    async fn to(&self) -> DateTime<Utc> {
        self.0.period.to
    }
    async fn audience(&self) -> Audience {
        self.0.audience
    }
    async fn milestones_completed(&self) -> Vec<MilestoneCompletion> {
        self.0
            .milestones_completed
            .iter()
            .map(|(s, at)| MilestoneCompletion {
                stage: Stage(Visible::new(self.1, s.clone())),
                completed_at: *at,
            })
            .collect()
    }
    async fn milestones_slipped(&self) -> Vec<MilestoneSlip> {
        self.0
            .milestones_slipped
            .iter()
            .map(|s| MilestoneSlip {
                stage: Stage(Visible::new(self.1, s.stage.clone())),
                from: s.from,
                to: s.to,
            })
            .collect()
    }
    /// Milestones not done, due before the week's end.
    async fn milestones_overdue(&self) -> Vec<Stage> {
        self.0
            .milestones_overdue
            .iter()
            .cloned()
            .map(|r| Stage(Visible::new(self.1, r)))
            .collect()
    }
    async fn tickets_opened(&self) -> i32 {
        count(self.0.tickets_opened.into())
    }
    async fn tickets_resolved(&self) -> i32 {
        count(self.0.tickets_resolved.into())
    }
    /// Service-level clocks that passed their target in the week.
    async fn service_levels_breached(&self) -> i32 {
        count(self.0.service_levels_breached.into())
    }
    /// In the client's copy, only risks shared with the client.
    async fn risks_raised(&self) -> Vec<Risk> {
        self.0
            .risks_raised
            .iter()
            .cloned()
            .map(|r| Risk(Visible::new(self.1, r)))
            .collect()
    }
    async fn risks_closed(&self) -> Vec<Risk> {
        self.0
            .risks_closed
            .iter()
            .cloned()
            .map(|r| Risk(Visible::new(self.1, r)))
            .collect()
    }
    async fn reports_filed(&self) -> i32 {
        count(self.0.reports_filed.into())
    }
    /// Scores recorded in the week.
    async fn satisfaction_responses(&self) -> i32 {
        count(self.0.satisfaction.responses().into())
    }
    async fn satisfaction_average(&self) -> Option<f64> {
        self.0.satisfaction.average()
    }
    /// The digest as plain text, ready to send.
    async fn text(&self) -> String {
        self.0.text()
    }
}

#[derive(Default)]
pub struct DashboardQuery;

#[Object]
impl DashboardQuery {
    /// The staff dashboard; service-level compliance is over `[from, to)` (default: the
    /// last 30 days).
    async fn dashboard(
        &self,
        ctx: &Context<'_>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Dashboard> {
        let svc = svc(ctx)?;
        let to = to.unwrap_or_else(|| svc.time.now());
        let from = from.unwrap_or(to - chrono::Duration::days(30));
        let period = Period::new(from, to)?;
        Ok(Dashboard(
            dashboard::build(svc, period).await?,
            period,
            super::scope(ctx)?,
        ))
    }

    /// A project's digest of the Monday-to-Sunday week holding `weekOf` (in the policy's
    /// time zone), from the event log. The CLIENT copy (the default, and the only one in
    /// the portal) leaves out risks not shared with the client.
    async fn weekly_digest(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        week_of: NaiveDate,
        audience: Option<Audience>,
    ) -> Result<WeeklyDigest> {
        let audience = audience.unwrap_or(Audience::Client);
        let id = decode_as("projectId", &project_id, NodeKind::Project)?;
        let (from, to) = current_policy(ctx).await?.calendar.week_of(week_of);
        let period = Period::new(from, to)?;
        Ok(WeeklyDigest(
            digest::build(svc(ctx)?, id, period, audience).await?,
            super::scope(ctx)?,
        ))
    }
}
