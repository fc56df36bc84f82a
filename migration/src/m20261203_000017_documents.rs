//! Documents: files attached to reports, meetings, requirement sheets, a project's
//! acceptance, change requests and tickets. The bytes live content-addressed on disk
//! (by SHA-256); this table holds what they are, whose, and who may see them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
    ProjectId,
    ClientId,
    OwnerKind,
    OwnerId,
    FileName,
    ContentType,
    SizeBytes,
    Sha256,
    Internal,
    UploadedByUserId,
    UploadedByContactId,
    CreatedAt,
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
                .table(Documents::Table)
                .col(big_pk_auto(Documents::Id))
                .col(big_integer(Documents::ProjectId))
                .col(big_integer(Documents::ClientId))
                .col(string_len(Documents::OwnerKind, 32))
                .col(big_integer(Documents::OwnerId))
                .col(string_len(Documents::FileName, 255))
                .col(string_len(Documents::ContentType, 128))
                .col(big_integer(Documents::SizeBytes))
                .col(string_len(Documents::Sha256, 64))
                .col(boolean(Documents::Internal).default(false))
                .col(big_integer_null(Documents::UploadedByUserId))
                .col(big_integer_null(Documents::UploadedByContactId))
                .col(timestamp_with_time_zone(Documents::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_documents_project")
                        .from(Documents::Table, Documents::ProjectId)
                        .to(Projects::Table, Projects::Id),
                )
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            (
                "ix_documents_owner",
                vec![Documents::OwnerKind, Documents::OwnerId],
            ),
            ("ix_documents_project", vec![Documents::ProjectId]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Documents::Table);
            for c in cols {
                index.col(c);
            }
            m.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Documents::Table).to_owned())
            .await
    }
}
