//! The delivery model: staff, clients and contacts, projects with their team,
//! requirements, stages, risks and reports, tickets with comments, and the event log.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Name,
    Email,
    Title,
    Active,
}

#[derive(DeriveIden)]
enum Clients {
    Table,
    Id,
    Name,
    Industry,
    MainBusiness,
    Source,
    IntentLevel,
    BudgetRange,
    DecisionChain,
    KeyNeeds,
    Notes,
    FirstContactAt,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    Id,
    ClientId,
    Name,
    Title,
    Email,
    Phone,
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    Id,
    ClientId,
    Name,
    Description,
    Status,
    HeldFrom,
    ContractNumber,
    ContractValueMinor,
    Currency,
    ContractSignedOn,
    PlannedStart,
    PlannedEnd,
    PrimaryOwnerId,
}

#[derive(DeriveIden)]
enum TeamMembers {
    Table,
    Id,
    ProjectId,
    UserId,
    Role,
}

#[derive(DeriveIden)]
enum Requirements {
    Table,
    Id,
    ProjectId,
    Title,
    Detail,
    Category,
    Feasibility,
    Alternative,
    InScope,
    ScopeNote,
}

#[derive(DeriveIden)]
enum Stages {
    Table,
    Id,
    ProjectId,
    Name,
    Position,
    OwnerId,
    PlannedStart,
    DueDate,
    CompletedAt,
    Deliverables,
    Status,
}

#[derive(DeriveIden)]
enum Risks {
    Table,
    Id,
    ProjectId,
    Title,
    Description,
    Category,
    Likelihood,
    Impact,
    OwnerId,
    Mitigation,
    Contingency,
    Status,
    RaisedAt,
    ClosedAt,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
    ProjectId,
    ClientId,
    Title,
    Description,
    TicketType,
    Priority,
    Status,
    Channel,
    AssigneeId,
    ReporterContactId,
    ResolvedAt,
    ClosedAt,
}

#[derive(DeriveIden)]
enum TicketComments {
    Table,
    Id,
    TicketId,
    AuthorUserId,
    AuthorContactId,
    Body,
    Internal,
}

#[derive(DeriveIden)]
enum Reports {
    Table,
    Id,
    ProjectId,
    StageId,
    Kind,
    Body,
    ProgressPercent,
    AuthorId,
}

#[derive(DeriveIden)]
enum Events {
    Table,
    Id,
    OccurredAt,
    ActorKind,
    ActorId,
    Kind,
    EntityKind,
    EntityId,
    ProjectId,
    ClientId,
    FromStatus,
    ToStatus,
    Changes,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .to_owned()
}

fn index(name: &str, table: impl IntoIden, cols: &[&'static str]) -> IndexCreateStatement {
    let mut stmt = Index::create().name(name).table(table).to_owned();
    for col in cols {
        stmt.col(Alias::new(*col));
    }
    stmt
}

fn stamps() -> [ColumnDef; 3] {
    [
        timestamp_with_time_zone(Alias::new("created_at")),
        timestamp_with_time_zone(Alias::new("updated_at")),
        integer(Alias::new("version")).default(1).to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict, SetNull};
        let [c_at, u_at, ver] = stamps();
        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(big_pk_auto(Users::Id))
                .col(string(Users::Name))
                .col(string_uniq(Users::Email))
                .col(string_null(Users::Title))
                .col(boolean(Users::Active).default(true))
                .col(c_at.clone())
                .col(u_at.clone())
                .col(ver.clone())
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Clients::Table)
                .col(big_pk_auto(Clients::Id))
                .col(string(Clients::Name))
                .col(string_null(Clients::Industry))
                .col(text_null(Clients::MainBusiness))
                .col(string_len(Clients::Source, 32))
                .col(string_len(Clients::IntentLevel, 32))
                .col(string_null(Clients::BudgetRange))
                .col(text_null(Clients::DecisionChain))
                .col(text_null(Clients::KeyNeeds))
                .col(text_null(Clients::Notes))
                .col(timestamp_with_time_zone_null(Clients::FirstContactAt))
                .col(c_at.clone())
                .col(u_at.clone())
                .col(ver.clone())
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_clients_name", Clients::Table, &["name"]))
            .await?;

        m.create_table(
            Table::create()
                .table(Contacts::Table)
                .col(big_pk_auto(Contacts::Id))
                .col(big_integer(Contacts::ClientId))
                .col(string(Contacts::Name))
                .col(string_null(Contacts::Title))
                .col(string_null(Contacts::Email))
                .col(string_null(Contacts::Phone))
                .col(c_at.clone())
                .col(u_at.clone())
                .col(ver.clone())
                .foreign_key(&mut fk(
                    "fk_contacts_client",
                    (Contacts::Table, Contacts::ClientId),
                    (Clients::Table, Clients::Id),
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_contacts_client", Contacts::Table, &["client_id"]))
            .await?;

        m.create_table(
            Table::create()
                .table(Projects::Table)
                .col(big_pk_auto(Projects::Id))
                .col(big_integer(Projects::ClientId))
                .col(string(Projects::Name))
                .col(text_null(Projects::Description))
                .col(string_len(Projects::Status, 32))
                .col(string_len_null(Projects::HeldFrom, 32))
                .col(
                    string_null(Projects::ContractNumber)
                        .unique_key()
                        .to_owned(),
                )
                .col(big_integer_null(Projects::ContractValueMinor))
                .col(char_len_null(Projects::Currency, 3))
                .col(date_null(Projects::ContractSignedOn))
                .col(date_null(Projects::PlannedStart))
                .col(date_null(Projects::PlannedEnd))
                .col(big_integer_null(Projects::PrimaryOwnerId))
                .col(c_at.clone())
                .col(u_at.clone())
                .col(ver.clone())
                .foreign_key(&mut fk(
                    "fk_projects_client",
                    (Projects::Table, Projects::ClientId),
                    (Clients::Table, Clients::Id),
                    Restrict,
                ))
                .foreign_key(&mut fk(
                    "fk_projects_owner",
                    (Projects::Table, Projects::PrimaryOwnerId),
                    (Users::Table, Users::Id),
                    SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_projects_client",
            Projects::Table,
            &["client_id", "id"],
        ))
        .await?;
        m.create_index(index(
            "ix_projects_status",
            Projects::Table,
            &["status", "id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(TeamMembers::Table)
                .col(big_pk_auto(TeamMembers::Id))
                .col(big_integer(TeamMembers::ProjectId))
                .col(big_integer(TeamMembers::UserId))
                .col(string_len(TeamMembers::Role, 32))
                .col(c_at.clone())
                .foreign_key(&mut fk(
                    "fk_team_members_project",
                    (TeamMembers::Table, TeamMembers::ProjectId),
                    (Projects::Table, Projects::Id),
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    "fk_team_members_user",
                    (TeamMembers::Table, TeamMembers::UserId),
                    (Users::Table, Users::Id),
                    Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index(
                "ux_team_members_project_user_role",
                TeamMembers::Table,
                &["project_id", "user_id", "role"],
            )
            .unique()
            .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Requirements::Table)
                .col(big_pk_auto(Requirements::Id))
                .col(big_integer(Requirements::ProjectId))
                .col(string(Requirements::Title))
                .col(text_null(Requirements::Detail))
                .col(string_len(Requirements::Category, 32))
                .col(string_len(Requirements::Feasibility, 32))
                .col(text_null(Requirements::Alternative))
                .col(boolean(Requirements::InScope))
                .col(text_null(Requirements::ScopeNote))
                .col(c_at.clone())
                .col(u_at.clone())
                .col(ver.clone())
                .foreign_key(&mut fk(
                    "fk_requirements_project",
                    (Requirements::Table, Requirements::ProjectId),
                    (Projects::Table, Projects::Id),
                    Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_requirements_project",
            Requirements::Table,
            &["project_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Stages::Table)
                .col(big_pk_auto(Stages::Id))
                .col(big_integer(Stages::ProjectId))
                .col(string(Stages::Name))
                .col(integer(Stages::Position))
                .col(big_integer_null(Stages::OwnerId))
                .col(date_null(Stages::PlannedStart))
                .col(date_null(Stages::DueDate))
                .col(timestamp_with_time_zone_null(Stages::CompletedAt))
                .col(text_null(Stages::Deliverables))
                .col(string_len(Stages::Status, 32))
                .col(c_at.clone())
                .col(u_at.clone())
                .col(ver.clone())
                .foreign_key(&mut fk(
                    "fk_stages_project",
                    (Stages::Table, Stages::ProjectId),
                    (Projects::Table, Projects::Id),
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    "fk_stages_owner",
                    (Stages::Table, Stages::OwnerId),
                    (Users::Table, Users::Id),
                    SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_stages_project",
            Stages::Table,
            &["project_id", "position"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Risks::Table)
                .col(big_pk_auto(Risks::Id))
                .col(big_integer(Risks::ProjectId))
                .col(string(Risks::Title))
                .col(text_null(Risks::Description))
                .col(string_len(Risks::Category, 32))
                .col(
                    integer(Risks::Likelihood)
                        .check(Expr::col(Risks::Likelihood).between(1, 5))
                        .to_owned(),
                )
                .col(
                    integer(Risks::Impact)
                        .check(Expr::col(Risks::Impact).between(1, 5))
                        .to_owned(),
                )
                .col(big_integer_null(Risks::OwnerId))
                .col(text_null(Risks::Mitigation))
                .col(text_null(Risks::Contingency))
                .col(string_len(Risks::Status, 32))
                .col(timestamp_with_time_zone(Risks::RaisedAt))
                .col(timestamp_with_time_zone_null(Risks::ClosedAt))
                .col(c_at.clone())
                .col(u_at.clone())
                .col(ver.clone())
                .foreign_key(&mut fk(
                    "fk_risks_project",
                    (Risks::Table, Risks::ProjectId),
                    (Projects::Table, Projects::Id),
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    "fk_risks_owner",
                    (Risks::Table, Risks::OwnerId),
                    (Users::Table, Users::Id),
                    SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_risks_project",
            Risks::Table,
            &["project_id", "status"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Tickets::Table)
                .col(big_pk_auto(Tickets::Id))
                .col(big_integer(Tickets::ProjectId))
                .col(big_integer(Tickets::ClientId))
                .col(string(Tickets::Title))
                .col(text_null(Tickets::Description))
                .col(string_len(Tickets::TicketType, 32))
                .col(integer(Tickets::Priority))
                .col(string_len(Tickets::Status, 32))
                .col(string_len(Tickets::Channel, 32))
                .col(big_integer_null(Tickets::AssigneeId))
                .col(big_integer_null(Tickets::ReporterContactId))
                .col(timestamp_with_time_zone_null(Tickets::ResolvedAt))
                .col(timestamp_with_time_zone_null(Tickets::ClosedAt))
                .col(c_at.clone())
                .col(u_at.clone())
                .col(ver.clone())
                .foreign_key(&mut fk(
                    "fk_tickets_project",
                    (Tickets::Table, Tickets::ProjectId),
                    (Projects::Table, Projects::Id),
                    Restrict,
                ))
                .foreign_key(&mut fk(
                    "fk_tickets_client",
                    (Tickets::Table, Tickets::ClientId),
                    (Clients::Table, Clients::Id),
                    Restrict,
                ))
                .foreign_key(&mut fk(
                    "fk_tickets_assignee",
                    (Tickets::Table, Tickets::AssigneeId),
                    (Users::Table, Users::Id),
                    SetNull,
                ))
                .foreign_key(&mut fk(
                    "fk_tickets_reporter",
                    (Tickets::Table, Tickets::ReporterContactId),
                    (Contacts::Table, Contacts::Id),
                    SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_tickets_project",
            Tickets::Table,
            &["project_id", "status"],
        ))
        .await?;
        m.create_index(index(
            "ix_tickets_client",
            Tickets::Table,
            &["client_id", "status"],
        ))
        .await?;
        m.create_index(index(
            "ix_tickets_status",
            Tickets::Table,
            &["status", "priority"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(TicketComments::Table)
                .col(big_pk_auto(TicketComments::Id))
                .col(big_integer(TicketComments::TicketId))
                .col(big_integer_null(TicketComments::AuthorUserId))
                .col(big_integer_null(TicketComments::AuthorContactId))
                .col(text(TicketComments::Body))
                .col(boolean(TicketComments::Internal))
                .col(c_at.clone())
                .foreign_key(&mut fk(
                    "fk_ticket_comments_ticket",
                    (TicketComments::Table, TicketComments::TicketId),
                    (Tickets::Table, Tickets::Id),
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    "fk_ticket_comments_user",
                    (TicketComments::Table, TicketComments::AuthorUserId),
                    (Users::Table, Users::Id),
                    SetNull,
                ))
                .foreign_key(&mut fk(
                    "fk_ticket_comments_contact",
                    (TicketComments::Table, TicketComments::AuthorContactId),
                    (Contacts::Table, Contacts::Id),
                    SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_ticket_comments_ticket",
            TicketComments::Table,
            &["ticket_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Reports::Table)
                .col(big_pk_auto(Reports::Id))
                .col(big_integer(Reports::ProjectId))
                .col(big_integer_null(Reports::StageId))
                .col(string_len(Reports::Kind, 32))
                .col(text(Reports::Body))
                .col(
                    integer(Reports::ProgressPercent)
                        .check(Expr::col(Reports::ProgressPercent).between(0, 100))
                        .to_owned(),
                )
                .col(big_integer_null(Reports::AuthorId))
                .col(c_at.clone())
                .foreign_key(&mut fk(
                    "fk_reports_project",
                    (Reports::Table, Reports::ProjectId),
                    (Projects::Table, Projects::Id),
                    Cascade,
                ))
                .foreign_key(&mut fk(
                    "fk_reports_stage",
                    (Reports::Table, Reports::StageId),
                    (Stages::Table, Stages::Id),
                    SetNull,
                ))
                .foreign_key(&mut fk(
                    "fk_reports_author",
                    (Reports::Table, Reports::AuthorId),
                    (Users::Table, Users::Id),
                    SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_reports_project",
            Reports::Table,
            &["project_id", "created_at"],
        ))
        .await?;

        // The event log keeps no foreign keys: it must outlive what it describes.
        m.create_table(
            Table::create()
                .table(Events::Table)
                .col(big_pk_auto(Events::Id))
                .col(timestamp_with_time_zone(Events::OccurredAt))
                .col(string_len(Events::ActorKind, 32))
                .col(big_integer_null(Events::ActorId))
                .col(string_len(Events::Kind, 32))
                .col(string_len(Events::EntityKind, 32))
                .col(big_integer(Events::EntityId))
                .col(big_integer_null(Events::ProjectId))
                .col(big_integer_null(Events::ClientId))
                .col(string_len_null(Events::FromStatus, 32))
                .col(string_len_null(Events::ToStatus, 32))
                .col(text(Events::Changes))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_events_entity",
            Events::Table,
            &["entity_kind", "entity_id", "id"],
        ))
        .await?;
        m.create_index(index(
            "ix_events_project",
            Events::Table,
            &["project_id", "id"],
        ))
        .await?;
        m.create_index(index(
            "ix_events_client",
            Events::Table,
            &["client_id", "id"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Events::Table.into_iden(),
            Reports::Table.into_iden(),
            TicketComments::Table.into_iden(),
            Tickets::Table.into_iden(),
            Risks::Table.into_iden(),
            Stages::Table.into_iden(),
            Requirements::Table.into_iden(),
            TeamMembers::Table.into_iden(),
            Projects::Table.into_iden(),
            Contacts::Table.into_iden(),
            Clients::Table.into_iden(),
            Users::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
