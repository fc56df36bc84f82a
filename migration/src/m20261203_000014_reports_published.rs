//! Progress reports that are drafted, then published to the client, with the parts the
//! source documents name (progress, problems, what is next and by when), and when each of
//! the client's contacts first read one.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Reports {
    Table,
    Id,
    Status,
    PublishedAt,
    CreatedAt,
    Progress,
    Problems,
    Plan,
    NextBy,
}

#[derive(DeriveIden)]
enum ReportReads {
    Table,
    ReportId,
    ContactId,
    FirstReadAt,
}

async fn add(m: &SchemaManager<'_>, mut col: ColumnDef) -> Result<(), DbErr> {
    // One column per statement: SQLite alters one thing at a time.
    m.alter_table(
        Table::alter()
            .table(Reports::Table)
            .add_column(&mut col)
            .to_owned(),
    )
    .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Reports written before drafts existed were shown at once: published when written.
        add(
            m,
            string_len(Reports::Status, 32)
                .default("PUBLISHED")
                .to_owned(),
        )
        .await?;
        add(m, timestamp_with_time_zone_null(Reports::PublishedAt)).await?;
        m.exec_stmt(
            Query::update()
                .table(Reports::Table)
                .value(Reports::PublishedAt, Expr::col(Reports::CreatedAt))
                .to_owned(),
        )
        .await?;
        add(m, text_null(Reports::Progress)).await?;
        add(m, text_null(Reports::Problems)).await?;
        add(m, text_null(Reports::Plan)).await?;
        add(m, date_null(Reports::NextBy)).await?;
        m.create_table(
            Table::create()
                .table(ReportReads::Table)
                .col(big_integer(ReportReads::ReportId))
                .col(big_integer(ReportReads::ContactId))
                .col(timestamp_with_time_zone(ReportReads::FirstReadAt))
                .primary_key(
                    Index::create()
                        .col(ReportReads::ReportId)
                        .col(ReportReads::ContactId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_report_reads_report")
                        .from(ReportReads::Table, ReportReads::ReportId)
                        .to(Reports::Table, Reports::Id),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ReportReads::Table).to_owned())
            .await?;
        for col in [
            Reports::NextBy,
            Reports::Plan,
            Reports::Problems,
            Reports::Progress,
            Reports::PublishedAt,
            Reports::Status,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Reports::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
