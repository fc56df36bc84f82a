//! E-mail: a language for each user and contact, the outbox (what is to be sent, what was,
//! and what failed: also the retry queue), and who unsubscribed from which kind.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Language,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    Language,
}

#[derive(DeriveIden)]
enum OutboxMessages {
    Table,
    Id,
    DedupeKey,
    Kind,
    EventId,
    RecipientKind,
    RecipientId,
    Address,
    Language,
    Data,
    UnsubscribeToken,
    ProjectId,
    ClientId,
    Status,
    Attempts,
    NextAttemptAt,
    ClaimedBy,
    ClaimedUntil,
    LastError,
    CreatedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum MailUnsubscribes {
    Table,
    RecipientKind,
    RecipientId,
    Kind,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(string_len(Users::Language, 8).default("EN"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Contacts::Table)
                .add_column(string_len(Contacts::Language, 8).default("EN"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(OutboxMessages::Table)
                .col(big_pk_auto(OutboxMessages::Id))
                // What makes the message once-only: its event (or digest week), its kind
                // and its recipient. Every instance inserts with ON CONFLICT DO NOTHING.
                .col(string_len(OutboxMessages::DedupeKey, 160).unique_key())
                .col(string_len(OutboxMessages::Kind, 32))
                .col(big_integer_null(OutboxMessages::EventId))
                .col(string_len(OutboxMessages::RecipientKind, 16))
                .col(big_integer(OutboxMessages::RecipientId))
                .col(text_null(OutboxMessages::Address))
                .col(string_len(OutboxMessages::Language, 8))
                // What the template is filled with; the message is rendered when sent.
                .col(text(OutboxMessages::Data))
                .col(string_len(OutboxMessages::UnsubscribeToken, 64).unique_key())
                .col(big_integer_null(OutboxMessages::ProjectId))
                .col(big_integer_null(OutboxMessages::ClientId))
                .col(string_len(OutboxMessages::Status, 16))
                .col(integer(OutboxMessages::Attempts).default(0))
                .col(timestamp_with_time_zone(OutboxMessages::NextAttemptAt))
                .col(string_len_null(OutboxMessages::ClaimedBy, 64))
                .col(timestamp_with_time_zone_null(OutboxMessages::ClaimedUntil))
                .col(text_null(OutboxMessages::LastError))
                .col(timestamp_with_time_zone(OutboxMessages::CreatedAt))
                .col(timestamp_with_time_zone_null(OutboxMessages::SentAt))
                .to_owned(),
        )
        .await?;
        // The sender's claim: the oldest due messages of a status.
        m.create_index(
            Index::create()
                .name("ix_outbox_messages_due")
                .table(OutboxMessages::Table)
                .col(OutboxMessages::Status)
                .col(OutboxMessages::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(MailUnsubscribes::Table)
                .col(string_len(MailUnsubscribes::RecipientKind, 16))
                .col(big_integer(MailUnsubscribes::RecipientId))
                .col(string_len(MailUnsubscribes::Kind, 32))
                .col(timestamp_with_time_zone(MailUnsubscribes::At))
                .primary_key(
                    Index::create()
                        .col(MailUnsubscribes::RecipientKind)
                        .col(MailUnsubscribes::RecipientId)
                        .col(MailUnsubscribes::Kind),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(MailUnsubscribes::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(OutboxMessages::Table).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(Contacts::Table)
                .drop_column(Contacts::Language)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .drop_column(Users::Language)
                .to_owned(),
        )
        .await
    }
}
