//! Projects and their service teams in the graph.

use crate::auth::scope::Visible;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{ProjectStatus, TeamRole, client, project, team_member, user};

use super::{
    client::{Client, Contact},
    delivery::{Report, Requirement, Risk, Stage},
    event::Event,
    ids::{NodeKind, decode_as, encode},
    input::{ids, opt_id, patch, patch_id, patch_text, set_text},
    loaders::{self, EventScope},
    pagination::{KeyKind, Page, Sort, paginate},
    plain::Rows,
    scope,
    sets::{
        ReportsOfProject, RequirementsOfProject, RisksOfProject, StagesOfProject, TeamOfProject,
        TicketsOfProject,
    },
    svc,
    ticket::Ticket,
    user::User,
};
use crate::{
    domain::{
        input::{LONG, SHORT, opt_text, text},
        money::Money as DomainMoney,
    },
    error::AppResult,
    service::projects::{self, NewProject, ProjectFilter, ProjectPatch},
};

/// An amount with its currency, e.g. `{ amount: "1250000.00", currency: "CNY" }`.
#[derive(SimpleObject)]
pub struct Money {
    /// Decimal string with the currency's number of decimals: exact, never a float.
    amount: String,
    /// ISO 4217 code.
    currency: String,
}

#[derive(InputObject)]
pub struct MoneyInput {
    amount: String,
    currency: String,
}

impl MoneyInput {
    pub fn parse(self) -> AppResult<DomainMoney> {
        DomainMoney::parse(&self.amount, &self.currency)
    }
}

impl Money {
    pub fn of(minor: i64, currency: String) -> Self {
        let money = DomainMoney { minor, currency };
        Self {
            amount: money.amount(),
            currency: money.currency,
        }
    }
}

/// A client's project, from lead to after-sales.
pub struct Project(pub Visible<project::Model>);

/// The columns each field of [`Project`] reads ([`super::columns`]); a field not named
/// here reads the whole row.
pub const COLUMNS: super::columns::FieldColumns = &[
    ("id", &["id"]),
    ("name", &["name"]),
    ("description", &["description"]),
    ("status", &["status"]),
    ("heldFrom", &["held_from"]),
    ("contractNumber", &["contract_number"]),
    (
        "contractValue",
        &[
            "contract_value_minor",
            "currency",
            "contract_value_internal",
        ],
    ),
    ("contractSignedOn", &["contract_signed_on"]),
    ("plannedStart", &["planned_start"]),
    ("plannedEnd", &["planned_end"]),
    ("createdAt", &["created_at"]),
    ("updatedAt", &["updated_at"]),
    ("version", &["version"]),
    ("client", &["client_id"]),
    ("primaryContact", &["primary_contact_id"]),
    ("primaryOwner", &["primary_owner_id"]),
    ("stages", &[]),
    ("risks", &[]),
    ("tickets", &[]),
];

#[Object]
impl Project {
    /// Every file attached to its records (a portal user: those it may see), oldest first.
    async fn documents(&self, ctx: &Context<'_>) -> Result<Vec<super::document::Document>> {
        super::document::of_project(ctx, self.0.id).await
    }
    pub async fn id(&self) -> ID {
        encode(NodeKind::Project, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    async fn status(&self) -> ProjectStatus {
        self.0.status
    }
    /// While ON_HOLD: the phase the project resumes in.
    async fn held_from(&self) -> Option<ProjectStatus> {
        self.0.held_from
    }
    async fn contract_number(&self) -> Option<&str> {
        self.0.contract_number.as_deref()
    }
    async fn contract_value(&self) -> Option<Money> {
        let (minor, currency) = (self.0.contract_value_minor?, self.0.currency.clone()?);
        let money = DomainMoney { minor, currency };
        Some(Money {
            amount: money.amount(),
            currency: money.currency,
        })
    }
    async fn contract_signed_on(&self) -> Option<NaiveDate> {
        self.0.contract_signed_on
    }
    async fn planned_start(&self) -> Option<NaiveDate> {
        self.0.planned_start
    }
    async fn planned_end(&self) -> Option<NaiveDate> {
        self.0.planned_end
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
    async fn client(&self, ctx: &Context<'_>) -> Result<Option<Client>> {
        Ok(
            loaders::selected_one::<client::Entity>(ctx, self.0.client_id)
                .await?
                .map(Client),
        )
    }
    /// The "1" of "1+N": the client's single point of contact.
    /// The client's contact who is the project's first point of contact.
    async fn primary_contact(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        let Some(id) = self.0.primary_contact_id else {
            return Ok(None);
        };
        Ok(loaders::one::<entity::contact::Entity>(ctx, id)
            .await?
            .map(Contact))
    }
    async fn primary_owner(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(id) = self.0.primary_owner_id else {
            return Ok(None);
        };
        Ok(loaders::one::<user::Entity>(ctx, id).await?.map(User))
    }
    /// The "N" of "1+N".
    async fn team(&self, ctx: &Context<'_>) -> Result<Vec<TeamMember>> {
        Ok(loaders::children(ctx, &self.0, TeamOfProject)
            .await?
            .into_iter()
            .map(TeamMember)
            .collect())
    }
    async fn requirements(&self, ctx: &Context<'_>) -> Result<Vec<Requirement>> {
        Ok(loaders::children(ctx, &self.0, RequirementsOfProject)
            .await?
            .into_iter()
            .map(Requirement)
            .collect())
    }
    /// Share of the plan's stages done, 0-100; null without a plan.
    async fn progress_percent(&self, ctx: &Context<'_>) -> Result<Option<i32>> {
        super::health::progress_percent(ctx, self.0.id).await
    }
    /// Computed health with its reasons, beside the team's declared health. Staff only:
    /// null in the portal.
    async fn health(&self, ctx: &Context<'_>) -> Result<Option<super::health::ProjectHealthView>> {
        super::health::health_of(ctx, &self.0).await
    }
    /// When the next progress report is due; null without a cadence.
    async fn report_schedule(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<super::health::ReportSchedule>> {
        super::health::report_schedule_of(ctx, self.0.id).await
    }
    /// Every signed version of the requirement confirmation sheet, oldest first: what
    /// was agreed, when, by whom, and through which change request.
    async fn requirement_sheets(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::agreement::RequirementSheet>> {
        super::agreement::sheets_of(ctx, self.0.id).await
    }
    /// The sheet in force: the latest signed version; null until signed.
    async fn requirement_sheet(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<super::agreement::RequirementSheet>> {
        Ok(super::agreement::sheets_of(ctx, self.0.id).await?.pop())
    }
    /// Requests to change the signed sheet, oldest first.
    async fn change_requests(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::agreement::ChangeRequest>> {
        super::agreement::change_requests_of(ctx, self.0.id).await
    }
    /// The client's acceptance sign-off; null until signed.
    async fn acceptance(&self, ctx: &Context<'_>) -> Result<Option<super::agreement::Acceptance>> {
        super::agreement::acceptance_of(ctx, self.0.id).await
    }
    /// The delivery plan, in order.
    async fn stages(&self, ctx: &Context<'_>) -> Result<Rows<Stage>> {
        Ok(loaders::selected_children(ctx, &self.0, StagesOfProject)
            .await?
            .into_iter()
            .map(Stage)
            .collect())
    }
    /// The 72-hour kickoff obligation its contract signing started (staff only: null in
    /// the customer portal, and for a project not yet signed).
    async fn kickoff(&self, ctx: &Context<'_>) -> Result<Option<super::kickoff::Kickoff>> {
        Ok(
            loaders::one::<entity::kickoff_obligation::Entity>(ctx, self.0.id)
                .await?
                .map(super::kickoff::Kickoff),
        )
    }
    /// What the client checks at acceptance, in the order they were written.
    async fn acceptance_criteria(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::acceptance::AcceptanceCriterion>> {
        Ok(
            loaders::children(ctx, &self.0, super::sets::CriteriaOfProject)
                .await?
                .into_iter()
                .map(super::acceptance::AcceptanceCriterion)
                .collect(),
        )
    }
    /// Meetings in calendar order (in the portal: those its contacts attend).
    async fn meetings(&self, ctx: &Context<'_>) -> Result<Vec<super::meeting::Meeting>> {
        Ok(
            loaders::children(ctx, &self.0, super::sets::MeetingsOfProject)
                .await?
                .into_iter()
                .map(super::meeting::Meeting)
                .collect(),
        )
    }
    /// Action items of both sides, oldest first.
    async fn action_items(&self, ctx: &Context<'_>) -> Result<Vec<super::action_item::ActionItem>> {
        Ok(
            loaders::children(ctx, &self.0, super::sets::ActionItemsOfProject)
                .await?
                .into_iter()
                .map(super::action_item::ActionItem)
                .collect(),
        )
    }
    /// The risk log; `open: true` for risks not yet closed.
    async fn risks(&self, ctx: &Context<'_>, open: Option<bool>) -> Result<Rows<Risk>> {
        Ok(
            loaders::selected_children(ctx, &self.0, RisksOfProject { open })
                .await?
                .into_iter()
                .map(Risk)
                .collect(),
        )
    }
    /// Tickets, newest first; `open: true` for those still needing work.
    async fn tickets(&self, ctx: &Context<'_>, open: Option<bool>) -> Result<Rows<Ticket>> {
        Ok(
            loaders::selected_children(ctx, &self.0, TicketsOfProject { open })
                .await?
                .into_iter()
                .map(Ticket)
                .collect(),
        )
    }
    /// Progress reports, newest first.
    /// The versions of its solution proposal, version 1 first (in the portal: those
    /// presented to the client).
    async fn proposal_versions(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::proposal::ProposalVersion>> {
        super::proposal::versions_of(ctx, &self.0).await
    }
    /// The requirement analysis report: requirements by category, feasibility, effort
    /// and cost in and out of scope (staff only: null in the portal).
    async fn requirement_analysis(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<super::analysis::RequirementAnalysisReport>> {
        super::analysis::report_of(ctx, self.0.id).await
    }
    /// The rounds of negotiation, round 1 first (empty in the portal).
    async fn negotiation_rounds(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::negotiation::NegotiationRound>> {
        Ok(
            loaders::children(ctx, &self.0, super::sets::RoundsOfProject)
                .await?
                .into_iter()
                .map(super::negotiation::NegotiationRound)
                .collect(),
        )
    }
    /// Every negotiated term, oldest first (in the portal: the agreed ones).
    async fn negotiation_terms(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::negotiation::NegotiationTerm>> {
        Ok(loaders::children(ctx, &self.0, super::sets::TermsOfProject)
            .await?
            .into_iter()
            .map(super::negotiation::NegotiationTerm)
            .collect())
    }
    /// Its contract on the way to signature (in the portal: once sent to the client).
    async fn contract(&self, ctx: &Context<'_>) -> Result<Option<super::contract::Contract>> {
        Ok(
            loaders::children(ctx, &self.0, super::sets::ContractOfProject)
                .await?
                .into_iter()
                .next()
                .map(super::contract::Contract),
        )
    }
    /// The service-level policy its tickets follow: its contract's, or the default.
    async fn service_level_policy(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<super::service_level::ServiceLevelPolicy>> {
        let row = match self.0.service_level_policy_id {
            Some(id) => loaders::one::<entity::service_level_policy::Entity>(ctx, id).await?,
            None => {
                let id = loaders::current_policy_id(ctx).await?;
                loaders::one::<entity::service_level_policy::Entity>(ctx, id).await?
            }
        };
        Ok(row.map(super::service_level::ServiceLevelPolicy))
    }
    /// Sales-internal: the interactions about this project, newest first (empty in the
    /// customer portal).
    async fn interactions(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::interaction::Interaction>> {
        Ok(
            loaders::children(ctx, &self.0, super::sets::InteractionsOfProject)
                .await?
                .into_iter()
                .map(super::interaction::Interaction)
                .collect(),
        )
    }
    async fn reports(&self, ctx: &Context<'_>) -> Result<Vec<Report>> {
        Ok(loaders::children(ctx, &self.0, ReportsOfProject)
            .await?
            .into_iter()
            .map(Report)
            .collect())
    }
    /// The latest changes to the project and everything in it, newest first.
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, directive = super::preflight::constraint::apply(Some(1), Some(100), None))]
        last: u32,
    ) -> Result<Vec<Event>> {
        Ok(
            loaders::latest_events(ctx, self.0.id, EventScope::Project, last)
                .await?
                .into_iter()
                .map(Event)
                .collect(),
        )
    }
}

/// A member of a project's service team.
pub struct TeamMember(pub Visible<team_member::Model>);

#[Object]
impl TeamMember {
    pub async fn id(&self) -> ID {
        encode(NodeKind::TeamMember, self.0.id)
    }
    async fn role(&self) -> TeamRole {
        self.0.role
    }
    async fn user(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(loaders::one::<user::Entity>(ctx, self.0.user_id)
            .await?
            .map(User))
    }
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<Project>> {
        Ok(
            loaders::selected_one::<project::Entity>(ctx, self.0.project_id)
                .await?
                .map(Project),
        )
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

#[derive(InputObject)]
pub struct ProjectFilterInput {
    client_ids: Option<Vec<ID>>,
    statuses: Option<Vec<ProjectStatus>>,
    /// Planned end strictly before this date.
    due_before: Option<NaiveDate>,
    primary_owner_id: Option<ID>,
}

#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq)]
pub enum ProjectOrder {
    CreatedAtDesc,
    CreatedAtAsc,
    UpdatedAtDesc,
    NameAsc,
}

#[derive(Default)]
pub struct ProjectQuery;

#[Object]
impl ProjectQuery {
    /// Projects, filtered and ordered, one page at a time.
    async fn projects(
        &self,
        ctx: &Context<'_>,
        filter: Option<ProjectFilterInput>,
        #[graphql(default_with = "ProjectOrder::CreatedAtDesc")] order_by: ProjectOrder,
        #[graphql(directive = super::preflight::constraint::apply(Some(0), Some(super::pagination::MAX_PAGE_SIZE), None))]
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<Project>> {
        let f = match filter {
            None => ProjectFilter::default(),
            Some(f) => ProjectFilter {
                client_ids: ids("clientIds", f.client_ids, NodeKind::Client)?,
                statuses: f.statuses.unwrap_or_default(),
                due_before: f.due_before,
                primary_owner_id: opt_id(
                    "primaryOwnerId",
                    f.primary_owner_id.as_ref(),
                    NodeKind::User,
                )?,
            },
        };
        use project::Column as C;
        let sort = match order_by {
            ProjectOrder::CreatedAtDesc => Sort {
                name: "created-",
                column: C::CreatedAt,
                kind: KeyKind::Time,
                descending: true,
            },
            ProjectOrder::CreatedAtAsc => Sort {
                name: "created+",
                column: C::CreatedAt,
                kind: KeyKind::Time,
                descending: false,
            },
            ProjectOrder::UpdatedAtDesc => Sort {
                name: "updated-",
                column: C::UpdatedAt,
                kind: KeyKind::Time,
                descending: true,
            },
            ProjectOrder::NameAsc => Sort {
                name: "name+",
                column: C::Name,
                kind: KeyKind::Text,
                descending: false,
            },
        };
        paginate(
            ctx,
            projects::list(scope(ctx)?, f),
            C::Id,
            sort,
            (first, after),
            Project,
        )
        .await
    }

    async fn project(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Project>> {
        let id = decode_as("id", &id, NodeKind::Project)?;
        Ok(loaders::selected_one::<project::Entity>(ctx, id)
            .await?
            .map(Project))
    }
}

#[derive(InputObject)]
pub struct CreateProjectInput {
    client_id: ID,
    name: String,
    description: Option<String>,
    /// With `contractSignedOn`, creates the project at contract signing; without, as a lead.
    contract_number: Option<String>,
    contract_value: Option<MoneyInput>,
    contract_signed_on: Option<NaiveDate>,
    planned_start: Option<NaiveDate>,
    planned_end: Option<NaiveDate>,
    primary_owner_id: Option<ID>,
    /// Hide the contract value from the client's portal (hidden by default).
    #[graphql(default = true)]
    contract_value_internal: bool,
}

#[derive(InputObject)]
pub struct UpdateProjectInput {
    name: Option<String>,
    description: MaybeUndefined<String>,
    contract_number: MaybeUndefined<String>,
    contract_value: MaybeUndefined<MoneyInput>,
    contract_signed_on: MaybeUndefined<NaiveDate>,
    planned_start: MaybeUndefined<NaiveDate>,
    planned_end: MaybeUndefined<NaiveDate>,
    primary_owner_id: MaybeUndefined<ID>,
    /// The client's contact who is the first point of contact.
    primary_contact_id: MaybeUndefined<ID>,
    contract_value_internal: Option<bool>,
}

#[derive(Default)]
pub struct ProjectMutation;

#[Object]
impl ProjectMutation {
    /// Starts tracking a project: as a lead, or at contract signing when the contract is given.
    async fn create_project(
        &self,
        ctx: &Context<'_>,
        input: CreateProjectInput,
    ) -> Result<Project> {
        let new = NewProject {
            client_id: decode_as("clientId", &input.client_id, NodeKind::Client)?,
            name: text("name", &input.name, SHORT)?,
            description: opt_text("description", input.description.as_deref(), LONG)?,
            contract_number: opt_text("contractNumber", input.contract_number.as_deref(), 64)?,
            contract_value: input.contract_value.map(MoneyInput::parse).transpose()?,
            contract_signed_on: input.contract_signed_on,
            planned_start: input.planned_start,
            planned_end: input.planned_end,
            primary_owner_id: opt_id(
                "primaryOwnerId",
                input.primary_owner_id.as_ref(),
                NodeKind::User,
            )?,
            contract_value_internal: input.contract_value_internal,
        };
        Ok(Project(super::seen(
            ctx,
            projects::create(svc(ctx)?, new).await?,
        )?))
    }

    async fn update_project(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateProjectInput,
        expected_version: Option<i32>,
    ) -> Result<Project> {
        let id = decode_as("id", &id, NodeKind::Project)?;
        let contract_value = match input.contract_value {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(m) => Some(Some(m.parse()?)),
        };
        let p = ProjectPatch {
            name: set_text("name", input.name, SHORT)?,
            description: patch_text("description", input.description, LONG)?,
            contract_number: patch_text("contractNumber", input.contract_number, 64)?,
            contract_value,
            contract_signed_on: patch(input.contract_signed_on),
            planned_start: patch(input.planned_start),
            planned_end: patch(input.planned_end),
            primary_owner_id: patch_id("primaryOwnerId", input.primary_owner_id, NodeKind::User)?,
            primary_contact_id: patch_id(
                "primaryContactId",
                input.primary_contact_id,
                NodeKind::Contact,
            )?,
            contract_value_internal: input.contract_value_internal,
        };
        Ok(Project(super::seen(
            ctx,
            projects::update(svc(ctx)?, id, p, expected_version).await?,
        )?))
    }

    /// Moves a project to another phase, as the project transition table allows.
    async fn change_project_status(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: ProjectStatus,
        expected_version: Option<i32>,
    ) -> Result<Project> {
        let id = decode_as("id", &id, NodeKind::Project)?;
        Ok(Project(super::seen(
            ctx,
            projects::change_status(svc(ctx)?, id, status, expected_version).await?,
        )?))
    }

    async fn add_team_member(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        user_id: ID,
        role: TeamRole,
    ) -> Result<TeamMember> {
        let project_id = decode_as("projectId", &project_id, NodeKind::Project)?;
        let user_id = decode_as("userId", &user_id, NodeKind::User)?;
        Ok(TeamMember(super::seen(
            ctx,
            projects::add_team_member(svc(ctx)?, project_id, user_id, role).await?,
        )?))
    }

    /// Removes a membership; returns it as it was.
    async fn remove_team_member(&self, ctx: &Context<'_>, id: ID) -> Result<TeamMember> {
        let id = decode_as("id", &id, NodeKind::TeamMember)?;
        Ok(TeamMember(super::seen(
            ctx,
            projects::remove_team_member(svc(ctx)?, id).await?,
        )?))
    }
}
