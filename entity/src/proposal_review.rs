//! One reviewer role's verdict on one revision of a proposal version (internal).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "proposal_reviews")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub proposal_version_id: i64,
    pub project_id: i64,
    /// The version's revision the verdict was given on.
    pub revision: i32,
    pub role: crate::ReviewerRole,
    pub reviewer_id: i64,
    pub verdict: crate::ReviewVerdict,
    pub comment: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
