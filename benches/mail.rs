//! E-mail outbox throughput against a local SMTP server (the tests' sink, on loopback).
//!
//! `cargo bench --bench mail` runs the server's state in this process on a temporary
//! SQLite file, or on a fresh database of `BENCH_DATABASE_URL=postgres://…`. The demo
//! client gets `BENCH_CONTACTS` more contacts (default 20); then:
//!
//! 1. **Live**: `BENCH_REPORTS` daily notes (default 100) are published one after another
//!    through the service layer while the server's sender runs; each queues one message
//!    per contact in its transaction. Reported: messages per second from the first commit
//!    to the last acceptance, and the lag from a report's commit to the SMTP server's
//!    acceptance of each of its messages (p50/p99/max).
//! 2. **Backlog**: as many notes again are published with no sender running (they wait in
//!    the outbox), then `BENCH_SENDERS` senders (default 2, as two instances would) drain
//!    it. Reported: messages per second.
//!
//! Both check that every message arrived exactly once (by `Message-ID`). Results go to
//! `target/bench/mail-<engine>.md`.
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark stops at its first failure; there is nobody to hand an error to"
)]

#[path = "support/chart.rs"]
mod chart;
#[path = "support/setup.rs"]
mod setup;
#[path = "../tests/api/smtp_sink.rs"]
mod smtp_sink;

use std::{
    collections::{HashMap, HashSet},
    time::{Duration, Instant},
};

use delivery_desk::{
    auth::token::TokenKeys,
    documents::DocumentStore,
    domain::report::Parts,
    mail::{Links, MailOptions, Mailer, SmtpSettings},
    service::{Caller, Ctx, clients, reports},
    startup::{self, AppState, Options},
};
use entity::{ContactStatus, Language, ProjectStatus, ReportKind, contact, project};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use smtp_sink::{Mode, Sink};

fn options(sink: &Sink) -> MailOptions {
    MailOptions {
        smtp: Some(SmtpSettings::parse(&sink.url()).unwrap()),
        links: Links::new("https://desk.example"),
        ..MailOptions::default()
    }
}

/// Publishes `n` daily notes of `project` tagged `tag-<i>`; returns each note's commit
/// instant by tag.
async fn publish(ctx: Ctx<'_>, project: i64, n: usize, tag: &str) -> HashMap<String, Instant> {
    let mut committed = HashMap::new();
    for i in 0..n {
        let label = format!("{tag}-{i}");
        reports::create(
            ctx,
            reports::NewReport {
                project_id: project,
                kind: ReportKind::Daily,
                parts: Parts {
                    body: None,
                    progress: Some(format!("Progress note {label}.")),
                    problems: None,
                    plan: Some("Next hall".into()),
                    next_by: None,
                },
                draft: false,
                progress_percent: 50,
                stage_id: None,
                author_id: None,
            },
        )
        .await
        .unwrap();
        committed.insert(label, Instant::now());
    }
    committed
}

/// Waits for `n` accepted messages (at most two minutes).
async fn wait(sink: &Sink, n: usize) {
    sink.wait_for(n, 120).await;
}

fn once_each(sink: &Sink) -> bool {
    let all = sink.accepted();
    let ids: HashSet<String> = all.iter().filter_map(|m| m.header("Message-ID")).collect();
    ids.len() == all.len()
}

async fn run(url: &str, contacts: usize, notes: usize, senders: usize, engine: &str) -> String {
    let db = startup::connect(url, 16).await.unwrap();
    startup::migrate(&db).await.unwrap();
    let docs = tempfile::tempdir().unwrap();
    let store = DocumentStore::new(docs.path(), 1 << 20);
    delivery_desk::seed::demo(&db, &store).await.unwrap();
    let sink = Sink::start(Mode::Accept).await;
    let keys =
        TokenKeys::hs256(b"the mail benchmark's secret, 32+ bytes", "delivery-desk").unwrap();
    let state = AppState::new(
        db.clone(),
        Options {
            documents: store,
            mail: options(&sink),
            // The messages counted are the ones this benchmark makes, whatever the day.
            weekly_digests: false,
            ..Options::default()
        },
        keys,
    );
    let caller = Caller::System;
    let time = delivery_desk::time::Time::default();
    let ctx = Ctx {
        db: &db,
        caller: &caller,
        live: Some(&state.hub),
        time: &time,
    };
    let p = project::Entity::find()
        .filter(project::Column::Status.eq(ProjectStatus::Execution))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    for i in 0..contacts {
        clients::create_contact(
            ctx,
            clients::NewContact {
                client_id: p.client_id,
                name: format!("Reader {i}"),
                title: None,
                email: Some(format!("reader{i}@client.example")),
                phone: None,
                decision_role: None,
                language: if i % 2 == 0 {
                    Language::En
                } else {
                    Language::Zh
                },
            },
        )
        .await
        .unwrap();
    }
    let readers = contact::Entity::find()
        .filter(contact::Column::ClientId.eq(p.client_id))
        .filter(contact::Column::Status.eq(ContactStatus::Active))
        .filter(contact::Column::Email.is_not_null())
        .count(&db)
        .await
        .unwrap() as usize;
    // Let the demo data's own messages go first.
    let before = entity::outbox_message::Entity::find()
        .filter(entity::outbox_message::Column::Status.eq(entity::MailStatus::Pending))
        .count(&db)
        .await
        .unwrap() as usize;
    wait(&sink, before).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let base = sink.accepted().len();

    // 1. Live: the server's sender runs while notes are published.
    let started = Instant::now();
    let committed = publish(ctx, p.id, notes, "live").await;
    let commit_secs = started.elapsed().as_secs_f64();
    let live_expected = notes * readers;
    wait(&sink, base + live_expected).await;
    let got = sink.accepted();
    let live: Vec<&smtp_sink::Mail> = got[base..].iter().collect();
    let mut lags = Vec::new();
    let mut last = started;
    for m in &live {
        last = last.max(m.at);
        let body = m.body();
        if let Some(tag) = body
            .split_whitespace()
            .find(|w| w.starts_with("live-"))
            .map(|w| w.trim_end_matches('.'))
            && let Some(c) = committed.get(tag)
        {
            lags.push(m.at.saturating_duration_since(*c).as_secs_f64() * 1000.0);
        }
    }
    lags.sort_by(f64::total_cmp);
    let live_rate = live.len() as f64 / last.duration_since(started).as_secs_f64();
    let live_row = format!(
        "| {engine} | live, the server's sender | {} | {:.0} | {}/{live_expected} | {} | {live_rate:.0} | {:.1} | {:.1} | {:.1} |\n",
        notes,
        notes as f64 / commit_secs,
        live.len(),
        if once_each(&sink) { "yes" } else { "NO" },
        setup::percentile(&lags, 0.5),
        setup::percentile(&lags, 0.99),
        lags.last().copied().unwrap_or(f64::NAN),
    );

    // 2. Backlog: the server's sender stops; notes queue; `senders` drain them.
    state.shutdown.cancel();
    state.mailer.stopped().await;
    let base = sink.accepted().len();
    let started = Instant::now();
    publish(ctx, p.id, notes, "backlog").await;
    let commit_secs = started.elapsed().as_secs_f64();
    let stop = tokio_util::sync::CancellationToken::new();
    let hub = delivery_desk::live::Hub::start(db.clone());
    let drain = Instant::now();
    let workers: Vec<Mailer> = (0..senders)
        .map(|_| {
            Mailer::start(
                db.clone(),
                hub.clone(),
                time.clone(),
                options(&sink),
                stop.clone(),
            )
        })
        .collect();
    wait(&sink, base + live_expected).await;
    let drained = sink.accepted().len() - base;
    let secs = drain.elapsed().as_secs_f64();
    stop.cancel();
    for w in workers {
        w.stopped().await;
    }
    let backlog_row = format!(
        "| {engine} | backlog, {senders} senders | {notes} | {:.0} | {drained}/{live_expected} | {} | {:.0} | - | - | - |\n",
        notes as f64 / commit_secs,
        if once_each(&sink) { "yes" } else { "NO" },
        drained as f64 / secs,
    );
    format!("{live_row}{backlog_row}")
}

#[tokio::main]
async fn main() {
    let contacts: usize = setup::env_or("BENCH_CONTACTS", 20);
    let notes: usize = setup::env_or("BENCH_REPORTS", 100);
    let senders: usize = setup::env_or("BENCH_SENDERS", 2);
    let pg = setup::postgres_server();
    let engine = if pg.is_some() { "PostgreSQL" } else { "SQLite" };
    let heading = format!(
        "mail: {engine}; machine {}; daily notes published one after another, each to every \
         contact of the client; a local SMTP server on loopback\n\n\
         | engine | phase | notes | commits/s | accepted/expected | each once | messages/s | lag p50 ms | lag p99 ms | lag max ms |\n\
         |---|---|---|---|---|---|---|---|---|---|\n",
        chart::machine()
    );
    let rows = match &pg {
        Some(server) => {
            let name = format!("dd_bench_mail_{}", std::process::id());
            let database = setup::PgDatabase::create(server, name).await;
            let rows = run(&database.url, contacts, notes, senders, engine).await;
            database.drop().await;
            rows
        }
        None => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("mail.db").display());
            run(&url, contacts, notes, senders, engine).await
        }
    };
    let out = format!("{heading}{rows}");
    print!("{out}");
    std::fs::create_dir_all("target/bench").unwrap();
    std::fs::write(
        format!("target/bench/mail-{}.md", engine.to_lowercase()),
        out,
    )
    .unwrap();
}
