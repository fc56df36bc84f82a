//! The delivery records of a project: requirements, stages, risks and reports.

use crate::auth::scope::Visible;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    EntityKind, Feasibility, ReportKind, RequirementCategory, RiskCategory, RiskStatus,
    StageStatus, contact, project, report, requirement, risk, stage, user,
};

use super::{
    client::Contact,
    event::Event,
    ids::{NodeKind, decode_as, encode},
    input::{opt_id, patch, patch_id, patch_text, set_text},
    loaders::{self, EventScope},
    pagination::{KeyKind, Page, Sort, paginate},
    plain::{self, PlainFields, Read},
    project::Project,
    svc,
    user::User,
};
use crate::{
    domain::{
        input::{LONG, SHORT, in_range, opt_text, text},
        report::Parts,
        risk::RiskSeverity,
    },
    service::{
        reports::{self, NewReport},
        requirements::{self, NewRequirement, RequirementPatch},
        risks::{self, NewRisk, RiskFilter, RiskPatch},
        stages::{self, NewStage, StagePatch},
    },
};

pub(super) async fn project_of(ctx: &Context<'_>, id: i64) -> Result<Option<Project>> {
    Ok(loaders::selected_one::<project::Entity>(ctx, id)
        .await?
        .map(Project))
}

pub(super) async fn user_of(ctx: &Context<'_>, id: Option<i64>) -> Result<Option<User>> {
    let Some(id) = id else { return Ok(None) };
    Ok(loaders::one::<user::Entity>(ctx, id).await?.map(User))
}

pub(super) async fn contact_of(ctx: &Context<'_>, id: Option<i64>) -> Result<Option<Contact>> {
    let Some(id) = id else { return Ok(None) };
    Ok(loaders::one::<contact::Entity>(ctx, id).await?.map(Contact))
}

pub(super) async fn events_of(
    ctx: &Context<'_>,
    kind: EntityKind,
    id: i64,
    last: u32,
) -> Result<Vec<Event>> {
    Ok(
        loaders::latest_events(ctx, id, EventScope::Entity(kind), last)
            .await?
            .into_iter()
            .map(Event)
            .collect(),
    )
}

/// One line of the requirement list.
pub struct Requirement(pub Visible<requirement::Model>);

#[Object]
impl Requirement {
    pub async fn id(&self) -> ID {
        encode(NodeKind::Requirement, self.0.id)
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn detail(&self) -> Option<&str> {
        self.0.detail.as_deref()
    }
    async fn category(&self) -> RequirementCategory {
        self.0.category
    }
    async fn feasibility(&self) -> Feasibility {
        self.0.feasibility
    }
    /// What is offered instead when the requirement is not fully feasible.
    async fn alternative(&self) -> Option<&str> {
        self.0.alternative.as_deref()
    }
    async fn in_scope(&self) -> bool {
        self.0.in_scope
    }
    /// E.g. "phase one excludes data visualisation".
    async fn scope_note(&self) -> Option<&str> {
        self.0.scope_note.as_deref()
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<Project>> {
        project_of(ctx, self.0.project_id).await
    }
    /// Its analysis: nature, effort, cost, resources (staff only: null in the portal).
    async fn analysis(&self) -> Option<super::analysis::RequirementAnalysis> {
        super::analysis::RequirementAnalysis::of(&self.0)
    }
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, directive = super::preflight::constraint::apply(Some(1), Some(100), None))]
        last: u32,
    ) -> Result<Vec<Event>> {
        events_of(ctx, EntityKind::Requirement, self.0.id, last).await
    }
}

/// A stage (milestone) of the delivery plan.
pub struct Stage(pub Visible<stage::Model>);

/// The fields of [`Stage`] that read only its row, as their resolvers below answer.
impl PlainFields for Stage {
    const FIELDS: &'static [(&'static str, Read<Self>)] = &[
        ("id", |s| plain::id(encode(NodeKind::Stage, s.0.id))),
        ("name", |s| plain::text(&s.0.name)),
        ("position", |s| plain::scalar(&s.0.position)),
        ("status", |s| plain::variant(s.0.status)),
        ("plannedStart", |s| plain::opt(&s.0.planned_start)),
        ("dueDate", |s| plain::opt(&s.0.due_date)),
        ("completedAt", |s| plain::opt(&s.0.completed_at)),
        ("deliverables", |s| {
            plain::opt_text(s.0.deliverables.as_deref())
        }),
        ("version", |s| plain::scalar(&s.0.version)),
        ("updatedAt", |s| plain::scalar(&s.0.updated_at)),
    ];
}

/// A stage's progress by its action items.
pub struct TaskProgress(crate::domain::action_item::Progress);

#[Object]
impl TaskProgress {
    async fn done(&self) -> usize {
        self.0.done
    }
    /// Items not cancelled.
    async fn total(&self) -> usize {
        self.0.total
    }
    /// Whole percent done; null when the stage has no items.
    async fn percent(&self) -> Option<i32> {
        self.0.percent()
    }
}

/// The columns each field of [`Stage`] reads ([`super::columns`]); a field not named
/// here reads the whole row.
pub const STAGE_COLUMNS: super::columns::FieldColumns = &[
    ("id", &["id"]),
    ("name", &["name"]),
    ("position", &["position"]),
    ("status", &["status"]),
    ("plannedStart", &["planned_start"]),
    ("dueDate", &["due_date"]),
    ("completedAt", &["completed_at"]),
    ("deliverables", &["deliverables"]),
    ("version", &["version"]),
    ("updatedAt", &["updated_at"]),
    ("owner", &["owner_id"]),
    ("project", &["project_id"]),
];

#[Object]
impl Stage {
    pub async fn id(&self) -> ID {
        encode(NodeKind::Stage, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn position(&self) -> i32 {
        self.0.position
    }
    async fn status(&self) -> StageStatus {
        self.0.status
    }
    /// Standing for dashboards: DONE, OVERDUE, DUE_SOON (within 7 days), NEXT (the first
    /// open stage of the plan) or UPCOMING, on the policy's calendar.
    async fn milestone_state(
        &self,
        ctx: &Context<'_>,
    ) -> Result<crate::domain::milestone::MilestoneState> {
        super::health::milestone_state(ctx, &self.0).await
    }
    async fn planned_start(&self) -> Option<NaiveDate> {
        self.0.planned_start
    }
    async fn due_date(&self) -> Option<NaiveDate> {
        self.0.due_date
    }
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.completed_at
    }
    /// E.g. "hardware delivered", "go-live training".
    async fn deliverables(&self) -> Option<&str> {
        self.0.deliverables.as_deref()
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// The stage's action items, both sides, oldest first.
    async fn action_items(&self, ctx: &Context<'_>) -> Result<Vec<super::action_item::ActionItem>> {
        Ok(
            loaders::children(ctx, &self.0, super::sets::ActionItemsOfStage)
                .await?
                .into_iter()
                .map(super::action_item::ActionItem)
                .collect(),
        )
    }
    /// What its action items say of the stage's progress (cancelled ones do not count).
    async fn task_progress(&self, ctx: &Context<'_>) -> Result<TaskProgress> {
        let items = loaders::children(ctx, &self.0, super::sets::ActionItemsOfStage).await?;
        Ok(TaskProgress(crate::domain::action_item::Progress::of(
            items.iter().map(|i| i.status),
        )))
    }
    /// The client's ratings of the finished milestone, first rated first.
    async fn ratings(&self, ctx: &Context<'_>) -> Result<Vec<super::survey::MilestoneRating>> {
        super::survey::ratings_of_stage(ctx, self.0.id).await
    }
    /// Its milestone reviews and other meetings, in calendar order.
    async fn meetings(&self, ctx: &Context<'_>) -> Result<Vec<super::meeting::Meeting>> {
        Ok(
            loaders::children(ctx, &self.0, super::sets::MeetingsOfStage)
                .await?
                .into_iter()
                .map(super::meeting::Meeting)
                .collect(),
        )
    }
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user_of(ctx, self.0.owner_id).await
    }
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<Project>> {
        project_of(ctx, self.0.project_id).await
    }
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, directive = super::preflight::constraint::apply(Some(1), Some(100), None))]
        last: u32,
    ) -> Result<Vec<Event>> {
        events_of(ctx, EntityKind::Stage, self.0.id, last).await
    }
}

/// An entry of the risk log.
pub struct Risk(pub Visible<risk::Model>);

/// The fields of [`Risk`] that read only its row, as their resolvers below answer.
impl PlainFields for Risk {
    const FIELDS: &'static [(&'static str, Read<Self>)] = &[
        ("id", |r| plain::id(encode(NodeKind::Risk, r.0.id))),
        ("title", |r| plain::text(&r.0.title)),
        ("description", |r| {
            plain::opt_text(r.0.description.as_deref())
        }),
        ("category", |r| plain::variant(r.0.category)),
        ("likelihood", |r| plain::scalar(&r.0.likelihood)),
        ("impact", |r| plain::scalar(&r.0.impact)),
        ("score", |r| plain::scalar(&r.0.score)),
        ("severity", |r| {
            plain::variant(RiskSeverity::of_score(r.0.score))
        }),
        ("mitigation", |r| plain::opt_text(r.0.mitigation.as_deref())),
        ("contingency", |r| {
            plain::opt_text(r.0.contingency.as_deref())
        }),
        ("sharedWithClient", |r| {
            plain::scalar(&r.0.shared_with_client)
        }),
        ("status", |r| plain::variant(r.0.status)),
        ("raisedAt", |r| plain::scalar(&r.0.raised_at)),
        ("closedAt", |r| plain::opt(&r.0.closed_at)),
        ("version", |r| plain::scalar(&r.0.version)),
    ];
}

/// The columns each field of [`Risk`] reads ([`super::columns`]); a field not named
/// here reads the whole row.
pub const RISK_COLUMNS: super::columns::FieldColumns = &[
    ("id", &["id"]),
    ("title", &["title"]),
    ("description", &["description"]),
    ("category", &["category"]),
    ("likelihood", &["likelihood"]),
    ("impact", &["impact"]),
    ("score", &["score"]),
    ("severity", &["score"]),
    ("mitigation", &["mitigation"]),
    ("contingency", &["contingency"]),
    ("sharedWithClient", &["shared_with_client"]),
    ("status", &["status"]),
    ("raisedAt", &["raised_at"]),
    ("closedAt", &["closed_at"]),
    ("version", &["version"]),
    ("owner", &["owner_id"]),
    ("project", &["project_id"]),
];

#[Object]
impl Risk {
    pub async fn id(&self) -> ID {
        encode(NodeKind::Risk, self.0.id)
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    async fn category(&self) -> RiskCategory {
        self.0.category
    }
    /// 1 (rare) to 5 (almost certain).
    async fn likelihood(&self) -> i32 {
        self.0.likelihood
    }
    /// 1 (negligible) to 5 (severe).
    async fn impact(&self) -> i32 {
        self.0.impact
    }
    /// Likelihood x impact, 1 to 25.
    async fn score(&self) -> i32 {
        self.0.score
    }
    async fn severity(&self) -> RiskSeverity {
        RiskSeverity::of_score(self.0.score)
    }
    async fn mitigation(&self) -> Option<&str> {
        self.0.mitigation.as_deref()
    }
    async fn contingency(&self) -> Option<&str> {
        self.0.contingency.as_deref()
    }
    /// Whether the client's portal shows this risk.
    async fn shared_with_client(&self) -> bool {
        self.0.shared_with_client
    }
    async fn status(&self) -> RiskStatus {
        self.0.status
    }
    async fn raised_at(&self) -> DateTime<Utc> {
        self.0.raised_at
    }
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user_of(ctx, self.0.owner_id).await
    }
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<Project>> {
        project_of(ctx, self.0.project_id).await
    }
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, directive = super::preflight::constraint::apply(Some(1), Some(100), None))]
        last: u32,
    ) -> Result<Vec<Event>> {
        events_of(ctx, EntityKind::Risk, self.0.id, last).await
    }
}

/// A progress report.
pub struct Report(pub Visible<report::Model>);

#[Object]
impl Report {
    /// Files attached to it (a portal user: those not internal), oldest first.
    async fn documents(&self, ctx: &Context<'_>) -> Result<Vec<super::document::Document>> {
        super::document::attached_to(ctx, entity::DocumentOwner::Report, self.0.id).await
    }
    pub async fn id(&self) -> ID {
        encode(NodeKind::Report, self.0.id)
    }
    async fn kind(&self) -> ReportKind {
        self.0.kind
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
    async fn progress_percent(&self) -> i32 {
        self.0.progress_percent
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// DRAFT (the team's) or PUBLISHED (the client's: in the portal).
    async fn status(&self) -> entity::ReportStatus {
        self.0.status
    }
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }
    /// What was done.
    async fn progress(&self) -> Option<&str> {
        self.0.progress.as_deref()
    }
    /// What is in the way.
    async fn problems(&self) -> Option<&str> {
        self.0.problems.as_deref()
    }
    /// What is next (daily), next week's plan (weekly).
    async fn plan(&self) -> Option<&str> {
        self.0.plan.as_deref()
    }
    /// By when what is next is done.
    async fn next_by(&self) -> Option<NaiveDate> {
        self.0.next_by
    }
    /// When each of the client's contacts first read it (staff only: empty in the portal).
    async fn reads(&self, ctx: &Context<'_>) -> Result<Vec<ReportRead>> {
        Ok(loaders::children(ctx, &self.0, super::sets::ReadsOfReport)
            .await?
            .into_iter()
            .map(ReportRead)
            .collect())
    }
    async fn author(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user_of(ctx, self.0.author_id).await
    }
    /// The stage a milestone review reviews.
    async fn stage(&self, ctx: &Context<'_>) -> Result<Option<Stage>> {
        let Some(id) = self.0.stage_id else {
            return Ok(None);
        };
        Ok(loaders::one::<stage::Entity>(ctx, id).await?.map(Stage))
    }
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<Project>> {
        project_of(ctx, self.0.project_id).await
    }
}

/// A contact's first reading of a published report.
pub struct ReportRead(pub Visible<entity::report_read::Model>);

#[Object]
impl ReportRead {
    async fn contact(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        Ok(loaders::one::<contact::Entity>(ctx, self.0.contact_id)
            .await?
            .map(Contact))
    }
    async fn first_read_at(&self) -> DateTime<Utc> {
        self.0.first_read_at
    }
}

#[derive(InputObject)]
pub struct CreateRequirementInput {
    project_id: ID,
    title: String,
    detail: Option<String>,
    category: RequirementCategory,
    #[graphql(default_with = "Feasibility::Feasible")]
    feasibility: Feasibility,
    alternative: Option<String>,
    #[graphql(default = true)]
    in_scope: bool,
    scope_note: Option<String>,
}

#[derive(InputObject)]
pub struct UpdateRequirementInput {
    title: Option<String>,
    detail: MaybeUndefined<String>,
    category: Option<RequirementCategory>,
    feasibility: Option<Feasibility>,
    alternative: MaybeUndefined<String>,
    in_scope: Option<bool>,
    scope_note: MaybeUndefined<String>,
}

#[derive(InputObject)]
pub struct CreateStageInput {
    project_id: ID,
    name: String,
    /// Place in the plan; appended after the last stage when absent.
    position: Option<i32>,
    owner_id: Option<ID>,
    planned_start: Option<NaiveDate>,
    due_date: Option<NaiveDate>,
    deliverables: Option<String>,
}

#[derive(InputObject)]
pub struct UpdateStageInput {
    name: Option<String>,
    position: Option<i32>,
    owner_id: MaybeUndefined<ID>,
    planned_start: MaybeUndefined<NaiveDate>,
    due_date: MaybeUndefined<NaiveDate>,
    deliverables: MaybeUndefined<String>,
}

#[derive(InputObject)]
pub struct CreateRiskInput {
    project_id: ID,
    title: String,
    description: Option<String>,
    category: RiskCategory,
    #[graphql(directive = super::preflight::constraint::apply(Some(1), Some(5), None))]
    likelihood: i32,
    #[graphql(directive = super::preflight::constraint::apply(Some(1), Some(5), None))]
    impact: i32,
    owner_id: Option<ID>,
    mitigation: Option<String>,
    contingency: Option<String>,
    /// Show the risk in the client's portal (risks are internal by default).
    #[graphql(default = false)]
    shared_with_client: bool,
}

#[derive(InputObject)]
pub struct UpdateRiskInput {
    title: Option<String>,
    description: MaybeUndefined<String>,
    category: Option<RiskCategory>,
    #[graphql(directive = super::preflight::constraint::apply(Some(1), Some(5), None))]
    likelihood: Option<i32>,
    #[graphql(directive = super::preflight::constraint::apply(Some(1), Some(5), None))]
    impact: Option<i32>,
    owner_id: MaybeUndefined<ID>,
    mitigation: MaybeUndefined<String>,
    contingency: MaybeUndefined<String>,
    shared_with_client: Option<bool>,
}

#[derive(InputObject)]
pub struct CreateReportInput {
    project_id: ID,
    kind: ReportKind,
    /// The report as sent, e.g. "server deployment 80% done, rest by 12:00 tomorrow";
    /// or else composed from `progress`, `problems`, `plan` and `nextBy`.
    body: Option<String>,
    /// What was done.
    progress: Option<String>,
    /// What is in the way (weekly).
    problems: Option<String>,
    /// What is next (daily), next week's plan (weekly).
    plan: Option<String>,
    /// By when what is next is done.
    next_by: Option<NaiveDate>,
    /// Keep it a draft, for the team, instead of publishing it to the client now.
    #[graphql(default)]
    draft: bool,
    #[graphql(directive = super::preflight::constraint::apply(Some(0), Some(100), None))]
    progress_percent: i32,
    /// Required for a milestone review.
    stage_id: Option<ID>,
    /// Defaults to the caller.
    author_id: Option<ID>,
}

#[derive(Default)]
pub struct DeliveryMutation;

#[Object]
impl DeliveryMutation {
    async fn create_requirement(
        &self,
        ctx: &Context<'_>,
        input: CreateRequirementInput,
    ) -> Result<Requirement> {
        let new = NewRequirement {
            project_id: decode_as("projectId", &input.project_id, NodeKind::Project)?,
            title: text("title", &input.title, SHORT)?,
            detail: opt_text("detail", input.detail.as_deref(), LONG)?,
            category: input.category,
            feasibility: input.feasibility,
            alternative: opt_text("alternative", input.alternative.as_deref(), LONG)?,
            in_scope: input.in_scope,
            scope_note: opt_text("scopeNote", input.scope_note.as_deref(), LONG)?,
        };
        Ok(Requirement(super::seen(
            ctx,
            requirements::create(svc(ctx)?, new).await?,
        )?))
    }

    async fn update_requirement(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateRequirementInput,
        expected_version: Option<i32>,
    ) -> Result<Requirement> {
        let id = decode_as("id", &id, NodeKind::Requirement)?;
        let p = RequirementPatch {
            title: set_text("title", input.title, SHORT)?,
            detail: patch_text("detail", input.detail, LONG)?,
            category: input.category,
            feasibility: input.feasibility,
            alternative: patch_text("alternative", input.alternative, LONG)?,
            in_scope: input.in_scope,
            scope_note: patch_text("scopeNote", input.scope_note, LONG)?,
        };
        Ok(Requirement(super::seen(
            ctx,
            requirements::update(svc(ctx)?, id, p, expected_version).await?,
        )?))
    }

    async fn create_stage(&self, ctx: &Context<'_>, input: CreateStageInput) -> Result<Stage> {
        let new = NewStage {
            project_id: decode_as("projectId", &input.project_id, NodeKind::Project)?,
            name: text("name", &input.name, SHORT)?,
            position: input
                .position
                .map(|p| in_range("position", p, 0..=10_000))
                .transpose()?,
            owner_id: opt_id("ownerId", input.owner_id.as_ref(), NodeKind::User)?,
            planned_start: input.planned_start,
            due_date: input.due_date,
            deliverables: opt_text("deliverables", input.deliverables.as_deref(), LONG)?,
        };
        Ok(Stage(super::seen(
            ctx,
            stages::create(svc(ctx)?, new).await?,
        )?))
    }

    async fn update_stage(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateStageInput,
        expected_version: Option<i32>,
    ) -> Result<Stage> {
        let id = decode_as("id", &id, NodeKind::Stage)?;
        let p = StagePatch {
            name: set_text("name", input.name, SHORT)?,
            position: input
                .position
                .map(|p| in_range("position", p, 0..=10_000))
                .transpose()?,
            owner_id: patch_id("ownerId", input.owner_id, NodeKind::User)?,
            planned_start: patch(input.planned_start),
            due_date: patch(input.due_date),
            deliverables: patch_text("deliverables", input.deliverables, LONG)?,
        };
        Ok(Stage(super::seen(
            ctx,
            stages::update(svc(ctx)?, id, p, expected_version).await?,
        )?))
    }

    /// Moves a milestone along NOT_STARTED -> IN_PROGRESS -> DONE (with BLOCKED).
    async fn change_stage_status(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: StageStatus,
        expected_version: Option<i32>,
    ) -> Result<Stage> {
        let id = decode_as("id", &id, NodeKind::Stage)?;
        Ok(Stage(super::seen(
            ctx,
            stages::change_status(svc(ctx)?, id, status, expected_version).await?,
        )?))
    }

    async fn create_risk(&self, ctx: &Context<'_>, input: CreateRiskInput) -> Result<Risk> {
        let new = NewRisk {
            project_id: decode_as("projectId", &input.project_id, NodeKind::Project)?,
            title: text("title", &input.title, SHORT)?,
            description: opt_text("description", input.description.as_deref(), LONG)?,
            category: input.category,
            likelihood: in_range("likelihood", input.likelihood, 1..=5)?,
            impact: in_range("impact", input.impact, 1..=5)?,
            owner_id: opt_id("ownerId", input.owner_id.as_ref(), NodeKind::User)?,
            mitigation: opt_text("mitigation", input.mitigation.as_deref(), LONG)?,
            contingency: opt_text("contingency", input.contingency.as_deref(), LONG)?,
            shared_with_client: input.shared_with_client,
        };
        Ok(Risk(super::seen(
            ctx,
            risks::create(svc(ctx)?, new).await?,
        )?))
    }

    async fn update_risk(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateRiskInput,
        expected_version: Option<i32>,
    ) -> Result<Risk> {
        let id = decode_as("id", &id, NodeKind::Risk)?;
        let p = RiskPatch {
            title: set_text("title", input.title, SHORT)?,
            description: patch_text("description", input.description, LONG)?,
            category: input.category,
            likelihood: input
                .likelihood
                .map(|v| in_range("likelihood", v, 1..=5))
                .transpose()?,
            impact: input
                .impact
                .map(|v| in_range("impact", v, 1..=5))
                .transpose()?,
            owner_id: patch_id("ownerId", input.owner_id, NodeKind::User)?,
            mitigation: patch_text("mitigation", input.mitigation, LONG)?,
            contingency: patch_text("contingency", input.contingency, LONG)?,
            shared_with_client: input.shared_with_client,
        };
        Ok(Risk(super::seen(
            ctx,
            risks::update(svc(ctx)?, id, p, expected_version).await?,
        )?))
    }

    async fn change_risk_status(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: RiskStatus,
        expected_version: Option<i32>,
    ) -> Result<Risk> {
        let id = decode_as("id", &id, NodeKind::Risk)?;
        Ok(Risk(super::seen(
            ctx,
            risks::change_status(svc(ctx)?, id, status, expected_version).await?,
        )?))
    }

    async fn create_report(&self, ctx: &Context<'_>, input: CreateReportInput) -> Result<Report> {
        let new = NewReport {
            project_id: decode_as("projectId", &input.project_id, NodeKind::Project)?,
            kind: input.kind,
            parts: Parts {
                body: opt_text("body", input.body.as_deref(), LONG)?,
                progress: opt_text("progress", input.progress.as_deref(), LONG)?,
                problems: opt_text("problems", input.problems.as_deref(), LONG)?,
                plan: opt_text("plan", input.plan.as_deref(), LONG)?,
                next_by: input.next_by,
            },
            draft: input.draft,
            progress_percent: in_range("progressPercent", input.progress_percent, 0..=100)?,
            stage_id: opt_id("stageId", input.stage_id.as_ref(), NodeKind::Stage)?,
            author_id: opt_id("authorId", input.author_id.as_ref(), NodeKind::User)?,
        };
        Ok(Report(super::seen(
            ctx,
            reports::create(svc(ctx)?, new).await?,
        )?))
    }

    /// Publishes a draft report to the client: it appears in the portal and its feed.
    async fn publish_report(&self, ctx: &Context<'_>, id: ID) -> Result<Report> {
        let id = decode_as("id", &id, NodeKind::Report)?;
        Ok(Report(super::seen(
            ctx,
            reports::publish(svc(ctx)?, id).await?,
        )?))
    }

    /// A portal user records that it read a published report (its first reading counts).
    async fn read_report(&self, ctx: &Context<'_>, id: ID) -> Result<Report> {
        let id = decode_as("id", &id, NodeKind::Report)?;
        Ok(Report(super::seen(
            ctx,
            reports::read(svc(ctx)?, id).await?,
        )?))
    }
}

#[derive(InputObject, Default)]
pub struct RiskFilterInput {
    /// `true`: not closed; `false`: closed.
    open: Option<bool>,
    severities: Option<Vec<RiskSeverity>>,
    project_id: Option<ID>,
    client_id: Option<ID>,
}

#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq)]
pub enum RiskOrder {
    /// Highest score (likelihood x impact) first.
    ScoreDesc,
    RaisedAtDesc,
}

#[derive(Default)]
pub struct RiskQuery;

#[Object]
impl RiskQuery {
    /// The risk log across projects, e.g. open risks by severity for a dashboard. A
    /// portal user sees the risks shared with its client.
    async fn risks(
        &self,
        ctx: &Context<'_>,
        filter: Option<RiskFilterInput>,
        #[graphql(default_with = "RiskOrder::ScoreDesc")] order_by: RiskOrder,
        #[graphql(directive = super::preflight::constraint::apply(Some(0), Some(super::pagination::MAX_PAGE_SIZE), None))]
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<Risk>> {
        let f = filter.unwrap_or_default();
        let f = RiskFilter {
            open: f.open,
            severities: f.severities.unwrap_or_default(),
            project_id: opt_id("projectId", f.project_id.as_ref(), NodeKind::Project)?,
            client_id: opt_id("clientId", f.client_id.as_ref(), NodeKind::Client)?,
        };
        use risk::Column as C;
        let sort = match order_by {
            RiskOrder::ScoreDesc => Sort {
                name: "score-",
                column: C::Score,
                kind: KeyKind::Int,
                descending: true,
            },
            RiskOrder::RaisedAtDesc => Sort {
                name: "raised-",
                column: C::RaisedAt,
                kind: KeyKind::Time,
                descending: true,
            },
        };
        let scope = svc(ctx)?.caller.scope()?;
        paginate(
            ctx,
            risks::list(scope, f),
            C::Id,
            sort,
            (first, after),
            Risk,
        )
        .await
    }
}
