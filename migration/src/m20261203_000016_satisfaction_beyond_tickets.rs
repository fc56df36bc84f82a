//! Satisfaction beyond tickets: the client's ratings of finished milestones, and the
//! quarterly survey of existing clients (its clients, with the contacts invited at
//! opening, and each contact's one answer).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MilestoneRatings {
    Table,
    StageId,
    ContactId,
    ProjectId,
    ClientId,
    Score,
    Comment,
    RatedAt,
    RecordedByUserId,
}

#[derive(DeriveIden)]
enum Surveys {
    Table,
    Id,
    Title,
    PeriodFrom,
    PeriodTo,
    Status,
    OpenedAt,
    ClosedAt,
    OpenedByUserId,
    Version,
}

#[derive(DeriveIden)]
enum SurveyClients {
    Table,
    SurveyId,
    ClientId,
    Invited,
}

#[derive(DeriveIden)]
enum SurveyAnswers {
    Table,
    SurveyId,
    ContactId,
    ClientId,
    Score,
    Recommend,
    Comment,
    AnsweredAt,
    RecordedByUserId,
}

#[derive(DeriveIden)]
enum Stages {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Clients {
    Table,
    Id,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One rating per milestone and contact: rating again replaces it.
        m.create_table(
            Table::create()
                .table(MilestoneRatings::Table)
                .col(big_integer(MilestoneRatings::StageId))
                .col(big_integer(MilestoneRatings::ContactId))
                .col(big_integer(MilestoneRatings::ProjectId))
                .col(big_integer(MilestoneRatings::ClientId))
                .col(
                    integer(MilestoneRatings::Score)
                        .check(Expr::col(MilestoneRatings::Score).between(1, 5)),
                )
                .col(text_null(MilestoneRatings::Comment))
                .col(timestamp_with_time_zone(MilestoneRatings::RatedAt))
                .col(big_integer_null(MilestoneRatings::RecordedByUserId))
                .primary_key(
                    Index::create()
                        .col(MilestoneRatings::StageId)
                        .col(MilestoneRatings::ContactId),
                )
                .foreign_key(&mut fk(
                    "fk_milestone_ratings_stage",
                    (MilestoneRatings::Table, MilestoneRatings::StageId),
                    (Stages::Table, Stages::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_milestone_ratings_contact",
                    (MilestoneRatings::Table, MilestoneRatings::ContactId),
                    (Contacts::Table, Contacts::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_milestone_ratings_rated_at")
                .table(MilestoneRatings::Table)
                .col(MilestoneRatings::RatedAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Surveys::Table)
                .col(big_pk_auto(Surveys::Id))
                .col(string_len(Surveys::Title, 200))
                .col(timestamp_with_time_zone(Surveys::PeriodFrom))
                .col(timestamp_with_time_zone(Surveys::PeriodTo))
                .col(string_len(Surveys::Status, 32))
                .col(timestamp_with_time_zone(Surveys::OpenedAt))
                .col(timestamp_with_time_zone_null(Surveys::ClosedAt))
                .col(big_integer_null(Surveys::OpenedByUserId))
                .col(integer(Surveys::Version).default(1))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SurveyClients::Table)
                .col(big_integer(SurveyClients::SurveyId))
                .col(big_integer(SurveyClients::ClientId))
                .col(integer(SurveyClients::Invited))
                .primary_key(
                    Index::create()
                        .col(SurveyClients::SurveyId)
                        .col(SurveyClients::ClientId),
                )
                .foreign_key(&mut fk(
                    "fk_survey_clients_survey",
                    (SurveyClients::Table, SurveyClients::SurveyId),
                    (Surveys::Table, Surveys::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_survey_clients_client",
                    (SurveyClients::Table, SurveyClients::ClientId),
                    (Clients::Table, Clients::Id),
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_survey_clients_client")
                .table(SurveyClients::Table)
                .col(SurveyClients::ClientId)
                .to_owned(),
        )
        .await?;
        // One answer per survey and contact: the key refuses a second.
        m.create_table(
            Table::create()
                .table(SurveyAnswers::Table)
                .col(big_integer(SurveyAnswers::SurveyId))
                .col(big_integer(SurveyAnswers::ContactId))
                .col(big_integer(SurveyAnswers::ClientId))
                .col(
                    integer(SurveyAnswers::Score)
                        .check(Expr::col(SurveyAnswers::Score).between(1, 5)),
                )
                .col(
                    integer(SurveyAnswers::Recommend)
                        .check(Expr::col(SurveyAnswers::Recommend).between(0, 10)),
                )
                .col(text_null(SurveyAnswers::Comment))
                .col(timestamp_with_time_zone(SurveyAnswers::AnsweredAt))
                .col(big_integer_null(SurveyAnswers::RecordedByUserId))
                .primary_key(
                    Index::create()
                        .col(SurveyAnswers::SurveyId)
                        .col(SurveyAnswers::ContactId),
                )
                .foreign_key(&mut fk(
                    "fk_survey_answers_survey",
                    (SurveyAnswers::Table, SurveyAnswers::SurveyId),
                    (Surveys::Table, Surveys::Id),
                ))
                .foreign_key(&mut fk(
                    "fk_survey_answers_contact",
                    (SurveyAnswers::Table, SurveyAnswers::ContactId),
                    (Contacts::Table, Contacts::Id),
                ))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            SurveyAnswers::Table.into_iden(),
            SurveyClients::Table.into_iden(),
            Surveys::Table.into_iden(),
            MilestoneRatings::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
