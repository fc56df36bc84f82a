//! The interaction log of each client (DOMAIN, step 1): calls, e-mails, visits, meetings,
//! demos... with the people involved, the outcome and the next step owed.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Interactions {
    Table,
    Id,
    ClientId,
    ProjectId,
    Kind,
    OccurredAt,
    UserIds,
    ContactIds,
    Summary,
    Outcome,
    NextStep,
    NextStepOwnerId,
    NextStepDue,
    NextStepDoneAt,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum Clients {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Interactions::Table)
                .col(big_pk_auto(Interactions::Id))
                .col(big_integer(Interactions::ClientId))
                .col(big_integer_null(Interactions::ProjectId))
                .col(string_len(Interactions::Kind, 32))
                .col(timestamp_with_time_zone(Interactions::OccurredAt))
                .col(json(Interactions::UserIds))
                .col(json(Interactions::ContactIds))
                .col(text(Interactions::Summary))
                .col(text_null(Interactions::Outcome))
                .col(text_null(Interactions::NextStep))
                .col(big_integer_null(Interactions::NextStepOwnerId))
                .col(date_null(Interactions::NextStepDue))
                .col(timestamp_with_time_zone_null(Interactions::NextStepDoneAt))
                .col(timestamp_with_time_zone(Interactions::CreatedAt))
                .col(timestamp_with_time_zone(Interactions::UpdatedAt))
                .col(integer(Interactions::Version).default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_interactions_client")
                        .from(Interactions::Table, Interactions::ClientId)
                        .to(Clients::Table, Clients::Id),
                )
                .to_owned(),
        )
        .await?;
        // A client's log, newest first; and the open next steps by due date.
        m.create_index(
            Index::create()
                .name("ix_interactions_client")
                .table(Interactions::Table)
                .col(Interactions::ClientId)
                .col(Interactions::OccurredAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_interactions_next_step_due")
                .table(Interactions::Table)
                .col(Interactions::NextStepDue)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Interactions::Table).to_owned())
            .await
    }
}
