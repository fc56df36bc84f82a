//! The client's contact who is to check an acceptance criterion, so a handover can move
//! the criteria still to be passed to the successor.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AcceptanceCriteria {
    Table,
    CheckerContactId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(AcceptanceCriteria::Table)
                .add_column(big_integer_null(AcceptanceCriteria::CheckerContactId))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(AcceptanceCriteria::Table)
                .drop_column(AcceptanceCriteria::CheckerContactId)
                .to_owned(),
        )
        .await
    }
}
