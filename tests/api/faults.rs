//! Faults: the server killed with SIGKILL in the middle of a burst of mutations loses no
//! change it acknowledged, and leaves nothing half-written. A real process on each
//! engine; the database survives it.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use delivery_desk::startup;
use serde_json::{Value, json};

use crate::{
    helpers::{self, Backend, TestApp, fresh_postgres_url, signed_project},
    scale_out::Server,
};

const CREATE: &str = "mutation($p: ID!, $t: String!) { createTicket(input: { projectId: $p, title: $t, type: SOFTWARE_BUG, priority: HIGH }) { id } }";

async fn killed_mid_burst_loses_nothing_acknowledged(url: &str, backend: Backend) {
    let db = startup::connect(url, 4).await.unwrap();
    startup::migrate(&db).await.unwrap();
    let mut server = Server::start(url).await;
    let app = TestApp::attach(server.base.clone(), db.clone(), backend).await;
    let acme = helpers::client(&app, "Acme").await;
    let pid = signed_project(&app, &acme, "K-1").await;

    // Four clients create tickets as fast as they can; each id the server returned is an
    // acknowledged change.
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut clients = Vec::new();
    for c in 0..4 {
        let (http, base, token, pid, acked) = (
            app.http.clone(),
            app.base.clone(),
            app.admin.clone(),
            pid.clone(),
            acked.clone(),
        );
        clients.push(tokio::spawn(async move {
            for i in 0..500 {
                let sent = http
                    .post(format!("{base}/graphql"))
                    .bearer_auth(&token)
                    .json(&json!({ "query": CREATE, "variables": { "p": pid, "t": format!("t{c}-{i}") } }))
                    .send()
                    .await;
                let Ok(res) = sent else { return };
                let Ok(body) = res.json::<Value>().await else { return };
                if let Some(id) = body["data"]["createTicket"]["id"].as_str() {
                    acked.lock().unwrap().push(id.to_owned());
                }
            }
        }));
    }
    while acked.lock().unwrap().len() < 60 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    for c in clients {
        c.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 60);

    // Restarted on the same database: every acknowledged ticket is there.
    let server = Server::start(url).await;
    let again = TestApp::attach(server.base.clone(), db.clone(), backend).await;
    helpers::assert_all_stored(&again, &acked).await;
    // Nothing half-written: each stored ticket has its CREATED event and its three clocks.
    let tickets = again.count("tickets").await;
    assert!(tickets >= acked.len() as i64);
    let created = again
        .count("events WHERE entity_kind = 'TICKET' AND kind = 'CREATED'")
        .await;
    assert_eq!(
        created, tickets,
        "a ticket without its event, or the reverse"
    );
    assert_eq!(again.count("ticket_clocks").await, 3 * tickets);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_burst_loses_nothing_acknowledged_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/dd.db?mode=rwc", dir.path().display());
    killed_mid_burst_loses_nothing_acknowledged(&url, Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_burst_loses_nothing_acknowledged_on_postgres() {
    let Some(url) = fresh_postgres_url().await else {
        return;
    };
    killed_mid_burst_loses_nothing_acknowledged(&url, Backend::Postgres).await;
}
