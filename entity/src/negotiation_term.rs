//! A term proposed in a negotiation round, by either side, and what became of it.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "negotiation_terms")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub round_id: i64,
    pub project_id: i64,
    pub kind: crate::TermKind,
    pub proposed_by: crate::Party,
    /// The proposal item the term touches, by name.
    pub proposal_item: Option<String>,
    pub text: String,
    pub outcome: crate::TermOutcome,
    /// The term of an earlier round this one counters.
    pub counter_of: Option<i64>,
    /// Agreed to a client's ask on an item the proposal marks non-negotiable.
    pub concedes_non_negotiable: bool,
    pub decided_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
