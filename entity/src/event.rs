//! One row per change: the audit trail and the source of live feeds. Ids only grow.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub occurred_at: DateTimeUtc,
    pub actor_kind: crate::ActorKind,
    pub actor_id: Option<i64>,
    pub kind: crate::EventKind,
    pub entity_kind: crate::EntityKind,
    pub entity_id: i64,
    /// The project the entity belongs to, if any: feeds filter on it.
    pub project_id: Option<i64>,
    pub client_id: Option<i64>,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    /// JSON object of the fields that changed, with their new values.
    #[sea_orm(column_type = "Text")]
    pub changes: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
