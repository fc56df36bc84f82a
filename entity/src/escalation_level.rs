//! One level of a service-level policy's escalation ladder.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "escalation_levels")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub policy_id: i64,
    /// 1 for the first level.
    pub level: i32,
    pub name: String,
    pub role: String,
    /// How soon an escalation to this level must be acknowledged.
    pub ack_minutes: i32,
    pub business_hours: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
