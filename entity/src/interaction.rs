//! A contact with a client, as the vendor's sales log records it: a call, a visit, a
//! demo... with who took part, what came of it, and the next step owed.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "interactions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub client_id: i64,
    pub project_id: Option<i64>,
    pub kind: crate::InteractionKind,
    pub occurred_at: DateTimeUtc,
    /// The vendor's people who took part: user ids, as a JSON array.
    pub user_ids: Json,
    /// The client's contacts who took part: contact ids, as a JSON array.
    pub contact_ids: Json,
    pub summary: String,
    pub outcome: Option<String>,
    pub next_step: Option<String>,
    pub next_step_owner_id: Option<i64>,
    pub next_step_due: Option<Date>,
    pub next_step_done_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
