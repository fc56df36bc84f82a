//! One thing the client checks at acceptance: an in-scope requirement, a stage's
//! deliverables, or a criterion added.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "acceptance_criteria")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    /// The signed in-scope requirement it checks, if it comes from one.
    pub requirement_id: Option<i64>,
    /// The stage whose deliverables it checks, if it comes from one.
    pub stage_id: Option<i64>,
    pub text: String,
    pub status: crate::CriterionStatus,
    /// The client's note with its verdict.
    pub note: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    /// The client's contact who passed or failed it.
    pub decided_by_contact_id: Option<i64>,
    /// The staff member who recorded a verdict given outside the portal.
    pub recorded_by_user_id: Option<i64>,
    /// The client's contact who is to check it (the project's primary contact when
    /// drafted); a handover moves it to the successor while not passed.
    pub checker_contact_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
