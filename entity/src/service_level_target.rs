//! One target of a service-level policy: a priority's clock and its duration.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "service_level_targets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub policy_id: i64,
    pub priority: crate::TicketPriority,
    pub kind: crate::ClockKind,
    pub minutes: i32,
    /// Counted on the policy's business calendar (else around the clock).
    pub business_hours: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
