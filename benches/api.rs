//! Throughput and latency of the API over HTTP, with SQL statements per request.
//!
//! `cargo bench --bench api` runs on a temporary SQLite file; with
//! `BENCH_DATABASE_URL=postgres://...` (a server URL; a fresh database is created there)
//! it runs on PostgreSQL. Scale and duration: `BENCH_PROJECTS` (default 1000, ten per
//! client), `BENCH_STAGES` and `BENCH_TICKETS` per project (default 10 and 50: the
//! default data set is 100 clients, 1,000 projects, 10,000 stages, 50,000 tickets),
//! `BENCH_SECONDS` per measurement (default 3), `BENCH_API_ONLY` (set: only our API is
//! measured, for a profile of the server alone), `BENCH_CLIENTS` (concurrent clients,
//! default `1,8,32`), `BENCH_ONLY` (run only the workloads whose name contains it, e.g.
//! `ticket`: for profiling), `BENCH_POOL` (the server's `DB_MAX_CONNECTIONS`, default
//! the server's). Traffic stays on 127.0.0.1.
//!
//! Each workload also runs as hand-written SQL in the same run: the fewest statements
//! that fetch the same data (one each: the pages build their JSON in the database),
//! through the same driver and pool, with the same number of concurrent clients, building
//! the same JSON; twice:
//! - **over HTTP**: behind a plain axum endpoint that checks the same bearer token, sent by
//!   the same HTTP client as the API's requests. Our throughput over it is the cost of the
//!   GraphQL layer (parsing, validation, resolvers, loaders, the ORM, serialisation): the
//!   headline ratio.
//! - **in-process**: the statements called directly, with no HTTP at all. Our throughput
//!   over it is the cost of everything between a client and the database.
//!
//! On PostgreSQL, **PostGraphile** (the npm package pinned in `benches/postgraphile`,
//! installed there by `npm ci` on first use; it needs Node.js) runs as a peer on the same
//! database, started by the benchmark in its own process and taking its turn in the same
//! rounds. Before any timing, each read workload's response from it is checked to hold
//! the same data as ours. `BENCH_NO_POSTGRAPHILE=1` leaves it out.
//!
//! Each side's CPU per request is read from `/proc` (see `support/cpu.rs`): the server's
//! (our runtime's threads, PostGraphile's process) and the database's (PostgreSQL's
//! backends for the benchmark's database, SQLite's driver threads), around its own turns.
//!
//! The raw status change writes the ticket and its event only (not the service-level
//! clocks and follow-ups the server keeps), so its ratios are lower bounds.
//! The table is also written to `target/bench/api-<engine>.md`, with SVG charts of
//! throughput and p99 against concurrency beside it.

#[path = "support/chart.rs"]
mod chart;
#[path = "support/cpu.rs"]
mod cpu;
#[path = "support/postgraphile.rs"]
mod postgraphile;
#[path = "support/setup.rs"]
mod setup;

/// The allocator the server binary runs with (`src/main.rs`): the server runs in this
/// process, so it must be measured with it. Both sides of each ratio share it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use chrono::Utc;
use delivery_desk::{
    auth::token::{Role, TokenKeys},
    reads::Reads,
    startup::{self, AppState, Options},
};
use entity::*;
use futures_util::future::BoxFuture;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, Statement,
    TransactionTrait, Value as DbValue,
};
use serde_json::{Value, json};

const DASHBOARD: &str = "query($n: Int) { projects(first: $n) { edges { node {
    name status client { name } stages { name status dueDate }
    tickets(open: true) { title priority status } risks(open: true) { title severity } } } } }";
/// One client's portal: its projects with their milestones and open tickets.
const PORTAL: &str = "query { projects(first: 20) { edges { node {
    name status stages { name status dueDate } tickets(open: true) { title priority status } } } } }";
/// The portal's query as staff ask it: the same client's projects, by filter.
const STAFF_PORTAL: &str = "query($c: ID!) { projects(first: 20, filter: { clientIds: [$c] }) { edges { node {
    name status stages { name status dueDate } tickets(open: true) { title priority status } } } } }";
const TICKET: &str =
    "query($id: ID!) { ticket(id: $id) { title status project { name client { name } } } }";
const CHANGE: &str =
    "mutation($id: ID!, $s: TicketStatus!) { changeTicketStatus(id: $id, status: $s) { status } }";

/// Builds the JSON body of the i-th request of a workload.
type BodyFn = Arc<dyn Fn(usize) -> Value + Send + Sync>;

fn global_id(kind: &str, id: i64) -> String {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    URL_SAFE_NO_PAD.encode(format!("{kind}:{id}"))
}

/// The benchmark's database, and what to drop when it is done.
struct BenchDb {
    db: DatabaseConnection,
    engine: String,
    _dir: Option<tempfile::TempDir>,
    /// PostgreSQL: the database created for the run.
    created: Option<setup::PgDatabase>,
}

async fn open_database() -> BenchDb {
    // The server's default pool size unless `BENCH_POOL` says otherwise.
    let pool: u32 = setup::env_or(
        "BENCH_POOL",
        delivery_desk::config::default_db_connections(),
    );
    match setup::postgres_server() {
        Some(server) => {
            let name = format!("dd_bench_{}", std::process::id());
            let database = setup::PgDatabase::create(&server, name).await;
            let db = startup::connect(&database.url, pool).await.expect("open");
            BenchDb {
                db,
                engine: format!("PostgreSQL (database {})", database.name),
                _dir: None,
                created: Some(database),
            }
        }
        None => {
            let dir = tempfile::tempdir().expect("tmp");
            let url = format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("bench.db").display()
            );
            let db = startup::connect(&url, pool).await.expect("open");
            BenchDb {
                db,
                engine: "SQLite (WAL, temporary file)".into(),
                _dir: Some(dir),
                created: None,
            }
        }
    }
}

/// Writes `projects` projects (ten per client), each with `shape`'s stages and tickets
/// (three in five open) and 3 risks.
async fn load(db: &DatabaseConnection, projects: i64, shape: Shape) -> Vec<i64> {
    let now = Utc::now();
    let clients = (projects / 10).max(1);
    let rows: Vec<_> = (0..clients)
        .map(|c| client::ActiveModel {
            name: Set(format!("Client {c}")),
            source: Set(ClientSource::Referral),
            intent_level: Set(IntentLevel::High),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(500) {
        client::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .expect("clients");
    }
    let mut project_rows = Vec::new();
    for p in 0..projects {
        project_rows.push(project::ActiveModel {
            client_id: Set(p % clients + 1),
            name: Set(format!("Project {p}")),
            status: Set(ProjectStatus::Execution),
            contract_number: Set(Some(format!("B-{p}"))),
            contract_signed_on: Set(Some(now.date_naive())),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        });
    }
    for chunk in project_rows.chunks(500) {
        project::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .expect("projects");
    }
    let (mut stages, mut tickets, mut risks) = (Vec::new(), Vec::new(), Vec::new());
    // Ticket ids in insertion order (a fresh database numbers them from 1) that are open.
    let mut open = Vec::new();
    for p in 1..=projects {
        for s in 0..shape.stages {
            stages.push(stage::ActiveModel {
                project_id: Set(p),
                name: Set(format!("Stage {s}")),
                position: Set(s),
                status: Set(StageStatus::NotStarted),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
                ..Default::default()
            });
        }
        for t in 0..shape.tickets {
            // Three in five open, the rest closed.
            let is_open = t % 5 < 3;
            tickets.push(ticket::ActiveModel {
                project_id: Set(p),
                client_id: Set((p - 1) % clients + 1),
                title: Set(format!("Ticket {t}")),
                ticket_type: Set(TicketType::SoftwareBug),
                priority: Set(TicketPriority::Medium),
                status: Set(if is_open {
                    TicketStatus::InProgress
                } else {
                    TicketStatus::Closed
                }),
                channel: Set(TicketChannel::Portal),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
                ..Default::default()
            });
            if is_open {
                open.push(tickets.len() as i64);
            }
        }
        for r in 0..3 {
            risks.push(risk::ActiveModel {
                project_id: Set(p),
                title: Set(format!("Risk {r}")),
                category: Set(RiskCategory::Technical),
                likelihood: Set(3),
                impact: Set(r + 2),
                score: Set(3 * (r + 2)),
                status: Set(RiskStatus::Open),
                raised_at: Set(now),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
                ..Default::default()
            });
        }
    }
    for chunk in stages.chunks(500) {
        stage::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .expect("stages");
    }
    for chunk in tickets.chunks(500) {
        ticket::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .expect("tickets");
    }
    for chunk in risks.chunks(500) {
        risk::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .expect("risks");
    }
    open
}

/// Stages and tickets per project.
#[derive(Clone, Copy)]
struct Shape {
    stages: i32,
    tickets: i32,
}

struct Figures {
    requests: usize,
    errors: usize,
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

/// What one side of a comparison measured, over one or more slices of time.
#[derive(Default)]
struct Samples {
    latencies: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
}

impl Samples {
    fn add(&mut self, more: Samples) {
        self.latencies.extend(more.latencies);
        self.errors += more.errors;
        self.elapsed += more.elapsed;
    }

    fn figures(mut self) -> Figures {
        self.latencies.sort();
        let all = &self.latencies;
        let pick = |q: f64| {
            all.get(((all.len() as f64 - 1.0) * q) as usize)
                .copied()
                .unwrap_or_default()
        };
        Figures {
            requests: all.len(),
            errors: self.errors,
            per_second: all.len() as f64 / self.elapsed.as_secs_f64().max(f64::MIN_POSITIVE),
            p50: pick(0.5),
            p99: pick(0.99),
        }
    }
}

/// One unit of hand-written work: the i-th request's equivalent, its response body when it
/// succeeded.
type RawFn = Arc<dyn Fn(usize) -> BoxFuture<'static, Option<String>> + Send + Sync>;

/// Runs `concurrency` tasks for `slice`, each doing `work(i)` in a loop.
async fn measure_raw(concurrency: usize, slice: Duration, work: RawFn) -> Samples {
    let deadline = Instant::now() + slice;
    let counter = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (work, counter) = (work.clone(), counter.clone());
        tasks.push(tokio::spawn(async move {
            let (mut latencies, mut errors) = (Vec::new(), 0);
            while Instant::now() < deadline {
                let i = counter.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                let ok = work(i).await.is_some();
                latencies.push(t.elapsed());
                errors += usize::from(!ok);
            }
            (latencies, errors)
        }));
    }
    collect(tasks, started).await
}

async fn collect(
    tasks: Vec<tokio::task::JoinHandle<(Vec<Duration>, usize)>>,
    started: Instant,
) -> Samples {
    let mut samples = Samples::default();
    for t in tasks {
        let (l, e) = t.await.expect("task");
        samples.latencies.extend(l);
        samples.errors += e;
    }
    samples.elapsed = started.elapsed();
    samples
}

/// `$n` on PostgreSQL, `?` on SQLite.
fn ph(backend: DatabaseBackend, n: usize) -> String {
    if backend == DatabaseBackend::Postgres {
        format!("${n}")
    } else {
        "?".into()
    }
}

fn text(row: &sea_orm::QueryResult, col: &str) -> Value {
    row.try_get::<Option<String>>("", col)
        .ok()
        .flatten()
        .map_or(Value::Null, Value::from)
}

/// The dashboard page in one statement that builds the response in the database: the page
/// with its clients, each project's stages, open tickets and open risks as nested arrays.
async fn raw_dashboard(db: Reads, n: usize) -> Option<String> {
    raw_projects(db, n, None).await
}

/// The page of projects (of one client, for the portal, without risks and clients) in one
/// statement, as PostGraphile and a hand-tuned JSON service would: PostgreSQL's
/// `json_build_object`/`json_agg`, SQLite's `json_object`/`json_group_array`, the body
/// sent as the database wrote it.
async fn raw_projects(db: Reads, n: usize, client: Option<i64>) -> Option<String> {
    let b = db.get_database_backend();
    let pg = b == DatabaseBackend::Postgres;
    let (object, array) = if pg {
        ("json_build_object", "json_agg")
    } else {
        ("json_object", "json_group_array")
    };
    // SQLite passes a subquery's JSON on as text: json() makes it JSON again.
    let nested = |sql: String| {
        if pg {
            format!("coalesce(({sql}), '[]'::json)")
        } else {
            format!("json(({sql}))")
        }
    };
    let stages = nested(format!(
        "SELECT {array}({object}('name', s.name, 'status', s.status, 'dueDate', s.due_date) \
         ORDER BY s.position) FROM stages s WHERE s.project_id = p.id"
    ));
    let tickets = nested(format!(
        "SELECT {array}({object}('title', t.title, 'priority', t.priority, 'status', t.status) \
         ORDER BY t.created_at DESC) FROM tickets t WHERE t.project_id = p.id \
         AND t.status IN ('NEW', 'ACKNOWLEDGED', 'IN_PROGRESS', 'WAITING_ON_CUSTOMER')"
    ));
    let (filter, limit, values) = match client {
        Some(c) => (
            format!("WHERE client_id = {}", ph(b, 1)),
            ph(b, 2),
            vec![DbValue::from(c), DbValue::from(n as i64)],
        ),
        None => (String::new(), ph(b, 1), vec![DbValue::from(n as i64)]),
    };
    let node = match client {
        Some(_) => format!(
            "{object}('name', p.name, 'status', p.status, 'stages', {stages}, 'tickets', {tickets})"
        ),
        None => {
            let risks = nested(format!(
                "SELECT {array}({object}('title', r.title, 'severity', r.score) ORDER BY r.id) \
                 FROM risks r WHERE r.project_id = p.id AND r.status <> 'CLOSED'"
            ));
            let client = format!(
                "(SELECT {object}('name', c.name) FROM clients c WHERE c.id = p.client_id)"
            );
            let client = if pg {
                client
            } else {
                format!("json({client})")
            };
            format!(
                "{object}('name', p.name, 'status', p.status, \
                 'client', {client}, \
                 'stages', {stages}, 'tickets', {tickets}, 'risks', {risks})"
            )
        }
    };
    let edges = format!("{array}({object}('node', {node}) ORDER BY p.created_at DESC, p.id DESC)");
    let edges = if pg {
        format!("coalesce({edges}, '[]'::json)")
    } else {
        edges
    };
    let body = format!("{object}('data', {object}('projects', {object}('edges', {edges})))");
    let body = if pg { format!("({body})::text") } else { body };
    let sql = format!(
        "SELECT {body} AS body FROM (SELECT id, name, status, client_id, created_at FROM projects \
         {filter} ORDER BY created_at DESC, id DESC LIMIT {limit}) p"
    );
    let row = db
        .query_one_raw(Statement::from_sql_and_values(b, sql, values))
        .await
        .ok()??;
    row.try_get::<String>("", "body").ok()
}

/// A ticket with its project and client, in one statement.
async fn raw_ticket(db: Reads, id: i64) -> Option<String> {
    let b = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            b,
            format!(
                "SELECT t.title, t.status, p.name AS project, c.name AS client FROM tickets t \
                 JOIN projects p ON p.id = t.project_id JOIN clients c ON c.id = p.client_id \
                 WHERE t.id = {}",
                ph(b, 1)
            ),
            [DbValue::from(id)],
        ))
        .await;
    match row {
        Ok(Some(r)) => {
            let body = json!({ "data": { "ticket": { "title": text(&r, "title"), "status": text(&r, "status"),
                "project": { "name": text(&r, "project"), "client": { "name": text(&r, "client") } } } } });
            Some(body.to_string())
        }
        _ => None,
    }
}

/// The status change in one transaction: the ticket (versioned) and its event.
async fn raw_change(db: DatabaseConnection, id: i64, to: &'static str) -> Option<String> {
    let b = db.get_database_backend();
    let run = async {
        // As the server does: SQLite takes the write lock up front (else concurrent writers
        // fail with SQLITE_BUSY), PostgreSQL serialises event writers for an ordered log.
        let txn = db
            .begin_with_options(sea_orm::TransactionOptions {
                sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await?;
        if b == DatabaseBackend::Postgres {
            txn.execute_raw(Statement::from_string(
                b,
                "SELECT pg_advisory_xact_lock(232842983)",
            ))
            .await?;
        }
        let now = Utc::now();
        let row = txn
            .query_one_raw(Statement::from_sql_and_values(
                b,
                format!(
                    "SELECT status, version, project_id, client_id FROM tickets WHERE id = {}",
                    ph(b, 1)
                ),
                [DbValue::from(id)],
            ))
            .await?
            .ok_or(sea_orm::DbErr::RecordNotFound("ticket".into()))?;
        let from: String = row.try_get("", "status")?;
        let version: i32 = row.try_get("", "version")?;
        let project: i64 = row.try_get("", "project_id")?;
        let client: i64 = row.try_get("", "client_id")?;
        txn.execute_raw(Statement::from_sql_and_values(
            b,
            format!(
                "UPDATE tickets SET status = {}, updated_at = {}, version = version + 1 WHERE id = {} AND version = {}",
                ph(b, 1), ph(b, 2), ph(b, 3), ph(b, 4)
            ),
            [to.into(), now.into(), id.into(), version.into()],
        ))
        .await?;
        txn.execute_raw(Statement::from_sql_and_values(
            b,
            format!(
                "INSERT INTO events (occurred_at, actor_kind, actor_id, kind, entity_kind, entity_id, project_id, client_id, from_status, to_status, changes) \
                 VALUES ({}, 'USER', 1, 'STATUS_CHANGED', 'TICKET', {}, {}, {}, {}, {}, '{{}}')",
                ph(b, 1), ph(b, 2), ph(b, 3), ph(b, 4), ph(b, 5), ph(b, 6)
            ),
            [now.into(), id.into(), project.into(), client.into(), from.into(), to.into()],
        ))
        .await?;
        txn.commit().await?;
        Ok::<String, sea_orm::DbErr>(
            json!({ "data": { "changeTicketStatus": { "status": to } } }).to_string(),
        )
    };
    run.await.ok()
}

/// Waits until the server runs no statement of its own for a second (at most five
/// minutes); returns how long that took and how many statements it ran meanwhile.
async fn settle(statements: &AtomicUsize) -> (Duration, usize) {
    let (started, first) = (Instant::now(), statements.load(Ordering::Relaxed));
    let (mut last, mut still_since) = (first, Instant::now());
    while still_since.elapsed() < Duration::from_secs(1)
        && started.elapsed() < Duration::from_secs(300)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = statements.load(Ordering::Relaxed);
        if now != last {
            (last, still_since) = (now, Instant::now());
        }
    }
    (
        started.elapsed().saturating_sub(Duration::from_secs(1)),
        last - first,
    )
}

/// Runs `concurrency` clients for `slice`, each sending `body(i)` in a loop.
async fn measure(
    url: &str,
    token: &str,
    concurrency: usize,
    slice: Duration,
    body: BodyFn,
) -> Samples {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()
        .expect("client");
    let deadline = Instant::now() + slice;
    let counter = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (http, url, body, counter) =
            (http.clone(), url.to_owned(), body.clone(), counter.clone());
        let token = token.to_owned();
        tasks.push(tokio::spawn(async move {
            let (mut latencies, mut errors) = (Vec::new(), 0);
            while Instant::now() < deadline {
                let i = counter.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                let ok = match http
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&body(i))
                    .send()
                    .await
                {
                    Ok(res) => {
                        let status = res.status();
                        let text = res.text().await.unwrap_or_default();
                        let ok = status == 200
                            && serde_json::from_str::<Value>(&text)
                                .is_ok_and(|v| v.get("errors").is_none());
                        if !ok && errors == 0 {
                            // The first failure of each client, so errors are never silent.
                            eprintln!("failed request: HTTP {status}: {text:.300}");
                        }
                        ok
                    }
                    Err(e) => {
                        if errors == 0 {
                            eprintln!("failed request: {e}");
                        }
                        false
                    }
                };
                latencies.push(t.elapsed());
                errors += usize::from(!ok);
            }
            (latencies, errors)
        }));
    }
    collect(tasks, started).await
}

/// The hand-written SQL behind a plain HTTP endpoint: what a hand-coded JSON service
/// would do for the same request (read the body, check the bearer token, run the
/// statements, send the JSON), on the same axum and hyper as the API, without GraphQL.
/// `POST /raw/{workload}` with `{"i": n}`. Returns its base URL.
async fn serve_twin(raws: Vec<RawFn>, keys: TokenKeys) -> String {
    use axum::{
        body::Bytes,
        extract::{Path, State},
        http::{HeaderMap, StatusCode, header},
        response::{IntoResponse, Response},
    };
    type Twin = Arc<(Vec<RawFn>, TokenKeys)>;
    async fn handle(
        State(twin): State<Twin>,
        Path(k): Path<usize>,
        headers: HeaderMap,
        body: Bytes,
    ) -> Response {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if token.is_none_or(|t| twin.1.verify(t).is_err()) {
            return StatusCode::UNAUTHORIZED.into_response();
        }
        let Some(i) = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v["i"].as_u64())
        else {
            return StatusCode::BAD_REQUEST.into_response();
        };
        match twin.0.get(k) {
            Some(work) => match work(i as usize).await {
                Some(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
                None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            },
            None => StatusCode::NOT_FOUND.into_response(),
        }
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}/raw", listener.local_addr().expect("addr"));
    let app = axum::Router::new()
        .route("/raw/{k}", axum::routing::post(handle))
        .with_state(Arc::new((raws, keys)));
    // Accepting as the server does (TCP_NODELAY), so that only the work differs.
    let listener = startup::accepting(listener);
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

/// PostGraphile's spelling of the read workloads (PostgreSQL only). Aliases give its
/// responses our shape; [`canonical`] removes what is only spelling (a connection's
/// `nodes` or `edges { node }` level, a priority's number, a risk's score for its severity band). Open
/// tickets are the IN_PROGRESS ones (the only open status in the data until the status
/// change workload, which runs last) and open risks the OPEN ones (all of them), as
/// PostGraphile's default conditions are equalities.
const PGL_DASHBOARD: &str = "query($n: Int) { projects: allProjects(first: $n, orderBy: [CREATED_AT_DESC, PRIMARY_KEY_DESC]) { nodes {
    name status client: clientByClientId { name }
    stages: stagesByProjectId(orderBy: [POSITION_ASC, PRIMARY_KEY_ASC]) { nodes { name status dueDate } }
    tickets: ticketsByProjectId(condition: { status: \"IN_PROGRESS\" }, orderBy: [CREATED_AT_DESC, PRIMARY_KEY_DESC]) { nodes { title priority status } }
    risks: risksByProjectId(condition: { status: \"OPEN\" }, orderBy: PRIMARY_KEY_ASC) { nodes { title severity: score } } } } }";
const PGL_PORTAL: &str = "query { projects: allProjects(condition: { clientId: \"1\" }, first: 20, orderBy: [CREATED_AT_DESC, PRIMARY_KEY_DESC]) { nodes {
    name status
    stages: stagesByProjectId(orderBy: [POSITION_ASC, PRIMARY_KEY_ASC]) { nodes { name status dueDate } }
    tickets: ticketsByProjectId(condition: { status: \"IN_PROGRESS\" }, orderBy: [CREATED_AT_DESC, PRIMARY_KEY_DESC]) { nodes { title priority status } } } } }";
const PGL_TICKET: &str = "query($id: BigInt!) { ticket: ticketByRowId(rowId: $id) {
    title status project: projectByProjectId { name client: clientByClientId { name } } } }";

/// A response with spelling differences removed, to check that two servers returned the
/// same data.
fn canonical(v: &Value) -> Value {
    use delivery_desk::domain::risk::RiskSeverity;
    const PRIORITIES: [&str; 4] = ["LOW", "MEDIUM", "HIGH", "URGENT"];
    match v {
        Value::Object(map) if map.len() == 1 && map.contains_key("nodes") => {
            canonical(&map["nodes"])
        }
        Value::Object(map) if map.len() == 1 && map.contains_key("edges") => Value::Array(
            map["edges"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|edge| canonical(&edge["node"]))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = match (k.as_str(), v.as_i64()) {
                        ("priority", Some(n)) => json!(PRIORITIES[(n as usize).clamp(1, 4) - 1]),
                        ("severity", Some(n)) => {
                            json!(format!("{:?}", RiskSeverity::of_score(n as i32)).to_uppercase())
                        }
                        _ => canonical(v),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// Sends one request and returns its parsed response.
async fn ask(url: &str, token: &str, body: &Value) -> Value {
    reqwest::Client::new()
        .post(url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON response")
}

/// One side's figures with its CPU per request.
struct Side {
    figures: Figures,
    /// CPU milliseconds per request: the server's, and the database's.
    cpu: (f64, f64),
}

impl Side {
    /// `peer`: the server's CPU is the peer process's, not this process's server threads.
    fn of(samples: Samples, cpu: cpu::Reading, peer: bool) -> Side {
        let figures = samples.figures();
        let n = figures.requests.max(1) as f64;
        let server = if peer { cpu.peer } else { cpu.server };
        let cpu = (
            server as f64 / 1e6 / n,
            (cpu.postgres + cpu.sqlite) as f64 / 1e6 / n,
        );
        Side { figures, cpu }
    }

    fn cells(&self) -> String {
        let (f, (server, db)) = (&self.figures, self.cpu);
        format!(
            "{:.0} | {:.2} | {:.2} | {server:.2} + {db:.2}",
            f.per_second,
            f.p50.as_secs_f64() * 1e3,
            f.p99.as_secs_f64() * 1e3
        )
    }

    fn cpu_total(&self) -> f64 {
        self.cpu.0 + self.cpu.1
    }
}

fn main() {
    // The server under test runs on a runtime of its own, so that its threads' CPU can be
    // told from the load generator's (the default runtime below).
    let server = tokio::runtime::Builder::new_multi_thread()
        .thread_name(cpu::SERVER_THREADS)
        .enable_all()
        .build()
        .expect("server runtime");
    let handle = server.handle().clone();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(run(handle));
    drop(server);
}

async fn run(server: tokio::runtime::Handle) {
    let projects = setup::env_or::<i64>("BENCH_PROJECTS", 1000);
    let seconds: u64 = setup::env_or("BENCH_SECONDS", 3);
    // Opened on the server's runtime: its connections' I/O is driven there.
    let bench_db = server.spawn(open_database()).await.expect("open");
    let (mut db, engine) = (bench_db.db.clone(), bench_db.engine.clone());
    startup::migrate(&db).await.expect("migrate");
    let shape = Shape {
        stages: setup::env_or::<i32>("BENCH_STAGES", 10),
        tickets: setup::env_or::<i32>("BENCH_TICKETS", 50),
    };
    let open_tickets = Arc::new(load(&db, projects, shape).await);
    if db.get_database_backend() == DatabaseBackend::Postgres {
        // Statistics for the planner, as a database in use has them (autovacuum would take
        // them later, in the middle of a measurement).
        db.execute_unprepared("ANALYZE").await.expect("analyze");
    }
    let statements = Arc::new(AtomicUsize::new(0));
    let counter = statements.clone();
    let echo = std::env::var_os("BENCH_ECHO_SQL").is_some();
    // Statements through the pool and on the connections reads keep (`reads::Reads`).
    let count: delivery_desk::reads::MetricCallback = Arc::new(move |info| {
        if echo {
            eprintln!(
                "{:>8.3} ms  {:.3000}",
                info.elapsed.as_secs_f64() * 1e3,
                info.statement.to_string()
            );
        }
        counter.fetch_add(1, Ordering::Relaxed);
    });
    let pool_count = count.clone();
    db.set_metric_callback(move |info| pool_count(info));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/graphql", listener.local_addr().expect("addr"));
    let keys =
        TokenKeys::hs256(b"benchmark secret of at least 32 bytes", "delivery-desk").expect("keys");
    let twin_keys = keys.clone();
    // Staff token: the benchmark measures the staff dashboard. No user row backs it; the
    // workloads write nothing that references the author.
    let token = keys
        .mint("user:1".into(), Role::Staff, None, 24 * 3600)
        .expect("token");
    let portal = keys
        .mint("contact:1".into(), Role::Client, Some(1), 24 * 3600)
        .expect("token");
    let options = Options {
        graphiql: false,
        rate_limit_per_minute: u32::MAX,
        ..Options::default()
    };
    let state = AppState::new(db.clone(), options, keys);
    state.reads.set_metric_callback(count);
    // The hand-written twin reads as the API does: on the connections reads keep.
    let reads = state.reads.clone();
    server.spawn(startup::serve(listener, state));
    // PostGraphile on the same database, when it is PostgreSQL.
    let database_name = bench_db.created.as_ref().map(|d| d.name.clone());
    let peer = match &bench_db.created {
        Some(d) if std::env::var_os("BENCH_NO_POSTGRAPHILE").is_none() => {
            postgraphile::Peer::start(&d.url).await
        }
        _ => None,
    };
    let peer_pid = peer.as_ref().map(postgraphile::Peer::pid);
    let read_cpu = || cpu::read(database_name.as_deref(), peer_pid);

    println!(
        "Delivery Desk API benchmark: {engine}; machine {}",
        chart::machine()
    );
    let data = format!(
        "data: {projects} projects, {} clients, {} stages, {} tickets ({} open), {} risks; {seconds}s per row",
        (projects / 10).max(1),
        projects * i64::from(shape.stages),
        projects * i64::from(shape.tickets),
        open_tickets.len(),
        projects * 3
    );
    println!("{data}");
    let peer_note = if peer.is_some() {
        "PostGraphile 5.1.5 (Amber preset, production mode, its own process) on the same database"
    } else {
        "PostGraphile: not measured (SQLite, or not available)"
    };
    println!("{peer_note}");
    // The server's own start-up work (this week's digests, when it starts in their window,
    // read every active project) runs before anything is timed, not in the first rows.
    let (quiet_after, background) = settle(&statements).await;
    println!(
        "server start-up work: {background} statements, quiet after {:.1} s",
        quiet_after.as_secs_f64()
    );
    let header = "| workload | clients | API req/s | p50 ms | p99 ms | CPU ms/req server + db | SQL/req | PostGraphile req/s | p50 ms | p99 ms | CPU ms/req server + db | **API / PostGraphile** | CPU API / PostGraphile | hand-written over HTTP req/s | p50 ms | p99 ms | CPU ms/req server + db | API / it | hand-written in-process req/s | API / it |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|";
    let mut report = format!(
        "Delivery Desk API benchmark: {engine}; machine {}\n{data}\n{peer_note}\n\n{header}\n",
        chart::machine(),
    );
    println!("{header}");
    let tickets = open_tickets.clone();
    // The two status-change workloads flip disjoint halves of the open tickets, so that
    // neither finds a ticket in a state the other left.
    let half = tickets.len() / 2;
    let api_half: Arc<Vec<i64>> = Arc::new(tickets[..half].to_vec());
    let raw_half: Arc<Vec<i64>> = Arc::new(tickets[half..].to_vec());
    let raw_db = db.clone();
    let raw_portal: RawFn = {
        let db = reads.clone();
        Arc::new(move |_| Box::pin(raw_projects(db.clone(), 20, Some(1))))
    };
    let raws: Vec<RawFn> = vec![
        {
            let db = reads.clone();
            Arc::new(move |_| Box::pin(raw_dashboard(db.clone(), 20)))
        },
        // The portal, and the same data through the staff road.
        raw_portal.clone(),
        raw_portal,
        {
            let db = reads.clone();
            Arc::new(move |_| Box::pin(raw_dashboard(db.clone(), 100)))
        },
        {
            let (db, t) = (reads.clone(), tickets.clone());
            Arc::new(move |i| Box::pin(raw_ticket(db.clone(), t[i % t.len()])))
        },
        {
            // Its own tickets' statuses, walked like the API's workload below.
            let (db, t) = (raw_db.clone(), raw_half.clone());
            let sent = Arc::new(AtomicUsize::new(0));
            Arc::new(move |_| {
                let n = sent.fetch_add(1, Ordering::Relaxed);
                let to = if (n / t.len()).is_multiple_of(2) {
                    "WAITING_ON_CUSTOMER"
                } else {
                    "IN_PROGRESS"
                };
                Box::pin(raw_change(db.clone(), t[n % t.len()], to))
            })
        },
    ];
    // Each workload: our request, and PostGraphile's for the same data (reads only: its
    // generated update would not write the event and clocks ours does).
    let workloads: Vec<(&str, BodyFn, Option<BodyFn>)> = vec![
        (
            "dashboard, page of 20",
            Arc::new(|_| json!({ "query": DASHBOARD, "variables": { "n": 20 } })),
            Some(Arc::new(
                |_| json!({ "query": PGL_DASHBOARD, "variables": { "n": 20 } }),
            )),
        ),
        (
            "portal: one client's projects",
            Arc::new(|_| json!({ "query": PORTAL })),
            Some(Arc::new(|_| json!({ "query": PGL_PORTAL }))),
        ),
        (
            // The portal's data through the staff road: what the portal's scope costs.
            "one client's projects, staff token",
            Arc::new(
                |_| json!({ "query": STAFF_PORTAL, "variables": { "c": global_id("Client", 1) } }),
            ),
            Some(Arc::new(|_| json!({ "query": PGL_PORTAL }))),
        ),
        (
            "dashboard, page of 100",
            Arc::new(|_| json!({ "query": DASHBOARD, "variables": { "n": 100 } })),
            Some(Arc::new(
                |_| json!({ "query": PGL_DASHBOARD, "variables": { "n": 100 } }),
            )),
        ),
        (
            "ticket by id",
            {
                let t = tickets.clone();
                Arc::new(
                    move |i| json!({ "query": TICKET, "variables": { "id": global_id("Ticket", t[i % t.len()]) } }),
                )
            },
            {
                let t = tickets.clone();
                Some(Arc::new(
                    move |i| json!({ "query": PGL_TICKET, "variables": { "id": t[i % t.len()].to_string() } }),
                ))
            },
        ),
        (
            "changeTicketStatus",
            {
                let t = api_half.clone();
                // Each ticket alternates IN_PROGRESS <-> WAITING_ON_CUSTOMER. One counter across
                // all rows walks the tickets in rounds; a round flips every ticket once, so the
                // status asked for alternates with the round.
                let sent = Arc::new(AtomicUsize::new(0));
                Arc::new(move |_| {
                    let n = sent.fetch_add(1, Ordering::Relaxed);
                    let status = if (n / t.len()).is_multiple_of(2) {
                        "WAITING_ON_CUSTOMER"
                    } else {
                        "IN_PROGRESS"
                    };
                    json!({ "query": CHANGE, "variables": { "id": global_id("Ticket", t[n % t.len()]), "s": status } })
                })
            },
            None,
        ),
    ];
    let twin = server
        .spawn(serve_twin(raws.clone(), twin_keys))
        .await
        .expect("twin");
    // Per workload: concurrency, then req/s and p99 ms of the API, of the hand-written SQL
    // over HTTP, of the hand-written SQL in-process, and of PostGraphile.
    let mut charted: Vec<(String, Vec<[f64; 9]>)> = Vec::new();
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    // For profiling the server: no hand-written side runs (their columns stay empty).
    let api_only = std::env::var_os("BENCH_API_ONLY").is_some();
    let concurrencies = setup::env_list("BENCH_CLIENTS", "1,8,32");
    for (k, ((name, body, peer_body), raw)) in workloads.into_iter().zip(raws).enumerate() {
        if !name.contains(only.as_str()) {
            continue;
        }
        // The portal workload runs as a contact of client 1; the others as staff.
        let caller = if name.starts_with("portal") {
            &portal
        } else {
            &token
        };
        let peer_body = peer_body.filter(|_| peer.is_some());
        if let (Some(peer), Some(peer_body)) = (&peer, &peer_body) {
            // Before any timing: both servers return the same data.
            for i in [0, 1, 7] {
                let ours = ask(&url, caller, &body(i)).await;
                let theirs = ask(&peer.url, "", &peer_body(i)).await;
                assert!(ours.get("errors").is_none(), "{name}: {ours}");
                let (ours, theirs) = (canonical(&ours), canonical(&theirs));
                assert!(
                    ours == theirs,
                    "{name}: PostGraphile's response differs from ours:\n{:.1500}\n{:.1500}",
                    ours.to_string(),
                    theirs.to_string()
                );
            }
        }
        // A second of each server's traffic before timing, unrecorded: PostGraphile runs
        // on a JIT that needs it (timed cold, its ticket by id measured at half speed).
        let warm_up = Duration::from_secs(1);
        measure(&url, caller, 4, warm_up, body.clone()).await;
        if let (Some(peer), Some(peer_body)) = (&peer, &peer_body) {
            measure(&peer.url, "", 4, warm_up, peer_body.clone()).await;
        }
        charted.push((name.to_owned(), Vec::new()));
        for &concurrency in &concurrencies {
            // The sides take turns in half-second slices, so that a noisy neighbour on a
            // shared machine weighs on each of them alike.
            let (mut f, mut g, mut h, mut r) = (
                Samples::default(),
                Samples::default(),
                Samples::default(),
                Samples::default(),
            );
            let (mut f_cpu, mut g_cpu, mut h_cpu) = Default::default();
            let mut sql = 0usize;
            let slice = Duration::from_millis(500);
            let twin_body: BodyFn = Arc::new(|i| json!({ "i": i }));
            let timed =
                |cpu: &mut cpu::Reading, before: cpu::Reading| cpu.add(read_cpu().since(&before));
            for _ in 0..(seconds * 2).max(1) {
                let before = statements.load(Ordering::Relaxed);
                let at = read_cpu();
                f.add(measure(&url, caller, concurrency, slice, body.clone()).await);
                timed(&mut f_cpu, at);
                sql += statements.load(Ordering::Relaxed) - before;
                if let (Some(peer), Some(peer_body)) = (&peer, &peer_body) {
                    let at = read_cpu();
                    g.add(measure(&peer.url, "", concurrency, slice, peer_body.clone()).await);
                    timed(&mut g_cpu, at);
                }
                if api_only {
                    continue;
                }
                let twin_url = format!("{twin}/{k}");
                let at = read_cpu();
                h.add(measure(&twin_url, caller, concurrency, slice, twin_body.clone()).await);
                timed(&mut h_cpu, at);
                r.add(measure_raw(concurrency, slice, raw.clone()).await);
            }
            let measured_peer = peer_body.is_some();
            let api = Side::of(f, f_cpu, false);
            let pgl = measured_peer.then(|| Side::of(g, g_cpu, true));
            let http = Side::of(h, h_cpu, false);
            let r = r.figures();
            assert_eq!(
                http.figures.errors, 0,
                "the hand-written {name} over HTTP failed"
            );
            assert_eq!(r.errors, 0, "the hand-written {name} failed");
            if let Some(p) = &pgl {
                assert_eq!(p.figures.errors, 0, "PostGraphile's {name} failed");
            }
            let f = &api.figures;
            let sql = sql as f64 / f.requests.max(1) as f64;
            let ratio = |of: &Figures| f.per_second / of.per_second.max(f64::MIN_POSITIVE);
            let (pgl_cells, pgl_ratio, pgl_cpu_ratio) = match &pgl {
                Some(p) => (
                    p.cells(),
                    format!("**{:.2}**", ratio(&p.figures)),
                    format!("{:.2}", api.cpu_total() / p.cpu_total()),
                ),
                None => ("- | - | - | -".into(), "-".into(), "-".into()),
            };
            let row = format!(
                "| {name} | {concurrency} | {} | {sql:.1} | {pgl_cells} | {pgl_ratio} | {pgl_cpu_ratio} | {} | {:.2} | {:.0} | {:.2} |",
                api.cells(),
                http.cells(),
                ratio(&http.figures),
                r.per_second,
                ratio(&r),
            );
            println!("{row}");
            if f.errors > 0 {
                println!("  ({} of {} API requests failed)", f.errors, f.requests);
            }
            report.push_str(&row);
            report.push('\n');
            if let Some((_, points)) = charted.last_mut() {
                let p99 = |f: &Figures| f.p99.as_secs_f64() * 1e3;
                points.push([
                    concurrency as f64,
                    f.per_second,
                    p99(f),
                    http.figures.per_second,
                    p99(&http.figures),
                    r.per_second,
                    p99(&r),
                    pgl.as_ref().map_or(f64::NAN, |p| p.figures.per_second),
                    pgl.as_ref().map_or(f64::NAN, |p| p99(&p.figures)),
                ]);
            }
        }
    }
    let engine_file = if engine.starts_with("PostgreSQL") {
        "postgresql"
    } else {
        "sqlite"
    };
    let charts = [
        ("throughput", "requests per second", 1, 3, 5, 7),
        ("p99", "p99 latency, ms", 2, 4, 6, 8),
    ];
    for (what, axis, api, http, raw, pgl) in charts {
        let panels: Vec<chart::Panel> = charted
            .iter()
            .map(|(name, points)| {
                let mut series = vec![
                    chart::Series {
                        name: "API".into(),
                        colour: chart::BLUE,
                        dashed: false,
                        values: points.iter().map(|p| p[api]).collect(),
                    },
                    chart::Series {
                        name: "hand-written SQL over HTTP".into(),
                        colour: chart::ORANGE,
                        dashed: true,
                        values: points.iter().map(|p| p[http]).collect(),
                    },
                    chart::Series {
                        name: "hand-written SQL in-process".into(),
                        colour: chart::GREEN,
                        dashed: true,
                        values: points.iter().map(|p| p[raw]).collect(),
                    },
                ];
                if points.iter().all(|p| p[pgl].is_finite()) {
                    series.push(chart::Series {
                        name: "PostGraphile".into(),
                        colour: chart::RED,
                        dashed: false,
                        values: points.iter().map(|p| p[pgl]).collect(),
                    });
                }
                chart::Panel {
                    title: name.clone(),
                    x_ticks: points.iter().map(|p| p[0].to_string()).collect(),
                    series,
                }
            })
            .collect();
        let svg = chart::small_multiples(
            &format!("{what} against concurrent clients: {engine}"),
            axis,
            "concurrent clients",
            &panels,
            false,
        );
        if let Some(path) = chart::write_result(&format!("api-{engine_file}-{what}.svg"), &svg) {
            println!("chart: {}", path.display());
        }
    }
    if let Some(path) = chart::write_result(&format!("api-{engine_file}.md"), &report) {
        println!("written to {}", path.display());
    }
    drop(peer);
    if let Some(database) = bench_db.created {
        db.close().await.ok();
        database.drop().await;
    }
}
