//! One version of a project's solution proposal: its content, quote and the items the
//! vendor will or will not negotiate.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "proposal_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    /// 1, 2, 3... per project.
    pub number: i32,
    pub stage: crate::ProposalStage,
    pub status: crate::ProposalStatus,
    pub summary: String,
    /// The modules offered: a JSON array of strings.
    pub modules: Json,
    pub implementation_plan: Option<String>,
    pub delivery_period: Option<String>,
    pub after_sales_terms: Option<String>,
    /// The service-level policy the after-sales terms promise.
    pub service_level_policy_id: Option<i64>,
    /// Selling points such as "cost down 20 %": a JSON array of strings.
    pub highlights: Json,
    pub currency: String,
    /// The quote (the server's `domain::proposal::QuoteLine`s).
    pub quote_lines: Json,
    /// Negotiable and non-negotiable items (the server's `domain::proposal::Item`s).
    pub items: Json,
    /// Bumped by every change of content: reviews count for the revision they saw.
    pub revision: i32,
    /// The reviewer roles whose approval the version needs, fixed when it was submitted.
    pub required_roles: Json,
    pub submitted_at: Option<DateTimeUtc>,
    pub presented_at: Option<DateTimeUtc>,
    pub presented_by: Option<i64>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
