//! A registered webhook: where events go, which ones, and how far it has got.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoints")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub url: String,
    /// Signs each request (HMAC-SHA256); shown once, at registration.
    pub secret: String,
    /// JSON lists of what it wants; an empty list wants every one.
    #[sea_orm(column_type = "Text")]
    pub event_kinds: String,
    #[sea_orm(column_type = "Text")]
    pub entity_kinds: String,
    #[sea_orm(column_type = "Text")]
    pub project_ids: String,
    #[sea_orm(column_type = "Text")]
    pub client_ids: String,
    pub status: crate::WebhookStatus,
    /// The last event id delivered (or passed over as not wanted).
    pub cursor: i64,
    /// Failed attempts at the event after the cursor.
    pub failures: i32,
    /// Not before: the backoff after a failure.
    pub next_attempt_at: Option<DateTimeUtc>,
    /// Since when deliveries have failed without a success between.
    pub failing_since: Option<DateTimeUtc>,
    pub disabled_reason: Option<String>,
    /// The instance delivering to it, until when.
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub created_by_user_id: Option<i64>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
