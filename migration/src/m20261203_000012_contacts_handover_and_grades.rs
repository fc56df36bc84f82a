//! Contacts who leave (and who takes over), their role in the decision chain, a project's
//! primary client contact, and the grade of a ticket (minor / major / critical).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Contacts {
    Table,
    Status,
    LeftAt,
    SuccessorId,
    DecisionRole,
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    PrimaryContactId,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Grade,
}

async fn add(m: &SchemaManager<'_>, table: impl IntoIden, mut col: ColumnDef) -> Result<(), DbErr> {
    // One column per statement: SQLite alters one thing at a time.
    m.alter_table(Table::alter().table(table).add_column(&mut col).to_owned())
        .await
}

async fn drop(
    m: &SchemaManager<'_>,
    table: impl IntoIden,
    col: impl IntoIden,
) -> Result<(), DbErr> {
    m.alter_table(Table::alter().table(table).drop_column(col).to_owned())
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add(
            m,
            Contacts::Table,
            string_len(Contacts::Status, 32)
                .default("ACTIVE")
                .to_owned(),
        )
        .await?;
        add(
            m,
            Contacts::Table,
            timestamp_with_time_zone_null(Contacts::LeftAt),
        )
        .await?;
        add(m, Contacts::Table, big_integer_null(Contacts::SuccessorId)).await?;
        add(
            m,
            Contacts::Table,
            string_len_null(Contacts::DecisionRole, 32),
        )
        .await?;
        add(
            m,
            Projects::Table,
            big_integer_null(Projects::PrimaryContactId),
        )
        .await?;
        add(
            m,
            Tickets::Table,
            string_len(Tickets::Grade, 32).default("MINOR").to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop(m, Tickets::Table, Tickets::Grade).await?;
        drop(m, Projects::Table, Projects::PrimaryContactId).await?;
        for col in [
            Contacts::DecisionRole,
            Contacts::SuccessorId,
            Contacts::LeftAt,
            Contacts::Status,
        ] {
            drop(m, Contacts::Table, col).await?;
        }
        Ok(())
    }
}
