//! The escalation ladder and each ticket's escalations in the graph.

use crate::auth::scope::Visible;
use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use entity::{escalation_level, ticket, ticket_escalation};

use super::{
    delivery::user_of,
    ids::{NodeKind, decode_as},
    loaders,
    sets::EscalationsOfTicket,
    svc,
    ticket::Ticket,
    user::User,
};
use crate::{
    domain::input::{LONG, text},
    service::escalations,
};

/// One level of the escalation ladder.
pub struct EscalationLevel(pub Visible<escalation_level::Model>);

#[Object]
impl EscalationLevel {
    /// 1 for frontline support.
    async fn level(&self) -> i32 {
        self.0.level
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Who answers at this level.
    async fn role(&self) -> &str {
        &self.0.role
    }
    /// How soon an escalation to this level must be acknowledged.
    async fn ack_minutes(&self) -> i32 {
        self.0.ack_minutes
    }
    /// Counted in the policy's working hours (else around the clock).
    async fn business_hours(&self) -> bool {
        self.0.business_hours
    }
}

/// A ticket's move to a level of the ladder.
pub struct TicketEscalation {
    row: Visible<ticket_escalation::Model>,
    now: DateTime<Utc>,
}

impl TicketEscalation {
    pub fn new(ctx: &Context<'_>, row: Visible<ticket_escalation::Model>) -> Result<Self> {
        Ok(Self {
            row,
            now: svc(ctx)?.time.now(),
        })
    }
}

#[Object]
impl TicketEscalation {
    async fn level(&self) -> i32 {
        self.row.level
    }
    /// Why; shown to the vendor's staff only.
    async fn reason(&self) -> Option<&str> {
        Some(self.row.reason.as_str()).filter(|r| !r.is_empty())
    }
    /// Made by the server when a service-level clock breached.
    async fn automatic(&self) -> bool {
        self.row.automatic
    }
    async fn escalated_at(&self) -> DateTime<Utc> {
        self.row.escalated_at
    }
    async fn escalated_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user_of(ctx, self.row.escalated_by_user_id).await
    }
    /// When someone at this level must have acknowledged it.
    async fn ack_due_at(&self) -> Option<DateTime<Utc>> {
        self.row.ack_due_at
    }
    async fn acknowledged_at(&self) -> Option<DateTime<Utc>> {
        self.row.acknowledged_at
    }
    async fn acknowledged_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        user_of(ctx, self.row.acknowledged_by_user_id).await
    }
    /// Not acknowledged and past its deadline.
    async fn ack_overdue(&self) -> bool {
        self.row.acknowledged_at.is_none() && self.row.ack_due_at.is_some_and(|d| self.now > d)
    }
    /// The level's name and role, from the ladder as it is now.
    async fn ladder_level(&self, ctx: &Context<'_>) -> Result<Option<EscalationLevel>> {
        // Through loaders: one query per request, not per escalation.
        let policy = loaders::current_policy_id(ctx).await?;
        Ok(
            loaders::children_by_id(ctx, policy, super::sets::LevelsOfPolicy)
                .await?
                .into_iter()
                .find(|l| l.level == self.row.level)
                .map(EscalationLevel),
        )
    }
    async fn ticket(&self, ctx: &Context<'_>) -> Result<Option<Ticket>> {
        Ok(
            loaders::selected_one::<ticket::Entity>(ctx, self.row.ticket_id)
                .await?
                .map(Ticket),
        )
    }
}

/// A ticket's escalations, lowest level first.
pub async fn of_ticket(ctx: &Context<'_>, ticket_id: i64) -> Result<Vec<TicketEscalation>> {
    loaders::children_by_id(ctx, ticket_id, EscalationsOfTicket)
        .await?
        .into_iter()
        .map(|row| TicketEscalation::new(ctx, row))
        .collect()
}

#[derive(InputObject)]
pub struct EscalateTicketInput {
    pub ticket_id: ID,
    /// The level to go to; one level up when omitted. Escalation only goes up.
    pub level: Option<i32>,
    pub reason: String,
}

/// A level of the ladder, for `updateServiceLevelPolicy`.
#[derive(InputObject)]
pub struct EscalationLevelInput {
    /// 1, 2, 3... without gaps.
    pub level: i32,
    pub name: String,
    pub role: String,
    pub ack_minutes: i32,
    #[graphql(default = false)]
    pub business_hours: bool,
}

#[derive(Default)]
pub struct EscalationMutation;

#[Object]
impl EscalationMutation {
    /// Moves an open ticket up the ladder (staff). The service-level clocks keep
    /// running: what the customer is owed does not wait for an escalation.
    async fn escalate_ticket(
        &self,
        ctx: &Context<'_>,
        input: EscalateTicketInput,
    ) -> Result<TicketEscalation> {
        let ticket_id = decode_as("ticketId", &input.ticket_id, NodeKind::Ticket)?;
        let reason = text("reason", &input.reason, LONG)?;
        let (_, row) = escalations::escalate(svc(ctx)?, ticket_id, input.level, reason).await?;
        TicketEscalation::new(ctx, super::seen(ctx, row)?)
    }

    /// Someone at the ticket's current level takes it on (staff).
    async fn acknowledge_escalation(
        &self,
        ctx: &Context<'_>,
        ticket_id: ID,
    ) -> Result<TicketEscalation> {
        let ticket_id = decode_as("ticketId", &ticket_id, NodeKind::Ticket)?;
        let (_, row) = escalations::acknowledge(svc(ctx)?, ticket_id).await?;
        TicketEscalation::new(ctx, super::seen(ctx, row)?)
    }
}
