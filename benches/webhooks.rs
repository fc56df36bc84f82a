//! Webhook delivery under load: 10 endpoints (9 answering receivers on loopback, one
//! dead), a stream of committed changes, and for each delivery the lag from the change's
//! commit to its receipt.
//!
//! `cargo bench --bench webhooks` runs the server's state in this process (the hub and the
//! delivery task, as `serve` starts them) on a temporary SQLite file, or on a fresh
//! database of `BENCH_DATABASE_URL=postgres://…`. `BENCH_EVENTS` changes (default 2000)
//! are committed one after another through the service layer, as fast as they go.
//! Reported: deliveries per second (answering endpoints × events, over the time from the
//! first commit to the last receipt), lag p50/p99/max, and whether every answering
//! endpoint got every event once and in order. Results go to `target/bench/webhooks-<engine>.md`.
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark stops at its first failure; there is nobody to hand an error to"
)]

#[path = "support/chart.rs"]
mod chart;
#[path = "support/setup.rs"]
mod setup;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{Router, body::Bytes, extract::State, http::StatusCode, routing::post};
use delivery_desk::{
    auth::token::TokenKeys,
    documents::DocumentStore,
    domain::webhook::Interest,
    service::{Caller, Ctx, stages, webhooks},
    startup::{self, AppState, Options},
    webhooks::WebhookOptions,
};
use entity::{StageStatus, stage};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// Receipts of one receiver: (event sequence, when).
type Receipts = Arc<Mutex<Vec<(i64, Instant)>>>;

async fn receive(State(got): State<Receipts>, body: Bytes) -> StatusCode {
    let at = Instant::now();
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    got.lock()
        .unwrap()
        .push((v["sequence"].as_i64().unwrap(), at));
    StatusCode::NO_CONTENT
}

async fn receiver() -> (Receipts, String) {
    let got = Receipts::default();
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(got.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (got, url)
}

async fn run(url: &str, events: usize, engine: &str) -> String {
    let db = startup::connect(url, 16).await.unwrap();
    startup::migrate(&db).await.unwrap();
    let docs = tempfile::tempdir().unwrap();
    let store = DocumentStore::new(docs.path(), 1 << 20);
    delivery_desk::seed::demo(&db, &store).await.unwrap();
    let options = Options {
        documents: store,
        webhooks: WebhookOptions {
            timeout: Duration::from_secs(2),
            // Its receivers listen on loopback.
            allow_private: true,
            ..WebhookOptions::default()
        },
        ..Options::default()
    };
    let keys = TokenKeys::hs256(
        b"the webhook benchmark's secret, 32+ bytes",
        "delivery-desk",
    )
    .unwrap();
    let state = AppState::new(db.clone(), options, keys);
    let caller = Caller::System;
    let time = delivery_desk::time::Time::default();
    let ctx = Ctx {
        db: &db,
        caller: &caller,
        live: Some(&state.hub),
        time: &time,
    };

    let mut receipts = Vec::new();
    for _ in 0..9 {
        let (got, url) = receiver().await;
        webhooks::register(
            ctx,
            webhooks::NewEndpoint {
                url,
                secret: None,
                interest: Interest::default(),
            },
        )
        .await
        .unwrap();
        receipts.push(got);
    }
    // The dead one: a port reserved and not listening (connections refused).
    let dead = tokio::net::TcpSocket::new_v4().unwrap();
    dead.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    webhooks::register(
        ctx,
        webhooks::NewEndpoint {
            url: format!("http://{}/hook", dead.local_addr().unwrap()),
            secret: None,
            interest: Interest::default(),
        },
    )
    .await
    .unwrap();
    let first_event = delivery_desk::live::hub::log_head(&db).await.unwrap() + 1;

    let stage = stage::Entity::find()
        .filter(stage::Column::Status.eq(StageStatus::InProgress))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    // Commit instants by event id: each change's events get the instant its call returned.
    let mut committed: HashMap<i64, Instant> = HashMap::new();
    let mut head = first_event - 1;
    let started = Instant::now();
    for i in 0..events {
        let to = if i % 2 == 0 {
            StageStatus::Blocked
        } else {
            StageStatus::InProgress
        };
        stages::change_status(ctx, stage.id, to, None)
            .await
            .unwrap();
        let at = Instant::now();
        let new_head = delivery_desk::live::hub::log_head(&db).await.unwrap();
        for id in head + 1..=new_head {
            committed.insert(id, at);
        }
        head = new_head;
    }
    let commit_secs = started.elapsed().as_secs_f64();
    let expected: Vec<i64> = (first_event..=head).collect();
    let deadline = Instant::now() + Duration::from_secs(120);
    while receipts.iter().any(|r| {
        r.lock()
            .unwrap()
            .iter()
            .filter(|(s, _)| *s >= first_event)
            .count()
            < expected.len()
    }) && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut lags = Vec::new();
    let mut last_receipt = started;
    let mut in_order = true;
    let mut delivered = 0usize;
    for r in &receipts {
        let got: Vec<(i64, Instant)> = r
            .lock()
            .unwrap()
            .iter()
            .copied()
            .filter(|(s, _)| *s >= first_event)
            .collect();
        in_order &= got.iter().map(|(s, _)| *s).collect::<Vec<_>>() == expected;
        delivered += got.len();
        for (s, at) in got {
            last_receipt = last_receipt.max(at);
            if let Some(c) = committed.get(&s) {
                lags.push(at.saturating_duration_since(*c).as_secs_f64() * 1000.0);
            }
        }
    }
    lags.sort_by(f64::total_cmp);
    let span = last_receipt.duration_since(started).as_secs_f64();
    let dead_attempts: i64 = {
        use sea_orm::{PaginatorTrait, QuerySelect};
        entity::webhook_delivery::Entity::find()
            .filter(entity::webhook_delivery::Column::Succeeded.eq(false))
            .select_only()
            .column(entity::webhook_delivery::Column::Id)
            .count(&db)
            .await
            .unwrap() as i64
    };
    state.shutdown.cancel();
    format!(
        "| {engine} | {} | {:.0} | {delivered}/{} | {} | {:.0} | {:.1} | {:.1} | {:.1} | {dead_attempts} |\n",
        expected.len(),
        expected.len() as f64 / commit_secs,
        9 * expected.len(),
        if in_order { "yes" } else { "NO" },
        delivered as f64 / span,
        setup::percentile(&lags, 0.5),
        setup::percentile(&lags, 0.99),
        lags.last().copied().unwrap_or(f64::NAN),
    )
}

#[tokio::main]
async fn main() {
    let events: usize = setup::env_or("BENCH_EVENTS", 2000);
    let pg = setup::postgres_server();
    let engine = if pg.is_some() { "PostgreSQL" } else { "SQLite" };
    let heading = format!(
        "webhooks: {engine}; machine {}; 10 endpoints (9 answering on loopback, 1 dead), \
         changes committed one after another in this process\n\n\
         | engine | events | commits/s | delivered/expected | every endpoint in order, once | deliveries/s | lag p50 ms | lag p99 ms | lag max ms | failed attempts (dead endpoint) |\n\
         |---|---|---|---|---|---|---|---|---|---|\n",
        chart::machine()
    );
    let row = match &pg {
        Some(server) => {
            let name = format!("dd_bench_webhooks_{}", std::process::id());
            let database = setup::PgDatabase::create(server, name).await;
            let row = run(&database.url, events, engine).await;
            database.drop().await;
            row
        }
        None => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("webhooks.db").display()
            );
            run(&url, events, engine).await
        }
    };
    let out = format!("{heading}{row}");
    print!("{out}");
    std::fs::create_dir_all("target/bench").unwrap();
    std::fs::write(
        format!("target/bench/webhooks-{}.md", engine.to_lowercase()),
        out,
    )
    .unwrap();
}
