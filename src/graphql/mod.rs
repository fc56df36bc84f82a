//! The GraphQL schema: roots composed per aggregate, thin resolvers over the services.

pub mod acceptance;
pub mod access;
pub mod action_item;
pub mod agreement;
pub mod analysis;
pub mod batching;
pub mod client;
pub mod columns;
pub mod contract;
pub mod dashboard;
pub mod delivery;
pub mod document;
pub mod document_size;
pub mod escalation;
pub mod event;
pub mod field_errors;
pub mod handover;
pub mod health;
pub mod ids;
pub mod input;
pub mod interaction;
pub mod kickoff;
pub mod live;
pub mod loaders;
pub mod mail;
pub mod meeting;
pub mod negotiation;
pub mod nested;
pub mod node;
pub mod pagination;
pub mod parents;
pub mod pipeline;
pub mod plain;
pub mod preflight;
pub mod project;
pub mod proposal;
pub mod response_order;
pub mod root;
pub mod satisfaction;
pub mod service_level;
pub mod sets;
pub mod survey;
pub mod ticket;
pub mod user;
pub mod viewer;
pub mod webhook;

use async_graphql::{Context, MergedObject, MergedSubscription, Schema, SchemaBuilder};
pub use batching::{Batches, Driven};
use sea_orm::DatabaseConnection;

use crate::{
    auth::Scope,
    live::Hub,
    reads::Reads,
    service::{self, Caller},
};

#[derive(MergedObject, Default)]
pub struct Query(
    node::NodeQuery,
    client::ClientQuery,
    project::ProjectQuery,
    ticket::TicketQuery,
    user::UserQuery,
    event::EventQuery,
    service_level::ServiceLevelQuery,
    satisfaction::SatisfactionQuery,
    delivery::RiskQuery,
    dashboard::DashboardQuery,
    viewer::ViewerQuery,
    interaction::InteractionQuery,
    pipeline::PipelineQuery,
    action_item::ActionItemQuery,
    survey::SurveyQuery,
    webhook::WebhookQuery,
    mail::MailQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    client::ClientMutation,
    project::ProjectMutation,
    delivery::DeliveryMutation,
    agreement::AgreementMutation,
    health::HealthMutation,
    ticket::TicketMutation,
    user::UserMutation,
    service_level::ServiceLevelMutation,
    escalation::EscalationMutation,
    satisfaction::SatisfactionMutation,
    interaction::InteractionMutation,
    proposal::ProposalMutation,
    negotiation::NegotiationMutation,
    contract::ContractMutation,
    analysis::AnalysisMutation,
    meeting::MeetingMutation,
    action_item::ActionItemMutation,
    handover::HandoverMutation,
    acceptance::AcceptanceMutation,
    survey::SurveyMutation,
    document::DocumentMutation,
    webhook::WebhookMutation,
    mail::MailMutation,
);

#[derive(MergedSubscription, Default)]
pub struct Subscription(
    live::LiveSubscription,
    service_level::ServiceLevelSubscription,
    kickoff::KickoffSubscription,
);

/// The schema's roots, each checked at its fields ([`root::Guarded`]).
pub type QueryRoot = root::Guarded<Query>;
pub type MutationRoot = root::Guarded<Mutation>;
pub type SubscriptionRoot = root::Guarded<Subscription>;

pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Limits that keep one request from costing the server too much.
#[derive(Debug, Clone, Copy)]
pub struct QueryLimits {
    pub max_depth: usize,
    pub max_complexity: usize,
}

impl Default for QueryLimits {
    fn default() -> Self {
        Self {
            // The standard introspection query (graphql-js `getIntrospectionQuery`, which
            // GraphiQL and code generators send) is 13 deep: the type reference nests
            // `ofType` seven times. Real dashboard queries stay well under.
            max_depth: 15,
            max_complexity: 5_000,
        }
    }
}

/// The schema with its limits. The database connection is schema data; the caller and
/// the loaders are request data (see [`request_data`]). It has no extension: see
/// [`root`].
pub fn schema_builder(
    db: DatabaseConnection,
    reads: Reads,
    limits: QueryLimits,
) -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .data(db)
    .data(reads)
    .limit_depth(limits.max_depth)
    .limit_complexity(limits.max_complexity)
}

/// The schema without data, for exporting the SDL.
pub fn sdl() -> String {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .finish()
    .sdl()
}

/// The operation of `doc` that a request runs: the one named, or the only one.
pub fn selected_operation<'a>(
    doc: &'a async_graphql::parser::types::ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a async_graphql::parser::types::OperationDefinition> {
    use async_graphql::parser::types::DocumentOperations;
    let op = match (&doc.operations, name) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        _ => None,
    };
    op.map(|op| &op.node)
}

/// Attaches the caller and a fresh set of loaders to one request. It must then execute
/// inside [`batching::Driven`] with the returned batches (see [`loaders::Loaders`]).
pub fn request_data(
    request: async_graphql::Request,
    db: &Reads,
    caller: Caller,
) -> (async_graphql::Request, Batches) {
    let batches = Batches::default();
    let loaders = loaders::Loaders::new(db, caller_scope(&caller), batches.clone());
    (with_loaders(request, caller, loaders), batches)
}

/// Like [`request_data`], for a subscription: its loaders batch within each event but
/// keep no cache, so every event shows the objects as they are when it is delivered.
pub fn subscription_data(
    request: async_graphql::Request,
    db: &Reads,
    caller: Caller,
) -> (async_graphql::Request, Batches) {
    let batches = Batches::default();
    let loaders = loaders::Loaders::uncached(db, caller_scope(&caller), batches.clone());
    (with_loaders(request, caller, loaders), batches)
}

/// Anonymous callers are refused at the root (see `access`); should anything still load,
/// a scope of no client shows it nothing.
fn caller_scope(caller: &Caller) -> Scope {
    caller.scope().unwrap_or(Scope::Client(0))
}

fn with_loaders(
    request: async_graphql::Request,
    caller: Caller,
    loaders: loaders::Loaders,
) -> async_graphql::Request {
    let scope = caller_scope(&caller);
    request
        .data(caller)
        .data(scope)
        .data(loaders::RequestLoaders::new(loaders))
}

/// The rows the caller of a resolver may see (anonymous callers: none).
pub fn scope(ctx: &Context<'_>) -> async_graphql::Result<Scope> {
    Ok(*ctx.data::<Scope>()?)
}

/// `row` as the caller of a resolver may read it: how a row a service returned (a
/// mutation's result, a digest's project) becomes a GraphQL object.
pub fn seen<M: crate::auth::scope::Redact>(
    ctx: &Context<'_>,
    row: M,
) -> async_graphql::Result<crate::auth::scope::Visible<M>> {
    Ok(crate::auth::scope::Visible::new(scope(ctx)?, row))
}

/// The connection a resolver's reads run on (see [`Reads`]).
pub fn reads<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a Reads> {
    ctx.data::<Reads>()
}

/// The service context of a resolver: the database and who is calling.
pub fn svc<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<service::Ctx<'a>> {
    Ok(service::Ctx {
        db: ctx.data::<DatabaseConnection>()?,
        caller: ctx.data::<Caller>()?,
        live: ctx.data_opt::<Hub>(),
        time: ctx
            .data_opt::<crate::time::Time>()
            .unwrap_or(&crate::time::SYSTEM_TIME),
    })
}
