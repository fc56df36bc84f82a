//! The satisfaction follow-up owed after one resolution of a ticket.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "follow_ups")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ticket_id: i64,
    pub resolved_at: DateTimeUtc,
    pub due_at: DateTimeUtc,
    /// 1-5 once recorded.
    pub score: Option<i32>,
    pub comment: Option<String>,
    pub recorded_at: Option<DateTimeUtc>,
    pub recorded_by_user_id: Option<i64>,
    pub recorded_by_contact_id: Option<i64>,
    /// Set when the ticket was reopened before a score was recorded.
    pub cancelled_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// For the satisfaction report, which groups follow-ups by the ticket's client and
    /// project.
    #[sea_orm(
        belongs_to = "super::ticket::Entity",
        from = "Column::TicketId",
        to = "super::ticket::Column::Id"
    )]
    Ticket,
}

impl ActiveModelBehavior for ActiveModel {}
