//! Working with the customer during delivery: the meetings of a project (kickoff,
//! reviews, demos...) and the action items that come out of them or belong to a stage,
//! owed by a vendor user or by one of the client's contacts.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Meetings {
    Table,
    Id,
    ProjectId,
    StageId,
    Kind,
    Status,
    ScheduledAt,
    HeldAt,
    UserIds,
    ContactIds,
    WithClient,
    Agenda,
    Minutes,
    Decisions,
    InternalNotes,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum ActionItems {
    Table,
    Id,
    ProjectId,
    StageId,
    MeetingId,
    Title,
    DueDate,
    AssigneeUserId,
    AssigneeContactId,
    Status,
    DoneAt,
    CreatedAt,
    UpdatedAt,
    Version,
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
                .table(Meetings::Table)
                .col(big_pk_auto(Meetings::Id))
                .col(big_integer(Meetings::ProjectId))
                .col(big_integer_null(Meetings::StageId))
                .col(string_len(Meetings::Kind, 32))
                .col(string_len(Meetings::Status, 32))
                .col(timestamp_with_time_zone(Meetings::ScheduledAt))
                .col(timestamp_with_time_zone_null(Meetings::HeldAt))
                .col(json(Meetings::UserIds))
                .col(json(Meetings::ContactIds))
                // Whether any of the client's contacts attends: what the portal may see.
                .col(boolean(Meetings::WithClient))
                .col(text_null(Meetings::Agenda))
                .col(text_null(Meetings::Minutes))
                .col(text_null(Meetings::Decisions))
                .col(text_null(Meetings::InternalNotes))
                .col(timestamp_with_time_zone(Meetings::CreatedAt))
                .col(timestamp_with_time_zone(Meetings::UpdatedAt))
                .col(integer(Meetings::Version).default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_meetings_project")
                        .from(Meetings::Table, Meetings::ProjectId)
                        .to(Projects::Table, Projects::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_meetings_project")
                .table(Meetings::Table)
                .col(Meetings::ProjectId)
                .col(Meetings::ScheduledAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ActionItems::Table)
                .col(big_pk_auto(ActionItems::Id))
                .col(big_integer(ActionItems::ProjectId))
                .col(big_integer_null(ActionItems::StageId))
                .col(big_integer_null(ActionItems::MeetingId))
                .col(text(ActionItems::Title))
                .col(date_null(ActionItems::DueDate))
                // Exactly one of the two is set (checked by the domain, and here).
                .col(big_integer_null(ActionItems::AssigneeUserId))
                .col(big_integer_null(ActionItems::AssigneeContactId))
                .col(string_len(ActionItems::Status, 32))
                .col(timestamp_with_time_zone_null(ActionItems::DoneAt))
                .col(timestamp_with_time_zone(ActionItems::CreatedAt))
                .col(timestamp_with_time_zone(ActionItems::UpdatedAt))
                .col(integer(ActionItems::Version).default(1))
                .check(Expr::cust(
                    "(assignee_user_id IS NULL) <> (assignee_contact_id IS NULL)",
                ))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_action_items_project")
                        .from(ActionItems::Table, ActionItems::ProjectId)
                        .to(Projects::Table, Projects::Id),
                )
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("ix_action_items_project", ActionItems::ProjectId),
            ("ix_action_items_stage", ActionItems::StageId),
            ("ix_action_items_meeting", ActionItems::MeetingId),
            ("ix_action_items_contact", ActionItems::AssigneeContactId),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(ActionItems::Table)
                    .col(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ActionItems::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Meetings::Table).to_owned())
            .await
    }
}
