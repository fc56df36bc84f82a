//! An e-mail to one person, from one event (or one digest week): queued, sent, or failed.
//! The table is the retry queue as well as the record staff read.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox_messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Event (or digest week), kind and recipient: unique, so no message is made twice.
    #[sea_orm(unique)]
    pub dedupe_key: String,
    pub kind: crate::MailKind,
    pub event_id: Option<i64>,
    pub recipient_kind: crate::RecipientKind,
    pub recipient_id: i64,
    /// Where it goes; none when the person has no address (then it is `SUPPRESSED`).
    pub address: Option<String>,
    pub language: crate::Language,
    /// The facts the template is filled with (JSON): the message is rendered from them,
    /// with the server's links, when sent or shown.
    #[sea_orm(column_type = "Text")]
    pub data: String,
    /// The secret in the message's unsubscribe link.
    #[sea_orm(unique)]
    pub unsubscribe_token: String,
    pub project_id: Option<i64>,
    pub client_id: Option<i64>,
    pub status: crate::MailStatus,
    /// Attempts made so far.
    pub attempts: i32,
    /// Not before: when it was queued, or the backoff after a temporary failure.
    pub next_attempt_at: DateTimeUtc,
    /// The instance sending it now, and until when its claim holds.
    pub claimed_by: Option<String>,
    pub claimed_until: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
