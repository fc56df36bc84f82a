//! The database at start: opening it with errors that say what to do, migrating it safely
//! from several processes at once, and keeping the embedded SQLite file to one server.

use std::{
    fs::{File, OpenOptions},
    path::{Path, PathBuf},
    str::FromStr,
    time::Duration,
};

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DbErr,
    Statement, TransactionTrait,
    sqlx::{
        postgres::PgConnectOptions,
        sqlite::{SqliteJournalMode, SqliteSynchronous},
    },
};

/// Opens the connection pool. For SQLite the file's folder is created, and the database
/// runs in WAL mode so that readers never wait for the writer. A database that cannot be
/// opened is reported with what to do about it, at once.
pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    if let Some(path) = sqlite_file(url) {
        prepare_sqlite(url, Path::new(path))?;
    }
    // On PostgreSQL reads keep as many connections of their own as the pool has
    // (`reads::Reads`): the two halves of `max_connections`.
    let mut pool_size = max_connections;
    if let Some(pg) = postgres_target(url) {
        pg.reachable().await?;
        pool_size = (max_connections / 2).max(1);
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(pool_size)
        .acquire_timeout(Duration::from_secs(10))
        // A request is mostly one statement: a ping at every hand-out was half its round
        // trips (docs/benchmarks.md). A connection idle for a second is still pinged, so
        // one left from before a database restart is replaced before it is used.
        .test_before_acquire_if_idle_for(Duration::from_secs(1))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    Database::connect(options)
        .await
        .map_err(|err| match postgres_target(url) {
            Some(pg) if err.to_string().contains("does not exist") => DbErr::Custom(format!(
                "{err}; create it with `createdb -h {} -p {} -U {} {}`",
                pg.host, pg.port, pg.user, pg.database
            )),
            _ => err,
        })
}

/// The file path of an `sqlite:` URL, unless it is in memory.
pub fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// Creates the folder of a SQLite file; a missing file without `mode=rwc` is an error
/// that says how to have it created (sqlx says only "unable to open database file").
fn prepare_sqlite(url: &str, path: &Path) -> Result<(), DbErr> {
    let creates = url
        .split_once('?')
        .is_some_and(|(_, q)| q.split('&').any(|p| p == "mode=rwc"));
    if !creates && !path.exists() {
        return Err(DbErr::Custom(format!(
            "the SQLite file {} does not exist; add ?mode=rwc to DATABASE_URL to create it \
             (e.g. sqlite://{}?mode=rwc)",
            path.display(),
            path.display()
        )));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display())))?;
    }
    Ok(())
}

/// Where a PostgreSQL URL points.
struct PgTarget {
    host: String,
    port: u16,
    user: String,
    database: String,
}

fn postgres_target(url: &str) -> Option<PgTarget> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return None;
    }
    let options = PgConnectOptions::from_str(url).ok()?;
    Some(PgTarget {
        host: options.get_host().to_owned(),
        port: options.get_port(),
        user: options.get_username().to_owned(),
        database: options
            .get_database()
            .unwrap_or(options.get_username())
            .to_owned(),
    })
}

impl PgTarget {
    /// Fails at once when nothing listens (the pool would wait its whole acquire timeout
    /// and then say only "pool timed out").
    async fn reachable(&self) -> Result<(), DbErr> {
        if self.host.starts_with('/') {
            return Ok(()); // a Unix socket: the driver's own error is clear enough
        }
        let addr = format!("{}:{}", self.host, self.port);
        match tokio::time::timeout(
            Duration::from_secs(5),
            tokio::net::TcpStream::connect(&addr),
        )
        .await
        {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => Err(DbErr::Custom(
                format!("connection refused at {addr}: is PostgreSQL running there?"),
            )),
            Ok(Err(e)) => Err(DbErr::Custom(format!("cannot reach {addr}: {e}"))),
            Err(_) => Err(DbErr::Custom(format!(
                "no answer from {addr} within 5 s (a firewall, or the wrong host?)"
            ))),
        }
    }
}

/// Any constant: the advisory lock that keeps concurrent starts from migrating at once.
const MIGRATION_LOCK: i64 = 0x6465_6c69_7665_7279; // "delivery"

/// Applies every pending migration and installs the default service-level policy.
///
/// On PostgreSQL all of it runs in one transaction holding an advisory lock, so several
/// processes starting together on one fresh database migrate one after the other: the
/// first does the work, the others find nothing pending. On SQLite one server holds the
/// file (see [`claim_sqlite`]).
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    let now = chrono::Utc::now();
    let install = |e: crate::error::AppError| {
        DbErr::Custom(format!(
            "installing the default service-level policy: {e:?}"
        ))
    };
    if db.get_database_backend() != DatabaseBackend::Postgres {
        Migrator::up(db, None).await?;
        return crate::service::service_levels::install_default(db, now)
            .await
            .map_err(install);
    }
    let txn = db.begin().await?;
    txn.execute_raw(Statement::from_sql_and_values(
        DatabaseBackend::Postgres,
        "SELECT pg_advisory_xact_lock($1)",
        [MIGRATION_LOCK.into()],
    ))
    .await?;
    Migrator::up(&txn, None).await?;
    crate::service::service_levels::install_default(&txn, now)
        .await
        .map_err(install)?;
    txn.commit().await
}

/// Whether every migration this binary knows is applied. Reads the migration table only
/// (no DDL): a readiness probe every few seconds must not write to the log.
pub async fn migrated(db: &DatabaseConnection) -> Result<bool, DbErr> {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT version FROM seaql_migrations",
        ))
        .await?;
    let applied: std::collections::HashSet<String> = rows
        .iter()
        .filter_map(|r| r.try_get::<String>("", "version").ok())
        .collect();
    Ok(Migrator::migrations()
        .iter()
        .all(|m| applied.contains(m.name())))
}

/// Holds the embedded SQLite file for this process; dropped at exit.
#[derive(Debug)]
pub struct SqliteClaim {
    _file: File,
}

/// What holds a SQLite file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    /// A server: its live feeds and alarms know only its own writes.
    Server,
    /// A command that writes (seed-demo, migrate).
    Command,
}

/// Claims the SQLite file of `url` for this process, or says why not: a second server on
/// one file would miss the first one's changes in its live feeds, and a command writing
/// into a running server's file would bypass its subscribers. `None` for other engines.
pub fn claim_sqlite(url: &str, holder: Holder) -> Result<Option<SqliteClaim>, String> {
    let Some(path) = sqlite_file(url) else {
        return Ok(None);
    };
    let lock: PathBuf = format!("{path}.lock").into();
    if let Some(dir) = lock.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock)
        .map_err(|e| format!("cannot open {}: {e}", lock.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(SqliteClaim { _file: file })),
        Err(std::fs::TryLockError::WouldBlock) => Err(match holder {
            Holder::Server => format!(
                "another Delivery Desk process is using the SQLite file {path} (it holds \
                 {}). The embedded SQLite database serves one instance: for several, use \
                 PostgreSQL (DATABASE_URL=postgres://USER@HOST:PORT/DB)",
                lock.display()
            ),
            Holder::Command => format!(
                "a Delivery Desk server is using the SQLite file {path} (it holds {}): stop \
                 it first, or its live feeds would not show what this command writes",
                lock.display()
            ),
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(format!("cannot lock {}: {e}", lock.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sqlite_file_is_found_in_its_url() {
        assert_eq!(
            sqlite_file("sqlite://data/dd.db?mode=rwc"),
            Some("data/dd.db")
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://x/y"), None);
    }

    #[test]
    fn a_missing_sqlite_file_without_rwc_says_how_to_create_it() {
        let dir = std::env::temp_dir().join("dd-missing-sqlite-test");
        let path = dir.join("nope.db");
        let url = format!("sqlite://{}", path.display());
        let err = prepare_sqlite(&url, &path).unwrap_err().to_string();
        assert!(err.contains("mode=rwc"), "{err}");
        assert!(prepare_sqlite(&format!("{url}?mode=rwc"), &path).is_ok());
    }

    #[test]
    fn a_second_claim_on_one_sqlite_file_is_refused_with_the_reason() {
        let dir = std::env::temp_dir().join(format!("dd-claim-{}", std::process::id()));
        let url = format!("sqlite://{}/x.db?mode=rwc", dir.display());
        let first = claim_sqlite(&url, Holder::Server).unwrap();
        assert!(first.is_some());
        let second = claim_sqlite(&url, Holder::Server).unwrap_err();
        assert!(second.contains("PostgreSQL"), "{second}");
        let seed = claim_sqlite(&url, Holder::Command).unwrap_err();
        assert!(seed.contains("stop it first"), "{seed}");
        drop(first);
        assert!(claim_sqlite(&url, Holder::Command).unwrap().is_some());
        assert!(
            claim_sqlite("postgres://x/y", Holder::Server)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn a_postgres_url_names_its_host_port_user_and_database() {
        let pg = postgres_target("postgres://alice@db.example:6543/desk").unwrap();
        assert_eq!(
            (
                pg.host.as_str(),
                pg.port,
                pg.user.as_str(),
                pg.database.as_str()
            ),
            ("db.example", 6543, "alice", "desk")
        );
    }
}
