//! A soak run on loopback: mixed queries, mutations and live subscribers, some of them slow
//! readers, for `SOAK_SECONDS` (default 60) against the release server on a temporary
//! SQLite file, or on a fresh database at `BENCH_DATABASE_URL` (a PostgreSQL server URL).
//! It reports the server's resident memory over time (it must stay flat once warm) and,
//! per subscriber, that every change arrived exactly once, slow readers included; a reader
//! the server closes (1013) resumes from its last cursor.
//!
//! A slow reader takes its socket with a small receive buffer (`SOAK_SLOW_RCVBUF` bytes,
//! default 4096, as a client on a poor link would have) and stops reading for
//! `SOAK_STALL_SECONDS` (default 15) every 2,000 changes while the writers run, falling
//! thousands of changes behind. The run then waits until every subscriber has every change
//! (at most 120 s) and reports how long that took. A reader is closed (1013) only once the
//! server's socket send buffer is full and a send waits longer than the send timeout (2 s
//! here); Linux grows that buffer up to `net.ipv4.tcp_wmem`'s maximum (4 MiB by default),
//! more than a 60 s run writes to one reader, so closing and resuming is covered by the API
//! test `a_reader_too_slow_is_closed_with_1013_and_resumes_from_its_cursor` instead.
//!
//! `cargo bench --bench soak`; `SOAK_SUBSCRIBERS` (default 100) and `SOAK_SLOW` (default
//! 10). Results go to `target/bench/soak-<engine>.md`, memory over time to
//! `soak-<engine>-memory.svg`.
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark stops at its first failure; there is nobody to hand an error to"
)]

#[path = "support/chart.rs"]
mod chart;
#[path = "support/setup.rs"]
mod setup;

use std::{
    collections::HashSet,
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use delivery_desk::{
    auth::token::{Role, TokenKeys},
    service::{
        Caller, Ctx,
        users::{self, NewUser},
    },
    startup,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

const SECRET: &str = "the soak run's secret, at least 32 bytes";
const WATCH: &str = "subscription($after: String) { stageStatusChanged(after: $after) { cursor } }";

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

async fn gql(http: &reqwest::Client, base: &str, token: &str, q: &str, v: Value) -> Value {
    let res: Value = http
        .post(format!("{base}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": q, "variables": v }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(res.get("errors").is_none(), "{res}");
    res["data"].clone()
}

type Socket = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

/// Opens the websocket, with a receive buffer of `rcvbuf` bytes if given (set before
/// connecting, so that the window never grows past it).
async fn connect(
    request: tokio_tungstenite::tungstenite::handshake::client::Request,
    rcvbuf: Option<u32>,
) -> Result<(Socket, ()), Box<dyn std::error::Error>> {
    let host = request.uri().host().unwrap_or("127.0.0.1").to_owned();
    let port = request.uri().port_u16().unwrap_or(80);
    let addr: std::net::SocketAddr = format!("{host}:{port}").parse()?;
    let socket = tokio::net::TcpSocket::new_v4()?;
    if let Some(bytes) = rcvbuf {
        socket.set_recv_buffer_size(bytes)?;
    }
    let stream = socket.connect(addr).await?;
    let (ws, _) = tokio_tungstenite::client_async(request, stream).await?;
    Ok((ws, ()))
}

/// How a slow reader reads: through a small receive buffer, stalling now and then while
/// the writers run.
#[derive(Clone, Copy)]
struct Slow {
    rcvbuf: u32,
    stall: Duration,
    every: usize,
}

/// A subscriber until `stop`: reads every change (slowly if `slow` is given), reconnecting
/// from its last cursor whenever the server closes it, and counts what it received in
/// `progress`. Returns the cursors seen and reconnects.
async fn subscriber(
    ws_url: String,
    token: String,
    slow: Option<Slow>,
    writing: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    ready: Arc<AtomicUsize>,
    progress: Arc<AtomicUsize>,
) -> (Vec<String>, usize) {
    let mut seen: Vec<String> = Vec::new();
    let mut reconnects = 0;
    let mut first = true;
    while !stop.load(Ordering::Relaxed) {
        let mut request = ws_url.clone().into_client_request().unwrap();
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        let Ok((mut ws, _)) = connect(request, slow.map(|s| s.rcvbuf)).await else {
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        };
        let send = |v: Value| Message::Text(v.to_string().into());
        ws.send(send(
            json!({ "type": "connection_init", "payload": { "token": token } }),
        ))
        .await
        .unwrap();
        let after = seen.last().cloned();
        ws.send(send(json!({ "id": "1", "type": "subscribe",
            "payload": { "query": WATCH, "variables": { "after": after } } })))
            .await
            .unwrap();
        if first {
            ready.fetch_add(1, Ordering::Relaxed);
            first = false;
        }
        loop {
            let next = tokio::time::timeout(Duration::from_millis(500), ws.next()).await;
            let message = match next {
                Err(_) if stop.load(Ordering::Relaxed) => return (seen, reconnects),
                Err(_) => continue,
                Ok(m) => m,
            };
            match message {
                Some(Ok(Message::Text(text))) => {
                    let v: Value = serde_json::from_str(&text).unwrap();
                    match v["type"].as_str() {
                        Some("next") => {
                            let c = v["payload"]["data"]["stageStatusChanged"]["cursor"]
                                .as_str()
                                .unwrap()
                                .to_owned();
                            seen.push(c);
                            progress.store(seen.len(), Ordering::Relaxed);
                            // Stalls only while the writers run, so that the run ends once
                            // every reader has caught up.
                            if let Some(slow) = slow
                                && seen.len().is_multiple_of(slow.every)
                                && writing.load(Ordering::Relaxed)
                            {
                                tokio::time::sleep(slow.stall).await;
                            }
                        }
                        Some("ping") => {
                            let _ = ws.send(send(json!({ "type": "pong" }))).await;
                        }
                        _ => {}
                    }
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                // Closed (1013 for a reader too far behind): resume from the last cursor.
                _ => {
                    reconnects += 1;
                    break;
                }
            }
        }
    }
    (seen, reconnects)
}

#[tokio::main]
async fn main() {
    let seconds: u64 = setup::env_or("SOAK_SECONDS", 60);
    let n: usize = setup::env_or("SOAK_SUBSCRIBERS", 100);
    let slow: usize = setup::env_or("SOAK_SLOW", 10);
    let stall: u64 = setup::env_or("SOAK_STALL_SECONDS", 15);
    let rcvbuf: u32 = setup::env_or("SOAK_SLOW_RCVBUF", 4096);
    let dir = tempfile::tempdir().unwrap();
    let (url, engine, created) = match setup::postgres_server() {
        Some(server) => {
            let name = format!("dd_bench_soak_{}", std::process::id());
            let database = setup::PgDatabase::create(&server, name).await;
            (database.url.clone(), "PostgreSQL", Some(database))
        }
        None => (
            format!("sqlite://{}?mode=rwc", dir.path().join("soak.db").display()),
            "SQLite",
            None,
        ),
    };
    let db = startup::connect(&url, 2).await.unwrap();
    startup::migrate(&db).await.unwrap();
    let admin = users::create(
        Ctx {
            db: &db,
            caller: &Caller::System,
            live: None,
            time: &delivery_desk::time::SYSTEM_TIME,
        },
        NewUser {
            name: "Soak".into(),
            email: "soak@vendor.example".into(),
            title: None,
            language: entity::Language::En,
        },
    )
    .await
    .unwrap();
    let token = TokenKeys::hs256(SECRET.as_bytes(), "delivery-desk")
        .unwrap()
        .mint(format!("user:{}", admin.id), Role::Admin, None, 24 * 3600)
        .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = Server(
        Command::new(env!("CARGO_BIN_EXE_delivery-desk"))
            .env("DATABASE_URL", &url)
            .env("BIND_ADDR", format!("127.0.0.1:{port}"))
            .env("JWT_SECRET", SECRET)
            .env("LOG_LEVEL", "error")
            .env("RATE_LIMIT_PER_MINUTE", "100000000")
            .env("WS_MAX_CONNECTIONS_PER_CALLER", "0")
            .env("WS_SEND_TIMEOUT_SECONDS", "2")
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let pid = server.0.id();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    for _ in 0..400 {
        if http
            .get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let client = gql(&http, &base, &token, "mutation { createClient(input: { name: \"Soak\", intentLevel: HIGH, source: REFERRAL }) { id } }", json!({})).await["createClient"]["id"].clone();
    let mut stages = Vec::new();
    for w in 0..4 {
        let p = gql(&http, &base, &token, "mutation($c: ID!, $n: String!) { createProject(input: { clientId: $c, name: $n, contractNumber: $n, contractSignedOn: \"2026-01-05\" }) { id } }", json!({ "c": client, "n": format!("SOAK-{w}") })).await["createProject"]["id"].clone();
        let s = gql(
            &http,
            &base,
            &token,
            "mutation($p: ID!) { createStage(input: { projectId: $p, name: \"Work\" }) { id } }",
            json!({ "p": p }),
        )
        .await["createStage"]["id"]
            .clone();
        stages.push(s);
    }

    let stop = Arc::new(AtomicBool::new(false));
    let ready = Arc::new(AtomicUsize::new(0));
    let writing = Arc::new(AtomicBool::new(true));
    let ws_url = format!("ws://127.0.0.1:{port}/graphql");
    let slowly = Slow {
        rcvbuf,
        stall: Duration::from_secs(stall),
        every: 2000,
    };
    let progress: Vec<Arc<AtomicUsize>> = (0..n).map(|_| Arc::default()).collect();
    let subs: Vec<_> = (0..n)
        .map(|i| {
            tokio::spawn(subscriber(
                ws_url.clone(),
                token.clone(),
                (i < slow).then_some(slowly),
                writing.clone(),
                stop.clone(),
                ready.clone(),
                progress[i].clone(),
            ))
        })
        .collect();
    while ready.load(Ordering::Relaxed) < n {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    let acked = Arc::new(AtomicUsize::new(0));
    let queries = Arc::new(AtomicUsize::new(0));
    let mut load = Vec::new();
    for stage in stages {
        let (http, base, token, writing, acked) = (
            http.clone(),
            base.clone(),
            token.clone(),
            writing.clone(),
            acked.clone(),
        );
        load.push(tokio::spawn(async move {
            let mut i = 0;
            while writing.load(Ordering::Relaxed) {
                let to = if i % 2 == 0 { "IN_PROGRESS" } else { "BLOCKED" };
                gql(&http, &base, &token, "mutation($s: ID!, $t: StageStatus!) { changeStageStatus(id: $s, status: $t) { id } }", json!({ "s": stage, "t": to })).await;
                acked.fetch_add(1, Ordering::Relaxed);
                i += 1;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }));
    }
    for _ in 0..2 {
        let (http, base, token, writing, queries) = (
            http.clone(),
            base.clone(),
            token.clone(),
            writing.clone(),
            queries.clone(),
        );
        load.push(tokio::spawn(async move {
            while writing.load(Ordering::Relaxed) {
                gql(&http, &base, &token, "{ projects(first: 20) { edges { node { name health { computed } stages { name status milestoneState } tickets(open: true) { title } } } } }", json!({})).await;
                queries.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let started = Instant::now();
    let mut samples = Vec::new();
    while started.elapsed() < Duration::from_secs(seconds) {
        tokio::time::sleep(Duration::from_secs(5)).await;
        samples.push((started.elapsed().as_secs(), rss_mib(pid)));
    }
    writing.store(false, Ordering::Relaxed);
    for l in load {
        l.await.unwrap();
    }
    let expected = acked.load(Ordering::Relaxed);
    // Everyone catches up (slow readers resume from their cursors), then stops.
    let caught_up = Instant::now();
    while caught_up.elapsed() < Duration::from_secs(120)
        && progress
            .iter()
            .any(|p| p.load(Ordering::Relaxed) < expected)
    {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let catch_up = caught_up.elapsed();
    // Memory once the catch-up (readers replaying their backlog) is over.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let settled = rss_mib(pid);
    stop.store(true, Ordering::Relaxed);
    let mut complete = 0;
    let mut duplicates = 0;
    let (mut reconnects, mut slow_reconnects) = (0, 0);
    let mut slow_complete = 0;
    for (i, s) in subs.into_iter().enumerate() {
        let (seen, r) = s.await.unwrap();
        let unique: HashSet<&String> = seen.iter().collect();
        duplicates += seen.len() - unique.len();
        reconnects += r;
        if i < slow {
            slow_reconnects += r;
        }
        if unique.len() == expected {
            complete += 1;
            slow_complete += usize::from(i < slow);
        }
    }
    let memory: Vec<String> = samples
        .iter()
        .map(|(t, m)| format!("{t}s {m:.1}"))
        .collect();
    let warm = samples.get(1).map_or(0.0, |s| s.1);
    let last = samples.last().map_or(0.0, |s| s.1);
    let report = format!(
        "soak: {seconds} s, {engine}, machine {}; server and load on this machine\n\
         {n} subscribers ({slow} slow: receive buffer {rcvbuf} bytes, a {stall} s stall every 2,000 changes while the writers run), 4 writers, 2 dashboard readers\n\n\
         - changes acknowledged: {expected}; dashboard queries: {}\n\
         - subscribers with every change exactly once: {complete}/{n} (slow readers {slow_complete}/{slow}); duplicates {duplicates}\n\
         - reconnects after the server closed a connection: {reconnects} ({slow_reconnects} by slow readers); all caught up {:.1} s after the writers stopped\n\
         - server RSS MiB: {}\n\
         - growth after warm-up (from {warm:.1} at 10 s to {last:.1}): {:+.1} MiB\n\
         - server RSS once every reader had caught up: {settled:.1} MiB\n",
        chart::machine(),
        queries.load(Ordering::Relaxed),
        catch_up.as_secs_f64(),
        memory.join(", "),
        last - warm
    );
    print!("{report}");
    let file = engine.to_lowercase();
    if let Some(path) = chart::write_result(&format!("soak-{file}.md"), &report) {
        println!("written to {}", path.display());
    }
    let svg = chart::small_multiples(
        &format!("server memory during the soak: {engine}"),
        "resident MiB",
        "seconds",
        &[chart::Panel {
            title: format!("{n} subscribers, {slow} slow"),
            x_ticks: samples.iter().map(|(t, _)| t.to_string()).collect(),
            series: vec![chart::Series {
                name: "server RSS".into(),
                colour: chart::BLUE,
                dashed: false,
                values: samples.iter().map(|(_, m)| *m).collect(),
            }],
        }],
        false,
    );
    if let Some(path) = chart::write_result(&format!("soak-{file}-memory.svg"), &svg) {
        println!("chart: {}", path.display());
    }
    drop(server);
    if let Some(database) = created {
        database.drop().await;
    }
}
