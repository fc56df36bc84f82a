//! A person at a client organisation.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contacts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub client_id: i64,
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Active, or left the client (then `left_at` and `successor_id` say when and who took
    /// over).
    pub status: crate::ContactStatus,
    pub left_at: Option<DateTimeUtc>,
    pub successor_id: Option<i64>,
    /// Their part in the client's decision chain.
    pub decision_role: Option<crate::DecisionRole>,
    /// The language their e-mail is written in.
    pub language: crate::Language,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
