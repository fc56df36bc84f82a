//! A task owed by one side: a vendor user or one of the client's contacts ("provide the
//! interface protocol by Friday"), out of a meeting or belonging to a stage.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "action_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub stage_id: Option<i64>,
    pub meeting_id: Option<i64>,
    pub title: String,
    pub due_date: Option<Date>,
    /// Exactly one of the two assignees is set.
    pub assignee_user_id: Option<i64>,
    pub assignee_contact_id: Option<i64>,
    pub status: crate::ActionItemStatus,
    pub done_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
