//! Service levels: policies (business calendar and targets per priority and clock) and
//! the clocks of each ticket. The default policy is installed by the server at start,
//! from the targets its domain code defines.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ServiceLevelPolicies {
    Table,
    Id,
    Name,
    TimeZone,
    WorkDays,
    OpensAt,
    ClosesAt,
    Holidays,
    AtRiskPercent,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum ServiceLevelTargets {
    Table,
    Id,
    PolicyId,
    Priority,
    Kind,
    Minutes,
    BusinessHours,
}

#[derive(DeriveIden)]
enum TicketClocks {
    Table,
    Id,
    TicketId,
    Cycle,
    Kind,
    TargetMinutes,
    BusinessHours,
    StartedAt,
    BankedSeconds,
    Phase,
    Since,
    AtRiskAt,
    BreachesAt,
    AtRiskAlerted,
    BreachAlerted,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ServiceLevelPolicies::Table)
                .col(big_pk_auto(ServiceLevelPolicies::Id))
                .col(string_uniq(ServiceLevelPolicies::Name))
                .col(string(ServiceLevelPolicies::TimeZone))
                // Comma-separated weekdays, e.g. "MON,TUE,WED,THU,FRI".
                .col(string(ServiceLevelPolicies::WorkDays))
                .col(time(ServiceLevelPolicies::OpensAt))
                .col(time(ServiceLevelPolicies::ClosesAt))
                // JSON array of ISO dates.
                .col(json(ServiceLevelPolicies::Holidays))
                .col(integer(ServiceLevelPolicies::AtRiskPercent))
                .col(timestamp_with_time_zone(ServiceLevelPolicies::CreatedAt))
                .col(timestamp_with_time_zone(ServiceLevelPolicies::UpdatedAt))
                .col(integer(ServiceLevelPolicies::Version).default(1))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ServiceLevelTargets::Table)
                .col(big_pk_auto(ServiceLevelTargets::Id))
                .col(big_integer(ServiceLevelTargets::PolicyId))
                .col(integer(ServiceLevelTargets::Priority))
                .col(string_len(ServiceLevelTargets::Kind, 32))
                .col(integer(ServiceLevelTargets::Minutes))
                .col(boolean(ServiceLevelTargets::BusinessHours))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_service_level_targets_policy")
                        .from(ServiceLevelTargets::Table, ServiceLevelTargets::PolicyId)
                        .to(ServiceLevelPolicies::Table, ServiceLevelPolicies::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_service_level_targets")
                .table(ServiceLevelTargets::Table)
                .col(ServiceLevelTargets::PolicyId)
                .col(ServiceLevelTargets::Priority)
                .col(ServiceLevelTargets::Kind)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TicketClocks::Table)
                .col(big_pk_auto(TicketClocks::Id))
                .col(big_integer(TicketClocks::TicketId))
                .col(integer(TicketClocks::Cycle))
                .col(string_len(TicketClocks::Kind, 32))
                .col(integer(TicketClocks::TargetMinutes))
                .col(boolean(TicketClocks::BusinessHours))
                .col(timestamp_with_time_zone(TicketClocks::StartedAt))
                .col(big_integer(TicketClocks::BankedSeconds))
                .col(string_len(TicketClocks::Phase, 32))
                .col(timestamp_with_time_zone(TicketClocks::Since))
                // Precomputed for running clocks, so the alert task finds due ones by index.
                .col(timestamp_with_time_zone_null(TicketClocks::AtRiskAt))
                .col(timestamp_with_time_zone_null(TicketClocks::BreachesAt))
                .col(boolean(TicketClocks::AtRiskAlerted).default(false))
                .col(boolean(TicketClocks::BreachAlerted).default(false))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_ticket_clocks_ticket")
                        .from(TicketClocks::Table, TicketClocks::TicketId)
                        .to(Tickets::Table, Tickets::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        for (name, [a, b]) in [
            (
                "ix_ticket_clocks_ticket",
                [TicketClocks::TicketId, TicketClocks::Id],
            ),
            (
                "ix_ticket_clocks_at_risk",
                [TicketClocks::Phase, TicketClocks::AtRiskAt],
            ),
            (
                "ix_ticket_clocks_breach",
                [TicketClocks::Phase, TicketClocks::BreachesAt],
            ),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(TicketClocks::Table)
                    .col(a)
                    .col(b)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            TicketClocks::Table.into_iden(),
            ServiceLevelTargets::Table.into_iden(),
            ServiceLevelPolicies::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
