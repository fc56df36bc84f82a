//! Steps 2-4 of the road (DOMAIN, "The whole road, and its records"): the analysis of each
//! requirement, solution proposals with their versions, internal reviews and the client's
//! feedback, negotiation rounds and their terms, contracts on their way to signature, and
//! the service-level policy each signed project follows.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Requirements {
    Table,
    Nature,
    EffortTenthDays,
    CostMinor,
    CostCurrency,
    Resources,
    AnalysedBy,
    AnalysedAt,
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    Id,
    ServiceLevelPolicyId,
}

#[derive(DeriveIden)]
enum ProposalVersions {
    Table,
    Id,
    ProjectId,
    Number,
    Stage,
    Status,
    Summary,
    Modules,
    ImplementationPlan,
    DeliveryPeriod,
    AfterSalesTerms,
    ServiceLevelPolicyId,
    Highlights,
    Currency,
    QuoteLines,
    Items,
    Revision,
    RequiredRoles,
    SubmittedAt,
    PresentedAt,
    PresentedBy,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum ProposalReviews {
    Table,
    Id,
    ProposalVersionId,
    ProjectId,
    Revision,
    Role,
    ReviewerId,
    Verdict,
    Comment,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ProposalFeedback {
    Table,
    Id,
    ProposalVersionId,
    ProjectId,
    Kind,
    Body,
    AuthorKind,
    AuthorId,
    ContactId,
    Status,
    Response,
    RespondedBy,
    RespondedAt,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum NegotiationRounds {
    Table,
    Id,
    ProjectId,
    Number,
    HeldAt,
    Summary,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum NegotiationTerms {
    Table,
    Id,
    RoundId,
    ProjectId,
    Kind,
    ProposedBy,
    ProposalItem,
    Text,
    Outcome,
    CounterOf,
    ConcedesNonNegotiable,
    DecidedAt,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum Contracts {
    Table,
    Id,
    ProjectId,
    Number,
    ValueMinor,
    Currency,
    ValueInternal,
    ServiceLevelPolicyId,
    Status,
    StatusAt,
    Steps,
    ClientSignerId,
    SignedOn,
    CreatedAt,
    UpdatedAt,
    Version,
}

fn of_project<T: IntoIden + 'static>(table: T, column: T, name: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, column)
        .to(Projects::Table, Projects::Id)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for mut col in [
            string_len_null(Requirements::Nature, 32),
            integer_null(Requirements::EffortTenthDays),
            big_integer_null(Requirements::CostMinor),
            string_len_null(Requirements::CostCurrency, 3),
            text_null(Requirements::Resources),
            big_integer_null(Requirements::AnalysedBy),
            timestamp_with_time_zone_null(Requirements::AnalysedAt),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Requirements::Table)
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Projects::Table)
                .add_column(big_integer_null(Projects::ServiceLevelPolicyId))
                .to_owned(),
        )
        .await?;

        use ProposalVersions as V;
        m.create_table(
            Table::create()
                .table(V::Table)
                .col(big_pk_auto(V::Id))
                .col(big_integer(V::ProjectId))
                .col(integer(V::Number))
                .col(string_len(V::Stage, 32))
                .col(string_len(V::Status, 32))
                .col(text(V::Summary))
                .col(json(V::Modules))
                .col(text_null(V::ImplementationPlan))
                .col(text_null(V::DeliveryPeriod))
                .col(text_null(V::AfterSalesTerms))
                .col(big_integer_null(V::ServiceLevelPolicyId))
                .col(json(V::Highlights))
                .col(string_len(V::Currency, 3))
                .col(json(V::QuoteLines))
                .col(json(V::Items))
                .col(integer(V::Revision).default(1))
                .col(json(V::RequiredRoles))
                .col(timestamp_with_time_zone_null(V::SubmittedAt))
                .col(timestamp_with_time_zone_null(V::PresentedAt))
                .col(big_integer_null(V::PresentedBy))
                .col(big_integer_null(V::CreatedBy))
                .col(timestamp_with_time_zone(V::CreatedAt))
                .col(timestamp_with_time_zone(V::UpdatedAt))
                .col(integer(V::Version).default(1))
                .foreign_key(&mut of_project(
                    V::Table,
                    V::ProjectId,
                    "fk_proposal_versions_project",
                ))
                .to_owned(),
        )
        .await?;
        // Numbers are per project: two writers adding "the next version" cannot both win.
        m.create_index(
            Index::create()
                .name("ux_proposal_versions_number")
                .table(V::Table)
                .col(V::ProjectId)
                .col(V::Number)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_proposal_versions_status")
                .table(V::Table)
                .col(V::Status)
                .col(V::SubmittedAt)
                .to_owned(),
        )
        .await?;

        use ProposalReviews as R;
        m.create_table(
            Table::create()
                .table(R::Table)
                .col(big_pk_auto(R::Id))
                .col(big_integer(R::ProposalVersionId))
                .col(big_integer(R::ProjectId))
                .col(integer(R::Revision))
                .col(string_len(R::Role, 32))
                .col(big_integer(R::ReviewerId))
                .col(string_len(R::Verdict, 32))
                .col(text_null(R::Comment))
                .col(timestamp_with_time_zone(R::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_proposal_reviews_version")
                        .from(R::Table, R::ProposalVersionId)
                        .to(V::Table, V::Id),
                )
                .to_owned(),
        )
        .await?;
        // One verdict per role and revision: a second one is a CONFLICT, not a race.
        m.create_index(
            Index::create()
                .name("ux_proposal_reviews_role")
                .table(R::Table)
                .col(R::ProposalVersionId)
                .col(R::Revision)
                .col(R::Role)
                .unique()
                .to_owned(),
        )
        .await?;

        use ProposalFeedback as F;
        m.create_table(
            Table::create()
                .table(F::Table)
                .col(big_pk_auto(F::Id))
                .col(big_integer(F::ProposalVersionId))
                .col(big_integer(F::ProjectId))
                .col(string_len(F::Kind, 32))
                .col(text(F::Body))
                .col(string_len(F::AuthorKind, 32))
                .col(big_integer(F::AuthorId))
                .col(big_integer_null(F::ContactId))
                .col(string_len(F::Status, 32))
                .col(text_null(F::Response))
                .col(big_integer_null(F::RespondedBy))
                .col(timestamp_with_time_zone_null(F::RespondedAt))
                .col(timestamp_with_time_zone(F::CreatedAt))
                .col(timestamp_with_time_zone(F::UpdatedAt))
                .col(integer(F::Version).default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_proposal_feedback_version")
                        .from(F::Table, F::ProposalVersionId)
                        .to(V::Table, V::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_proposal_feedback_version")
                .table(F::Table)
                .col(F::ProposalVersionId)
                .to_owned(),
        )
        .await?;

        use NegotiationRounds as N;
        m.create_table(
            Table::create()
                .table(N::Table)
                .col(big_pk_auto(N::Id))
                .col(big_integer(N::ProjectId))
                .col(integer(N::Number))
                .col(timestamp_with_time_zone(N::HeldAt))
                .col(text_null(N::Summary))
                .col(timestamp_with_time_zone(N::CreatedAt))
                .col(timestamp_with_time_zone(N::UpdatedAt))
                .col(integer(N::Version).default(1))
                .foreign_key(&mut of_project(
                    N::Table,
                    N::ProjectId,
                    "fk_negotiation_rounds_project",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_negotiation_rounds_number")
                .table(N::Table)
                .col(N::ProjectId)
                .col(N::Number)
                .unique()
                .to_owned(),
        )
        .await?;

        use NegotiationTerms as T;
        m.create_table(
            Table::create()
                .table(T::Table)
                .col(big_pk_auto(T::Id))
                .col(big_integer(T::RoundId))
                .col(big_integer(T::ProjectId))
                .col(string_len(T::Kind, 32))
                .col(string_len(T::ProposedBy, 32))
                .col(string_len_null(T::ProposalItem, 200))
                .col(text(T::Text))
                .col(string_len(T::Outcome, 32))
                .col(big_integer_null(T::CounterOf))
                .col(boolean(T::ConcedesNonNegotiable).default(false))
                .col(timestamp_with_time_zone_null(T::DecidedAt))
                .col(timestamp_with_time_zone(T::CreatedAt))
                .col(timestamp_with_time_zone(T::UpdatedAt))
                .col(integer(T::Version).default(1))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_negotiation_terms_round")
                        .from(T::Table, T::RoundId)
                        .to(N::Table, N::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_negotiation_terms_round")
                .table(T::Table)
                .col(T::RoundId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_negotiation_terms_project")
                .table(T::Table)
                .col(T::ProjectId)
                .to_owned(),
        )
        .await?;

        use Contracts as C;
        m.create_table(
            Table::create()
                .table(C::Table)
                .col(big_pk_auto(C::Id))
                // One contract per project: a renegotiated contract is a new version of it.
                .col(big_integer_uniq(C::ProjectId))
                .col(string_len_uniq(C::Number, 64))
                .col(big_integer_null(C::ValueMinor))
                .col(string_len_null(C::Currency, 3))
                .col(boolean(C::ValueInternal).default(false))
                .col(big_integer_null(C::ServiceLevelPolicyId))
                .col(string_len(C::Status, 32))
                .col(timestamp_with_time_zone(C::StatusAt))
                .col(json(C::Steps))
                .col(big_integer_null(C::ClientSignerId))
                .col(date_null(C::SignedOn))
                .col(timestamp_with_time_zone(C::CreatedAt))
                .col(timestamp_with_time_zone(C::UpdatedAt))
                .col(integer(C::Version).default(1))
                .foreign_key(&mut of_project(
                    C::Table,
                    C::ProjectId,
                    "fk_contracts_project",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_contracts_status")
                .table(C::Table)
                .col(C::Status)
                .col(C::StatusAt)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Contracts::Table.into_iden(),
            NegotiationTerms::Table.into_iden(),
            NegotiationRounds::Table.into_iden(),
            ProposalFeedback::Table.into_iden(),
            ProposalReviews::Table.into_iden(),
            ProposalVersions::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        m.alter_table(
            Table::alter()
                .table(Projects::Table)
                .drop_column(Projects::ServiceLevelPolicyId)
                .to_owned(),
        )
        .await?;
        for col in [
            Requirements::Nature,
            Requirements::EffortTenthDays,
            Requirements::CostMinor,
            Requirements::CostCurrency,
            Requirements::Resources,
            Requirements::AnalysedBy,
            Requirements::AnalysedAt,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Requirements::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
