//! A request to change what a signed requirement sheet settled.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "change_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    /// What is asked.
    pub title: String,
    /// Why.
    pub reason: String,
    /// Days the plan moves (negative: earlier).
    pub schedule_impact_days: Option<i32>,
    /// Additional cost in minor units of `cost_impact_currency`.
    pub cost_impact_minor: Option<i64>,
    pub cost_impact_currency: Option<String>,
    /// The effect on scope, in words.
    pub scope_impact: Option<String>,
    /// Requirements to add and to take out of scope on approval (the server's
    /// `domain::requirement::ScopeChange`).
    pub scope_change: Json,
    pub status: crate::ChangeRequestStatus,
    pub proposed_at: DateTimeUtc,
    pub proposed_by_user_id: Option<i64>,
    pub proposed_by_contact_id: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by_user_id: Option<i64>,
    /// The client's contact who agreed to an approved change.
    pub client_approver_id: Option<i64>,
    pub decision_note: Option<String>,
    /// The sheet version an approval produced.
    pub sheet_version: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
