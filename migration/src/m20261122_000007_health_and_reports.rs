//! Project health as declared by the team, the report schedule of each project, and a
//! stored risk score (likelihood x impact) so that risks sort and page by it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Projects {
    Table,
    DeclaredHealth,
    DeclaredHealthNote,
    DeclaredHealthAt,
    DeclaredHealthBy,
    ReportCadence,
    ReportsDueFrom,
}

#[derive(DeriveIden)]
enum Risks {
    Table,
    Score,
    Likelihood,
    Impact,
    Status,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for col in [
            string_len_null(Projects::DeclaredHealth, 32),
            text_null(Projects::DeclaredHealthNote),
            timestamp_with_time_zone_null(Projects::DeclaredHealthAt),
            big_integer_null(Projects::DeclaredHealthBy),
            // Weekly unless the team says otherwise (DOMAIN: daily and weekly reports).
            string_len_null(Projects::ReportCadence, 32)
                .default("WEEKLY")
                .to_owned(),
            timestamp_with_time_zone_null(Projects::ReportsDueFrom),
        ] {
            let mut col = col;
            m.alter_table(
                Table::alter()
                    .table(Projects::Table)
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Risks::Table)
                .add_column(integer(Risks::Score).default(1))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::update()
                .table(Risks::Table)
                .value(
                    Risks::Score,
                    Expr::col(Risks::Likelihood).mul(Expr::col(Risks::Impact)),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_risks_status_score")
                .table(Risks::Table)
                .col(Risks::Status)
                .col(Risks::Score)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_risks_status_score")
                .table(Risks::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Risks::Table)
                .drop_column(Risks::Score)
                .to_owned(),
        )
        .await?;
        for col in [
            Projects::DeclaredHealth,
            Projects::DeclaredHealthNote,
            Projects::DeclaredHealthAt,
            Projects::DeclaredHealthBy,
            Projects::ReportCadence,
            Projects::ReportsDueFrom,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Projects::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
