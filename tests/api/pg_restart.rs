//! PostgreSQL restarted under load: mutations and a live subscriber run while a throwaway
//! PostgreSQL (its own data folder and port, made with `initdb` and `pg_ctl`, so no other
//! test is disturbed) restarts. The server recovers by itself, `/readyz` reports the
//! outage, every acknowledged mutation is stored, and the subscriber receives every
//! event.

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use delivery_desk::startup;
use serde_json::{Value, json};

use crate::{
    helpers::{self, Backend, TestApp, signed_project},
    scale_out::Server,
};

/// A PostgreSQL cluster of its own, stopped and deleted when dropped.
struct Cluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

/// Runs a PostgreSQL tool; as the `postgres` user when we are root (PostgreSQL refuses to
/// run as root).
fn pg(bin: &Path, tool: &str, args: &[&str]) -> std::process::Output {
    let exe = bin.join(tool);
    let mut cmd = if running_as_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    cmd.args(args).output().unwrap()
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl Cluster {
    fn start() -> Option<Self> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path().join("bin"))
            .find(|b| b.join("initdb").exists())?;
        let dir = tempfile::tempdir().unwrap();
        if running_as_root() {
            Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .unwrap();
        }
        let data = dir.path().join("data");
        let out = pg(
            &bin,
            "initdb",
            &["-D", data.to_str()?, "-A", "trust", "-U", "postgres"],
        );
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let cluster = Self { bin, dir, port };
        cluster.ctl(&["start", "-w"]);
        Some(cluster)
    }

    fn ctl(&self, action: &[&str]) {
        let data = self.dir.path().join("data");
        let log = self.dir.path().join("log");
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.dir.path().display()
        );
        let mut args = vec![
            "-D",
            data.to_str().unwrap(),
            "-l",
            log.to_str().unwrap(),
            "-o",
            &opts,
        ];
        args.extend_from_slice(action);
        let out = pg(&self.bin, "pg_ctl", &args);
        assert!(
            out.status.success(),
            "pg_ctl {action:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let _ = pg(
            &self.bin,
            "pg_ctl",
            &["-D", data.to_str().unwrap(), "stop", "-m", "immediate"],
        );
    }
}

const CREATE: &str = "mutation($p: ID!, $t: String!) { createTicket(input: { projectId: $p, title: $t, type: SOFTWARE_BUG }) { id } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgresql_restart_under_load_loses_nothing() {
    if std::env::var("DATABASE_URL_PG").is_ok_and(|v| v.is_empty()) {
        return; // PostgreSQL tests switched off locally (CI refuses that elsewhere).
    }
    let cluster = Cluster::start().expect("PostgreSQL's initdb and pg_ctl (scripts/setup.sh)");
    let url = cluster.url();
    let db = startup::connect(&url, 4).await.unwrap();
    startup::migrate(&db).await.unwrap();
    let server = Server::start(&url).await;
    let app = TestApp::attach(server.base.clone(), db.clone(), Backend::Postgres).await;
    let acme = helpers::client(&app, "Acme").await;
    let pid = signed_project(&app, &acme, "R-1").await;
    let mut watcher = app.ws(Some(&app.admin)).await;
    watcher
        .subscribe(
            "a",
            "subscription($p: ID!) { projectActivity(projectId: $p) { entityId kind } }",
            json!({ "p": pid }),
        )
        .await;
    watcher.silent(Duration::from_millis(300)).await;

    // Mutations keep coming; those answered with an id were acknowledged.
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (http, base, token, pid, acked, stop) = (
            app.http.clone(),
            app.base.clone(),
            app.admin.clone(),
            pid.clone(),
            acked.clone(),
            stop.clone(),
        );
        tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                i += 1;
                let res = http
                    .post(format!("{base}/graphql"))
                    .bearer_auth(&token)
                    .json(&json!({ "query": CREATE, "variables": { "p": pid, "t": format!("t{i}") } }))
                    .send()
                    .await;
                if let Ok(res) = res
                    && let Ok(body) = res.json::<Value>().await
                    && let Some(id) = body["data"]["createTicket"]["id"].as_str()
                {
                    acked.lock().unwrap().push(id.to_owned());
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    while acked.lock().unwrap().len() < 10 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // The restart, with /readyz watched meanwhile.
    let watch_ready = {
        let (http, base) = (app.http.clone(), app.base.clone());
        tokio::spawn(async move {
            let mut saw_outage = false;
            let until = Instant::now() + Duration::from_secs(8);
            while Instant::now() < until && !saw_outage {
                let ok = http
                    .get(format!("{base}/readyz"))
                    .timeout(Duration::from_secs(2))
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                saw_outage = !ok;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            saw_outage
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    cluster.ctl(&["stop", "-m", "fast", "-w"]);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    cluster.ctl(&["start", "-w"]);
    assert!(
        watch_ready.await.unwrap(),
        "/readyz never reported the outage"
    );
    server.await_ready().await;
    let before = acked.lock().unwrap().len();
    let deadline = Instant::now() + Duration::from_secs(20);
    while acked.lock().unwrap().len() < before + 10 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.await.unwrap();
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= before + 10,
        "the server did not recover: {} then {}",
        before,
        acked.len()
    );

    // Every acknowledged ticket is stored, and the subscriber saw each one's CREATED event.
    let again = TestApp::attach(
        server.base.clone(),
        startup::connect(&url, 2).await.unwrap(),
        Backend::Postgres,
    )
    .await;
    helpers::assert_all_stored(&again, &acked).await;
    let mut missing: std::collections::HashSet<i64> =
        acked.iter().map(|id| helpers::db_id(id)).collect();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !missing.is_empty() && Instant::now() < deadline {
        let got = watcher.next("a").await;
        let e = &got["data"]["projectActivity"];
        if e["kind"] == "CREATED"
            && let Some(id) = e["entityId"].as_str()
        {
            missing.remove(&helpers::db_id(id));
        }
    }
    assert!(
        missing.is_empty(),
        "{} acknowledged tickets never reached the subscriber",
        missing.len()
    );
}
