//! Indexes for the orderings the connections offer, so a page is an index range scan
//! rather than a sort of the whole table. Each ends with `id`, the keyset tie-breaker.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: &[(&str, &str, &[&str])] = &[
    ("ix_projects_created", "projects", &["created_at", "id"]),
    ("ix_projects_updated", "projects", &["updated_at", "id"]),
    ("ix_projects_name", "projects", &["name", "id"]),
    ("ix_tickets_created", "tickets", &["created_at", "id"]),
    ("ix_tickets_updated", "tickets", &["updated_at", "id"]),
    ("ix_tickets_priority", "tickets", &["priority", "id"]),
    ("ix_clients_name_id", "clients", &["name", "id"]),
    ("ix_clients_created", "clients", &["created_at", "id"]),
    ("ix_clients_updated", "clients", &["updated_at", "id"]),
    ("ix_users_name", "users", &["name", "id"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, cols) in INDEXES {
            let mut index = Index::create()
                .name(*name)
                .table(Alias::new(*table))
                .to_owned();
            for col in *cols {
                index.col(Alias::new(*col));
            }
            m.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in INDEXES {
            m.drop_index(
                Index::drop()
                    .name(*name)
                    .table(Alias::new(*table))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
