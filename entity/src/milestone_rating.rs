//! A client contact's rating of a finished milestone (one per stage and contact).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "milestone_ratings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub stage_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub contact_id: i64,
    pub project_id: i64,
    pub client_id: i64,
    /// 1 (very dissatisfied) to 5 (very satisfied).
    pub score: i32,
    pub comment: Option<String>,
    pub rated_at: DateTimeUtc,
    /// The staff member who recorded a rating given outside the portal.
    pub recorded_by_user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
