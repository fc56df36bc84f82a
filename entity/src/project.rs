//! A client's project, from lead to after-sales.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "projects")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub client_id: i64,
    pub name: String,
    pub description: Option<String>,
    pub status: crate::ProjectStatus,
    /// The phase to resume when the project is ON_HOLD.
    pub held_from: Option<crate::ProjectStatus>,
    #[sea_orm(unique)]
    pub contract_number: Option<String>,
    /// Contract value in minor units of `currency` (cents, fen...).
    pub contract_value_minor: Option<i64>,
    pub currency: Option<String>,
    /// The contract value is hidden from the client's portal while this is set.
    pub contract_value_internal: bool,
    pub contract_signed_on: Option<Date>,
    pub planned_start: Option<Date>,
    pub planned_end: Option<Date>,
    pub primary_owner_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
