//! Escalation (the levels of each policy, and each ticket's escalations) and the
//! satisfaction follow-up of each resolution.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ServiceLevelPolicies {
    Table,
    Id,
    AutoEscalateOnBreach,
}

#[derive(DeriveIden)]
enum EscalationLevels {
    Table,
    Id,
    PolicyId,
    Level,
    Name,
    Role,
    AckMinutes,
    BusinessHours,
}

#[derive(DeriveIden)]
enum TicketEscalations {
    Table,
    Id,
    TicketId,
    Level,
    Reason,
    Automatic,
    EscalatedAt,
    EscalatedByUserId,
    AckDueAt,
    AcknowledgedAt,
    AcknowledgedByUserId,
}

#[derive(DeriveIden)]
enum FollowUps {
    Table,
    Id,
    TicketId,
    ResolvedAt,
    DueAt,
    Score,
    Comment,
    RecordedAt,
    RecordedByUserId,
    RecordedByContactId,
    CancelledAt,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
}

fn to_ticket(name: &str, from: (impl IntoIden, impl IntoIden)) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(Tickets::Table, Tickets::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(ServiceLevelPolicies::Table)
                .add_column(boolean(ServiceLevelPolicies::AutoEscalateOnBreach).default(true))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(EscalationLevels::Table)
                .col(big_pk_auto(EscalationLevels::Id))
                .col(big_integer(EscalationLevels::PolicyId))
                .col(integer(EscalationLevels::Level))
                .col(string(EscalationLevels::Name))
                .col(string(EscalationLevels::Role))
                .col(integer(EscalationLevels::AckMinutes))
                .col(boolean(EscalationLevels::BusinessHours))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_escalation_levels_policy")
                        .from(EscalationLevels::Table, EscalationLevels::PolicyId)
                        .to(ServiceLevelPolicies::Table, ServiceLevelPolicies::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_escalation_levels")
                .table(EscalationLevels::Table)
                .col(EscalationLevels::PolicyId)
                .col(EscalationLevels::Level)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TicketEscalations::Table)
                .col(big_pk_auto(TicketEscalations::Id))
                .col(big_integer(TicketEscalations::TicketId))
                .col(integer(TicketEscalations::Level))
                .col(text(TicketEscalations::Reason))
                .col(boolean(TicketEscalations::Automatic))
                .col(timestamp_with_time_zone(TicketEscalations::EscalatedAt))
                .col(big_integer_null(TicketEscalations::EscalatedByUserId))
                .col(timestamp_with_time_zone_null(TicketEscalations::AckDueAt))
                .col(timestamp_with_time_zone_null(
                    TicketEscalations::AcknowledgedAt,
                ))
                .col(big_integer_null(TicketEscalations::AcknowledgedByUserId))
                .foreign_key(&mut to_ticket(
                    "fk_ticket_escalations_ticket",
                    (TicketEscalations::Table, TicketEscalations::TicketId),
                ))
                .to_owned(),
        )
        .await?;
        // One escalation per level and ticket: two staff escalating at once cannot both win.
        m.create_index(
            Index::create()
                .name("ux_ticket_escalations_level")
                .table(TicketEscalations::Table)
                .col(TicketEscalations::TicketId)
                .col(TicketEscalations::Level)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(FollowUps::Table)
                .col(big_pk_auto(FollowUps::Id))
                .col(big_integer(FollowUps::TicketId))
                .col(timestamp_with_time_zone(FollowUps::ResolvedAt))
                .col(timestamp_with_time_zone(FollowUps::DueAt))
                .col(integer_null(FollowUps::Score))
                .col(text_null(FollowUps::Comment))
                .col(timestamp_with_time_zone_null(FollowUps::RecordedAt))
                .col(big_integer_null(FollowUps::RecordedByUserId))
                .col(big_integer_null(FollowUps::RecordedByContactId))
                .col(timestamp_with_time_zone_null(FollowUps::CancelledAt))
                .foreign_key(&mut to_ticket(
                    "fk_follow_ups_ticket",
                    (FollowUps::Table, FollowUps::TicketId),
                ))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("ix_follow_ups_ticket", FollowUps::TicketId),
            ("ix_follow_ups_resolved_at", FollowUps::ResolvedAt),
            ("ix_follow_ups_due_at", FollowUps::DueAt),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(FollowUps::Table)
                    .col(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            FollowUps::Table.into_iden(),
            TicketEscalations::Table.into_iden(),
            EscalationLevels::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        m.alter_table(
            Table::alter()
                .table(ServiceLevelPolicies::Table)
                .drop_column(ServiceLevelPolicies::AutoEscalateOnBreach)
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
