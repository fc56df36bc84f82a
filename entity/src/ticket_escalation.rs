//! A ticket's escalation to a level of the ladder, and its acknowledgement.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ticket_escalations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ticket_id: i64,
    pub level: i32,
    pub reason: String,
    /// Made by the server on a service-level breach rather than by a person.
    pub automatic: bool,
    pub escalated_at: DateTimeUtc,
    pub escalated_by_user_id: Option<i64>,
    pub ack_due_at: Option<DateTimeUtc>,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub acknowledged_by_user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
