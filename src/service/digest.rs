//! The weekly digest of a project, generated from the event log: what moved, what
//! slipped, what broke, ready to send to the client.

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::{
    EntityKind, EventKind, ReportStatus, RiskStatus, StageStatus, TicketStatus, event, project,
    risk, stage,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{Ctx, require};
use crate::{
    auth::Scope,
    domain::{
        follow_up::Score,
        milestone,
        satisfaction::{Period, Summary},
    },
    error::AppResult,
};

/// Who the digest is for: the client's copy leaves out risks not shared with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
#[graphql(name = "DigestAudience")]
pub enum Audience {
    Client,
    Internal,
}

/// A milestone whose due date moved later in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slip {
    pub stage: stage::Model,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Debug, Clone)]
pub struct Digest {
    pub project: project::Model,
    pub period: Period,
    pub audience: Audience,
    /// Milestones marked done in the period, with when.
    pub milestones_completed: Vec<(stage::Model, chrono::DateTime<chrono::Utc>)>,
    pub milestones_slipped: Vec<Slip>,
    /// Milestones not done whose due date is before the period's end (as they stand now).
    pub milestones_overdue: Vec<stage::Model>,
    pub tickets_opened: u32,
    pub tickets_resolved: u32,
    pub service_levels_breached: u32,
    pub risks_raised: Vec<risk::Model>,
    pub risks_closed: Vec<risk::Model>,
    pub reports_filed: u32,
    /// Scores recorded in the period.
    pub satisfaction: Summary,
}

fn changes(e: &event::Model) -> serde_json::Value {
    serde_json::from_str(&e.changes).unwrap_or_default()
}

fn due_date(e: &event::Model) -> Option<Option<NaiveDate>> {
    let c = changes(e);
    let v = c.get("due_date")?;
    Some(serde_json::from_value(v.clone()).ok().flatten())
}

/// The digest of `project_id` for `period`. A portal user gets the client's copy of
/// its own projects only.
pub async fn build(
    ctx: Ctx<'_>,
    project_id: i64,
    period: Period,
    audience: Audience,
) -> AppResult<Digest> {
    let db = ctx.db;
    let p = require::<project::Entity>(db, ctx.caller, "projectId", project_id).await?;
    let audience = match ctx.caller.scope()? {
        Scope::All => audience,
        Scope::Client(_) => Audience::Client,
    };
    let events = event::Entity::find()
        .filter(event::Column::ProjectId.eq(p.id))
        .filter(event::Column::OccurredAt.lt(period.to))
        .order_by_asc(event::Column::Id)
        .all(db)
        .await?;
    let stages: HashMap<i64, stage::Model> = stage::Entity::find()
        .filter(stage::Column::ProjectId.eq(p.id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let risks: HashMap<i64, risk::Model> = risk::Entity::find()
        .filter(risk::Column::ProjectId.eq(p.id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let risk_in_copy = |id: i64| {
        risks
            .get(&id)
            .filter(|r| audience == Audience::Internal || r.shared_with_client)
            .cloned()
    };

    let mut d = Digest {
        project: p.clone(),
        period,
        audience,
        milestones_completed: Vec::new(),
        milestones_slipped: Vec::new(),
        milestones_overdue: Vec::new(),
        tickets_opened: 0,
        tickets_resolved: 0,
        service_levels_breached: 0,
        risks_raised: Vec::new(),
        risks_closed: Vec::new(),
        reports_filed: 0,
        satisfaction: Summary::default(),
    };
    // Per stage: the due date the client had been given (as the period began, or first
    // given in it), and the due date as the period ended.
    let mut given: HashMap<i64, Option<NaiveDate>> = HashMap::new();
    let mut last: HashMap<i64, Option<NaiveDate>> = HashMap::new();
    for e in &events {
        let within = period.contains(e.occurred_at);
        match (e.entity_kind, e.kind) {
            (EntityKind::Stage, EventKind::Created | EventKind::Updated) => {
                if let Some(due) = due_date(e) {
                    if within {
                        let first = given.entry(e.entity_id).or_insert(None);
                        if first.is_none() {
                            *first = due;
                        }
                        last.insert(e.entity_id, due);
                    } else {
                        given.insert(e.entity_id, due);
                    }
                }
            }
            _ if !within => {}
            (EntityKind::Stage, EventKind::StatusChanged)
                if e.to_status.as_deref() == Some(StageStatus::Done.as_str()) =>
            {
                if let Some(s) = stages.get(&e.entity_id) {
                    d.milestones_completed.push((s.clone(), e.occurred_at));
                }
            }
            (EntityKind::Ticket, EventKind::Created) => d.tickets_opened += 1,
            (EntityKind::Ticket, EventKind::StatusChanged)
                if e.to_status.as_deref() == Some(TicketStatus::Resolved.as_str()) =>
            {
                d.tickets_resolved += 1;
            }
            (EntityKind::Ticket, EventKind::ServiceLevelBreached) => {
                d.service_levels_breached += 1;
            }
            (EntityKind::Ticket, EventKind::SatisfactionRecorded) => {
                let score = changes(e)["score"]
                    .as_i64()
                    .and_then(|s| Score::new(i32::try_from(s).ok()?).ok());
                if score.is_some() {
                    d.satisfaction.add(score);
                }
            }
            (EntityKind::Risk, EventKind::Created) => {
                d.risks_raised.extend(risk_in_copy(e.entity_id));
            }
            (EntityKind::Risk, EventKind::StatusChanged)
                if e.to_status.as_deref() == Some(RiskStatus::Closed.as_str()) =>
            {
                d.risks_closed.extend(risk_in_copy(e.entity_id));
            }
            // Sent to the client: written published, or a draft published.
            (EntityKind::Report, EventKind::Created | EventKind::StatusChanged)
                if e.to_status.as_deref() == Some(ReportStatus::Published.as_str()) =>
            {
                d.reports_filed += 1;
            }
            _ => {}
        }
    }
    for (id, now) in last {
        let was = given.get(&id).copied().flatten();
        if let (Some((from, to)), Some(s)) = (milestone::slipped(was, now), stages.get(&id)) {
            d.milestones_slipped.push(Slip {
                stage: s.clone(),
                from,
                to,
            });
        }
    }
    d.milestones_slipped.sort_by_key(|s| s.stage.id);
    let end = period.to.date_naive();
    let mut overdue: Vec<stage::Model> = stages
        .into_values()
        .filter(|s| s.status != StageStatus::Done && s.due_date.is_some_and(|due| due < end))
        .collect();
    overdue.sort_by_key(|s| (s.due_date, s.id));
    d.milestones_overdue = overdue;
    Ok(d)
}

impl Digest {
    /// The digest as plain text, for an e-mail to the client.
    pub fn text(&self) -> String {
        use std::fmt::Write;
        let mut t = String::new();
        let day = |d: chrono::DateTime<chrono::Utc>| d.format("%Y-%m-%d").to_string();
        let _ = writeln!(
            t,
            "{}: week of {} to {}",
            self.project.name,
            day(self.period.from),
            day(self.period.to - chrono::Duration::seconds(1))
        );
        let _ = writeln!(t, "\nMilestones");
        if self.milestones_completed.is_empty()
            && self.milestones_slipped.is_empty()
            && self.milestones_overdue.is_empty()
        {
            let _ = writeln!(t, "- no milestone changes");
        }
        for (s, at) in &self.milestones_completed {
            let _ = writeln!(t, "- done: {} ({})", s.name, day(*at));
        }
        for s in &self.milestones_slipped {
            let _ = writeln!(t, "- moved: {} from {} to {}", s.stage.name, s.from, s.to);
        }
        for s in &self.milestones_overdue {
            if let Some(due) = s.due_date {
                let _ = writeln!(t, "- overdue: {} (due {due})", s.name);
            }
        }
        let _ = writeln!(
            t,
            "\nSupport\n- tickets opened: {}\n- tickets resolved: {}\n- service-level targets missed: {}",
            self.tickets_opened, self.tickets_resolved, self.service_levels_breached
        );
        if !self.risks_raised.is_empty() || !self.risks_closed.is_empty() {
            let _ = writeln!(t, "\nRisks");
            for r in &self.risks_raised {
                let _ = writeln!(t, "- raised: {}", r.title);
            }
            for r in &self.risks_closed {
                let _ = writeln!(t, "- closed: {}", r.title);
            }
        }
        if let Some(avg) = self.satisfaction.average() {
            let _ = writeln!(
                t,
                "\nSatisfaction\n- {} score(s), average {avg:.1} of 5",
                self.satisfaction.responses()
            );
        }
        t
    }
}
