//! The connections reads keep on PostgreSQL (`reads::Reads`): one is reused read after
//! read, more are opened only up to the limit (the pool takes the rest), one whose read
//! was cancelled or failed is closed, and a read whose connection the database ended is
//! answered through the pool.

use std::time::Duration;

use delivery_desk::{reads::Reads, startup};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, Statement};

use crate::helpers::fresh_postgres_url;

/// Reads on a fresh database whose pool has 2 connections (so reads keep up to 2).
async fn reads() -> Option<(Reads, DatabaseConnection)> {
    let url = fresh_postgres_url().await?;
    let db = startup::connect(&url, 4).await.expect("open postgres");
    Some((Reads::new(&db), db))
}

fn sql(text: &str) -> Statement {
    Statement::from_string(DatabaseBackend::Postgres, text)
}

/// The server process that answers the read.
async fn backend(reads: &Reads) -> i32 {
    reads
        .query_one_raw(sql("SELECT pg_backend_pid() AS pid"))
        .await
        .expect("read")
        .expect("a row")
        .try_get::<i32>("", "pid")
        .expect("pid")
}

#[tokio::test]
async fn one_kept_connection_serves_reads_one_after_another() {
    let Some((reads, _db)) = reads().await else {
        return;
    };
    let first = backend(&reads).await;
    for _ in 0..20 {
        assert_eq!(backend(&reads).await, first);
        let rows = reads
            .query_all_raw(sql("SELECT generate_series(1, 3) AS n"))
            .await
            .expect("rows");
        assert_eq!(rows.len(), 3);
    }
    assert_eq!(reads.kept().open, 1);
}

#[tokio::test]
async fn reads_beyond_the_kept_connections_take_the_pool() {
    let Some((reads, _db)) = reads().await else {
        return;
    };
    let all: Vec<_> = (0..12)
        .map(|_| {
            let reads = reads.clone();
            tokio::spawn(async move {
                reads
                    .query_all_raw(sql("SELECT pg_sleep(0.05), pg_backend_pid() AS pid"))
                    .await
            })
        })
        .collect();
    for read in all {
        assert_eq!(read.await.unwrap().expect("read").len(), 1);
    }
    assert_eq!(reads.kept().open, 2, "the pool's size, kept");
}

#[tokio::test]
async fn a_cancelled_read_closes_its_connection() {
    let Some((reads, _db)) = reads().await else {
        return;
    };
    let first = backend(&reads).await;
    let cancelled = tokio::time::timeout(
        Duration::from_millis(100),
        reads.query_all_raw(sql("SELECT pg_sleep(2)")),
    )
    .await;
    assert!(cancelled.is_err(), "the read was still running");
    assert_eq!(reads.kept().open, 0, "left mid-statement: closed, not kept");
    assert_ne!(backend(&reads).await, first, "a new connection");
    assert_eq!(reads.kept().open, 1);
}

#[tokio::test]
async fn a_failed_read_reports_its_error_and_the_next_read_works() {
    let Some((reads, _db)) = reads().await else {
        return;
    };
    let err = reads
        .query_all_raw(sql("SELECT * FROM no_such_table"))
        .await
        .expect_err("no such table");
    assert!(matches!(err, DbErr::Query(_)), "{err:?}");
    assert!(err.to_string().contains("no_such_table"), "{err}");
    assert_eq!(reads.kept().open, 0);
    backend(&reads).await;
}

#[tokio::test]
async fn a_read_whose_connection_the_database_ended_is_answered_through_the_pool() {
    let Some((reads, db)) = reads().await else {
        return;
    };
    let kept = backend(&reads).await;
    db.execute_raw(Statement::from_sql_and_values(
        DatabaseBackend::Postgres,
        "SELECT pg_terminate_backend($1)",
        [kept.into()],
    ))
    .await
    .expect("terminate");
    // The backend's farewell (FATAL 57P01) waits on the idle connection; the next read,
    // within the second in which a kept connection is not tested, meets it.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let answered = backend(&reads).await;
    assert_ne!(answered, kept);
    assert_eq!(reads.kept().open, 0, "the ended connection is not kept");
}

#[tokio::test]
async fn a_database_that_never_answers_fails_a_read_within_the_acquire_timeout() {
    // Accepts connections and says nothing, as a host behind a dropping firewall would
    // after the handshake.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = silent.local_addr().unwrap();
    let held = tokio::spawn(async move {
        let mut sockets = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            sockets.push(socket);
        }
    });
    let mut options = sea_orm::ConnectOptions::new(format!("postgres://postgres@{addr}/none"));
    options
        .connect_lazy(true)
        .acquire_timeout(Duration::from_millis(300));
    let db = sea_orm::Database::connect(options)
        .await
        .expect("lazy pool");
    let reads = Reads::new(&db);
    let started = std::time::Instant::now();
    let err = reads
        .query_all_raw(sql("SELECT 1"))
        .await
        .expect_err("nothing answers");
    assert!(
        matches!(
            err,
            DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout)
        ),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(reads.kept().open, 0, "the attempt is not counted as open");
    held.abort();
}
