//! Service levels in the graph: the policy, each ticket's clocks, and the alert feed.

use crate::auth::scope::Visible;
use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, Subscription};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use entity::{
    ClockKind, ClockState, EntityKind, EventKind, TicketPriority, event,
    service_level_policy as policy, service_level_target as target, ticket, ticket_clock,
};
use futures_util::{Stream, StreamExt};

use super::{
    escalation::{EscalationLevel, EscalationLevelInput},
    event::Event,
    ids::{NodeKind, decode_as, encode},
    live::{after_cursor, cursor, hub, narrowed},
    loaders,
    sets::{LevelsOfPolicy, TargetsOfPolicy},
    svc,
    ticket::Ticket,
};
use crate::{
    domain::{
        escalation::Level,
        input::{SHORT, in_range, text},
        service_level::{Policy, Target},
    },
    live::feed,
    service::service_levels::{self, PolicyChange},
};

/// The service-level policy: the business calendar and the targets per priority.
pub struct ServiceLevelPolicy(pub Visible<policy::Model>);

#[Object]
impl ServiceLevelPolicy {
    pub async fn id(&self) -> ID {
        encode(NodeKind::ServiceLevelPolicy, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// IANA time zone of the working hours.
    async fn time_zone(&self) -> &str {
        &self.0.time_zone
    }
    /// Working weekdays, `MON` to `SUN`.
    async fn work_days(&self) -> Vec<&str> {
        self.0.work_days.split(',').collect()
    }
    /// Local time the working day opens, `HH:MM:SS`.
    async fn opens_at(&self) -> NaiveTime {
        self.0.opens_at
    }
    async fn closes_at(&self) -> NaiveTime {
        self.0.closes_at
    }
    /// Dates that are not worked.
    async fn holidays(&self) -> Vec<NaiveDate> {
        serde_json::from_value(self.0.holidays.clone()).unwrap_or_default()
    }
    /// Share of a target (percent) after which a running clock is AT_RISK.
    async fn at_risk_percent(&self) -> i32 {
        self.0.at_risk_percent
    }
    async fn targets(&self, ctx: &Context<'_>) -> Result<Vec<ServiceLevelTarget>> {
        Ok(loaders::children(ctx, &self.0, TargetsOfPolicy)
            .await?
            .into_iter()
            .map(ServiceLevelTarget)
            .collect())
    }
    /// Whether a breached clock moves its ticket one escalation level up.
    async fn auto_escalate_on_breach(&self) -> bool {
        self.0.auto_escalate_on_breach
    }
    /// The escalation ladder, first level first.
    async fn escalation_levels(&self, ctx: &Context<'_>) -> Result<Vec<EscalationLevel>> {
        Ok(loaders::children(ctx, &self.0, LevelsOfPolicy)
            .await?
            .into_iter()
            .map(EscalationLevel)
            .collect())
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// How long a priority's clock may run.
pub struct ServiceLevelTarget(pub Visible<target::Model>);

#[Object]
impl ServiceLevelTarget {
    async fn priority(&self) -> TicketPriority {
        self.0.priority
    }
    async fn clock(&self) -> ClockKind {
        self.0.kind
    }
    async fn minutes(&self) -> i32 {
        self.0.minutes
    }
    /// Counted in the policy's working hours (else around the clock).
    async fn business_hours(&self) -> bool {
        self.0.business_hours
    }
}

/// One service-level clock of a ticket, as it stands now.
pub struct ServiceLevelClock {
    row: Visible<ticket_clock::Model>,
    policy: Arc<Policy>,
    now: DateTime<Utc>,
}

#[Object]
impl ServiceLevelClock {
    async fn kind(&self) -> ClockKind {
        self.row.kind
    }
    /// 1 for the ticket's first cycle; each reopening starts the next.
    async fn cycle(&self) -> i32 {
        self.row.cycle
    }
    async fn state(&self) -> ClockState {
        service_levels::clock_of(&self.row).state(&self.policy, self.now)
    }
    async fn target_minutes(&self) -> i32 {
        self.row.target_minutes
    }
    async fn business_hours(&self) -> bool {
        self.row.business_hours
    }
    async fn started_at(&self) -> DateTime<Utc> {
        self.row.started_at
    }
    /// When a running clock becomes AT_RISK (null unless running).
    async fn at_risk_at(&self) -> Option<DateTime<Utc>> {
        self.row.at_risk_at
    }
    /// After this instant a running clock is BREACHED (null unless running).
    async fn breaches_at(&self) -> Option<DateTime<Utc>> {
        self.row.breaches_at
    }
    /// When the clock was met or cancelled.
    async fn ended_at(&self) -> Option<DateTime<Utc>> {
        (!service_levels::clock_of(&self.row).is_open()).then_some(self.row.since)
    }
    /// Counted time left before the target, in seconds (negative once breached).
    async fn remaining_seconds(&self) -> i64 {
        service_levels::clock_of(&self.row)
            .remaining(&self.policy, self.now)
            .num_seconds()
    }
}

/// The clocks of a ticket, for the ticket's `serviceLevelClocks` field.
pub async fn clocks_of(
    ctx: &Context<'_>,
    ticket: &Visible<entity::ticket::Model>,
    current_only: bool,
) -> Result<Vec<ServiceLevelClock>> {
    let rows = loaders::children(ctx, ticket, super::sets::ClocksOfTicket).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // The policy its project's contract names (the project is loaded once per request).
    let named = loaders::one::<entity::project::Entity>(ctx, ticket.project_id)
        .await?
        .and_then(|p| p.service_level_policy_id);
    let policy = loaders::policy(ctx, named).await?;
    let now = svc(ctx)?.time.now();
    let cycle = rows.iter().map(|r| r.cycle).max().unwrap_or(1);
    Ok(rows
        .into_iter()
        .filter(|r| !current_only || r.cycle == cycle)
        .map(|row| ServiceLevelClock {
            row,
            policy: policy.clone(),
            now,
        })
        .collect())
}

#[derive(Default)]
pub struct ServiceLevelQuery;

#[Object]
impl ServiceLevelQuery {
    /// The default service-level policy: tickets of a project whose contract names none
    /// follow it.
    async fn service_level_policy(&self, ctx: &Context<'_>) -> Result<ServiceLevelPolicy> {
        let (p, _) = service_levels::current(svc(ctx)?.db).await?;
        Ok(ServiceLevelPolicy(super::seen(ctx, p)?))
    }

    /// Every policy, the default first (contracts name the others).
    async fn service_level_policies(&self, ctx: &Context<'_>) -> Result<Vec<ServiceLevelPolicy>> {
        use sea_orm::{EntityTrait, QueryOrder};
        let rows = policy::Entity::find()
            .order_by_asc(policy::Column::Id)
            .all(svc(ctx)?.db)
            .await
            .map_err(crate::error::AppError::from)?;
        Ok(crate::auth::scope::redact(super::scope(ctx)?, rows)
            .into_iter()
            .map(ServiceLevelPolicy)
            .collect())
    }
}

#[derive(InputObject)]
pub struct ServiceLevelTargetInput {
    pub priority: TicketPriority,
    pub clock: ClockKind,
    /// 1 minute to 366 days.
    #[graphql(directive = super::preflight::constraint::apply(Some(1), Some(366 * 24 * 60), None))]
    pub minutes: i32,
    #[graphql(default = true)]
    pub business_hours: bool,
}

/// A policy's new calendar and targets; everything is replaced.
#[derive(InputObject)]
pub struct UpdateServiceLevelPolicyInput {
    /// IANA name, e.g. `Asia/Shanghai`.
    pub time_zone: String,
    /// `MON` to `SUN`.
    pub work_days: Vec<String>,
    pub opens_at: NaiveTime,
    pub closes_at: NaiveTime,
    #[graphql(default)]
    pub holidays: Vec<NaiveDate>,
    #[graphql(default = 75, directive = super::preflight::constraint::apply(Some(1), Some(99), None))]
    pub at_risk_percent: i32,
    pub targets: Vec<ServiceLevelTargetInput>,
    /// Unchanged when omitted.
    pub auto_escalate_on_breach: Option<bool>,
    /// The whole escalation ladder; unchanged when omitted.
    pub escalation_levels: Option<Vec<EscalationLevelInput>>,
}

#[derive(Default)]
pub struct ServiceLevelMutation;

fn change_of(input: UpdateServiceLevelPolicyInput) -> Result<PolicyChange> {
    Ok(PolicyChange {
        time_zone: input.time_zone,
        work_days: input.work_days,
        opens_at: input.opens_at,
        closes_at: input.closes_at,
        holidays: input.holidays,
        at_risk_percent: input.at_risk_percent,
        targets: input
            .targets
            .into_iter()
            .map(|t| (t.priority, t.clock, t.minutes, t.business_hours))
            .collect(),
        auto_escalate_on_breach: input.auto_escalate_on_breach,
        escalation_levels: input
            .escalation_levels
            .map(|levels| levels.into_iter().map(level).collect::<Result<_>>())
            .transpose()?,
    })
}

#[Object]
impl ServiceLevelMutation {
    /// Adds a policy (ADMIN) that contracts can name, e.g. a customer's 24x7 terms.
    async fn create_service_level_policy(
        &self,
        ctx: &Context<'_>,
        name: String,
        input: UpdateServiceLevelPolicyInput,
    ) -> Result<ServiceLevelPolicy> {
        let name = text("name", &name, SHORT)?;
        let (p, _) = service_levels::create_policy(svc(ctx)?, name, change_of(input)?).await?;
        Ok(ServiceLevelPolicy(super::seen(ctx, p)?))
    }

    /// Replaces a policy's calendar and targets (ADMIN). Running clocks keep the targets
    /// they started with; clocks started or re-targeted later use the new ones.
    async fn update_service_level_policy(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateServiceLevelPolicyInput,
        expected_version: Option<i32>,
    ) -> Result<ServiceLevelPolicy> {
        let id = decode_as("id", &id, NodeKind::ServiceLevelPolicy)?;
        let change = change_of(input)?;
        let (p, _) = service_levels::update_policy(svc(ctx)?, id, change, expected_version).await?;
        Ok(ServiceLevelPolicy(super::seen(ctx, p)?))
    }
}

fn level(l: EscalationLevelInput) -> Result<Level> {
    Ok(Level {
        level: l.level,
        name: text("escalationLevels.name", &l.name, SHORT)?,
        role: text("escalationLevels.role", &l.role, SHORT)?,
        ack: Target {
            duration: chrono::Duration::minutes(i64::from(in_range(
                "escalationLevels.ackMinutes",
                l.ack_minutes,
                1..=366 * 24 * 60,
            )?)),
            business_hours: l.business_hours,
        },
    })
}

/// How far a clock has gone.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum AlertLevel {
    AtRisk,
    Breached,
}

/// A ticket's service-level clock reached its at-risk share or passed its target.
pub struct ServiceLevelAlert(pub Visible<event::Model>);

impl ServiceLevelAlert {
    fn detail(&self) -> serde_json::Value {
        serde_json::from_str(&self.0.changes).unwrap_or_default()
    }
}

#[Object]
impl ServiceLevelAlert {
    async fn cursor(&self) -> String {
        cursor(&self.0)
    }
    async fn event(&self) -> Event {
        Event(self.0.clone())
    }
    async fn level(&self) -> AlertLevel {
        if self.0.kind == EventKind::ServiceLevelBreached {
            AlertLevel::Breached
        } else {
            AlertLevel::AtRisk
        }
    }
    async fn clock(&self) -> Option<ClockKind> {
        serde_json::from_value(self.detail()["clock"].clone()).ok()
    }
    async fn cycle(&self) -> Option<i32> {
        self.detail()["cycle"]
            .as_i64()
            .and_then(|c| i32::try_from(c).ok())
    }
    /// The instant the clock reached (its at-risk or breach instant).
    async fn due_at(&self) -> Option<DateTime<Utc>> {
        serde_json::from_value(self.detail()["due_at"].clone()).ok()
    }
    async fn ticket_id(&self) -> ID {
        encode(NodeKind::Ticket, self.0.entity_id)
    }
    /// The ticket as it is now.
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
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
}

#[derive(Default)]
pub struct ServiceLevelSubscription;

#[Subscription]
impl ServiceLevelSubscription {
    /// A ticket's clock went AT_RISK or BREACHED, of the clients the caller may see;
    /// narrowed to one project or client if given. With `after`, replays from that
    /// cursor first.
    async fn service_level_alerts(
        &self,
        ctx: &Context<'_>,
        project_id: Option<ID>,
        client_id: Option<ID>,
        after: Option<String>,
    ) -> Result<impl Stream<Item = ServiceLevelAlert> + use<>> {
        let after = after_cursor(after.as_ref())?;
        let mut filter = narrowed(ctx, project_id.as_ref(), client_id.as_ref()).await?;
        filter.entity_kind = Some(EntityKind::Ticket);
        filter.kinds = &[
            EventKind::ServiceLevelAtRisk,
            EventKind::ServiceLevelBreached,
        ];
        Ok(feed(hub(ctx)?, filter, after).map(ServiceLevelAlert))
    }
}
