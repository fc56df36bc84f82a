//! The interaction log in the graph: staff only (the portal finds none).

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{InteractionKind, client, contact, interaction, project, user};

use super::{
    client::{Client, Contact},
    ids::{NodeKind, decode_as, encode},
    input::opt_id,
    loaders,
    pagination::{KeyKind, Page, Sort, paginate},
    project::Project,
    scope, seen, svc,
    user::User,
};
use crate::{
    auth::scope::Visible,
    domain::{
        input::{LONG, opt_text, text},
        interaction::{NextStep as DomainNextStep, overdue},
    },
    error::AppResult,
    service::{
        ids_of,
        interactions::{self, InteractionFilter, NewInteraction},
    },
};

/// A contact with a client: a call, an e-mail, a visit, a meeting, a demo...
pub struct Interaction(pub Visible<interaction::Model>);

#[Object]
impl Interaction {
    pub async fn id(&self) -> ID {
        encode(NodeKind::Interaction, self.0.id)
    }
    async fn kind(&self) -> InteractionKind {
        self.0.kind
    }
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    async fn outcome(&self) -> Option<&str> {
        self.0.outcome.as_deref()
    }
    async fn client(&self, ctx: &Context<'_>) -> Result<Option<Client>> {
        Ok(
            loaders::selected_one::<client::Entity>(ctx, self.0.client_id)
                .await?
                .map(Client),
        )
    }
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<Project>> {
        let Some(id) = self.0.project_id else {
            return Ok(None);
        };
        Ok(loaders::selected_one::<project::Entity>(ctx, id)
            .await?
            .map(Project))
    }
    /// The vendor's people who took part.
    async fn staff(&self, ctx: &Context<'_>) -> Result<Vec<User>> {
        let rows = loaders::many::<user::Entity>(ctx, &ids_of(&self.0.user_ids)).await?;
        Ok(rows.into_iter().map(User).collect())
    }
    /// The client's contacts who took part.
    async fn contacts(&self, ctx: &Context<'_>) -> Result<Vec<Contact>> {
        let rows = loaders::many::<contact::Entity>(ctx, &ids_of(&self.0.contact_ids)).await?;
        Ok(rows.into_iter().map(Contact).collect())
    }
    /// What is owed next, by whom, by when; null when nothing is.
    async fn next_step(&self) -> Option<NextStep> {
        Some(NextStep {
            what: self.0.next_step.clone()?,
            owner_id: self.0.next_step_owner_id,
            due: self.0.next_step_due,
            done_at: self.0.next_step_done_at,
        })
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// The step an interaction leaves owed.
pub struct NextStep {
    what: String,
    owner_id: Option<i64>,
    due: Option<NaiveDate>,
    done_at: Option<DateTime<Utc>>,
}

#[Object]
impl NextStep {
    async fn what(&self) -> &str {
        &self.what
    }
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(id) = self.owner_id else {
            return Ok(None);
        };
        Ok(loaders::one::<user::Entity>(ctx, id).await?.map(User))
    }
    async fn due(&self) -> Option<NaiveDate> {
        self.due
    }
    async fn done_at(&self) -> Option<DateTime<Utc>> {
        self.done_at
    }
    /// Not done and due before today (the policy's calendar).
    async fn overdue(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(overdue(self.due, self.done_at, loaders::today(ctx).await?))
    }
}

#[derive(InputObject)]
pub struct LogInteractionInput {
    client_id: ID,
    /// A project of that client, when the contact was about one.
    project_id: Option<ID>,
    kind: InteractionKind,
    occurred_at: DateTime<Utc>,
    /// The vendor's people who took part.
    #[graphql(default, directive = super::preflight::constraint::apply(None, None, Some(50)))]
    staff_ids: Vec<ID>,
    /// The client's contacts who took part.
    #[graphql(default, directive = super::preflight::constraint::apply(None, None, Some(50)))]
    contact_ids: Vec<ID>,
    summary: String,
    outcome: Option<String>,
    /// What is owed next; with an owner and a due date, or none of the three.
    next_step: Option<String>,
    next_step_owner_id: Option<ID>,
    next_step_due: Option<NaiveDate>,
}

impl LogInteractionInput {
    fn parse(self) -> AppResult<NewInteraction> {
        let all = |field: &str, ids: Vec<ID>, kind| {
            ids.iter()
                .map(|id| decode_as(field, id, kind))
                .collect::<AppResult<Vec<i64>>>()
        };
        Ok(NewInteraction {
            client_id: decode_as("clientId", &self.client_id, NodeKind::Client)?,
            project_id: opt_id("projectId", self.project_id.as_ref(), NodeKind::Project)?,
            kind: self.kind,
            occurred_at: self.occurred_at,
            user_ids: all("staffIds", self.staff_ids, NodeKind::User)?,
            contact_ids: all("contactIds", self.contact_ids, NodeKind::Contact)?,
            summary: text("summary", &self.summary, LONG)?,
            outcome: opt_text("outcome", self.outcome.as_deref(), LONG)?,
            next_step: DomainNextStep::from_parts(
                opt_text("nextStep", self.next_step.as_deref(), LONG)?,
                opt_id(
                    "nextStepOwnerId",
                    self.next_step_owner_id.as_ref(),
                    NodeKind::User,
                )?,
                self.next_step_due,
            )?,
        })
    }
}

#[derive(InputObject, Default)]
pub struct InteractionFilterInput {
    client_id: Option<ID>,
    project_id: Option<ID>,
    /// Only those whose next step is overdue (not done, due before today).
    overdue_next_step: Option<bool>,
}

#[derive(Default)]
pub struct InteractionQuery;

#[Object]
impl InteractionQuery {
    /// The interaction log across clients, newest first (staff only).
    async fn interactions(
        &self,
        ctx: &Context<'_>,
        filter: Option<InteractionFilterInput>,
        #[graphql(directive = super::preflight::constraint::apply(Some(0), Some(super::pagination::MAX_PAGE_SIZE), None))]
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<Interaction>> {
        let f = filter.unwrap_or_default();
        let f = InteractionFilter {
            client_id: opt_id("clientId", f.client_id.as_ref(), NodeKind::Client)?,
            project_id: opt_id("projectId", f.project_id.as_ref(), NodeKind::Project)?,
            next_step_due_before: match f.overdue_next_step {
                Some(true) => Some(loaders::today(ctx).await?),
                _ => None,
            },
        };
        let scope = scope(ctx)?;
        let sort = Sort {
            name: "occurred-",
            column: interaction::Column::OccurredAt,
            kind: KeyKind::Time,
            descending: true,
        };
        paginate(
            ctx,
            interactions::list(scope, f),
            interaction::Column::Id,
            sort,
            (first, after),
            Interaction,
        )
        .await
    }
}

#[derive(Default)]
pub struct InteractionMutation;

#[Object]
impl InteractionMutation {
    /// Logs a contact with a client; its first one dates the client's `firstContactAt`.
    async fn log_interaction(
        &self,
        ctx: &Context<'_>,
        input: LogInteractionInput,
    ) -> Result<Interaction> {
        let row = interactions::log(svc(ctx)?, input.parse()?).await?;
        Ok(Interaction(seen(ctx, row)?))
    }

    /// Marks an interaction's next step done.
    async fn complete_next_step(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> Result<Interaction> {
        let id = decode_as("id", &id, NodeKind::Interaction)?;
        let row = interactions::complete_next_step(svc(ctx)?, id, expected_version).await?;
        Ok(Interaction(seen(ctx, row)?))
    }
}
