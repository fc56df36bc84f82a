//! Acceptance against what was agreed: criteria from the signed in-scope requirements and
//! the stages' deliverables (and added ones), passed or failed by the client; a sign-off
//! with criteria not all passed records its waiver.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AcceptanceCriteria {
    Table,
    Id,
    ProjectId,
    RequirementId,
    StageId,
    Text,
    Status,
    Note,
    DecidedAt,
    DecidedByContactId,
    RecordedByUserId,
    CreatedAt,
    Version,
}

#[derive(DeriveIden)]
enum Acceptances {
    Table,
    WaiverReason,
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
                .table(AcceptanceCriteria::Table)
                .col(big_pk_auto(AcceptanceCriteria::Id))
                .col(big_integer(AcceptanceCriteria::ProjectId))
                .col(big_integer_null(AcceptanceCriteria::RequirementId))
                .col(big_integer_null(AcceptanceCriteria::StageId))
                .col(text(AcceptanceCriteria::Text))
                .col(string_len(AcceptanceCriteria::Status, 32))
                .col(text_null(AcceptanceCriteria::Note))
                .col(timestamp_with_time_zone_null(AcceptanceCriteria::DecidedAt))
                .col(big_integer_null(AcceptanceCriteria::DecidedByContactId))
                .col(big_integer_null(AcceptanceCriteria::RecordedByUserId))
                .col(timestamp_with_time_zone(AcceptanceCriteria::CreatedAt))
                .col(integer(AcceptanceCriteria::Version).default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_acceptance_criteria_project")
                        .from(AcceptanceCriteria::Table, AcceptanceCriteria::ProjectId)
                        .to(Projects::Table, Projects::Id),
                )
                .to_owned(),
        )
        .await?;
        // One criterion per requirement and per stage: drafting twice adds nothing.
        for (name, col) in [
            (
                "ux_acceptance_criteria_requirement",
                AcceptanceCriteria::RequirementId,
            ),
            ("ux_acceptance_criteria_stage", AcceptanceCriteria::StageId),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(AcceptanceCriteria::Table)
                    .col(col)
                    .unique()
                    .to_owned(),
            )
            .await?;
        }
        m.create_index(
            Index::create()
                .name("ix_acceptance_criteria_project")
                .table(AcceptanceCriteria::Table)
                .col(AcceptanceCriteria::ProjectId)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Acceptances::Table)
                .add_column(text_null(Acceptances::WaiverReason))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Acceptances::Table)
                .drop_column(Acceptances::WaiverReason)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(AcceptanceCriteria::Table).to_owned())
            .await
    }
}
