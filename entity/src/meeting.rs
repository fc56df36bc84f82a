//! A meeting of a project with (or about) the client: kickoff, reviews, demos, progress.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "meetings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub project_id: i64,
    /// The stage a milestone review belongs to.
    pub stage_id: Option<i64>,
    pub kind: crate::MeetingKind,
    pub status: crate::MeetingStatus,
    pub scheduled_at: DateTimeUtc,
    pub held_at: Option<DateTimeUtc>,
    /// The vendor's people who attend: user ids, as a JSON array.
    pub user_ids: Json,
    /// The client's contacts who attend: contact ids, as a JSON array.
    pub contact_ids: Json,
    /// Whether any client contact attends (kept with `contact_ids`): the portal sees
    /// only such meetings.
    pub with_client: bool,
    pub agenda: Option<String>,
    pub minutes: Option<String>,
    pub decisions: Option<String>,
    /// The vendor's own notes: never shown in the portal.
    pub internal_notes: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
