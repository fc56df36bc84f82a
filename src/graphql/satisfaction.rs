//! Follow-ups, satisfaction scores and the satisfaction report in the graph.

use crate::auth::scope::Visible;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{client, follow_up, ticket};

use super::{
    client::{Client, Contact},
    delivery::{contact_of, project_of, user_of},
    ids::{NodeKind, decode_as},
    input::opt_id,
    loaders,
    project::Project,
    sets::FollowUpsOfTicket,
    svc,
    ticket::Ticket,
    user::User,
};
use crate::{
    domain::{
        follow_up::FollowUpState,
        input::{LONG, opt_text},
        satisfaction::{Period, Summary, Trend, TrendDirection},
    },
    service::follow_ups::{self, ReportFilter, Sources},
};

/// The satisfaction follow-up owed after one resolution of a ticket.
pub struct FollowUp {
    row: Visible<follow_up::Model>,
    now: DateTime<Utc>,
}

impl FollowUp {
    fn new(ctx: &Context<'_>, row: Visible<follow_up::Model>) -> Result<Self> {
        Ok(Self {
            row,
            now: svc(ctx)?.time.now(),
        })
    }
}

#[Object]
impl FollowUp {
    async fn state(&self) -> FollowUpState {
        FollowUpState::of(
            self.row.score.is_some(),
            self.row.cancelled_at.is_some(),
            self.row.due_at,
            self.now,
        )
    }
    async fn resolved_at(&self) -> DateTime<Utc> {
        self.row.resolved_at
    }
    /// The end of the third working day after the resolution.
    async fn due_at(&self) -> DateTime<Utc> {
        self.row.due_at
    }
    /// 1 (very dissatisfied) to 5 (very satisfied).
    async fn score(&self) -> Option<i32> {
        self.row.score
    }
    /// The customer's suggestions.
    async fn comment(&self) -> Option<&str> {
        self.row.comment.as_deref()
    }
    async fn recorded_at(&self) -> Option<DateTime<Utc>> {
        self.row.recorded_at
    }
    async fn recorded_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user_of(ctx, self.row.recorded_by_user_id).await
    }
    /// Set when the customer gave the score in the portal.
    async fn recorded_by_contact(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        contact_of(ctx, self.row.recorded_by_contact_id).await
    }
    async fn cancelled_at(&self) -> Option<DateTime<Utc>> {
        self.row.cancelled_at
    }
    async fn ticket(&self, ctx: &Context<'_>) -> Result<Option<Ticket>> {
        Ok(
            loaders::selected_one::<ticket::Entity>(ctx, self.row.ticket_id)
                .await?
                .map(Ticket),
        )
    }
}

/// A ticket's follow-ups, oldest first.
pub async fn of_ticket(ctx: &Context<'_>, ticket_id: i64) -> Result<Vec<FollowUp>> {
    loaders::children_by_id(ctx, ticket_id, FollowUpsOfTicket)
        .await?
        .into_iter()
        .map(|row| FollowUp::new(ctx, row))
        .collect()
}

/// How many responses gave one score.
#[derive(SimpleObject)]
pub struct ScoreCount {
    pub score: i32,
    pub count: i32,
}

/// Follow-ups of one group in one period.
pub struct SatisfactionSummary(Summary);

pub fn count(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// One entry per score 1..5, zeros included.
pub fn distribution(s: &Summary) -> Vec<ScoreCount> {
    (1..=5)
        .zip(s.distribution)
        .map(|(score, n)| ScoreCount {
            score,
            count: count(n),
        })
        .collect()
}

#[Object]
impl SatisfactionSummary {
    /// Follow-ups owed: tickets resolved in the period and not reopened since.
    async fn follow_ups(&self) -> i32 {
        count(self.0.follow_ups)
    }
    /// Scores recorded.
    async fn responses(&self) -> i32 {
        count(self.0.responses())
    }
    /// Mean score, 1-5; null without responses.
    async fn average(&self) -> Option<f64> {
        self.0.average()
    }
    /// Responses per follow-up, 0-1.
    async fn response_rate(&self) -> Option<f64> {
        self.0.response_rate()
    }
    /// Share of responses scoring 4 or 5, 0-1.
    async fn satisfied_share(&self) -> Option<f64> {
        self.0.satisfied_share()
    }
    /// One entry per score 1..5, zeros included.
    async fn distribution(&self) -> Vec<ScoreCount> {
        distribution(&self.0)
    }
}

/// Scores of one source: how many, their mean and their spread.
pub struct ScoreSummary(Summary);

#[Object]
impl ScoreSummary {
    async fn responses(&self) -> i32 {
        count(self.0.responses())
    }
    /// Mean score, 1-5; null without responses.
    async fn average(&self) -> Option<f64> {
        self.0.average()
    }
    /// Share of responses scoring 4 or 5, 0-1.
    async fn satisfied_share(&self) -> Option<f64> {
        self.0.satisfied_share()
    }
    /// One entry per score 1..5, zeros included.
    async fn distribution(&self) -> Vec<ScoreCount> {
        distribution(&self.0)
    }
}

/// Ticket scores, milestone ratings and survey answers of one period, side by side.
pub struct SideBySide(Sources);

#[Object]
impl SideBySide {
    /// Scores of the follow-ups of tickets resolved in the period.
    async fn tickets(&self) -> ScoreSummary {
        ScoreSummary(self.0.tickets)
    }
    /// Ratings of finished milestones given in the period.
    async fn milestones(&self) -> ScoreSummary {
        ScoreSummary(self.0.milestones)
    }
    /// Overall scores of survey answers given in the period (none in a report of one
    /// project: a survey is about the client as a whole).
    async fn surveys(&self) -> ScoreSummary {
        ScoreSummary(self.0.surveys)
    }
}

/// The satisfaction of one client in the period.
pub struct ClientSatisfaction(i64, Sources);

#[Object]
impl ClientSatisfaction {
    async fn client(&self, ctx: &Context<'_>) -> Result<Option<Client>> {
        Ok(loaders::selected_one::<client::Entity>(ctx, self.0)
            .await?
            .map(Client))
    }
    /// Its ticket follow-ups.
    async fn summary(&self) -> SatisfactionSummary {
        SatisfactionSummary(self.1.tickets)
    }
    async fn side_by_side(&self) -> SideBySide {
        SideBySide(self.1)
    }
}

/// The satisfaction of one project in the period.
pub struct ProjectSatisfaction(i64, Summary);

#[Object]
impl ProjectSatisfaction {
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<Project>> {
        project_of(ctx, self.0).await
    }
    async fn summary(&self) -> SatisfactionSummary {
        SatisfactionSummary(self.1)
    }
}

/// How the period compares with the one before it.
#[derive(SimpleObject)]
pub struct SatisfactionTrend {
    /// Average now minus average before; null if either has no response.
    pub average_change: Option<f64>,
    pub response_rate_change: Option<f64>,
    pub direction: TrendDirection,
}

impl From<Trend> for SatisfactionTrend {
    fn from(t: Trend) -> Self {
        Self {
            average_change: t.average_change,
            response_rate_change: t.response_rate_change,
            direction: t.direction,
        }
    }
}

/// The satisfaction report of a period (a quarter, a month...).
pub struct SatisfactionReport(follow_ups::Report);

#[Object]
impl SatisfactionReport {
    async fn from(&self) -> DateTime<Utc> {
        self.0.period.from
    }
    async fn to(&self) -> DateTime<Utc> {
        self.0.period.to
    }
    async fn overall(&self) -> SatisfactionSummary {
        SatisfactionSummary(self.0.overall)
    }
    /// The period of the same length just before this one.
    async fn previous(&self) -> SatisfactionSummary {
        SatisfactionSummary(self.0.previous)
    }
    async fn trend(&self) -> SatisfactionTrend {
        self.0.trend.into()
    }
    /// Ticket scores, milestone ratings and survey answers of the period, side by side.
    async fn side_by_side(&self) -> SideBySide {
        SideBySide(self.0.sources)
    }
    /// Every client with a ticket score, a milestone rating or a survey answer in the
    /// period (or a follow-up owed).
    async fn by_client(&self) -> Vec<ClientSatisfaction> {
        self.0
            .by_client
            .iter()
            .map(|(id, s)| ClientSatisfaction(*id, *s))
            .collect()
    }
    async fn by_project(&self) -> Vec<ProjectSatisfaction> {
        self.0
            .by_project
            .iter()
            .map(|(id, s)| ProjectSatisfaction(*id, *s))
            .collect()
    }
}

#[derive(Default)]
pub struct SatisfactionQuery;

#[Object]
impl SatisfactionQuery {
    /// Satisfaction of the tickets resolved in `[from, to)`, with the trend against the
    /// period of the same length before it. A portal user sees its own client's.
    async fn satisfaction_report(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        client_id: Option<ID>,
        project_id: Option<ID>,
    ) -> Result<SatisfactionReport> {
        let period = Period::new(from, to)?;
        let filter = ReportFilter {
            client_id: opt_id("clientId", client_id.as_ref(), NodeKind::Client)?,
            project_id: opt_id("projectId", project_id.as_ref(), NodeKind::Project)?,
        };
        Ok(SatisfactionReport(
            follow_ups::report(svc(ctx)?, period, filter).await?,
        ))
    }
}

#[derive(InputObject)]
pub struct RecordSatisfactionInput {
    pub ticket_id: ID,
    /// 1 (very dissatisfied) to 5 (very satisfied).
    #[graphql(directive = super::preflight::constraint::apply(Some(1), Some(5), None))]
    pub score: i32,
    /// The customer's suggestions.
    pub comment: Option<String>,
}

#[derive(Default)]
pub struct SatisfactionMutation;

#[Object]
impl SatisfactionMutation {
    /// Records the customer's score for the ticket's latest resolution: by staff after
    /// the follow-up call, or by the customer in the portal. Once per resolution.
    async fn record_satisfaction(
        &self,
        ctx: &Context<'_>,
        input: RecordSatisfactionInput,
    ) -> Result<FollowUp> {
        let ticket_id = decode_as("ticketId", &input.ticket_id, NodeKind::Ticket)?;
        let comment = opt_text("comment", input.comment.as_deref(), LONG)?;
        let row = follow_ups::record(svc(ctx)?, ticket_id, input.score, comment).await?;
        FollowUp::new(ctx, super::seen(ctx, row)?)
    }
}
