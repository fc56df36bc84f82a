//! The 72-hour kickoff obligation of a project whose contract was signed.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "kickoff_obligations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub project_id: i64,
    pub started_at: DateTimeUtc,
    pub at_risk_at: DateTimeUtc,
    pub due_at: DateTimeUtc,
    /// When the team was formed and the kickoff held, both.
    pub met_at: Option<DateTimeUtc>,
    pub at_risk_alerted: bool,
    pub overdue_alerted: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
