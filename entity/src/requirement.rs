//! One line of a project's requirement list.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "requirements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub title: String,
    pub detail: Option<String>,
    pub category: crate::RequirementCategory,
    pub feasibility: crate::Feasibility,
    /// The alternative offered when the requirement is not fully feasible.
    pub alternative: Option<String>,
    pub in_scope: bool,
    pub scope_note: Option<String>,
    /// The analysis (DOMAIN, step 2): functional or not, effort, cost, resources, by whom.
    pub nature: Option<crate::RequirementNature>,
    /// Estimated effort in tenths of a person-day (15 = 1.5 person-days).
    pub effort_tenth_days: Option<i32>,
    /// Estimated cost in minor units of `cost_currency`.
    pub cost_minor: Option<i64>,
    pub cost_currency: Option<String>,
    /// The people, skills or equipment it needs.
    pub resources: Option<String>,
    pub analysed_by: Option<i64>,
    pub analysed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
