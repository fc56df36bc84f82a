//! Subscriptions: live feeds of the event log (see `crate::live`).
//!
//! Each feed item is an event with its cursor; pass the last cursor received as `after`
//! to resume with no gap and no duplicate. Feeds obey the caller's scope like every other
//! read, and the objects they carry resolve through the ordinary loaders, fresh for each
//! event.

use crate::auth::scope::Visible;
use async_graphql::{Context, ID, Object, Result, Subscription};
use chrono::{DateTime, Utc};
use entity::{
    EntityKind, EventKind, StageStatus, TicketStatus, client as client_entity, event,
    project as project_entity, stage, ticket,
};
use futures_util::{Stream, StreamExt};

use super::{
    delivery::Stage,
    event::Event,
    ids::{NodeKind, decode_as, encode},
    loaders, svc,
    ticket::Ticket,
};
use crate::{
    auth::Caller,
    error::AppError,
    live::{Filter, Hub, feed},
};

/// The cursor of an event: where a resumed feed continues after.
pub fn cursor(e: &event::Model) -> String {
    encode(NodeKind::Event, e.id).0
}

pub(super) fn after_cursor(after: Option<&String>) -> Result<Option<i64>> {
    Ok(after
        .map(|a| decode_as("after", &ID(a.clone()), NodeKind::Event))
        .transpose()?)
}

/// A milestone moved from one status to another.
pub struct StageStatusChange(pub Visible<event::Model>);

#[Object]
impl StageStatusChange {
    async fn cursor(&self) -> String {
        cursor(&self.0)
    }
    /// The event itself: who, when, what changed.
    async fn event(&self) -> Event {
        Event(self.0.clone())
    }
    async fn stage_id(&self) -> ID {
        encode(NodeKind::Stage, self.0.entity_id)
    }
    /// The milestone as it is now (it may have moved on since the event).
    async fn stage(&self, ctx: &Context<'_>) -> Result<Option<Stage>> {
        Ok(loaders::one::<stage::Entity>(ctx, self.0.entity_id)
            .await?
            .map(Stage))
    }
    async fn project_id(&self) -> Option<ID> {
        self.0.project_id.map(|id| encode(NodeKind::Project, id))
    }
    async fn from(&self) -> Option<StageStatus> {
        self.0.from_status.as_deref().and_then(StageStatus::parse)
    }
    async fn to(&self) -> Option<StageStatus> {
        self.0.to_status.as_deref().and_then(StageStatus::parse)
    }
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
}

/// A ticket moved from one status to another.
pub struct TicketStatusChange(pub Visible<event::Model>);

#[Object]
impl TicketStatusChange {
    async fn cursor(&self) -> String {
        cursor(&self.0)
    }
    /// The event itself: who, when, what changed.
    async fn event(&self) -> Event {
        Event(self.0.clone())
    }
    async fn ticket_id(&self) -> ID {
        encode(NodeKind::Ticket, self.0.entity_id)
    }
    /// The ticket as it is now (it may have moved on since the event).
    async fn ticket(&self, ctx: &Context<'_>) -> Result<Option<Ticket>> {
        Ok(
            loaders::selected_one::<ticket::Entity>(ctx, self.0.entity_id)
                .await?
                .map(Ticket),
        )
    }
    async fn project_id(&self) -> Option<ID> {
        self.0.project_id.map(|id| encode(NodeKind::Project, id))
    }
    async fn client_id(&self) -> Option<ID> {
        self.0.client_id.map(|id| encode(NodeKind::Client, id))
    }
    async fn from(&self) -> Option<TicketStatus> {
        self.0.from_status.as_deref().and_then(TicketStatus::parse)
    }
    async fn to(&self) -> Option<TicketStatus> {
        self.0.to_status.as_deref().and_then(TicketStatus::parse)
    }
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
}

/// The caller's filter narrowed to a project and/or client they may see; anything else
/// is `NOT_FOUND`, as on every other road.
pub(super) async fn narrowed(
    ctx: &Context<'_>,
    project_id: Option<&ID>,
    client_id: Option<&ID>,
) -> Result<Filter> {
    let caller = svc(ctx)?.caller;
    if *caller == Caller::Anonymous {
        return Err(AppError::Unauthenticated.into());
    }
    let mut filter = Filter::new(caller.scope()?);
    if let Some(id) = project_id {
        let id = decode_as("projectId", id, NodeKind::Project)?;
        loaders::one::<project_entity::Entity>(ctx, id)
            .await?
            .ok_or(AppError::not_found("project"))?;
        filter.project_id = Some(id);
    }
    if let Some(id) = client_id {
        let id = decode_as("clientId", id, NodeKind::Client)?;
        loaders::one::<client_entity::Entity>(ctx, id)
            .await?
            .ok_or(AppError::not_found("client"))?;
        filter.client_id = Some(id);
    }
    Ok(filter)
}

pub(super) fn hub<'a>(ctx: &'a Context<'_>) -> Result<&'a Hub> {
    ctx.data::<Hub>()
}

#[derive(Default)]
pub struct LiveSubscription;

#[Subscription]
impl LiveSubscription {
    /// A milestone (stage) changed status, in the projects the caller may see; narrowed to
    /// one project or client if given. With `after`, first every such change after that
    /// cursor, then live.
    async fn stage_status_changed(
        &self,
        ctx: &Context<'_>,
        project_id: Option<ID>,
        client_id: Option<ID>,
        after: Option<String>,
    ) -> Result<impl Stream<Item = StageStatusChange> + use<>> {
        let after = after_cursor(after.as_ref())?;
        let mut filter = narrowed(ctx, project_id.as_ref(), client_id.as_ref()).await?;
        filter.entity_kind = Some(EntityKind::Stage);
        filter.kinds = &[EventKind::StatusChanged];
        Ok(feed(hub(ctx)?, filter, after).map(StageStatusChange))
    }

    /// A ticket changed status, of the clients the caller may see; narrowed to one
    /// project or client if given. With `after`, replays from that cursor first.
    async fn ticket_status_changed(
        &self,
        ctx: &Context<'_>,
        project_id: Option<ID>,
        client_id: Option<ID>,
        after: Option<String>,
    ) -> Result<impl Stream<Item = TicketStatusChange> + use<>> {
        let after = after_cursor(after.as_ref())?;
        let mut filter = narrowed(ctx, project_id.as_ref(), client_id.as_ref()).await?;
        filter.entity_kind = Some(EntityKind::Ticket);
        filter.kinds = &[EventKind::StatusChanged];
        Ok(feed(hub(ctx)?, filter, after).map(TicketStatusChange))
    }

    /// Every event of one project that the caller may see: stages, tickets, risks,
    /// reports, requirements, the team and the project itself. With `after`, replays
    /// from that cursor first.
    async fn project_activity(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        after: Option<String>,
    ) -> Result<impl Stream<Item = Event> + use<>> {
        let after = after_cursor(after.as_ref())?;
        let filter = narrowed(ctx, Some(&project_id), None).await?;
        Ok(feed(hub(ctx)?, filter, after).map(Event))
    }
}
