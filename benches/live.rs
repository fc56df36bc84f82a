//! Live feeds under load: N websocket subscribers, status changes fired through the API,
//! delivery latency, delivered/expected, duplicates, and server memory per idle
//! subscriber.
//!
//! `cargo bench --bench live` starts the server binary (release) as its own process on a
//! temporary SQLite file (or `BENCH_DATABASE_URL=postgres://…`, a server URL: a fresh
//! database is created there) and drives it from this process over 127.0.0.1.
//! `BENCH_SUBSCRIBERS` (default `100,1000,3000,10000`), `BENCH_CHANGES` per run (default
//! 20), `BENCH_INTERVAL_MS` between them (default 500). `BENCH_PER_CONNECTION` (default 1)
//! subscriptions share each websocket, as a page watching several feeds does: the
//! subscribers are then that many times the connections. On PostgreSQL each count runs with
//! one and with two server instances on the database (`BENCH_INSTANCES`, default `1,2`):
//! subscribers alternate between them, changes go through the first. Results go to
//! `target/bench/live-<engine>.md` and a chart of latency against subscribers to
//! `live-<engine>-latency.svg`. Latency is measured from the event's
//! `occurredAt`, stamped when its transaction began, to the frame's arrival at the
//! subscriber's socket (the kernel's receive stamp, `support/arrival.rs`): an upper bound
//! on commit-to-arrival. The time to this process's reading of it is shown beside it. The
//! subscribers run at the lowest priority (`BENCH_GENERATOR_NICE`, default 19; 0 to share
//! the cores equally): real subscribers read on machines of their own.
//! `BENCH_PATIENCE_S` (default 60) is how long deliveries may take before they count as
//! lost.
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark stops at its first failure; there is nobody to hand an error to"
)]

#[path = "support/arrival.rs"]
mod arrival;
#[path = "support/chart.rs"]
mod chart;
#[path = "support/cpu.rs"]
mod cpu;
#[path = "support/setup.rs"]
mod setup;

use std::{
    collections::HashSet,
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
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
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

const SECRET: &str = "the live benchmark's secret, 32+ bytes";
const SUBSCRIPTION: &str = "subscription($p: ID!, $after: String) { stageStatusChanged(projectId: $p, after: $after) { cursor to occurredAt } }";
/// The open-file limit the benchmark and its servers ask for: 50,000 subscribers are
/// 50,000 sockets on each side.
const OPEN_FILES: u64 = 120_000;

/// Raises this process's open-file limit as far as allowed; what it is then.
fn raise_open_files() -> u64 {
    use rlimit::Resource;
    let (_, hard) = Resource::NOFILE.get().unwrap();
    let wanted = OPEN_FILES.max(hard);
    // Only root may raise the hard limit; otherwise the soft one goes up to it.
    if Resource::NOFILE.set(wanted, wanted).is_err() {
        let _ = Resource::NOFILE.set(hard, hard);
    }
    Resource::NOFILE.get().unwrap().0
}

const CHANGE: &str =
    "mutation($s: ID!, $st: StageStatus!) { changeStageStatus(id: $s, status: $st) { id } }";

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }
}

async fn start_server(url: &str) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("sh")
        .arg("-c")
        // Tens of thousands of sockets: as many files as allowed (root may raise the
        // hard limit itself).
        .arg(format!(
            "ulimit -Hn {OPEN_FILES} 2>/dev/null; ulimit -n $(ulimit -Hn); exec {}",
            env!("CARGO_BIN_EXE_delivery-desk")
        ))
        .env("DATABASE_URL", url)
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("JWT_SECRET", SECRET)
        .env("LOG_LEVEL", "error")
        .env("WS_MAX_CONNECTIONS_PER_CALLER", "0")
        .env("RATE_LIMIT_PER_MINUTE", "100000000")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("server binary");
    let server = Server {
        child,
        base: format!("127.0.0.1:{port}"),
    };
    let http = reqwest::Client::new();
    // Generous: under an emulator (scripts/live-bench-vm.sh) a start takes many seconds.
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if let Ok(r) = http
            .get(format!("http://{}/readyz", server.base))
            .send()
            .await
            && r.status().is_success()
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("server did not become ready");
}

/// The fields of a server message the benchmark reads.
#[derive(serde::Deserialize)]
struct ServerMessage<'a> {
    #[serde(rename = "type", borrow)]
    kind: &'a str,
    #[serde(borrow)]
    id: Option<&'a str>,
    #[serde(borrow)]
    payload: Option<Payload<'a>>,
}

#[derive(serde::Deserialize)]
struct Payload<'a> {
    #[serde(borrow)]
    data: Option<Data<'a>>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Data<'a> {
    #[serde(borrow)]
    stage_status_changed: Change<'a>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Change<'a> {
    cursor: &'a str,
    occurred_at: &'a str,
}

/// What one subscription saw.
#[derive(Default)]
struct Seen {
    /// From the event to the arrival of its frame at the subscriber's socket.
    arrival_ms: Vec<f64>,
    /// From the event to this load generator's reading of the frame.
    read_ms: Vec<f64>,
    cursors: Vec<String>,
}

#[allow(
    clippy::too_many_arguments,
    reason = "one subscriber's whole set-up, named"
)]
async fn subscriber(
    index: usize,
    subscriptions: usize,
    server: std::net::SocketAddr,
    token: String,
    project: String,
    after: String,
    delivered: Arc<AtomicUsize>,
    subscribed: Arc<AtomicUsize>,
    mut stop: watch::Receiver<bool>,
) -> Vec<Seen> {
    let mut request = format!("ws://{server}/graphql")
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    // A single source address has about 28,000 ephemeral ports, fewer than 50,000
    // connections need: past 20,000 the subscribers take other loopback addresses. (Only
    // then: binding before connecting makes the kernel search its port table.)
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    if let Some(extra) = (index / 20_000).checked_sub(1) {
        let source = std::net::Ipv4Addr::new(127, 0, 1, 1 + u8::try_from(extra).unwrap());
        socket.bind((source, 0).into()).unwrap();
    }
    let stream = socket.connect(server).await.expect("connect");
    stream.set_nodelay(true).unwrap();
    let stream = arrival::Stamped::new(stream).expect("SO_TIMESTAMPNS");
    // A small read buffer, as the server's: tungstenite zeroes the whole buffer before
    // each read, and its 128 KiB default made memset half of this load generator's time.
    let config =
        tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default().read_buffer_size(4096);
    let (mut ws, _) = tokio_tungstenite::client_async_with_config(request, stream, Some(config))
        .await
        .expect("websocket handshake");
    let send = |v: Value| Message::Text(v.to_string().into());
    ws.send(send(
        json!({ "type": "connection_init", "payload": { "token": token } }),
    ))
    .await
    .unwrap();
    // Subscriptions are numbered from 1; what each saw is kept apart.
    for id in 1..=subscriptions {
        ws.send(send(json!({ "id": id.to_string(), "type": "subscribe",
            "payload": { "query": SUBSCRIPTION, "variables": { "p": project, "after": after } } })))
            .await
            .unwrap();
    }
    subscribed.fetch_add(subscriptions, Ordering::Relaxed);
    let mut seen: Vec<Seen> = (0..subscriptions).map(|_| Seen::default()).collect();
    // One wait for the stop, registered once: made anew for each message, it took and
    // released the lock all subscribers' waits share (~3 % of this generator's samples in
    // a profile; an A/B of 10,000 subscribers was within the noise).
    let stopped = stop.changed();
    tokio::pin!(stopped);
    loop {
        let message = tokio::select! {
            biased;
            m = ws.next() => m,
            _ = &mut stopped => break,
        };
        let Some(Ok(Message::Text(text))) = message else {
            if matches!(message, Some(Ok(Message::Ping(_) | Message::Pong(_)))) {
                continue;
            }
            break;
        };
        let received = Utc::now();
        // Parsed into borrowed fields, not a `Value` tree: the load generator shares the
        // machine with the server, so its own cost is kept small.
        let message: ServerMessage<'_> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        match (message.kind, message.payload.and_then(|p| p.data)) {
            ("next", Some(data)) => {
                let change = data.stage_status_changed;
                let at: DateTime<Utc> = change.occurred_at.parse().unwrap();
                let seen = message
                    .id
                    .and_then(|id| id.parse::<usize>().ok())
                    .and_then(|id| id.checked_sub(1))
                    .and_then(|index| seen.get_mut(index))
                    .unwrap_or_else(|| panic!("next for an unknown id: {text}"));
                let arrived = ws
                    .get_ref()
                    .arrived()
                    .expect("the kernel stamps what it receives");
                let ms =
                    |t: DateTime<Utc>| (t - at).num_microseconds().unwrap_or(0) as f64 / 1000.0;
                seen.arrival_ms.push(ms(arrived));
                seen.read_ms.push(ms(received));
                seen.cursors.push(change.cursor.to_owned());
                delivered.fetch_add(1, Ordering::Relaxed);
            }
            ("ping", _) => {
                let _ = ws.send(send(json!({ "type": "pong" }))).await;
            }
            ("connection_ack", _) => {}
            _ => panic!("unexpected {text}"),
        }
    }
    let _ = ws.close(None).await;
    seen
}

async fn gql(http: &reqwest::Client, base: &str, token: &str, q: &str, v: Value) -> Value {
    let res: Value = http
        .post(format!("http://{base}/graphql"))
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

/// The figures of one run.
struct Row {
    instances: usize,
    subscribers: usize,
    p50: f64,
    p99: f64,
    read_p99: f64,
    line: String,
}

#[allow(clippy::too_many_arguments, reason = "one run's settings, named")]
async fn run(
    subscribers: &tokio::runtime::Handle,
    n: usize,
    per_connection: usize,
    instances: usize,
    changes: usize,
    interval: Duration,
    url: &str,
    engine: &str,
) -> Row {
    let db = startup::connect(url, 2).await.unwrap();
    startup::migrate(&db).await.unwrap();
    let admin = users::create(
        Ctx {
            db: &db,
            caller: &Caller::System,
            live: None,
            time: &delivery_desk::time::SYSTEM_TIME,
        },
        NewUser {
            name: "Bench".into(),
            email: format!("bench{n}@vendor.example"),
            title: None,
            language: entity::Language::En,
        },
    )
    .await
    .unwrap();
    let keys = TokenKeys::hs256(SECRET.as_bytes(), "delivery-desk").unwrap();
    let token = keys
        .mint(format!("user:{}", admin.id), Role::Admin, None, 3600)
        .unwrap();
    let mut servers = Vec::with_capacity(instances);
    for _ in 0..instances {
        servers.push(start_server(url).await);
    }
    // The API calls come from a loopback address of their own. Past 20,000 subscribers
    // bind their source ports explicitly (below), and Linux does not hand a port bound
    // that way to a plain `connect`: with the subscribers from 127.0.0.1 holding the
    // rest, a new connection from there found no port left (seen at 50,000).
    let http = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .unwrap();
    // Changes go through the first instance; with two, half the subscribers hear of them
    // through PostgreSQL's NOTIFY on the other.
    let base = servers[0].base.clone();
    let client = gql(
        &http,
        &base,
        &token,
        "mutation { createClient(input: { name: \"Bench\" }) { id } }",
        json!({}),
    )
    .await["createClient"]["id"]
        .clone();
    let project = gql(&http, &base, &token,
        "mutation($c: ID!) { createProject(input: { clientId: $c, name: \"Live\", contractNumber: \"LIVE-1\", contractValue: { amount: \"1.00\", currency: \"CNY\" }, contractSignedOn: \"2026-01-05\", plannedStart: \"2026-01-10\", plannedEnd: \"2026-06-30\" }) { id } }",
        json!({ "c": client })).await["createProject"]["id"].as_str().unwrap().to_owned();
    let stage = gql(&http, &base, &token,
        "mutation($p: ID!) { createStage(input: { projectId: $p, name: \"Go-live\", dueDate: \"2026-03-01\" }) { id } }",
        json!({ "p": project })).await["createStage"]["id"].clone();

    // Subscribers start after the newest event so far: none misses the warm-up change,
    // however late its subscription reaches the server.
    let newest = gql(
        &http,
        &base,
        &token,
        "{ events(newestFirst: true, first: 1) { edges { node { cursor } } } }",
        json!({}),
    )
    .await;
    let after = newest["events"]["edges"][0]["node"]["cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss = |servers: &[Server]| servers.iter().map(Server::rss_kib).sum::<u64>();
    let rss_before = rss(&servers);
    let delivered = Arc::new(AtomicUsize::new(0));
    let subscribed = Arc::new(AtomicUsize::new(0));
    let (stop_tx, stop_rx) = watch::channel(false);
    let opened = Instant::now();
    let connections = n / per_connection;
    let mut tasks = Vec::with_capacity(connections);
    for i in 0..connections {
        let instance = i % instances;
        tasks.push((
            instance,
            subscribers.spawn(subscriber(
                i,
                per_connection,
                servers[instance].base.parse().unwrap(),
                token.clone(),
                project.clone(),
                after.clone(),
                delivered.clone(),
                subscribed.clone(),
                stop_rx.clone(),
            )),
        ));
        // Bursts of 200 connection attempts, within the server's accept backlog.
        if i % 200 == 199 {
            while subscribed.load(Ordering::Relaxed) < (i + 1 - 100) * per_connection {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    }
    while subscribed.load(Ordering::Relaxed) < n {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let open_time = opened.elapsed();

    // How long deliveries may take before the run counts them lost: a minute here, more
    // under an emulator (scripts/live-bench-vm.sh), where everything is many times slower.
    let patience = Duration::from_secs(setup::env_or("BENCH_PATIENCE_S", 60));
    // Warm-up: one change must reach everyone before measuring (every subscription live).
    let statuses = ["IN_PROGRESS", "BLOCKED"];
    gql(
        &http,
        &base,
        &token,
        CHANGE,
        json!({ "s": stage, "st": statuses[0] }),
    )
    .await;
    let deadline = Instant::now() + patience;
    while delivered.load(Ordering::Relaxed) < n && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        delivered.load(Ordering::Relaxed),
        n,
        "warm-up change not delivered to all"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_idle = rss(&servers);

    let cpu_ns = |servers: &[Server]| -> u64 {
        servers
            .iter()
            .map(|s| cpu::process_ns(&s.child.id().to_string()))
            .sum()
    };
    let (server_cpu, bench_cpu, delivered_before) = (
        cpu_ns(&servers),
        cpu::process_ns("self"),
        delivered.load(Ordering::Relaxed),
    );
    for i in 1..=changes {
        gql(
            &http,
            &base,
            &token,
            CHANGE,
            json!({ "s": stage, "st": statuses[i % 2] }),
        )
        .await;
        tokio::time::sleep(interval).await;
    }
    let expected = n * (changes + 1);
    let deadline = Instant::now() + patience;
    while delivered.load(Ordering::Relaxed) < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // CPU per delivery of the changes: the servers', and this load generator's.
    let measured = (delivered.load(Ordering::Relaxed) - delivered_before).max(1) as f64;
    let server_us = (cpu_ns(&servers) - server_cpu) as f64 / 1000.0 / measured;
    let bench_us = (cpu::process_ns("self") - bench_cpu) as f64 / 1000.0 / measured;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = stop_tx.send(true);
    let mut latencies = Vec::with_capacity(expected);
    let mut reads = Vec::with_capacity(expected);
    // Latencies of the subscribers on an instance the changes did not go through.
    let mut remote = Vec::new();
    let (mut got, mut duplicates) = (0usize, 0usize);
    for (instance, task) in tasks {
        for seen in task.await.unwrap() {
            got += seen.cursors.len();
            let distinct: HashSet<&String> = seen.cursors.iter().collect();
            duplicates += seen.cursors.len() - distinct.len();
            // The warm-up event is not measured.
            let measured = |ms: &[f64]| ms.get(1..).unwrap_or_default().to_vec();
            if instance > 0 {
                remote.extend(measured(&seen.arrival_ms));
            }
            latencies.extend(measured(&seen.arrival_ms));
            reads.extend(measured(&seen.read_ms));
        }
    }
    for ms in [&mut latencies, &mut reads, &mut remote] {
        ms.sort_by(|a, b| a.total_cmp(b));
    }
    let per_sub = (rss_idle.saturating_sub(rss_before) as f64) / n as f64;
    let (p50, p99) = (
        setup::percentile(&latencies, 0.50),
        setup::percentile(&latencies, 0.99),
    );
    let remote_p99 = if remote.is_empty() {
        "-".to_owned()
    } else {
        format!("{:.1}", setup::percentile(&remote, 0.99))
    };
    let read_p99 = setup::percentile(&reads, 0.99);
    let line = format!(
        "| {engine} | {instances} | {n} | {connections} | {changes} | {got}/{expected} | {duplicates} | {p50:.1} | {p99:.1} | {remote_p99} | {:.1} | {read_p99:.1} | {server_us:.1} | {bench_us:.1} | {per_sub:.1} | {:.1} | {:.1} | {:.1} |",
        latencies.last().copied().unwrap_or(f64::NAN),
        rss_before as f64 / 1024.0,
        rss_idle as f64 / 1024.0,
        open_time.as_secs_f64(),
    );
    println!("{line}");
    drop(servers);
    Row {
        instances,
        subscribers: n,
        p50,
        p99,
        read_p99,
        line,
    }
}

#[tokio::main]
async fn main() {
    let counts = setup::env_list("BENCH_SUBSCRIBERS", "100,1000,3000,10000");
    let per_connection: usize = setup::env_or("BENCH_PER_CONNECTION", 1);
    assert!(
        per_connection >= 1 && counts.iter().all(|n| n % per_connection == 0),
        "BENCH_SUBSCRIBERS must be multiples of BENCH_PER_CONNECTION"
    );
    let files = raise_open_files();
    let most = (counts.iter().copied().max().unwrap_or(0) / per_connection) as u64;
    assert!(
        files > most + 1_000,
        "{most} connections need more than {files} open files (ulimit -n; as root the benchmark raises it)"
    );
    let changes: usize = setup::env_or("BENCH_CHANGES", 20);
    let nice: i32 = setup::env_or("BENCH_GENERATOR_NICE", 19);
    let subscribers = subscriber_runtime(nice);
    let interval = Duration::from_millis(setup::env_or("BENCH_INTERVAL_MS", 500));
    let pg = setup::postgres_server();
    // Several instances share one database only on PostgreSQL (its NOTIFY wakes the
    // others); on SQLite an instance is the whole deployment.
    let instances = if pg.is_some() {
        setup::env_list("BENCH_INSTANCES", "1,2")
    } else {
        vec![1]
    };
    let engine = if pg.is_some() { "PostgreSQL" } else { "SQLite" };
    let heading = format!(
        "live feeds: {engine}; machine {}; server(s) and load generator on this machine; {changes} changes {} ms apart per run\n\n\
         | engine | instances | subscribers | connections | changes | delivered/expected | duplicates | p50 ms | p99 ms | p99 ms, other instance | max ms | p99 ms read | server µs CPU/delivery | load generator µs CPU/delivery | KiB/idle subscriber | servers' MiB before | MiB idle | s to open |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
        chart::machine(),
        interval.as_millis()
    );
    print!("{heading}");
    let mut rows = Vec::new();
    for &k in &instances {
        for &n in &counts {
            let row = match &pg {
                Some(server) => {
                    let name = format!("dd_bench_live_{}_{k}_{n}", std::process::id());
                    let database = setup::PgDatabase::create(server, name).await;
                    let row = run(
                        subscribers.handle(),
                        n,
                        per_connection,
                        k,
                        changes,
                        interval,
                        &database.url,
                        engine,
                    )
                    .await;
                    database.drop().await;
                    row
                }
                None => {
                    let dir = tempfile::tempdir().unwrap();
                    let url = format!("sqlite://{}?mode=rwc", dir.path().join("live.db").display());
                    run(
                        subscribers.handle(),
                        n,
                        per_connection,
                        k,
                        changes,
                        interval,
                        &url,
                        engine,
                    )
                    .await
                }
            };
            rows.push(row);
        }
    }
    let file = engine.to_lowercase();
    let report = rows.iter().fold(heading, |mut r, row| {
        r.push_str(&row.line);
        r.push('\n');
        r
    });
    if let Some(path) = chart::write_result(&format!("live-{file}.md"), &report) {
        println!("written to {}", path.display());
    }
    let panels: Vec<chart::Panel> = instances
        .iter()
        .map(|&k| {
            let of = |f: fn(&Row) -> f64| -> Vec<f64> {
                counts
                    .iter()
                    .map(|&n| {
                        rows.iter()
                            .find(|r| r.instances == k && r.subscribers == n)
                            .map_or(f64::NAN, f)
                    })
                    .collect()
            };
            chart::Panel {
                title: format!("{engine}, {k} instance{}", if k > 1 { "s" } else { "" }),
                x_ticks: counts.iter().map(ToString::to_string).collect(),
                series: vec![
                    chart::Series {
                        name: "p99".into(),
                        colour: chart::RED,
                        dashed: false,
                        values: of(|r| r.p99),
                    },
                    chart::Series {
                        name: "p99 read".into(),
                        colour: chart::RED,
                        dashed: true,
                        values: of(|r| r.read_p99),
                    },
                    chart::Series {
                        name: "p50".into(),
                        colour: chart::BLUE,
                        dashed: true,
                        values: of(|r| r.p50),
                    },
                ],
            }
        })
        .collect();
    let svg = chart::small_multiples(
        &format!("delivery latency against subscribers: {engine}"),
        "ms from the event to arrival (p99 read: to the reader)",
        "subscribers",
        &panels,
        true,
    );
    if let Some(path) = chart::write_result(&format!("live-{file}-latency.svg"), &svg) {
        println!("chart: {}", path.display());
    }
    // Not dropped here: a runtime may not be dropped from inside another.
    subscribers.shutdown_background();
}

/// The runtime the subscribers run on, its threads at `nice` (19, the lowest priority,
/// unless `BENCH_GENERATOR_NICE` says otherwise). Real subscribers read on machines of
/// their own; here they share the server's two cores, and at equal priority the server
/// got about 60 % of them during a fan-out. Reading later costs the readers nothing
/// measured: latency is taken at each frame's arrival (`arrival`), and the time to the
/// read is shown beside it.
fn subscriber_runtime(nice: i32) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .thread_name("subscribers")
        .enable_all()
        .on_thread_start(move || {
            rustix::process::setpriority_process(Some(rustix::thread::gettid()), nice)
                .expect("setpriority");
        })
        .build()
        .unwrap()
}
