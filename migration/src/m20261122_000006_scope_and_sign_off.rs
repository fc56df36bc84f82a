//! What was agreed: signed versions of a project's requirement confirmation sheet, the
//! change requests that amend it, and the client's acceptance sign-off.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RequirementSheets {
    Table,
    Id,
    ProjectId,
    Version,
    Requirements,
    SignedAt,
    VendorSignerId,
    ClientSignerId,
    Note,
    ChangeRequestId,
}

#[derive(DeriveIden)]
enum ChangeRequests {
    Table,
    Id,
    ProjectId,
    Title,
    Reason,
    ScheduleImpactDays,
    CostImpactMinor,
    CostImpactCurrency,
    ScopeImpact,
    ScopeChange,
    Status,
    ProposedAt,
    ProposedByUserId,
    ProposedByContactId,
    DecidedAt,
    DecidedByUserId,
    ClientApproverId,
    DecisionNote,
    SheetVersion,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum Acceptances {
    Table,
    Id,
    ProjectId,
    SignedAt,
    ContactId,
    RecordedByUserId,
    Notes,
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    Id,
}

fn to_project(name: &str, from: (impl IntoIden, impl IntoIden)) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(Projects::Table, Projects::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(RequirementSheets::Table)
                .col(big_pk_auto(RequirementSheets::Id))
                .col(big_integer(RequirementSheets::ProjectId))
                .col(integer(RequirementSheets::Version))
                // The requirements as signed: a snapshot, never edited.
                .col(json(RequirementSheets::Requirements))
                .col(timestamp_with_time_zone(RequirementSheets::SignedAt))
                .col(big_integer(RequirementSheets::VendorSignerId))
                .col(big_integer(RequirementSheets::ClientSignerId))
                .col(text_null(RequirementSheets::Note))
                .col(big_integer_null(RequirementSheets::ChangeRequestId))
                .foreign_key(&mut to_project(
                    "fk_requirement_sheets_project",
                    (RequirementSheets::Table, RequirementSheets::ProjectId),
                ))
                .to_owned(),
        )
        .await?;
        // Two signatures of the same version cannot both land.
        m.create_index(
            Index::create()
                .name("ux_requirement_sheets_version")
                .table(RequirementSheets::Table)
                .col(RequirementSheets::ProjectId)
                .col(RequirementSheets::Version)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ChangeRequests::Table)
                .col(big_pk_auto(ChangeRequests::Id))
                .col(big_integer(ChangeRequests::ProjectId))
                .col(string(ChangeRequests::Title))
                .col(text(ChangeRequests::Reason))
                .col(integer_null(ChangeRequests::ScheduleImpactDays))
                .col(big_integer_null(ChangeRequests::CostImpactMinor))
                .col(string_len_null(ChangeRequests::CostImpactCurrency, 3))
                .col(text_null(ChangeRequests::ScopeImpact))
                // Requirements to add and ids to take out of scope when approved.
                .col(json(ChangeRequests::ScopeChange))
                .col(string_len(ChangeRequests::Status, 32))
                .col(timestamp_with_time_zone(ChangeRequests::ProposedAt))
                .col(big_integer_null(ChangeRequests::ProposedByUserId))
                .col(big_integer_null(ChangeRequests::ProposedByContactId))
                .col(timestamp_with_time_zone_null(ChangeRequests::DecidedAt))
                .col(big_integer_null(ChangeRequests::DecidedByUserId))
                .col(big_integer_null(ChangeRequests::ClientApproverId))
                .col(text_null(ChangeRequests::DecisionNote))
                .col(integer_null(ChangeRequests::SheetVersion))
                .col(timestamp_with_time_zone(ChangeRequests::CreatedAt))
                .col(timestamp_with_time_zone(ChangeRequests::UpdatedAt))
                .col(integer(ChangeRequests::Version).default(1))
                .foreign_key(&mut to_project(
                    "fk_change_requests_project",
                    (ChangeRequests::Table, ChangeRequests::ProjectId),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_change_requests_project")
                .table(ChangeRequests::Table)
                .col(ChangeRequests::ProjectId)
                .col(ChangeRequests::Id)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Acceptances::Table)
                .col(big_pk_auto(Acceptances::Id))
                .col(big_integer(Acceptances::ProjectId))
                .col(timestamp_with_time_zone(Acceptances::SignedAt))
                .col(big_integer(Acceptances::ContactId))
                .col(big_integer_null(Acceptances::RecordedByUserId))
                .col(text_null(Acceptances::Notes))
                .foreign_key(&mut to_project(
                    "fk_acceptances_project",
                    (Acceptances::Table, Acceptances::ProjectId),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_acceptances_project")
                .table(Acceptances::Table)
                .col(Acceptances::ProjectId)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            Acceptances::Table.into_iden(),
            ChangeRequests::Table.into_iden(),
            RequirementSheets::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
