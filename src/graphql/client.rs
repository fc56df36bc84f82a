//! Clients and contacts in the graph.

use crate::auth::scope::Visible;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use chrono::{DateTime, Utc};
use entity::{
    ClientSource, ContactStatus, DecisionRole, EntityKind, IntentLevel, Language, client, contact,
};

use super::{
    event::Event,
    ids::{NodeKind, decode_as, encode},
    input::{patch, patch_text, set_text},
    loaders::{self, EventScope},
    pagination::{KeyKind, Page, Sort, paginate},
    project::Project,
    scope,
    sets::{ContactsOfClient, IntentGradesOfClient, ProjectsOfClient, TicketsOfClient},
    svc,
    ticket::Ticket,
};
use crate::{
    auth::Scope,
    domain::input::{LONG, SHORT, email, opt_email, opt_phone, opt_text, text},
    error::AppResult,
    service::clients::{self, ClientFilter, ClientPatch, ContactPatch, NewClient, NewContact},
};

/// One grading of a client's intent: its `INTENT_GRADED` event, and what it says.
pub struct IntentGrade {
    event: Visible<entity::event::Model>,
    grade: Grade,
}

/// The changes of an `INTENT_GRADED` event (written by `service::clients`).
#[derive(Default, serde::Deserialize)]
struct Grade {
    from: Option<IntentLevel>,
    to: Option<IntentLevel>,
    reason: Option<String>,
}

impl IntentGrade {
    fn new(event: Visible<entity::event::Model>) -> Self {
        let grade = serde_json::from_str(&event.changes).unwrap_or_default();
        Self { event, grade }
    }
}

#[Object]
impl IntentGrade {
    /// The level given.
    async fn level(&self) -> Option<IntentLevel> {
        self.grade.to
    }
    /// The level before; null for the first grading.
    async fn previous(&self) -> Option<IntentLevel> {
        self.grade.from
    }
    /// Why, as the person grading said.
    async fn reason(&self) -> Option<&str> {
        self.grade.reason.as_deref()
    }
    async fn graded_at(&self) -> DateTime<Utc> {
        self.event.occurred_at
    }
    /// Who graded (null when the system did, as the demo data set).
    async fn graded_by(&self, ctx: &Context<'_>) -> Result<Option<super::user::User>> {
        let e = &self.event;
        let Some(id) = e
            .actor_id
            .filter(|_| e.actor_kind == entity::ActorKind::User)
        else {
            return Ok(None);
        };
        Ok(loaders::one::<entity::user::Entity>(ctx, id)
            .await?
            .map(super::user::User))
    }
}

/// A customer organisation.
pub struct Client(pub Visible<client::Model>);

/// The columns each field of `Client` reads ([`super::columns`]).
pub const COLUMNS: super::columns::FieldColumns = &[
    ("id", &["id"]),
    ("name", &["name"]),
    ("industry", &["industry"]),
    ("mainBusiness", &["main_business"]),
    ("source", &["source"]),
    ("intentLevel", &["intent_level"]),
    ("budgetRange", &["budget_range"]),
    ("decisionChain", &["decision_chain"]),
    ("keyNeeds", &["key_needs"]),
    ("notes", &["notes"]),
    ("firstContactAt", &["first_contact_at"]),
    ("createdAt", &["created_at"]),
    ("updatedAt", &["updated_at"]),
    ("version", &["version"]),
    ("contacts", &[]),
    ("projects", &[]),
    ("tickets", &[]),
    ("interactions", &[]),
    ("intentHistory", &[]),
    ("events", &[]),
];

#[Object]
impl Client {
    pub async fn id(&self) -> ID {
        encode(NodeKind::Client, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn industry(&self) -> Option<&str> {
        self.0.industry.as_deref()
    }
    async fn main_business(&self) -> Option<&str> {
        self.0.main_business.as_deref()
    }
    /// Sales-internal: `null` in the customer portal, like the key needs below (which the
    /// portal projection blanks; these two are not nullable in the row, so checked here).
    async fn source(&self, ctx: &Context<'_>) -> Result<Option<ClientSource>> {
        Ok((scope(ctx)? == Scope::All).then_some(self.0.source))
    }
    /// Sales-internal: `null` in the customer portal.
    async fn intent_level(&self, ctx: &Context<'_>) -> Result<Option<IntentLevel>> {
        Ok((scope(ctx)? == Scope::All).then_some(self.0.intent_level))
    }
    /// Key needs: the budget range the client gave.
    async fn budget_range(&self) -> Option<&str> {
        self.0.budget_range.as_deref()
    }
    /// Key needs: who decides, who signs, who influences.
    async fn decision_chain(&self) -> Option<&str> {
        self.0.decision_chain.as_deref()
    }
    /// Key needs: the functional asks.
    async fn key_needs(&self) -> Option<&str> {
        self.0.key_needs.as_deref()
    }
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    async fn first_contact_at(&self) -> Option<DateTime<Utc>> {
        self.0.first_contact_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Pass as `expectedVersion` to update without overwriting someone else's change.
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn contacts(&self, ctx: &Context<'_>) -> Result<Vec<Contact>> {
        Ok(loaders::children(ctx, &self.0, ContactsOfClient)
            .await?
            .into_iter()
            .map(Contact)
            .collect())
    }
    async fn projects(&self, ctx: &Context<'_>) -> Result<Vec<Project>> {
        Ok(loaders::selected_children(ctx, &self.0, ProjectsOfClient)
            .await?
            .into_iter()
            .map(Project)
            .collect())
    }
    /// The client's tickets, newest first; `open: true` for those still needing work.
    async fn tickets(
        &self,
        ctx: &Context<'_>,
        open: Option<bool>,
    ) -> Result<super::plain::Rows<Ticket>> {
        Ok(
            loaders::selected_children(ctx, &self.0, TicketsOfClient { open })
                .await?
                .into_iter()
                .map(Ticket)
                .collect(),
        )
    }
    /// Sales-internal: the interaction log, newest first (empty in the customer portal).
    async fn interactions(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::interaction::Interaction>> {
        Ok(
            loaders::children(ctx, &self.0, super::sets::InteractionsOfClient)
                .await?
                .into_iter()
                .map(super::interaction::Interaction)
                .collect(),
        )
    }
    /// Sales-internal: every grading of the intent level, oldest first, with who, when
    /// and why; `null` in the customer portal.
    async fn intent_history(&self, ctx: &Context<'_>) -> Result<Option<Vec<IntentGrade>>> {
        if scope(ctx)? != Scope::All {
            return Ok(None);
        }
        Ok(Some(
            loaders::children(ctx, &self.0, IntentGradesOfClient)
                .await?
                .into_iter()
                .map(IntentGrade::new)
                .collect(),
        ))
    }
    /// The latest changes to the client and everything of theirs, newest first.
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, directive = super::preflight::constraint::apply(Some(1), Some(100), None))]
        last: u32,
    ) -> Result<Vec<Event>> {
        Ok(
            loaders::latest_events(ctx, self.0.id, EventScope::Client, last)
                .await?
                .into_iter()
                .map(Event)
                .collect(),
        )
    }
}

/// A person at a client.
pub struct Contact(pub Visible<contact::Model>);

#[Object]
impl Contact {
    pub async fn id(&self) -> ID {
        encode(NodeKind::Contact, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    /// ACTIVE, or LEFT the client (their portal access has ended).
    async fn status(&self) -> ContactStatus {
        self.0.status
    }
    async fn left_at(&self) -> Option<DateTime<Utc>> {
        self.0.left_at
    }
    /// Who took over their open items when they left.
    async fn successor(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        let Some(id) = self.0.successor_id else {
            return Ok(None);
        };
        Ok(loaders::one::<contact::Entity>(ctx, id).await?.map(Contact))
    }
    /// Their part in the client's decision chain; null in the customer portal.
    async fn decision_role(&self) -> Option<DecisionRole> {
        self.0.decision_role
    }
    /// The language of their e-mail.
    async fn language(&self) -> Language {
        self.0.language
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
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, directive = super::preflight::constraint::apply(Some(1), Some(100), None))]
        last: u32,
    ) -> Result<Vec<Event>> {
        let scope = EventScope::Entity(EntityKind::Contact);
        Ok(loaders::latest_events(ctx, self.0.id, scope, last)
            .await?
            .into_iter()
            .map(Event)
            .collect())
    }
}

#[derive(InputObject)]
pub struct ClientFilterInput {
    intent_levels: Option<Vec<IntentLevel>>,
    sources: Option<Vec<ClientSource>>,
    /// Case-insensitive part of the name.
    name_contains: Option<String>,
}

#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq)]
pub enum ClientOrder {
    NameAsc,
    CreatedAtDesc,
    UpdatedAtDesc,
}

#[derive(Default)]
pub struct ClientQuery;

#[Object]
impl ClientQuery {
    /// Clients, filtered and ordered, one page at a time.
    async fn clients(
        &self,
        ctx: &Context<'_>,
        filter: Option<ClientFilterInput>,
        #[graphql(default_with = "ClientOrder::NameAsc")] order_by: ClientOrder,
        #[graphql(directive = super::preflight::constraint::apply(Some(0), Some(super::pagination::MAX_PAGE_SIZE), None))]
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<Client>> {
        let f = filter.map_or_else(ClientFilter::default, |f| ClientFilter {
            intent_levels: f.intent_levels.unwrap_or_default(),
            sources: f.sources.unwrap_or_default(),
            name_contains: f.name_contains.filter(|s| !s.trim().is_empty()),
        });
        let sort = match order_by {
            ClientOrder::NameAsc => Sort {
                name: "name",
                column: client::Column::Name,
                kind: KeyKind::Text,
                descending: false,
            },
            ClientOrder::CreatedAtDesc => Sort {
                name: "created",
                column: client::Column::CreatedAt,
                kind: KeyKind::Time,
                descending: true,
            },
            ClientOrder::UpdatedAtDesc => Sort {
                name: "updated",
                column: client::Column::UpdatedAt,
                kind: KeyKind::Time,
                descending: true,
            },
        };
        paginate(
            ctx,
            clients::list(scope(ctx)?, f),
            client::Column::Id,
            sort,
            (first, after),
            Client,
        )
        .await
    }

    async fn client(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Client>> {
        let id = decode_as("id", &id, NodeKind::Client)?;
        Ok(loaders::selected_one::<client::Entity>(ctx, id)
            .await?
            .map(Client))
    }
}

#[derive(InputObject)]
pub struct CreateClientInput {
    name: String,
    industry: Option<String>,
    main_business: Option<String>,
    #[graphql(default_with = "ClientSource::Other")]
    source: ClientSource,
    #[graphql(default_with = "IntentLevel::Medium")]
    intent_level: IntentLevel,
    budget_range: Option<String>,
    decision_chain: Option<String>,
    key_needs: Option<String>,
    notes: Option<String>,
    first_contact_at: Option<DateTime<Utc>>,
}

impl CreateClientInput {
    fn parse(self) -> AppResult<NewClient> {
        Ok(NewClient {
            name: text("name", &self.name, SHORT)?,
            industry: opt_text("industry", self.industry.as_deref(), SHORT)?,
            main_business: opt_text("mainBusiness", self.main_business.as_deref(), LONG)?,
            source: self.source,
            intent_level: self.intent_level,
            budget_range: opt_text("budgetRange", self.budget_range.as_deref(), SHORT)?,
            decision_chain: opt_text("decisionChain", self.decision_chain.as_deref(), LONG)?,
            key_needs: opt_text("keyNeeds", self.key_needs.as_deref(), LONG)?,
            notes: opt_text("notes", self.notes.as_deref(), LONG)?,
            first_contact_at: self.first_contact_at,
        })
    }
}

#[derive(InputObject)]
pub struct UpdateClientInput {
    name: Option<String>,
    industry: MaybeUndefined<String>,
    main_business: MaybeUndefined<String>,
    source: Option<ClientSource>,
    intent_level: Option<IntentLevel>,
    budget_range: MaybeUndefined<String>,
    decision_chain: MaybeUndefined<String>,
    key_needs: MaybeUndefined<String>,
    notes: MaybeUndefined<String>,
    first_contact_at: MaybeUndefined<DateTime<Utc>>,
    /// Why the intent level changes; recorded in the intent history (with a new
    /// `intentLevel` only).
    intent_reason: Option<String>,
}

impl UpdateClientInput {
    fn parse(self) -> AppResult<ClientPatch> {
        Ok(ClientPatch {
            name: set_text("name", self.name, SHORT)?,
            industry: patch_text("industry", self.industry, SHORT)?,
            main_business: patch_text("mainBusiness", self.main_business, LONG)?,
            source: self.source,
            intent_level: self.intent_level,
            budget_range: patch_text("budgetRange", self.budget_range, SHORT)?,
            decision_chain: patch_text("decisionChain", self.decision_chain, LONG)?,
            key_needs: patch_text("keyNeeds", self.key_needs, LONG)?,
            notes: patch_text("notes", self.notes, LONG)?,
            first_contact_at: patch(self.first_contact_at),
            intent_reason: opt_text("intentReason", self.intent_reason.as_deref(), LONG)?,
        })
    }
}

#[derive(InputObject)]
pub struct CreateContactInput {
    client_id: ID,
    name: String,
    title: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    decision_role: Option<DecisionRole>,
    /// The language of their e-mail (EN when not given).
    language: Option<Language>,
}

#[derive(InputObject)]
pub struct UpdateContactInput {
    name: Option<String>,
    title: MaybeUndefined<String>,
    email: MaybeUndefined<String>,
    phone: MaybeUndefined<String>,
    decision_role: MaybeUndefined<DecisionRole>,
    language: Option<Language>,
}

#[derive(Default)]
pub struct ClientMutation;

#[Object]
impl ClientMutation {
    /// Registers a client (step 1 of the road: customer information and first contact).
    async fn create_client(&self, ctx: &Context<'_>, input: CreateClientInput) -> Result<Client> {
        Ok(Client(super::seen(
            ctx,
            clients::create(svc(ctx)?, input.parse()?).await?,
        )?))
    }

    async fn update_client(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateClientInput,
        expected_version: Option<i32>,
    ) -> Result<Client> {
        let id = decode_as("id", &id, NodeKind::Client)?;
        Ok(Client(super::seen(
            ctx,
            clients::update(svc(ctx)?, id, input.parse()?, expected_version).await?,
        )?))
    }

    async fn create_contact(
        &self,
        ctx: &Context<'_>,
        input: CreateContactInput,
    ) -> Result<Contact> {
        let new = NewContact {
            client_id: decode_as("clientId", &input.client_id, NodeKind::Client)?,
            name: text("name", &input.name, SHORT)?,
            title: opt_text("title", input.title.as_deref(), SHORT)?,
            email: opt_email("email", input.email.as_deref())?,
            phone: opt_phone("phone", input.phone.as_deref())?,
            decision_role: input.decision_role,
            language: input.language.unwrap_or(Language::En),
        };
        Ok(Contact(super::seen(
            ctx,
            clients::create_contact(svc(ctx)?, new).await?,
        )?))
    }

    async fn update_contact(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateContactInput,
        expected_version: Option<i32>,
    ) -> Result<Contact> {
        let id = decode_as("id", &id, NodeKind::Contact)?;
        let email = match input.email {
            MaybeUndefined::Value(e) if !e.trim().is_empty() => Some(Some(email("email", &e)?)),
            MaybeUndefined::Undefined => None,
            _ => Some(None),
        };
        let phone = match input.phone {
            MaybeUndefined::Value(p) => Some(opt_phone("phone", Some(&p))?),
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Undefined => None,
        };
        let p = ContactPatch {
            name: set_text("name", input.name, SHORT)?,
            title: patch_text("title", input.title, SHORT)?,
            email,
            phone,
            decision_role: super::input::patch(input.decision_role),
            language: input.language,
        };
        Ok(Contact(super::seen(
            ctx,
            clients::update_contact(svc(ctx)?, id, p, expected_version).await?,
        )?))
    }
}
