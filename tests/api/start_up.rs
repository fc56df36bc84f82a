//! Starting the real binary as an operator would: several instances at once on one fresh
//! PostgreSQL database, a second server on one SQLite file, and settings or
//! surroundings that are wrong, each said at once with what to do.

use std::{
    process::{Child, Command, Output, Stdio},
    time::{Duration, Instant},
};

use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::json;

use crate::{
    helpers::{Backend, TEST_SECRET, fresh_postgres_url},
    scale_out::Server,
};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The binary with a clean environment in `dir`, and `envs`.
fn command(dir: &std::path::Path, args: &[&str], envs: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_delivery-desk"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env("JWT_SECRET", TEST_SECRET)
        .env("LOG_LEVEL", "info");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd
}

fn run(dir: &std::path::Path, args: &[&str], envs: &[(&str, &str)]) -> (Output, String) {
    let out = command(dir, args, envs).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out, text)
}

/// A server process killed when dropped, its log in a file.
struct Logged {
    child: Child,
    base: String,
    log: std::path::PathBuf,
}

impl Drop for Logged {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_logged(dir: &std::path::Path, url: &str, name: &str) -> Logged {
    spawn_with_connections(dir, url, name, 4)
}

/// As [`spawn_logged`], with `DB_MAX_CONNECTIONS` at `connections`.
fn spawn_with_connections(
    dir: &std::path::Path,
    url: &str,
    name: &str,
    connections: u32,
) -> Logged {
    let port = free_port();
    let log = dir.join(format!("{name}.log"));
    let child = command(
        dir,
        &[],
        &[
            ("DATABASE_URL", url),
            ("BIND_ADDR", &format!("127.0.0.1:{port}")),
            ("DB_MAX_CONNECTIONS", &connections.to_string()),
        ],
    )
    .stdout(Stdio::null())
    .stderr(std::fs::File::create(&log).unwrap())
    .spawn()
    .unwrap();
    Logged {
        child,
        base: format!("http://127.0.0.1:{port}"),
        log,
    }
}

/// Whether the server at `base` answers `/readyz` within 30 s (a probe that hangs counts
/// as not ready, as a load balancer's would).
async fn await_ready(base: &str) -> bool {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(res) = http.get(format!("{base}/readyz")).send().await
            && res.status().is_success()
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fewest_database_connections_allowed_still_serve_reads_and_writes() {
    let Some(url) = fresh_postgres_url().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // The least allowed: a pool of one connection (and reads keep one of their own).
    let server = spawn_with_connections(dir.path(), &url, "one", 1);
    let ready = await_ready(&server.base).await;
    let log = || std::fs::read_to_string(&server.log).unwrap_or_default();
    assert!(ready, "never became ready:\n{}", log());
    // Ready means listening: the listener's connection is open, and writes and reads go
    // on beside it, each well inside the pool's 10 s acquire timeout.
    let db = Database::connect(&url).await.unwrap();
    let app = crate::helpers::TestApp::attach(server.base.clone(), db, Backend::Postgres).await;
    let started = Instant::now();
    let id = crate::helpers::client(&app, "Small Pool Ltd").await;
    let read = app
        .ok(
            "query($id: ID!) { client(id: $id) { name } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(read["client"]["name"], "Small Pool Ltd");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "a write and a read took {:?}:\n{}",
        started.elapsed(),
        log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_started_together_on_a_fresh_postgres_database_all_come_up_ready() {
    let Some(url) = fresh_postgres_url().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // Spawned at once, nothing migrated before: they race for the migrations.
    let servers: Vec<Logged> = (0..4)
        .map(|i| spawn_logged(dir.path(), &url, &format!("s{i}")))
        .collect();
    for s in &servers {
        let ready = await_ready(&s.base).await;
        let log = std::fs::read_to_string(&s.log).unwrap_or_default();
        assert!(ready, "{} never became ready:\n{log}", s.base);
    }
    let db = Database::connect(&url).await.unwrap();
    let count = |sql: &'static str| {
        let db = db.clone();
        async move {
            db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
                .await
                .unwrap()
                .unwrap()
                .try_get::<i64>("", "n")
                .unwrap()
        }
    };
    assert_eq!(
        count("SELECT COUNT(*) AS n FROM service_level_policies").await,
        1,
        "the default policy is installed once"
    );
    let known = count("SELECT COUNT(DISTINCT version) AS n FROM seaql_migrations").await;
    assert_eq!(
        count("SELECT COUNT(*) AS n FROM seaql_migrations").await,
        known
    );

    // Readiness probes write nothing to the log: no notices, no errors.
    let http = reqwest::Client::new();
    let before = std::fs::read_to_string(&servers[0].log).unwrap();
    for _ in 0..5 {
        let res = http
            .get(format!("{}/readyz", servers[0].base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after = std::fs::read_to_string(&servers[0].log).unwrap();
    assert_eq!(&after[before.len()..], "", "probes logged something");
    assert!(!after.contains("ERROR"), "{after}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_process_on_one_sqlite_file_refuses_to_start_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("desk.db").display());
    let first = Server::start(&url).await;
    let port = free_port().to_string();
    let bind = format!("127.0.0.1:{port}");
    let (out, text) = run(
        dir.path(),
        &[],
        &[("DATABASE_URL", &url), ("BIND_ADDR", &bind)],
    );
    assert!(!out.status.success(), "a second server started: {text}");
    assert!(
        text.contains("serves one instance") && text.contains("PostgreSQL"),
        "{text}"
    );
    // A command that writes would bypass the running server's subscribers: refused.
    let (out, text) = run(dir.path(), &["seed-demo"], &[("DATABASE_URL", &url)]);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("stop it first"), "{text}");
    drop(first);
    let (out, text) = run(dir.path(), &["seed-demo"], &[("DATABASE_URL", &url)]);
    assert!(
        out.status.success(),
        "with the server gone it seeds: {text}"
    );
}

#[test]
fn a_bad_log_level_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    for level in ["delivery_desk=loud", "verbose++"] {
        let (out, text) = run(dir.path(), &["migrate"], &[("LOG_LEVEL", level)]);
        assert_eq!(out.status.code(), Some(2), "{level}: {text}");
        assert!(text.contains("LOG_LEVEL"), "{text}");
    }
}

#[test]
fn a_missing_sqlite_file_without_rwc_says_how_to_create_it() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("none.db").display());
    let (out, text) = run(dir.path(), &["migrate"], &[("DATABASE_URL", &url)]);
    assert!(!out.status.success());
    assert!(text.contains("?mode=rwc"), "{text}");
}

#[test]
fn postgres_with_nothing_listening_is_said_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let url = format!("postgres://postgres@127.0.0.1:{port}/desk");
    let begun = Instant::now();
    let (out, text) = run(dir.path(), &["migrate"], &[("DATABASE_URL", &url)]);
    assert!(!out.status.success());
    assert!(
        text.contains(&format!("connection refused at 127.0.0.1:{port}")),
        "{text}"
    );
    assert!(
        begun.elapsed() < Duration::from_secs(5),
        "{:?}",
        begun.elapsed()
    );
}

#[tokio::test]
async fn a_missing_postgres_database_suggests_createdb() {
    let Some(url) = fresh_postgres_url().await else {
        return;
    };
    let missing = format!("{}_missing", url.split('?').next().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let (out, text) = run(dir.path(), &["migrate"], &[("DATABASE_URL", &missing)]);
    assert!(!out.status.success());
    assert!(text.contains("createdb"), "{text}");
}

#[test]
fn a_port_in_use_is_said_before_the_database_is_touched() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let bind = taken.local_addr().unwrap().to_string();
    let db = dir.path().join("desk.db");
    let url = format!("sqlite://{}?mode=rwc", db.display());
    let (out, text) = run(
        dir.path(),
        &[],
        &[("DATABASE_URL", &url), ("BIND_ADDR", &bind)],
    );
    assert!(!out.status.success());
    assert!(
        text.contains("cannot listen") && text.contains("BIND_ADDR"),
        "{text}"
    );
    assert!(
        !db.exists(),
        "the database was created before the port was checked"
    );
}

#[test]
fn demo_refuses_to_run_with_a_production_key() {
    let dir = tempfile::tempdir().unwrap();
    // `command` sets JWT_SECRET, as a deployment would.
    let (out, text) = run(dir.path(), &["demo"], &[]);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("development only"), "{text}");
    assert!(!text.contains("#token="), "no token was printed: {text}");
    assert!(!dir.path().join("data/delivery-desk.db").exists());
}
