//! The client's acceptance sign-off of a project.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "acceptances")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub signed_at: DateTimeUtc,
    /// The client's contact who signed.
    pub contact_id: i64,
    /// The staff member who recorded a signature given outside the portal.
    pub recorded_by_user_id: Option<i64>,
    pub notes: Option<String>,
    /// Why acceptance was signed with criteria not all passed.
    pub waiver_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
