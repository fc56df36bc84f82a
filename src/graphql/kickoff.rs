//! The 72-hour kickoff obligation in the graph: `Project.kickoff` and the
//! `kickoffAlerts` subscription. The vendor's own alarm: the portal sees neither.

use async_graphql::{Context, ID, Object, Result, Subscription};
use chrono::{DateTime, Utc};
use entity::{EntityKind, EventKind, event, kickoff_obligation as ko, project};
use futures_util::{Stream, StreamExt};

use super::{
    event::Event,
    ids::{NodeKind, encode},
    live::{after_cursor, cursor, hub, narrowed},
    loaders,
    project::Project,
    service_level::AlertLevel,
    svc,
};
use crate::{
    auth::scope::Visible,
    domain::kickoff::{KickoffState, state},
    live::feed,
};

/// Within 72 hours of signing: the team formed (an owner and a member) and a kickoff held.
pub struct Kickoff(pub Visible<ko::Model>);

#[Object]
impl Kickoff {
    /// When the contract was recorded as signed.
    async fn started_at(&self) -> DateTime<Utc> {
        self.0.started_at
    }
    /// A day before it is due.
    async fn at_risk_at(&self) -> DateTime<Utc> {
        self.0.at_risk_at
    }
    async fn due_at(&self) -> DateTime<Utc> {
        self.0.due_at
    }
    /// When the team was formed and the kickoff held, both.
    async fn met_at(&self) -> Option<DateTime<Utc>> {
        self.0.met_at
    }
    async fn state(&self, ctx: &Context<'_>) -> Result<KickoffState> {
        let now = svc(ctx)?.time.now();
        Ok(state(self.0.at_risk_at, self.0.due_at, self.0.met_at, now))
    }
}

/// A kickoff obligation reached its at-risk instant (a day left) or passed its 72 hours.
pub struct KickoffAlert(pub Visible<event::Model>);

#[Object]
impl KickoffAlert {
    async fn cursor(&self) -> String {
        cursor(&self.0)
    }
    async fn level(&self) -> AlertLevel {
        if self.0.kind == EventKind::KickoffOverdue {
            AlertLevel::Breached
        } else {
            AlertLevel::AtRisk
        }
    }
    /// The instant reached.
    async fn due_at(&self) -> Option<DateTime<Utc>> {
        let changes: serde_json::Value = serde_json::from_str(&self.0.changes).ok()?;
        serde_json::from_value(changes["due_at"].clone()).ok()
    }
    async fn project_id(&self) -> ID {
        encode(NodeKind::Project, self.0.entity_id)
    }
    /// The project as it is now (its owner is who must act).
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<Project>> {
        Ok(
            loaders::selected_one::<project::Entity>(ctx, self.0.entity_id)
                .await?
                .map(Project),
        )
    }
    async fn event(&self) -> Event {
        Event(self.0.clone())
    }
}

#[derive(Default)]
pub struct KickoffSubscription;

#[Subscription]
impl KickoffSubscription {
    /// A kickoff obligation went AT_RISK (a day left) or BREACHED (past 72 hours unmet);
    /// narrowed to one project or client if given. With `after`, replays from that cursor.
    async fn kickoff_alerts(
        &self,
        ctx: &Context<'_>,
        project_id: Option<ID>,
        client_id: Option<ID>,
        after: Option<String>,
    ) -> Result<impl Stream<Item = KickoffAlert> + use<>> {
        let after = after_cursor(after.as_ref())?;
        let mut filter = narrowed(ctx, project_id.as_ref(), client_id.as_ref()).await?;
        filter.entity_kind = Some(EntityKind::Kickoff);
        filter.kinds = &[EventKind::KickoffAtRisk, EventKind::KickoffOverdue];
        Ok(feed(hub(ctx)?, filter, after).map(KickoffAlert))
    }
}
