//! Satisfaction beyond tickets in the graph: milestone ratings and the quarterly survey
//! of existing clients with its report.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use entity::{SurveyStatus, client, contact, milestone_rating, stage, survey, survey_answer};

use super::{
    client::{Client, Contact},
    delivery::{Stage, user_of},
    ids::{NodeKind, decode_as, encode},
    input::opt_id,
    loaders,
    pagination::{KeyKind, Page, Sort, paginate},
    satisfaction::{SatisfactionTrend, ScoreCount, count, distribution},
    scope, seen,
    sets::{AnswersOfSurvey, ClientsOfSurvey},
    svc,
    user::User,
};
use crate::{
    auth::{Caller, scope::Visible},
    domain::{
        input::{LONG, SHORT, opt_text, text},
        satisfaction::Period,
        survey::SurveySummary,
    },
    service::{
        milestone_ratings,
        surveys::{self, Answer},
    },
};

/// A client contact's rating of a finished milestone.
pub struct MilestoneRating(pub Visible<milestone_rating::Model>);

#[Object]
impl MilestoneRating {
    /// 1 (very dissatisfied) to 5 (very satisfied).
    async fn score(&self) -> i32 {
        self.0.score
    }
    async fn comment(&self) -> Option<&str> {
        self.0.comment.as_deref()
    }
    async fn rated_at(&self) -> DateTime<Utc> {
        self.0.rated_at
    }
    async fn contact(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        Ok(loaders::one::<contact::Entity>(ctx, self.0.contact_id)
            .await?
            .map(Contact))
    }
    async fn stage(&self, ctx: &Context<'_>) -> Result<Option<Stage>> {
        Ok(loaders::one::<stage::Entity>(ctx, self.0.stage_id)
            .await?
            .map(Stage))
    }
    /// The staff member who recorded a rating given outside the portal.
    async fn recorded_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user_of(ctx, self.0.recorded_by_user_id).await
    }
}

/// A stage's ratings, first rated first.
pub async fn ratings_of_stage(ctx: &Context<'_>, stage_id: i64) -> Result<Vec<MilestoneRating>> {
    Ok(
        loaders::children_by_id(ctx, stage_id, super::sets::RatingsOfStage)
            .await?
            .into_iter()
            .map(MilestoneRating)
            .collect(),
    )
}

/// A satisfaction survey of existing clients for a period.
pub struct Survey(pub Visible<survey::Model>);

#[Object]
impl Survey {
    pub async fn id(&self) -> ID {
        encode(NodeKind::Survey, self.0.id)
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The period asked about, `[periodFrom, periodTo)`.
    async fn period_from(&self) -> DateTime<Utc> {
        self.0.period_from
    }
    async fn period_to(&self) -> DateTime<Utc> {
        self.0.period_to
    }
    /// OPEN (taking answers) or CLOSED.
    async fn status(&self) -> SurveyStatus {
        self.0.status
    }
    async fn opened_at(&self) -> DateTime<Utc> {
        self.0.opened_at
    }
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    async fn opened_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user_of(ctx, self.0.opened_by_user_id).await
    }
    /// The clients it asks (a portal user: its own) with the contacts invited.
    async fn clients(&self, ctx: &Context<'_>) -> Result<Vec<SurveyClient>> {
        Ok(loaders::children(ctx, &self.0, ClientsOfSurvey)
            .await?
            .into_iter()
            .map(|c| SurveyClient(c.client_id, c.invited))
            .collect())
    }
    /// The answers (a portal user: its own client's), first answered first.
    async fn answers(&self, ctx: &Context<'_>) -> Result<Vec<SurveyAnswer>> {
        Ok(loaders::children(ctx, &self.0, AnswersOfSurvey)
            .await?
            .into_iter()
            .map(SurveyAnswer)
            .collect())
    }
    /// The calling contact's own answer; null for staff and before answering.
    async fn my_answer(&self, ctx: &Context<'_>) -> Result<Option<SurveyAnswer>> {
        let Caller::Contact { contact_id, .. } = ctx.data::<Caller>()? else {
            return Ok(None);
        };
        Ok(loaders::children(ctx, &self.0, AnswersOfSurvey)
            .await?
            .into_iter()
            .find(|a| a.contact_id == *contact_id)
            .map(SurveyAnswer))
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A client a survey asks.
pub struct SurveyClient(i64, i32);

#[Object]
impl SurveyClient {
    async fn client(&self, ctx: &Context<'_>) -> Result<Option<Client>> {
        Ok(loaders::selected_one::<client::Entity>(ctx, self.0)
            .await?
            .map(Client))
    }
    /// Its active contacts when the survey opened.
    async fn invited(&self) -> i32 {
        self.1
    }
}

/// A contact's one answer to a survey.
pub struct SurveyAnswer(pub Visible<survey_answer::Model>);

#[Object]
impl SurveyAnswer {
    /// Overall satisfaction, 1 to 5.
    async fn score(&self) -> i32 {
        self.0.score
    }
    /// Would recommend the vendor, 0 to 10.
    async fn recommend(&self) -> i32 {
        self.0.recommend
    }
    async fn comment(&self) -> Option<&str> {
        self.0.comment.as_deref()
    }
    async fn answered_at(&self) -> DateTime<Utc> {
        self.0.answered_at
    }
    async fn contact(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        Ok(loaders::one::<contact::Entity>(ctx, self.0.contact_id)
            .await?
            .map(Contact))
    }
    async fn client(&self, ctx: &Context<'_>) -> Result<Option<Client>> {
        Ok(
            loaders::selected_one::<client::Entity>(ctx, self.0.client_id)
                .await?
                .map(Client),
        )
    }
    /// The staff member who recorded an answer given outside the portal.
    async fn recorded_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user_of(ctx, self.0.recorded_by_user_id).await
    }
}

/// What one group's answers sum up to.
pub struct SurveyResult(SurveySummary);

#[Object]
impl SurveyResult {
    /// Contacts invited (active when the survey opened).
    async fn invited(&self) -> i32 {
        count(self.0.scores.follow_ups)
    }
    async fn responses(&self) -> i32 {
        count(self.0.scores.responses())
    }
    /// Responses per invited contact, 0-1.
    async fn response_rate(&self) -> Option<f64> {
        self.0.scores.response_rate()
    }
    /// Mean overall score, 1-5.
    async fn average_score(&self) -> Option<f64> {
        self.0.scores.average()
    }
    /// One entry per score 1..5, zeros included.
    async fn distribution(&self) -> Vec<ScoreCount> {
        distribution(&self.0.scores)
    }
    /// Mean would-recommend value, 0-10.
    async fn average_recommend(&self) -> Option<f64> {
        self.0.average_recommend()
    }
    /// Share answering 9-10 minus share answering 0-6, in points (-100..100).
    async fn net_promoter_score(&self) -> Option<f64> {
        self.0.net_promoter()
    }
}

/// One client's result in a survey, against its result in the previous one.
pub struct ClientSurveyResult(surveys::ClientResult);

#[Object]
impl ClientSurveyResult {
    async fn client(&self, ctx: &Context<'_>) -> Result<Option<Client>> {
        Ok(
            loaders::selected_one::<client::Entity>(ctx, self.0.client_id)
                .await?
                .map(Client),
        )
    }
    async fn result(&self) -> SurveyResult {
        SurveyResult(self.0.summary)
    }
    /// Null when the previous survey did not ask this client.
    async fn previous(&self) -> Option<SurveyResult> {
        self.0.previous.map(SurveyResult)
    }
    async fn trend(&self) -> SatisfactionTrend {
        self.0.trend.into()
    }
}

/// A survey's report: response rate, averages and distribution, overall and by client,
/// with the trend against the previous survey.
pub struct SurveyReport {
    report: surveys::Report,
}

#[Object]
impl SurveyReport {
    async fn survey(&self, ctx: &Context<'_>) -> Result<Survey> {
        Ok(Survey(seen(ctx, self.report.survey.clone())?))
    }
    async fn overall(&self) -> SurveyResult {
        SurveyResult(self.report.overall)
    }
    /// The survey whose period starts last before this one's.
    async fn previous_survey(&self, ctx: &Context<'_>) -> Result<Option<Survey>> {
        self.report
            .previous
            .as_ref()
            .map(|(s, _)| Ok(Survey(seen(ctx, s.clone())?)))
            .transpose()
    }
    async fn previous(&self) -> Option<SurveyResult> {
        self.report.previous.as_ref().map(|(_, r)| SurveyResult(*r))
    }
    async fn trend(&self) -> SatisfactionTrend {
        self.report.trend.into()
    }
    async fn by_client(&self) -> Vec<ClientSurveyResult> {
        self.report
            .by_client
            .iter()
            .cloned()
            .map(ClientSurveyResult)
            .collect()
    }
}

#[derive(Default)]
pub struct SurveyQuery;

#[Object]
impl SurveyQuery {
    /// Surveys, newest first (a portal user: those asking its client).
    async fn surveys(
        &self,
        ctx: &Context<'_>,
        status: Option<SurveyStatus>,
        #[graphql(directive = super::preflight::constraint::apply(Some(0), Some(super::pagination::MAX_PAGE_SIZE), None))]
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<Survey>> {
        let scope = scope(ctx)?;
        let sort = Sort {
            name: "id",
            column: survey::Column::Id,
            kind: KeyKind::Int,
            descending: true,
        };
        paginate(
            ctx,
            surveys::list(scope, status),
            survey::Column::Id,
            sort,
            (first, after),
            Survey,
        )
        .await
    }

    /// What a survey's answers sum up to (staff).
    async fn survey_report(&self, ctx: &Context<'_>, id: ID) -> Result<SurveyReport> {
        let id = decode_as("id", &id, NodeKind::Survey)?;
        Ok(SurveyReport {
            report: surveys::report(svc(ctx)?, id).await?,
        })
    }
}

#[derive(InputObject)]
pub struct OpenSurveyInput {
    /// "Q4 2026 customer satisfaction".
    pub title: String,
    /// The period it asks about, `[from, to)`.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The clients it asks; each one's active contacts are invited.
    pub client_ids: Vec<ID>,
}

#[derive(InputObject)]
pub struct AnswerSurveyInput {
    pub survey_id: ID,
    /// Overall satisfaction, 1 (very dissatisfied) to 5 (very satisfied).
    #[graphql(directive = super::preflight::constraint::apply(Some(1), Some(5), None))]
    pub score: i32,
    /// How likely they would recommend the vendor, 0 to 10.
    #[graphql(directive = super::preflight::constraint::apply(Some(0), Some(10), None))]
    pub recommend: i32,
    pub comment: Option<String>,
    /// Staff only: the contact whose answer this is. A portal user answers as itself.
    pub contact_id: Option<ID>,
}

#[derive(InputObject)]
pub struct RateMilestoneInput {
    pub stage_id: ID,
    /// 1 (very dissatisfied) to 5 (very satisfied).
    #[graphql(directive = super::preflight::constraint::apply(Some(1), Some(5), None))]
    pub score: i32,
    pub comment: Option<String>,
    /// Staff only: the contact whose rating this is. A portal user rates as itself.
    pub contact_id: Option<ID>,
}

#[derive(Default)]
pub struct SurveyMutation;

#[Object]
impl SurveyMutation {
    /// Opens a survey of a period for a set of clients (staff).
    async fn open_survey(&self, ctx: &Context<'_>, input: OpenSurveyInput) -> Result<Survey> {
        let title = text("title", &input.title, SHORT)?;
        let period = Period::new(input.from, input.to)?;
        let clients = input
            .client_ids
            .iter()
            .map(|id| decode_as("clientIds", id, NodeKind::Client))
            .collect::<Result<Vec<_>, _>>()?;
        let row = surveys::open(svc(ctx)?, title, period, clients).await?;
        Ok(Survey(seen(ctx, row)?))
    }

    /// Closes a survey: it takes no more answers (staff).
    async fn close_survey(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> Result<Survey> {
        let id = decode_as("id", &id, NodeKind::Survey)?;
        let row = surveys::close(svc(ctx)?, id, expected_version).await?;
        Ok(Survey(seen(ctx, row)?))
    }

    /// A contact's one answer to an open survey: in the portal as itself, or recorded by
    /// staff naming the contact.
    async fn answer_survey(
        &self,
        ctx: &Context<'_>,
        input: AnswerSurveyInput,
    ) -> Result<SurveyAnswer> {
        let id = decode_as("surveyId", &input.survey_id, NodeKind::Survey)?;
        let answer = Answer {
            score: input.score,
            recommend: input.recommend,
            comment: opt_text("comment", input.comment.as_deref(), LONG)?,
            contact_id: opt_id("contactId", input.contact_id.as_ref(), NodeKind::Contact)?,
        };
        let row = surveys::answer(svc(ctx)?, id, answer).await?;
        Ok(SurveyAnswer(seen(ctx, row)?))
    }

    /// Rates a finished milestone 1-5 with a comment; rating again replaces the
    /// contact's rating. In the portal as itself, or recorded by staff naming the contact.
    async fn rate_milestone(
        &self,
        ctx: &Context<'_>,
        input: RateMilestoneInput,
    ) -> Result<MilestoneRating> {
        let stage_id = decode_as("stageId", &input.stage_id, NodeKind::Stage)?;
        let comment = opt_text("comment", input.comment.as_deref(), LONG)?;
        let contact = opt_id("contactId", input.contact_id.as_ref(), NodeKind::Contact)?;
        let row =
            milestone_ratings::rate(svc(ctx)?, stage_id, input.score, comment, contact).await?;
        Ok(MilestoneRating(seen(ctx, row)?))
    }
}
