//! Webhooks in the graph (staff only): endpoints, their delivery log, replay.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{EntityKind, EventKind, WebhookStatus, webhook_delivery, webhook_endpoint};

use super::{
    delivery::user_of,
    ids::{NodeKind, decode, decode_as, encode},
    seen, svc,
    user::User,
};
use crate::{
    auth::scope::Visible,
    domain::webhook::Interest,
    error::AppError,
    service::webhooks::{self, NewEndpoint, interest_of},
};

/// Where events are sent, which ones, and how far delivery has got.
pub struct WebhookEndpoint(pub Visible<webhook_endpoint::Model>);

#[Object]
impl WebhookEndpoint {
    pub async fn id(&self) -> ID {
        encode(NodeKind::Webhook, self.0.id)
    }
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// ACTIVE, or DISABLED (by staff, or after failing too long: see `disabledReason`).
    async fn status(&self) -> WebhookStatus {
        self.0.status
    }
    async fn disabled_reason(&self) -> Option<&str> {
        self.0.disabled_reason.as_deref()
    }
    /// Event kinds it wants (empty: all).
    async fn event_kinds(&self) -> Vec<EventKind> {
        interest_of(&self.0).event_kinds
    }
    /// Kinds of objects whose events it wants (empty: all).
    async fn entity_kinds(&self) -> Vec<EntityKind> {
        interest_of(&self.0).entity_kinds
    }
    /// Projects whose events it wants (empty: all).
    async fn project_ids(&self) -> Vec<ID> {
        interest_of(&self.0)
            .project_ids
            .into_iter()
            .map(|id| encode(NodeKind::Project, id))
            .collect()
    }
    async fn client_ids(&self) -> Vec<ID> {
        interest_of(&self.0)
            .client_ids
            .into_iter()
            .map(|id| encode(NodeKind::Client, id))
            .collect()
    }
    /// The last event delivered or passed over (an event cursor, as `replayWebhook` takes).
    async fn cursor(&self) -> String {
        encode(NodeKind::Event, self.0.cursor).0
    }
    /// Failed attempts in a row at the next event.
    async fn failures(&self) -> i32 {
        self.0.failures
    }
    async fn failing_since(&self) -> Option<DateTime<Utc>> {
        self.0.failing_since
    }
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        self.0.next_attempt_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn created_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user_of(ctx, self.0.created_by_user_id).await
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The latest delivery attempts, newest first.
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, directive = super::preflight::constraint::apply(Some(1), Some(super::pagination::MAX_PAGE_SIZE), None))]
        last: i32,
    ) -> Result<Vec<WebhookDelivery>> {
        let last = u32::try_from(last).unwrap_or(20);
        let rows = super::loaders::recent_deliveries(ctx, self.0.id, last).await?;
        Ok(rows.into_iter().map(WebhookDelivery).collect())
    }
}

/// One attempt to deliver one event.
pub struct WebhookDelivery(webhook_delivery::Model);

#[Object]
impl WebhookDelivery {
    /// The event's global id (as in its `Delivery-Desk-Event-Id` header).
    async fn event_id(&self) -> ID {
        encode(NodeKind::Event, self.0.event_id)
    }
    /// 1 for the first attempt at this event.
    async fn attempt(&self) -> i32 {
        self.0.attempt
    }
    async fn succeeded(&self) -> bool {
        self.0.succeeded
    }
    /// The HTTP status the receiver answered, if it answered.
    async fn status_code(&self) -> Option<i32> {
        self.0.status_code
    }
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
    async fn latency_ms(&self) -> i32 {
        self.0.latency_ms
    }
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

/// A registration: the endpoint and the secret its requests are signed with (shown here
/// only).
#[derive(SimpleObject)]
pub struct WebhookRegistration {
    pub endpoint: WebhookEndpoint,
    pub secret: String,
}

#[derive(InputObject)]
pub struct RegisterWebhookInput {
    /// `https://…` (or `http://` inside your network).
    pub url: String,
    /// At least 16 characters; one is generated when not given.
    pub secret: Option<String>,
    /// Event kinds wanted (none: all).
    #[graphql(default)]
    pub event_kinds: Vec<EventKind>,
    /// Kinds of objects whose events are wanted (none: all).
    #[graphql(default)]
    pub entity_kinds: Vec<EntityKind>,
    #[graphql(default)]
    pub project_ids: Vec<ID>,
    #[graphql(default)]
    pub client_ids: Vec<ID>,
}

#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// Registered webhooks, oldest first (staff).
    async fn webhooks(&self, ctx: &Context<'_>) -> Result<Vec<WebhookEndpoint>> {
        let rows = webhooks::list(svc(ctx)?).await?;
        rows.into_iter()
            .map(|r| Ok(WebhookEndpoint(seen(ctx, r)?)))
            .collect()
    }
}

#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Registers an endpoint: from now on it receives the events it wants, in order,
    /// signed with the secret returned here.
    async fn register_webhook(
        &self,
        ctx: &Context<'_>,
        input: RegisterWebhookInput,
    ) -> Result<WebhookRegistration> {
        let ids = |field: &str, list: &[ID], kind: NodeKind| {
            list.iter()
                .map(|id| decode_as(field, id, kind))
                .collect::<Result<Vec<_>, AppError>>()
        };
        let new = NewEndpoint {
            url: input.url,
            secret: input.secret,
            interest: Interest {
                event_kinds: input.event_kinds,
                entity_kinds: input.entity_kinds,
                project_ids: ids("projectIds", &input.project_ids, NodeKind::Project)?,
                client_ids: ids("clientIds", &input.client_ids, NodeKind::Client)?,
            },
        };
        let row = webhooks::register(svc(ctx)?, new).await?;
        let secret = row.secret.clone();
        Ok(WebhookRegistration {
            endpoint: WebhookEndpoint(seen(ctx, row)?),
            secret,
        })
    }

    /// Delivers again every wanted event after `after` (an event cursor; the log's start
    /// when not given), in order, and enables the endpoint.
    async fn replay_webhook(
        &self,
        ctx: &Context<'_>,
        id: ID,
        after: Option<String>,
        expected_version: Option<i32>,
    ) -> Result<WebhookEndpoint> {
        let id = decode_as("id", &id, NodeKind::Webhook)?;
        let after = match after {
            None => 0,
            Some(c) => match decode("after", &ID(c))? {
                (NodeKind::Event, n) => n,
                _ => return Err(AppError::input("after", "not an event cursor").into()),
            },
        };
        let row = webhooks::replay(svc(ctx)?, id, after, expected_version).await?;
        Ok(WebhookEndpoint(seen(ctx, row)?))
    }

    /// Enables or disables an endpoint.
    async fn set_webhook_enabled(
        &self,
        ctx: &Context<'_>,
        id: ID,
        enabled: bool,
        expected_version: Option<i32>,
    ) -> Result<WebhookEndpoint> {
        let id = decode_as("id", &id, NodeKind::Webhook)?;
        let row = webhooks::set_enabled(svc(ctx)?, id, enabled, expected_version).await?;
        Ok(WebhookEndpoint(seen(ctx, row)?))
    }
}
