//! The 72-hour kickoff obligation a signed contract starts: a team formed and a kickoff
//! meeting held, with at-risk and overdue alerts claimed once each.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum KickoffObligations {
    Table,
    ProjectId,
    StartedAt,
    AtRiskAt,
    DueAt,
    MetAt,
    AtRiskAlerted,
    OverdueAlerted,
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(KickoffObligations::Table)
                // One per project: signing again (after a cancelled deal) starts none.
                .col(big_integer(KickoffObligations::ProjectId).primary_key())
                .col(timestamp_with_time_zone(KickoffObligations::StartedAt))
                .col(timestamp_with_time_zone(KickoffObligations::AtRiskAt))
                .col(timestamp_with_time_zone(KickoffObligations::DueAt))
                .col(timestamp_with_time_zone_null(KickoffObligations::MetAt))
                .col(boolean(KickoffObligations::AtRiskAlerted).default(false))
                .col(boolean(KickoffObligations::OverdueAlerted).default(false))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_kickoff_obligations_project")
                        .from(KickoffObligations::Table, KickoffObligations::ProjectId)
                        .to(Projects::Table, Projects::Id),
                )
                .to_owned(),
        )
        .await?;
        // The alarm task's next look: the earliest unmet instant.
        m.create_index(
            Index::create()
                .name("ix_kickoff_obligations_due")
                .table(KickoffObligations::Table)
                .col(KickoffObligations::DueAt)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(KickoffObligations::Table).to_owned())
            .await
    }
}
