//! Several server processes on one PostgreSQL database: a change committed through one
//! reaches subscribers on the other, through LISTEN/NOTIFY, and a lost listener
//! connection loses nothing.

use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

use delivery_desk::startup;
use serde_json::json;

use crate::helpers::{
    self, Backend, TEST_SECRET, TestApp, fresh_postgres_url, signed_project, stage,
};

/// A server process, killed when dropped.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub(crate) async fn start(database_url: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_delivery-desk"))
            .env("DATABASE_URL", database_url)
            .env("BIND_ADDR", format!("127.0.0.1:{port}"))
            .env("JWT_SECRET", TEST_SECRET)
            .env("LOG_LEVEL", "warn")
            .env("DB_MAX_CONNECTIONS", "4")
            // The tests' webhook receivers listen on loopback.
            .env("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        server.await_ready().await;
        server
    }

    /// Waits until `/readyz` says 200: database reachable and the event listener connected.
    pub(crate) async fn await_ready(&self) {
        let http = reqwest::Client::new();
        for _ in 0..200 {
            if let Ok(res) = http.get(format!("{}/readyz", self.base)).send().await
                && res.status().is_success()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{} never became ready", self.base);
    }
}

const STAGES: &str = "subscription { stageStatusChanged { cursor to stage { name } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_feed_and_a_lost_listener_loses_nothing() {
    let Some(url) = fresh_postgres_url().await else {
        return;
    };
    let db = startup::connect(&url, 4).await.unwrap();
    startup::migrate(&db).await.unwrap();
    let (a, b) = (Server::start(&url).await, Server::start(&url).await);
    let on_a = TestApp::attach(a.base.clone(), db.clone(), Backend::Postgres).await;
    let on_b = TestApp::attach(b.base.clone(), db.clone(), Backend::Postgres).await;

    let acme = helpers::client(&on_a, "Acme").await;
    let pid = signed_project(&on_a, &acme, "X-1").await;
    let sid = stage(&on_a, &pid, "Install").await;
    let mut watcher = on_b.ws(Some(&on_b.admin)).await;
    watcher.subscribe("s", STAGES, json!({})).await;
    watcher.silent(Duration::from_millis(300)).await;

    let change =
        "mutation($s: ID!, $st: StageStatus!) { changeStageStatus(id: $s, status: $st) { id } }";
    on_a.ok(change, json!({ "s": sid, "st": "IN_PROGRESS" }))
        .await;
    let got = watcher.next("s").await;
    assert_eq!(got["data"]["stageStatusChanged"]["to"], "IN_PROGRESS");
    assert_eq!(
        got["data"]["stageStatusChanged"]["stage"]["name"],
        "Install"
    );

    // Cut B's listener (as a database restart would), then change through A before B
    // can have reconnected: B catches up from the log once it has.
    assert_eq!(
        helpers::cut_listeners(&db).await,
        2,
        "one listener per instance"
    );
    on_a.ok(change, json!({ "s": sid, "st": "BLOCKED" })).await;
    on_a.ok(change, json!({ "s": sid, "st": "IN_PROGRESS" }))
        .await;
    let mut seen = Vec::new();
    while seen.len() < 2 {
        seen.push(watcher.next("s").await["data"]["stageStatusChanged"]["to"].clone());
    }
    assert_eq!(seen, [json!("BLOCKED"), json!("IN_PROGRESS")]);
    watcher.silent(Duration::from_millis(300)).await;
    // And B reports itself ready again once its listener is back.
    b.await_ready().await;
}
