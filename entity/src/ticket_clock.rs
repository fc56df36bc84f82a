//! A service-level clock of a ticket, as last computed (see the server's
//! `domain::service_level`); it can always be recomputed from the event log.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ticket_clocks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ticket_id: i64,
    pub cycle: i32,
    pub kind: crate::ClockKind,
    pub target_minutes: i32,
    pub business_hours: bool,
    pub started_at: DateTimeUtc,
    /// Seconds counted before `since`.
    pub banked_seconds: i64,
    pub phase: crate::ClockPhase,
    pub since: DateTimeUtc,
    /// For running clocks: when they become at risk and breached.
    pub at_risk_at: Option<DateTimeUtc>,
    pub breaches_at: Option<DateTimeUtc>,
    /// Whether the alert event for each has been written (exactly once).
    pub at_risk_alerted: bool,
    pub breach_alerted: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// For project-level questions (health, dashboards) about clocks.
    #[sea_orm(
        belongs_to = "super::ticket::Entity",
        from = "Column::TicketId",
        to = "super::ticket::Column::Id"
    )]
    Ticket,
}

impl ActiveModelBehavior for ActiveModel {}
