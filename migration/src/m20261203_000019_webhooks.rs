//! Webhooks: endpoints that follow the event log by cursor, and the log of each delivery
//! attempt.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WebhookEndpoints {
    Table,
    Id,
    Url,
    Secret,
    EventKinds,
    EntityKinds,
    ProjectIds,
    ClientIds,
    Status,
    Cursor,
    Failures,
    NextAttemptAt,
    FailingSince,
    DisabledReason,
    LeaseOwner,
    LeaseUntil,
    CreatedAt,
    CreatedByUserId,
    Version,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    EndpointId,
    EventId,
    Attempt,
    StatusCode,
    Error,
    LatencyMs,
    Succeeded,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WebhookEndpoints::Table)
                .col(big_pk_auto(WebhookEndpoints::Id))
                .col(text(WebhookEndpoints::Url))
                .col(text(WebhookEndpoints::Secret))
                .col(text(WebhookEndpoints::EventKinds))
                .col(text(WebhookEndpoints::EntityKinds))
                .col(text(WebhookEndpoints::ProjectIds))
                .col(text(WebhookEndpoints::ClientIds))
                .col(string_len(WebhookEndpoints::Status, 32))
                .col(big_integer(WebhookEndpoints::Cursor))
                .col(integer(WebhookEndpoints::Failures).default(0))
                .col(timestamp_with_time_zone_null(
                    WebhookEndpoints::NextAttemptAt,
                ))
                .col(timestamp_with_time_zone_null(
                    WebhookEndpoints::FailingSince,
                ))
                .col(text_null(WebhookEndpoints::DisabledReason))
                .col(string_len_null(WebhookEndpoints::LeaseOwner, 64))
                .col(timestamp_with_time_zone_null(WebhookEndpoints::LeaseUntil))
                .col(timestamp_with_time_zone(WebhookEndpoints::CreatedAt))
                .col(big_integer_null(WebhookEndpoints::CreatedByUserId))
                .col(integer(WebhookEndpoints::Version).default(1))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(WebhookDeliveries::Table)
                .col(big_pk_auto(WebhookDeliveries::Id))
                .col(big_integer(WebhookDeliveries::EndpointId))
                .col(big_integer(WebhookDeliveries::EventId))
                .col(integer(WebhookDeliveries::Attempt))
                .col(integer_null(WebhookDeliveries::StatusCode))
                .col(text_null(WebhookDeliveries::Error))
                .col(integer(WebhookDeliveries::LatencyMs))
                .col(boolean(WebhookDeliveries::Succeeded))
                .col(timestamp_with_time_zone(WebhookDeliveries::At))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_webhook_deliveries_endpoint")
                        .from(WebhookDeliveries::Table, WebhookDeliveries::EndpointId)
                        .to(WebhookEndpoints::Table, WebhookEndpoints::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_webhook_deliveries_endpoint")
                .table(WebhookDeliveries::Table)
                .col(WebhookDeliveries::EndpointId)
                .col(WebhookDeliveries::Id)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(WebhookDeliveries::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(WebhookEndpoints::Table).to_owned())
            .await
    }
}
