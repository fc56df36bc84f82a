//! A stage (milestone) of a project's delivery plan.
use sea_orm::entity::prelude::*;

/// `Default` is a blank row: what the columns a query did not read hold
/// (the server's `graphql::columns`).
#[derive(Clone, Debug, Default, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub name: String,
    pub position: i32,
    pub owner_id: Option<i64>,
    pub planned_start: Option<Date>,
    pub due_date: Option<Date>,
    pub completed_at: Option<DateTimeUtc>,
    pub deliverables: Option<String>,
    pub status: crate::StageStatus,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
