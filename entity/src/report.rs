//! A progress report of a project: daily, weekly or at a milestone review.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub stage_id: Option<i64>,
    pub kind: crate::ReportKind,
    /// The report as sent: as written, or composed from its parts.
    pub body: String,
    pub progress_percent: i32,
    pub author_id: Option<i64>,
    pub created_at: DateTimeUtc,
    /// A draft is the team's; a published report is the client's to read.
    pub status: crate::ReportStatus,
    pub published_at: Option<DateTimeUtc>,
    /// What was done ("server deployment 80 % done").
    pub progress: Option<String>,
    /// What is in the way (weekly).
    pub problems: Option<String>,
    /// What is next (daily) or next week's plan (weekly).
    pub plan: Option<String>,
    /// By when what is next is done.
    pub next_by: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
