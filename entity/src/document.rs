//! A file attached to a project's record; its bytes are stored by their SHA-256.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    pub client_id: i64,
    /// What it is attached to: a report, a meeting, a requirement sheet, the project's
    /// acceptance (the owner id is then the project's), a change request or a ticket.
    pub owner_kind: crate::DocumentOwner,
    pub owner_id: i64,
    /// The name it was uploaded with, without any folder.
    pub file_name: String,
    /// Checked against the bytes at upload.
    pub content_type: String,
    pub size_bytes: i64,
    /// Lowercase hex; also where the bytes are on disk.
    pub sha256: String,
    /// The vendor's only: never listed nor downloaded in the portal.
    pub internal: bool,
    pub uploaded_by_user_id: Option<i64>,
    pub uploaded_by_contact_id: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
