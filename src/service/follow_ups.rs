//! Satisfaction follow-ups: one is owed for each resolution of a ticket, due within 3
//! working days; the customer's score is recorded on it; the report summarises them.

use std::collections::BTreeMap;

use entity::{
    EntityKind, EventKind, TicketStatus, follow_up, milestone_rating as rating,
    survey_answer as answer, ticket,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect,
    RelationTrait, Set, prelude::Expr,
};
use serde_json::json;

use super::{Caller, Ctx, EventDraft, UnitOfWork, require, service_levels};
use crate::{
    auth::Scope,
    domain::{
        follow_up::{self as rules, Score},
        satisfaction::{Period, Summary, Trend},
    },
    error::{AppError, AppResult},
};

/// Keeps follow-ups in step with a ticket's status change (in the change's transaction):
/// a resolution opens one; reopening cancels the one not yet answered.
pub async fn track(
    uow: &UnitOfWork<'_>,
    before: &ticket::Model,
    to: TicketStatus,
) -> AppResult<()> {
    match to {
        TicketStatus::Resolved => {
            let policy = service_levels::policy_of_project(uow.txn(), before.project_id).await?;
            let due_at = rules::due_at(&policy.calendar, uow.now()).ok_or_else(|| {
                AppError::Internal("the policy's calendar has no working day ahead".into())
            })?;
            follow_up::ActiveModel {
                ticket_id: Set(before.id),
                resolved_at: Set(uow.now()),
                due_at: Set(due_at),
                ..Default::default()
            }
            .insert(uow.txn())
            .await?;
        }
        _ if before.status == TicketStatus::Resolved && to != TicketStatus::Closed => {
            follow_up::Entity::update_many()
                .col_expr(follow_up::Column::CancelledAt, Expr::value(uow.now()))
                .filter(follow_up::Column::TicketId.eq(before.id))
                .filter(follow_up::Column::Score.is_null())
                .filter(follow_up::Column::CancelledAt.is_null())
                .exec(uow.txn())
                .await?;
        }
        _ => {}
    }
    Ok(())
}

/// Records the customer's score for the ticket's latest resolution: by the staff who
/// asked, or by the customer in the portal.
pub async fn record(
    ctx: Ctx<'_>,
    ticket_id: i64,
    score: i32,
    comment: Option<String>,
) -> AppResult<follow_up::Model> {
    let score = Score::new(score)?;
    let comment = comment
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    let mut uow = UnitOfWork::begin(ctx).await?;
    let t = require::<ticket::Entity>(uow.txn(), ctx.caller, "ticketId", ticket_id).await?;
    ctx.caller.require_staff_write_or_contact_of(t.client_id)?;
    let Some(open) = follow_up::Entity::find()
        .filter(follow_up::Column::TicketId.eq(t.id))
        .filter(follow_up::Column::CancelledAt.is_null())
        .order_by_desc(follow_up::Column::Id)
        .one(uow.txn())
        .await?
    else {
        return Err(AppError::Conflict(
            "the ticket has no follow-up: it has not been resolved".into(),
        ));
    };
    let (by_user, by_contact) = match ctx.caller {
        Caller::Staff { user_id, .. } => (Some(*user_id), None),
        Caller::Contact { contact_id, .. } => (None, Some(*contact_id)),
        _ => (None, None),
    };
    // Conditional: a score is recorded once, even when two arrive together.
    let claimed = follow_up::Entity::update_many()
        .col_expr(follow_up::Column::Score, Expr::value(score.get()))
        .col_expr(follow_up::Column::Comment, Expr::value(comment.clone()))
        .col_expr(follow_up::Column::RecordedAt, Expr::value(uow.now()))
        .col_expr(follow_up::Column::RecordedByUserId, Expr::value(by_user))
        .col_expr(
            follow_up::Column::RecordedByContactId,
            Expr::value(by_contact),
        )
        .filter(follow_up::Column::Id.eq(open.id))
        .filter(follow_up::Column::Score.is_null())
        .exec(uow.txn())
        .await?;
    if claimed.rows_affected == 0 {
        return Err(AppError::Conflict(
            "the satisfaction score of this resolution is already recorded".into(),
        ));
    }
    uow.record(
        EventDraft::new(EventKind::SatisfactionRecorded, EntityKind::Ticket, t.id)
            .project(t.project_id, t.client_id)
            .changes(json!({
                "score": score.get(),
                "comment": comment,
                "resolved_at": open.resolved_at,
                "late": uow.now() > open.due_at,
            })),
    )
    .await?;
    let row = follow_up::Entity::find_by_id(open.id)
        .one(uow.txn())
        .await?
        .ok_or(AppError::not_found("follow-up"))?;
    uow.commit().await?;
    Ok(row)
}

/// The satisfaction of one period, overall, by client and by project, with the period
/// before it for the trend.
#[derive(Debug, Clone)]
pub struct Report {
    pub period: Period,
    pub overall: Summary,
    pub previous: Summary,
    pub trend: Trend,
    /// By client id (every client with a ticket score, a milestone rating or a survey
    /// answer in the period), then by project id: in id order.
    pub by_client: Vec<(i64, Sources)>,
    pub by_project: Vec<(i64, Summary)>,
    /// The period's three sources side by side.
    pub sources: Sources,
}

/// The three ways a client says how satisfied it is, in one period.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sources {
    /// Follow-ups of resolved tickets (with those owed and unanswered).
    pub tickets: Summary,
    /// Ratings of finished milestones given in the period.
    pub milestones: Summary,
    /// Overall scores of survey answers given in the period; not counted in a report of
    /// one project (a survey is about the client as a whole).
    pub surveys: Summary,
}

/// Narrows a report.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReportFilter {
    pub client_id: Option<i64>,
    pub project_id: Option<i64>,
}

/// The report of `period`: follow-ups of the tickets resolved in it (those cancelled by
/// a reopening do not count). A portal user gets its own client's only.
pub async fn report(ctx: Ctx<'_>, period: Period, filter: ReportFilter) -> AppResult<Report> {
    let mut q = follow_up::Entity::find()
        .select_only()
        .column(ticket::Column::ClientId)
        .column(ticket::Column::ProjectId)
        .column(follow_up::Column::ResolvedAt)
        .column(follow_up::Column::Score)
        .join(JoinType::InnerJoin, follow_up::Relation::Ticket.def())
        .filter(follow_up::Column::CancelledAt.is_null())
        .filter(follow_up::Column::ResolvedAt.gte(period.previous().from))
        .filter(follow_up::Column::ResolvedAt.lt(period.to));
    let own = match ctx.caller.scope()? {
        Scope::Client(own) => Some(own),
        Scope::All => None,
    };
    if let Some(own) = own {
        q = q.filter(ticket::Column::ClientId.eq(own));
    }
    if let Some(c) = filter.client_id {
        q = q.filter(ticket::Column::ClientId.eq(c));
    }
    if let Some(p) = filter.project_id {
        q = q.filter(ticket::Column::ProjectId.eq(p));
    }
    let rows: Vec<(i64, i64, chrono::DateTime<chrono::Utc>, Option<i32>)> =
        q.into_tuple().all(ctx.db).await?;
    let mut overall = Summary::default();
    let mut previous = Summary::default();
    let mut by_client: BTreeMap<i64, Summary> = BTreeMap::new();
    let mut by_project: BTreeMap<i64, Summary> = BTreeMap::new();
    for (client, project, resolved_at, score) in rows {
        // Stored scores were validated on the way in; one that is not is not counted.
        let score = score.and_then(|s| Score::new(s).ok());
        if period.contains(resolved_at) {
            overall.add(score);
            by_client.entry(client).or_default().add(score);
            by_project.entry(project).or_default().add(score);
        } else {
            previous.add(score);
        }
    }
    let mut sources = Sources {
        tickets: overall,
        ..Sources::default()
    };
    let mut client_sources: BTreeMap<i64, Sources> = by_client
        .into_iter()
        .map(|(c, tickets)| {
            let s = Sources {
                tickets,
                ..Sources::default()
            };
            (c, s)
        })
        .collect();
    let mut ratings = rating::Entity::find()
        .select_only()
        .column(rating::Column::ClientId)
        .column(rating::Column::Score)
        .filter(rating::Column::RatedAt.gte(period.from))
        .filter(rating::Column::RatedAt.lt(period.to));
    let mut answers = answer::Entity::find()
        .select_only()
        .column(answer::Column::ClientId)
        .column(answer::Column::Score)
        .filter(answer::Column::AnsweredAt.gte(period.from))
        .filter(answer::Column::AnsweredAt.lt(period.to));
    // The caller's own client, and the client asked for: both narrow.
    for c in own.into_iter().chain(filter.client_id) {
        ratings = ratings.filter(rating::Column::ClientId.eq(c));
        answers = answers.filter(answer::Column::ClientId.eq(c));
    }
    let answers: Vec<(i64, i32)> = if let Some(p) = filter.project_id {
        ratings = ratings.filter(rating::Column::ProjectId.eq(p));
        Vec::new()
    } else {
        answers.into_tuple().all(ctx.db).await?
    };
    let ratings: Vec<(i64, i32)> = ratings.into_tuple().all(ctx.db).await?;
    for (client, score) in ratings {
        let score = Score::new(score).ok();
        sources.milestones.add(score);
        client_sources
            .entry(client)
            .or_default()
            .milestones
            .add(score);
    }
    for (client, score) in answers {
        let score = Score::new(score).ok();
        sources.surveys.add(score);
        client_sources.entry(client).or_default().surveys.add(score);
    }
    Ok(Report {
        period,
        trend: Trend::between(&previous, &overall),
        overall,
        previous,
        by_client: client_sources.into_iter().collect(),
        by_project: by_project.into_iter().collect(),
        sources,
    })
}
