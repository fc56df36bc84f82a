//! An after-sales ticket.
use sea_orm::entity::prelude::*;

/// `Default` is a blank row: what the columns a query did not read hold
/// (the server's `graphql::columns`).
#[derive(Clone, Debug, Default, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tickets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    /// Denormalised from the project so that client filters and scoping need no join.
    pub client_id: i64,
    pub title: String,
    pub description: Option<String>,
    pub ticket_type: crate::TicketType,
    pub priority: crate::TicketPriority,
    /// The three-level response mechanism's grade: sets the escalation level it starts at.
    pub grade: crate::TicketGrade,
    pub status: crate::TicketStatus,
    pub channel: crate::TicketChannel,
    pub assignee_id: Option<i64>,
    pub reporter_contact_id: Option<i64>,
    pub resolved_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
