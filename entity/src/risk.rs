//! An entry of a project's risk log.
use sea_orm::entity::prelude::*;

/// `Default` is a blank row: what the columns a query did not read hold
/// (the server's `graphql::columns`).
#[derive(Clone, Debug, Default, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "risks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub title: String,
    pub description: Option<String>,
    pub category: crate::RiskCategory,
    pub likelihood: i32,
    pub impact: i32,
    /// `likelihood * impact`, stored so that risks sort and page by it.
    pub score: i32,
    pub owner_id: Option<i64>,
    pub mitigation: Option<String>,
    pub contingency: Option<String>,
    pub status: crate::RiskStatus,
    /// Risks are internal to the vendor until shared with the client's portal.
    pub shared_with_client: bool,
    pub raised_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
