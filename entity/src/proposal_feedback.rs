//! What the client said about a presented proposal version, and the vendor's answer.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "proposal_feedback")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub proposal_version_id: i64,
    pub project_id: i64,
    pub kind: crate::FeedbackKind,
    pub body: String,
    /// Who wrote it down: a contact in the portal, or a user.
    pub author_kind: crate::ActorKind,
    pub author_id: i64,
    /// The client's contact whose words these are.
    pub contact_id: Option<i64>,
    pub status: crate::FeedbackStatus,
    pub response: Option<String>,
    pub responded_by: Option<i64>,
    pub responded_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
