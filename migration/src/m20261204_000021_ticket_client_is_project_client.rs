//! A ticket's client is its project's client, in the database too.
//!
//! `tickets.client_id` is a copy of the project's (so client filters and the portal rule
//! need no join), and the portal's tickets under a project it was shown are read without
//! checking the client again (`auth::scope`, `Scoped::portal_under`). A copy that disagrees
//! would show a ticket to its project's client; here no write can make one. PostgreSQL: a
//! composite foreign key. SQLite cannot add one to an existing table, so triggers refuse
//! the same writes.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const POSTGRES_UP: &[&str] = &[
    "CREATE UNIQUE INDEX projects_id_client ON projects (id, client_id)",
    "ALTER TABLE tickets ADD CONSTRAINT tickets_client_is_project_client \
     FOREIGN KEY (project_id, client_id) REFERENCES projects (id, client_id)",
];
const POSTGRES_DOWN: &[&str] = &[
    "ALTER TABLE tickets DROP CONSTRAINT tickets_client_is_project_client",
    "DROP INDEX projects_id_client",
];

const SQLITE_UP: &[&str] = &[
    "CREATE TRIGGER tickets_client_is_project_client_insert BEFORE INSERT ON tickets \
     WHEN NEW.client_id IS NOT (SELECT client_id FROM projects WHERE id = NEW.project_id) \
     BEGIN SELECT RAISE(ABORT, 'a ticket''s client is its project''s'); END",
    "CREATE TRIGGER tickets_client_is_project_client_update \
     BEFORE UPDATE OF project_id, client_id ON tickets \
     WHEN NEW.client_id IS NOT (SELECT client_id FROM projects WHERE id = NEW.project_id) \
     BEGIN SELECT RAISE(ABORT, 'a ticket''s client is its project''s'); END",
    "CREATE TRIGGER projects_client_kept_by_tickets BEFORE UPDATE OF client_id ON projects \
     WHEN NEW.client_id IS NOT OLD.client_id \
     AND EXISTS (SELECT 1 FROM tickets WHERE project_id = OLD.id) \
     BEGIN SELECT RAISE(ABORT, 'a ticket''s client is its project''s'); END",
];
const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER tickets_client_is_project_client_insert",
    "DROP TRIGGER tickets_client_is_project_client_update",
    "DROP TRIGGER projects_client_kept_by_tickets",
];

async fn run(m: &SchemaManager<'_>, postgres: &[&str], sqlite: &[&str]) -> Result<(), DbErr> {
    let db = m.get_connection();
    let statements = match db.get_database_backend() {
        DatabaseBackend::Postgres => postgres,
        DatabaseBackend::Sqlite => sqlite,
        other => {
            return Err(DbErr::Migration(format!(
                "no ticket-client rule for {other:?}"
            )));
        }
    };
    for statement in statements {
        db.execute_unprepared(statement).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, POSTGRES_UP, SQLITE_UP).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, POSTGRES_DOWN, SQLITE_DOWN).await
    }
}
