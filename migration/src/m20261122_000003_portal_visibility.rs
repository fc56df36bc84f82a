//! Visibility flags for the customer portal: a risk is internal until it is shared with
//! the client, and a contract value is internal until it is marked otherwise.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Risks {
    Table,
    SharedWithClient,
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    ContractValueInternal,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Risks::Table)
                .add_column(boolean(Risks::SharedWithClient).default(false))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Projects::Table)
                .add_column(boolean(Projects::ContractValueInternal).default(true))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Risks::Table)
                .drop_column(Risks::SharedWithClient)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Projects::Table)
                .drop_column(Projects::ContractValueInternal)
                .to_owned(),
        )
        .await
    }
}
