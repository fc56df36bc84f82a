//! When a client's contact first read a published report.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report_reads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub report_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub contact_id: i64,
    pub first_read_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
