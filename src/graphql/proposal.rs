//! Solution proposals in the graph: versions, their quote and items, the internal review
//! (staff only) and the client's feedback (the portal sees presented versions only).

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{
    ActorKind, EntityKind, FeedbackKind, FeedbackStatus, ProposalStage, ProposalStatus,
    ReviewVerdict, ReviewerRole, project, proposal_feedback, proposal_review, proposal_version,
    service_level_policy,
};

use super::{
    client::Contact,
    delivery::{contact_of, events_of, project_of, user_of},
    event::Event,
    ids::{NodeKind, decode_as, encode},
    input::opt_id,
    loaders,
    project::{Money, Project},
    seen,
    service_level::ServiceLevelPolicy,
    sets::{FeedbackOfVersion, ProposalVersionsOfProject, ReviewsOfVersion},
    svc,
    user::User,
};
use crate::{
    auth::scope::Visible,
    domain::{
        input::{LONG, SHORT, opt_text, text},
        money::Money as DomainMoney,
        proposal::{self as rules, Item, MAX_LINES, QuoteLine as DomainLine},
    },
    error::{AppError, AppResult},
    service::proposals::{self, Content, NewFeedback, Verdict, parse_json},
};

/// The reviewer roles a proposal version needs, as the deployment configures them
/// (`PROPOSAL_REVIEWERS`).
#[derive(Debug, Clone)]
pub struct ReviewPolicy(pub Vec<ReviewerRole>);

impl Default for ReviewPolicy {
    fn default() -> Self {
        use ReviewerRole::*;
        Self(vec![Sales, Product, Technical, Legal])
    }
}

/// One version of a project's solution proposal.
pub struct ProposalVersion(pub Visible<proposal_version::Model>);

impl ProposalVersion {
    fn lines(&self) -> Result<Vec<DomainLine>> {
        Ok(parse_json("quote lines", &self.0.quote_lines)?)
    }
    fn items_of(&self) -> Result<Vec<Item>> {
        Ok(parse_json("proposal items", &self.0.items)?)
    }
    fn strings(&self, what: &str, v: &serde_json::Value) -> Result<Vec<String>> {
        Ok(parse_json(what, v)?)
    }
    fn total_minor(&self) -> Result<i64> {
        Ok(rules::quote_total(&self.lines()?)?)
    }
    fn money(&self, minor: i64) -> Money {
        Money::of(minor, self.0.currency.clone())
    }
}

#[Object]
impl ProposalVersion {
    pub async fn id(&self) -> ID {
        encode(NodeKind::ProposalVersion, self.0.id)
    }
    /// 1, 2, 3... per project.
    async fn number(&self) -> i32 {
        self.0.number
    }
    async fn stage(&self) -> ProposalStage {
        self.0.stage
    }
    async fn status(&self) -> ProposalStatus {
        self.0.status
    }
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    async fn modules(&self) -> Result<Vec<String>> {
        self.strings("modules", &self.0.modules)
    }
    async fn implementation_plan(&self) -> Option<&str> {
        self.0.implementation_plan.as_deref()
    }
    async fn delivery_period(&self) -> Option<&str> {
        self.0.delivery_period.as_deref()
    }
    async fn after_sales_terms(&self) -> Option<&str> {
        self.0.after_sales_terms.as_deref()
    }
    /// The service-level policy the after-sales terms promise.
    async fn service_level_policy(&self, ctx: &Context<'_>) -> Result<Option<ServiceLevelPolicy>> {
        let Some(id) = self.0.service_level_policy_id else {
            return Ok(None);
        };
        Ok(loaders::one::<service_level_policy::Entity>(ctx, id)
            .await?
            .map(ServiceLevelPolicy))
    }
    /// Selling points, e.g. "cost down 20 %".
    async fn highlights(&self) -> Result<Vec<String>> {
        self.strings("highlights", &self.0.highlights)
    }
    async fn quote_lines(&self) -> Result<Vec<QuoteLine>> {
        Ok(self
            .lines()?
            .into_iter()
            .map(|l| QuoteLine {
                total: self.money(l.total_minor().unwrap_or(i64::MAX)),
                unit_price: self.money(l.unit_price_minor),
                item: l.item,
                quantity: l.quantity,
                unit: l.unit,
            })
            .collect())
    }
    /// The sum of the quote lines.
    async fn total(&self) -> Result<Money> {
        Ok(self.money(self.total_minor()?))
    }
    /// What the vendor will and will not negotiate.
    async fn items(&self) -> Result<Vec<ProposalItem>> {
        Ok(self
            .items_of()?
            .into_iter()
            .map(|i| ProposalItem {
                name: i.name,
                negotiable: i.negotiable,
                note: i.note,
            })
            .collect())
    }
    /// Bumped by every change of content; reviews count for the revision they saw.
    async fn revision(&self) -> i32 {
        self.0.revision
    }
    async fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.0.submitted_at
    }
    async fn presented_at(&self) -> Option<DateTime<Utc>> {
        self.0.presented_at
    }
    async fn presented_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user_of(ctx, self.0.presented_by).await
    }
    async fn created_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user_of(ctx, self.0.created_by).await
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<Project>> {
        project_of(ctx, self.0.project_id).await
    }
    /// The internal review of the current revision. Staff only: null in the portal.
    async fn review(&self, ctx: &Context<'_>) -> Result<Option<ReviewState>> {
        let reviews = loaders::children(ctx, &self.0, ReviewsOfVersion).await?;
        if super::scope(ctx)? != crate::auth::Scope::All {
            return Ok(None);
        }
        let current: Vec<_> = reviews
            .into_iter()
            .filter(|r| r.revision == self.0.revision)
            .collect();
        let verdicts: Vec<_> = current.iter().map(|r| (r.role, r.verdict)).collect();
        let state = proposals::state_of(&self.0, &verdicts)?;
        Ok(Some(ReviewState {
            required_roles: parse_json("required roles", &self.0.required_roles)?,
            approved: state.approved,
            changes_requested: state.changes_requested,
            waiting: state.waiting,
            verdicts: current.into_iter().map(ProposalReview).collect(),
        }))
    }
    /// Every verdict given, on every revision (empty in the portal).
    async fn reviews(&self, ctx: &Context<'_>) -> Result<Vec<ProposalReview>> {
        Ok(loaders::children(ctx, &self.0, ReviewsOfVersion)
            .await?
            .into_iter()
            .map(ProposalReview)
            .collect())
    }
    /// What the client said about this version, oldest first.
    async fn feedback(&self, ctx: &Context<'_>) -> Result<Vec<ProposalFeedback>> {
        Ok(loaders::children(ctx, &self.0, FeedbackOfVersion)
            .await?
            .into_iter()
            .map(ProposalFeedback)
            .collect())
    }
    /// What this version changes from the previous one the caller may see (in the
    /// portal: the previous presented one); null for the first.
    async fn changes_from_previous(&self, ctx: &Context<'_>) -> Result<Option<ProposalChanges>> {
        let all =
            loaders::children_by_id(ctx, self.0.project_id, ProposalVersionsOfProject).await?;
        let Some(prev) = all
            .into_iter()
            .filter(|v| v.number < self.0.number)
            .max_by_key(|v| v.number)
            .map(ProposalVersion)
        else {
            return Ok(None);
        };
        let (pm, ph, pi) = (
            prev.strings("modules", &prev.0.modules)?,
            prev.strings("highlights", &prev.0.highlights)?,
            prev.items_of()?,
        );
        let (nm, nh, ni) = (
            self.strings("modules", &self.0.modules)?,
            self.strings("highlights", &self.0.highlights)?,
            self.items_of()?,
        );
        let (prev_total, next_total) = (prev.total_minor()?, self.total_minor()?);
        let d = rules::diff(
            &rules::Compared {
                modules: &pm,
                highlights: &ph,
                items: &pi,
                total_minor: prev_total,
                currency: &prev.0.currency,
            },
            &rules::Compared {
                modules: &nm,
                highlights: &nh,
                items: &ni,
                total_minor: next_total,
                currency: &self.0.currency,
            },
        );
        Ok(Some(ProposalChanges {
            compared_to: prev.0.number,
            modules_added: d.modules_added,
            modules_removed: d.modules_removed,
            highlights_added: d.highlights_added,
            highlights_removed: d.highlights_removed,
            items_changed: d.items_changed,
            stage_before: prev.0.stage,
            total_before: prev.money(prev_total),
            total_after: self.money(next_total),
        }))
    }
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, directive = super::preflight::constraint::apply(Some(1), Some(100), None))]
        last: u32,
    ) -> Result<Vec<Event>> {
        events_of(ctx, EntityKind::ProposalVersion, self.0.id, last).await
    }
}

/// One line of a quote.
#[derive(SimpleObject)]
pub struct QuoteLine {
    item: String,
    quantity: i64,
    /// "licence", "person-day"...
    unit: Option<String>,
    unit_price: Money,
    /// Quantity times unit price.
    total: Money,
}

/// A point of the offer, negotiable or not.
#[derive(SimpleObject)]
pub struct ProposalItem {
    name: String,
    negotiable: bool,
    note: Option<String>,
}

/// Where the internal review of a version's current revision stands.
#[derive(SimpleObject)]
pub struct ReviewState {
    required_roles: Vec<ReviewerRole>,
    approved: Vec<ReviewerRole>,
    changes_requested: Vec<ReviewerRole>,
    /// Required roles with no verdict on this revision yet.
    waiting: Vec<ReviewerRole>,
    /// The verdicts on this revision.
    verdicts: Vec<ProposalReview>,
}

/// What a version changes from the one before it.
#[derive(SimpleObject)]
pub struct ProposalChanges {
    /// The number of the version compared with.
    compared_to: i32,
    stage_before: ProposalStage,
    modules_added: Vec<String>,
    modules_removed: Vec<String>,
    highlights_added: Vec<String>,
    highlights_removed: Vec<String>,
    /// Items added, removed, or whose negotiability changed.
    items_changed: Vec<String>,
    total_before: Money,
    total_after: Money,
}

/// A reviewer role's verdict on one revision (internal).
pub struct ProposalReview(pub Visible<proposal_review::Model>);

#[Object]
impl ProposalReview {
    pub async fn id(&self) -> ID {
        encode(NodeKind::ProposalReview, self.0.id)
    }
    async fn role(&self) -> ReviewerRole {
        self.0.role
    }
    async fn verdict(&self) -> ReviewVerdict {
        self.0.verdict
    }
    async fn comment(&self) -> Option<&str> {
        self.0.comment.as_deref()
    }
    async fn revision(&self) -> i32 {
        self.0.revision
    }
    async fn reviewer(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user_of(ctx, Some(self.0.reviewer_id)).await
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn proposal_version(&self, ctx: &Context<'_>) -> Result<Option<ProposalVersion>> {
        version_of(ctx, self.0.proposal_version_id).await
    }
}

async fn version_of(ctx: &Context<'_>, id: i64) -> Result<Option<ProposalVersion>> {
    Ok(loaders::one::<proposal_version::Entity>(ctx, id)
        .await?
        .map(ProposalVersion))
}

/// What the client said about a presented version, and the vendor's answer.
pub struct ProposalFeedback(pub Visible<proposal_feedback::Model>);

#[Object]
impl ProposalFeedback {
    pub async fn id(&self) -> ID {
        encode(NodeKind::ProposalFeedback, self.0.id)
    }
    async fn kind(&self) -> FeedbackKind {
        self.0.kind
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// The client's contact whose words these are.
    async fn contact(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        contact_of(ctx, self.0.contact_id).await
    }
    /// The member of staff who wrote it down on the client's behalf, if one did.
    async fn recorded_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let by_user = (self.0.author_kind == ActorKind::User).then_some(self.0.author_id);
        user_of(ctx, by_user).await
    }
    async fn status(&self) -> FeedbackStatus {
        self.0.status
    }
    async fn response(&self) -> Option<&str> {
        self.0.response.as_deref()
    }
    async fn responded_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user_of(ctx, self.0.responded_by).await
    }
    async fn responded_at(&self) -> Option<DateTime<Utc>> {
        self.0.responded_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn proposal_version(&self, ctx: &Context<'_>) -> Result<Option<ProposalVersion>> {
        version_of(ctx, self.0.proposal_version_id).await
    }
}

#[derive(InputObject)]
pub struct QuoteLineInput {
    item: String,
    #[graphql(directive = super::preflight::constraint::apply(Some(1), None, None))]
    quantity: i32,
    unit: Option<String>,
    /// A decimal amount in the version's currency, e.g. "1200.00".
    unit_price: String,
}

#[derive(InputObject)]
pub struct ProposalItemInput {
    name: String,
    negotiable: bool,
    note: Option<String>,
}

/// The whole content of a version; an update replaces all of it.
#[derive(InputObject)]
pub struct ProposalContentInput {
    stage: ProposalStage,
    summary: String,
    #[graphql(default, directive = super::preflight::constraint::apply(None, None, Some(200)))]
    modules: Vec<String>,
    implementation_plan: Option<String>,
    delivery_period: Option<String>,
    after_sales_terms: Option<String>,
    /// The service-level policy the after-sales terms promise (the default when none).
    service_level_policy_id: Option<ID>,
    #[graphql(default, directive = super::preflight::constraint::apply(None, None, Some(200)))]
    highlights: Vec<String>,
    /// ISO 4217 code of every amount of the quote.
    currency: String,
    #[graphql(default, directive = super::preflight::constraint::apply(None, None, Some(200)))]
    quote_lines: Vec<QuoteLineInput>,
    #[graphql(default, directive = super::preflight::constraint::apply(None, None, Some(200)))]
    items: Vec<ProposalItemInput>,
}

impl ProposalContentInput {
    fn parse(self) -> AppResult<Content> {
        let currency = DomainMoney::parse("0", &self.currency)?.currency;
        let short_list = |field: &str, values: Vec<String>| {
            if values.len() > MAX_LINES {
                return Err(AppError::input(field, format!("at most {MAX_LINES}")));
            }
            values.iter().map(|v| text(field, v, SHORT)).collect()
        };
        let quote_lines = self
            .quote_lines
            .into_iter()
            .map(|l| {
                Ok(DomainLine {
                    item: text("quoteLines.item", &l.item, SHORT)?,
                    quantity: i64::from(l.quantity),
                    unit: opt_text("quoteLines.unit", l.unit.as_deref(), SHORT)?,
                    unit_price_minor: DomainMoney::parse(&l.unit_price, &currency)
                        .map_err(|e| AppError::input("quoteLines.unitPrice", e.message()))?
                        .minor,
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        let items = self
            .items
            .into_iter()
            .map(|i| {
                Ok(Item {
                    name: text("items.name", &i.name, SHORT)?,
                    negotiable: i.negotiable,
                    note: opt_text("items.note", i.note.as_deref(), LONG)?,
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        Ok(Content {
            stage: self.stage,
            summary: text("summary", &self.summary, LONG)?,
            modules: short_list("modules", self.modules)?,
            implementation_plan: opt_text(
                "implementationPlan",
                self.implementation_plan.as_deref(),
                LONG,
            )?,
            delivery_period: opt_text("deliveryPeriod", self.delivery_period.as_deref(), SHORT)?,
            after_sales_terms: opt_text(
                "afterSalesTerms",
                self.after_sales_terms.as_deref(),
                LONG,
            )?,
            service_level_policy_id: opt_id(
                "serviceLevelPolicyId",
                self.service_level_policy_id.as_ref(),
                NodeKind::ServiceLevelPolicy,
            )?,
            highlights: short_list("highlights", self.highlights)?,
            currency,
            quote_lines,
            items,
        })
    }
}

#[derive(InputObject)]
pub struct ProposalFeedbackInput {
    proposal_version_id: ID,
    kind: FeedbackKind,
    body: String,
    /// Whose words these are: required of staff; in the portal, the caller itself.
    contact_id: Option<ID>,
}

#[derive(Default)]
pub struct ProposalMutation;

fn version_id(id: &ID) -> AppResult<i64> {
    decode_as("id", id, NodeKind::ProposalVersion)
}

#[Object]
impl ProposalMutation {
    /// Writes the next version of a project's proposal, as a draft.
    async fn create_proposal_version(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        input: ProposalContentInput,
    ) -> Result<ProposalVersion> {
        let project_id = decode_as("projectId", &project_id, NodeKind::Project)?;
        let row = proposals::create(svc(ctx)?, project_id, input.parse()?).await?;
        Ok(ProposalVersion(seen(ctx, row)?))
    }

    /// Replaces a version's content; a submitted or approved version goes back to draft
    /// and needs its review again. A presented version is frozen.
    async fn update_proposal_version(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: ProposalContentInput,
        expected_version: Option<i32>,
    ) -> Result<ProposalVersion> {
        let row = proposals::update(
            svc(ctx)?,
            version_id(&id)?,
            input.parse()?,
            expected_version,
        )
        .await?;
        Ok(ProposalVersion(seen(ctx, row)?))
    }

    /// Asks every required reviewer role (the deployment's `PROPOSAL_REVIEWERS`) to
    /// review the current revision.
    async fn submit_proposal_version(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> Result<ProposalVersion> {
        let roles = ctx.data_opt::<ReviewPolicy>().cloned().unwrap_or_default();
        let row =
            proposals::submit(svc(ctx)?, version_id(&id)?, &roles.0, expected_version).await?;
        Ok(ProposalVersion(seen(ctx, row)?))
    }

    /// The caller's verdict in one reviewer role on the revision in review. Asking for
    /// changes needs a comment.
    async fn review_proposal_version(
        &self,
        ctx: &Context<'_>,
        id: ID,
        role: ReviewerRole,
        verdict: ReviewVerdict,
        comment: Option<String>,
    ) -> Result<ProposalVersion> {
        let v = Verdict {
            role,
            verdict,
            comment: opt_text("comment", comment.as_deref(), LONG)?,
        };
        let (row, _) = proposals::review(svc(ctx)?, version_id(&id)?, v).await?;
        Ok(ProposalVersion(seen(ctx, row)?))
    }

    /// Shows an approved version to the client (`REVIEW_REQUIRED` before that).
    async fn present_proposal_version(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> Result<ProposalVersion> {
        let row = proposals::present(svc(ctx)?, version_id(&id)?, expected_version).await?;
        Ok(ProposalVersion(seen(ctx, row)?))
    }

    /// Records what the client said about a presented version (portal or staff).
    async fn add_proposal_feedback(
        &self,
        ctx: &Context<'_>,
        input: ProposalFeedbackInput,
    ) -> Result<ProposalFeedback> {
        let new = NewFeedback {
            version_id: decode_as(
                "proposalVersionId",
                &input.proposal_version_id,
                NodeKind::ProposalVersion,
            )?,
            kind: input.kind,
            body: text("body", &input.body, LONG)?,
            contact_id: opt_id("contactId", input.contact_id.as_ref(), NodeKind::Contact)?,
        };
        let row = proposals::add_feedback(svc(ctx)?, new).await?;
        Ok(ProposalFeedback(seen(ctx, row)?))
    }

    /// Answers, resolves or reopens a feedback item.
    async fn respond_to_proposal_feedback(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: FeedbackStatus,
        response: Option<String>,
        expected_version: Option<i32>,
    ) -> Result<ProposalFeedback> {
        let id = decode_as("id", &id, NodeKind::ProposalFeedback)?;
        let response = opt_text("response", response.as_deref(), LONG)?;
        let row = proposals::respond(svc(ctx)?, id, status, response, expected_version).await?;
        Ok(ProposalFeedback(seen(ctx, row)?))
    }
}

/// The versions of a project the caller may see (the portal: presented ones).
pub async fn versions_of(
    ctx: &Context<'_>,
    project: &Visible<project::Model>,
) -> Result<Vec<ProposalVersion>> {
    Ok(loaders::children(ctx, project, ProposalVersionsOfProject)
        .await?
        .into_iter()
        .map(ProposalVersion)
        .collect())
}
