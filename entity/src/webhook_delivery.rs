//! One attempt to deliver one event to one webhook.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub endpoint_id: i64,
    pub event_id: i64,
    /// 1 for the first attempt at this event.
    pub attempt: i32,
    /// The HTTP status answered, if any.
    pub status_code: Option<i32>,
    /// What went wrong: a timeout, a refused connection, a non-2xx answer.
    pub error: Option<String>,
    pub latency_ms: i32,
    pub succeeded: bool,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
