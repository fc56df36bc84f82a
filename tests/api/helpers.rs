//! The test harness: a real server on a random port over a fresh database per test.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{SystemTime, UNIX_EPOCH},
};

use delivery_desk::{
    alarms::Alarms,
    auth::token::{Role, TokenKeys},
    service::{
        Caller, Ctx,
        users::{self, NewUser},
    },
    startup::{self, AppState, Options},
    time::Time,
};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{Value, json};
use tokio::sync::OnceCell;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running server and a handle on its database.
pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub db: DatabaseConnection,
    /// SQL statements executed since the last [`TestApp::reset_statements`].
    statements: Arc<AtomicUsize>,
    /// Their text, in the order they ran.
    sql: Arc<std::sync::Mutex<Vec<String>>>,
    /// Signs tokens the server accepts.
    pub keys: TokenKeys,
    /// A token of the administrator the harness created; [`TestApp::gql`] sends it.
    pub admin: String,
    pub backend: Backend,
    /// The server's clock: the system's, or a manual one the test moves.
    pub time: Time,
    /// The server's service-level alarm task (absent for a server in another process).
    pub alarms: Option<Alarms>,
    /// The server's live hub (absent for a server in another process).
    pub hub: Option<delivery_desk::live::Hub>,
    /// The server's document folder.
    pub documents: tempfile::TempDir,
    _dir: Option<tempfile::TempDir>,
}

/// Runs a test body once on SQLite and once on PostgreSQL (when `DATABASE_URL_PG` is set;
/// CI fails rather than skip when it is not).
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app = $crate::helpers::spawn_app($crate::helpers::Backend::Sqlite)
                    .await
                    .expect("sqlite app");
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($app) =
                    $crate::helpers::spawn_app($crate::helpers::Backend::Postgres).await
                else {
                    return;
                };
                $body
            }
        }
    };
    // The body starts its own server(s) (and what they need first) on `$backend`.
    ($name:ident, on = |$backend:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $backend = $crate::helpers::Backend::Sqlite;
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let $backend = $crate::helpers::Backend::Postgres;
                $body
            }
        }
    };
    // A server started with `$options` (e.g. short webhook timers).
    ($name:ident, options = $options:expr, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app =
                    $crate::helpers::spawn_app_with($crate::helpers::Backend::Sqlite, $options)
                        .await
                        .expect("sqlite app");
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($app) =
                    $crate::helpers::spawn_app_with($crate::helpers::Backend::Postgres, $options)
                        .await
                else {
                    return;
                };
                $body
            }
        }
    };
    // The server's clock stands at `$at` until the test moves it (`app.time.advance`).
    ($name:ident, at = $at:expr, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app = $crate::helpers::spawn_app_at($crate::helpers::Backend::Sqlite, $at)
                    .await
                    .expect("sqlite app");
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($app) =
                    $crate::helpers::spawn_app_at($crate::helpers::Backend::Postgres, $at).await
                else {
                    return;
                };
                $body
            }
        }
    };
}

static PG_CLEANUP: OnceCell<()> = OnceCell::const_new();
static SEQ: AtomicUsize = AtomicUsize::new(0);

fn pg_admin_url() -> Option<String> {
    match std::env::var("DATABASE_URL_PG") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must run the PostgreSQL tests: set DATABASE_URL_PG"
            );
            eprintln!("DATABASE_URL_PG is empty: PostgreSQL variant skipped");
            None
        }
    }
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(server, _)| server);
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// The URL of a fresh, empty PostgreSQL database (`None` when PostgreSQL is not configured).
pub async fn fresh_postgres_url() -> Option<String> {
    let admin_url = pg_admin_url()?;
    let admin = Database::connect(&admin_url)
        .await
        .expect("connect to DATABASE_URL_PG");
    // Databases left by earlier runs of this suite go first, once per run.
    PG_CLEANUP
        .get_or_init(|| async {
            let rows = admin
                .query_all_raw(Statement::from_string(
                    admin.get_database_backend(),
                    "SELECT datname FROM pg_database WHERE datname LIKE 'dd_test_%'",
                ))
                .await
                .expect("list test databases");
            for row in rows {
                let name: String = row.try_get("", "datname").expect("datname");
                // `dd_test_<pid>_…`: a suite still running (another checkout, CI) keeps its own.
                let owner = name
                    .strip_prefix("dd_test_")
                    .and_then(|r| r.split('_').next());
                if owner.is_some_and(|pid| std::path::Path::new(&format!("/proc/{pid}")).exists()) {
                    continue;
                }
                let _ = admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await;
            }
        })
        .await;
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = format!(
        "dd_test_{}_{}_{nanos}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    );
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create database");
    admin.close().await.ok();
    Some(with_database(&admin_url, &name))
}

/// A fresh, migrated database of `backend`.
async fn fresh_database(
    backend: Backend,
) -> Option<(DatabaseConnection, Option<tempfile::TempDir>)> {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
            let db = startup::connect(&url, 8).await.expect("open sqlite");
            Some((db, Some(dir)))
        }
        Backend::Postgres => {
            let url = fresh_postgres_url().await?;
            let db = startup::connect(&url, 8).await.expect("open postgres");
            Some((db, None))
        }
    }
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, test_options()).await
}

/// A test server's options. It queues no weekly digest: on the system clock those come
/// on Friday afternoons only, and would add mail to whatever a test counts (the digests'
/// own test turns them on, on a manual clock).
pub fn test_options() -> Options {
    Options {
        max_body_bytes: 64 * 1024,
        rate_limit_per_minute: 1_000_000,
        weekly_digests: false,
        // The tests' webhook receivers listen on loopback.
        webhooks: delivery_desk::webhooks::WebhookOptions {
            allow_private: true,
            ..Default::default()
        },
        ..Options::default()
    }
}

/// A test server whose clock stands at `at` until the test moves it.
pub async fn spawn_app_at(backend: Backend, at: chrono::DateTime<chrono::Utc>) -> Option<TestApp> {
    let options = Options {
        time: Time::manual(at),
        ..test_options()
    };
    spawn_app_with(backend, options).await
}

pub async fn spawn_app_with(backend: Backend, mut options: Options) -> Option<TestApp> {
    let (mut db, dir) = fresh_database(backend).await?;
    // Each server its own document folder, gone with it.
    let documents = tempfile::tempdir().expect("document folder");
    options.documents = delivery_desk::documents::DocumentStore::new(
        documents.path(),
        options.documents.max_bytes(),
    );
    startup::migrate(&db).await.expect("migrate");
    let statements = Arc::new(AtomicUsize::new(0));
    let sql = Arc::<std::sync::Mutex<Vec<String>>>::default();
    let (counter, texts) = (statements.clone(), sql.clone());
    let echo = std::env::var_os("TEST_ECHO_SQL").is_some();
    // Statements through the pool and on the connections reads keep (`reads::Reads`).
    let count: delivery_desk::reads::MetricCallback = Arc::new(move |info| {
        counter.fetch_add(1, Ordering::SeqCst);
        texts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(info.statement.to_string());
        if echo {
            eprintln!("SQL {}", info.statement);
        }
    });
    let pool_count = count.clone();
    db.set_metric_callback(move |info| pool_count(info));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let keys = TokenKeys::hs256(TEST_SECRET.as_bytes(), "delivery-desk").expect("keys");
    let time = options.time.clone();
    let state = AppState::new(db.clone(), options, keys.clone());
    state.reads.set_metric_callback(count);
    let alarms = Some(state.alarms.clone());
    let hub = Some(state.hub.clone());
    tokio::spawn(startup::serve(listener, state));
    let system = Caller::System;
    let new = NewUser {
        name: "Admin".into(),
        email: "admin@vendor.example".into(),
        title: None,
        language: entity::Language::En,
    };
    let admin_user = users::create(
        Ctx {
            db: &db,
            caller: &system,
            live: None,
            time: &delivery_desk::time::SYSTEM_TIME,
        },
        new,
    )
    .await
    .expect("admin user");
    let admin = keys
        .mint(format!("user:{}", admin_user.id), Role::Admin, None, 3600)
        .expect("token");
    Some(TestApp {
        base: format!("http://{addr}"),
        http: reqwest::Client::new(),
        db,
        statements,
        sql,
        keys,
        admin,
        backend,
        time,
        alarms,
        hub,
        documents,
        _dir: dir,
    })
}

/// The JWT secret of every test server.
pub const TEST_SECRET: &str = "a test secret of at least 32 bytes!";

impl TestApp {
    /// A handle on a server started elsewhere (another process) over `db`, whose tokens
    /// are signed with [`TEST_SECRET`]; the administrator is created here.
    pub async fn attach(base: String, db: DatabaseConnection, backend: Backend) -> Self {
        let keys = TokenKeys::hs256(TEST_SECRET.as_bytes(), "delivery-desk").expect("keys");
        let admin_user = users::create(
            Ctx {
                db: &db,
                caller: &Caller::System,
                live: None,
                time: &delivery_desk::time::SYSTEM_TIME,
            },
            NewUser {
                name: "Admin".into(),
                email: format!(
                    "admin{}@vendor.example",
                    SEQ.fetch_add(1, Ordering::Relaxed)
                ),
                title: None,
                language: entity::Language::En,
            },
        )
        .await
        .expect("admin user");
        let admin = keys
            .mint(format!("user:{}", admin_user.id), Role::Admin, None, 3600)
            .expect("token");
        Self {
            base,
            http: reqwest::Client::new(),
            db,
            statements: Arc::default(),
            sql: Arc::default(),
            keys,
            admin,
            backend,
            time: Time::default(),
            alarms: None,
            hub: None,
            // That server keeps its documents where it was told; this one is unused.
            documents: tempfile::tempdir().expect("document folder"),
            _dir: None,
        }
    }

    pub fn reset_statements(&self) {
        self.statements.store(0, Ordering::SeqCst);
        self.sql.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// The SQL of the statements executed since the last [`TestApp::reset_statements`]
    /// (this process's server only).
    pub fn sql(&self) -> Vec<String> {
        self.sql.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Waits until the server's background tasks (the live pump catching up with the last
    /// commits, the alarm and webhook tasks looking at them) have run no statement for
    /// 200 ms, then resets the count: a count taken next is the request's own.
    pub async fn settle_statements(&self) {
        let give_up = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let mut seen = self.statements();
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            let now = self.statements();
            if now == seen || std::time::Instant::now() > give_up {
                break;
            }
            seen = now;
        }
        self.reset_statements();
    }

    pub fn statements(&self) -> usize {
        self.statements.load(Ordering::SeqCst)
    }

    /// A token for a staff member (`role` one of the staff roles) or, with a client, a contact.
    pub fn token(&self, sub: &str, role: Role, client: Option<i64>) -> String {
        self.keys
            .mint(sub.to_owned(), role, client, 3600)
            .expect("token")
    }

    /// POSTs a GraphQL request as the administrator; see [`TestApp::gql_as`].
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        self.gql_as(Some(&self.admin), query, variables).await
    }

    /// POSTs a GraphQL request with `token` (or none) and returns the whole response body;
    /// asserts HTTP 200.
    pub async fn gql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let (status, body) = self.post_as(token, query, variables).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Runs a request that must succeed and returns its `data`.
    pub async fn ok(&self, query: &str, variables: Value) -> Value {
        let body = self.gql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// POSTs a GraphQL request with `token` (or none); returns the status and the body.
    pub async fn post_as(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (u16, Value) {
        let mut req = self.http.post(format!("{}/graphql", self.base));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        let res = req
            .header("accept", "application/graphql-response+json")
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request");
        let status = res.status().as_u16();
        (status, res.json().await.expect("json body"))
    }

    /// Runs a request that must fail, with a field error (200) or refused whole before
    /// execution (400); returns `(code, field)` of the first error.
    pub async fn fails(&self, query: &str, variables: Value) -> (String, Option<String>) {
        let (status, body) = self.post_as(Some(&self.admin), query, variables).await;
        assert!(status == 200 || status == 400, "status {status}: {body}");
        let error = &body["errors"][0];
        assert!(!error.is_null(), "expected an error: {body}");
        let code = error["extensions"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let field = error["extensions"]["field"].as_str().map(str::to_owned);
        (code, field)
    }

    /// Number of rows in a table.
    pub async fn count(&self, table: &str) -> i64 {
        let row = self
            .db
            .query_one_raw(Statement::from_string(
                self.db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count")
            .expect("row");
        row.try_get::<i64>("", "n").expect("n")
    }
}

/// Creates a staff user and returns its id.
pub async fn user(app: &TestApp, name: &str) -> String {
    let email = format!("{}@vendor.example", name.to_lowercase().replace(' ', "."));
    let data = app
        .ok(
            "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
            json!({ "i": { "name": name, "email": email } }),
        )
        .await;
    data["createUser"]["id"].as_str().expect("id").to_owned()
}

/// Creates a client and returns its id.
pub async fn client(app: &TestApp, name: &str) -> String {
    let data = app
        .ok(
            "mutation($i: CreateClientInput!) { createClient(input: $i) { id } }",
            json!({ "i": { "name": name, "intentLevel": "HIGH", "source": "REFERRAL" } }),
        )
        .await;
    data["createClient"]["id"].as_str().expect("id").to_owned()
}

/// Creates a signed project of `client` and returns its id.
pub async fn signed_project(app: &TestApp, client: &str, number: &str) -> String {
    let data = app
        .ok(
            "mutation($i: CreateProjectInput!) { createProject(input: $i) { id status } }",
            json!({ "i": {
                "clientId": client, "name": format!("Project {number}"), "contractNumber": number,
                "contractValue": { "amount": "1000.00", "currency": "CNY" },
                "contractSignedOn": "2026-01-05", "plannedStart": "2026-01-10", "plannedEnd": "2026-06-30"
            }}),
        )
        .await;
    assert_eq!(data["createProject"]["status"], "CONTRACT_SIGNED");
    data["createProject"]["id"].as_str().expect("id").to_owned()
}

/// Creates a stage and returns its id.
pub async fn stage(app: &TestApp, project: &str, name: &str) -> String {
    let data = app
        .ok(
            "mutation($i: CreateStageInput!) { createStage(input: $i) { id } }",
            json!({ "i": { "projectId": project, "name": name, "dueDate": "2026-03-01" } }),
        )
        .await;
    data["createStage"]["id"].as_str().expect("id").to_owned()
}

/// Creates a ticket and returns its id.
pub async fn ticket(app: &TestApp, project: &str, title: &str) -> String {
    let data = app
        .ok(
            "mutation($i: CreateTicketInput!) { createTicket(input: $i) { id status } }",
            json!({ "i": { "projectId": project, "title": title, "type": "SOFTWARE_BUG", "priority": "HIGH" } }),
        )
        .await;
    assert_eq!(data["createTicket"]["status"], "NEW");
    data["createTicket"]["id"].as_str().expect("id").to_owned()
}

/// The database id inside a global id.
pub fn db_id(global: &str) -> i64 {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(global).unwrap()).unwrap();
    raw.split_once(':').unwrap().1.parse().unwrap()
}

/// Creates a contact of `client` and returns its id.
pub async fn contact(app: &TestApp, client: &str) -> String {
    app.ok(
        "mutation($c: ID!) { createContact(input: { clientId: $c, name: \"Zhang Hua\" }) { id } }",
        json!({ "c": client }),
    )
    .await["createContact"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The feed cursor of the event with database id `id`.
pub fn event_cursor(id: i64) -> String {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    URL_SAFE_NO_PAD.encode(format!("Event:{id}"))
}

/// The `extensions.code` of a response's first error; panics when there is none.
pub fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error: {body}"))
}

/// The `extensions.field` of a response's first error.
pub fn error_field(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["field"].as_str()
}

/// A portal token of `contact` (a global id) of `client` (a global id).
pub fn portal_token(app: &TestApp, client: &str, contact: &str) -> String {
    app.token(
        &format!("contact:{}", db_id(contact)),
        Role::Client,
        Some(db_id(client)),
    )
}

/// Changes a ticket's status (as the administrator); the change must succeed.
pub async fn set_ticket_status(app: &TestApp, ticket: &str, status: &str) {
    app.ok(
        "mutation($id: ID!, $s: TicketStatus!) { changeTicketStatus(id: $id, status: $s) { status } }",
        json!({ "id": ticket, "s": status }),
    )
    .await;
}

/// A service context on the test server's database, hub and clock, for calling services
/// directly (as a second instance or a background task would).
pub fn service_ctx<'a>(app: &'a TestApp, caller: &'a Caller) -> Ctx<'a> {
    Ctx {
        db: &app.db,
        caller,
        live: app.hub.as_ref(),
        time: &app.time,
    }
}

/// Asserts that every id in `ids` (global ids the server acknowledged) names a stored node.
pub async fn assert_all_stored(app: &TestApp, ids: &[String]) {
    for chunk in ids.chunks(100) {
        let found = app
            .ok(
                "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                json!({ "ids": chunk }),
            )
            .await;
        let found = found["nodes"].as_array().unwrap();
        assert!(
            found.iter().all(|n| !n.is_null()),
            "an acknowledged node is missing"
        );
    }
}

/// Terminates every PostgreSQL `LISTEN` connection on the database of `db` (as a database
/// restart would); returns how many.
pub async fn cut_listeners(db: &DatabaseConnection) -> usize {
    use sea_orm::DatabaseBackend;
    db.query_all_raw(Statement::from_string(
        DatabaseBackend::Postgres,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND query ILIKE 'LISTEN%'",
    ))
    .await
    .expect("terminate the listeners")
    .len()
}

/// Creates a project at the start of the road (LEAD) and moves it to `status` through
/// the pre-contract phases; returns its id.
pub async fn pre_contract_project(app: &TestApp, client: &str, name: &str, status: &str) -> String {
    let id = app
        .ok(
            "mutation($i: CreateProjectInput!) { createProject(input: $i) { id status } }",
            json!({ "i": { "clientId": client, "name": name } }),
        )
        .await["createProject"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    const ROAD: [&str; 4] = ["LEAD", "DISCOVERY", "PROPOSAL", "NEGOTIATION"];
    let target = ROAD
        .iter()
        .position(|s| *s == status)
        .expect("a pre-contract phase");
    for next in &ROAD[1..=target] {
        app.ok(
            "mutation($id: ID!, $s: ProjectStatus!) { changeProjectStatus(id: $id, status: $s) { status } }",
            json!({ "id": id, "s": next }),
        )
        .await;
    }
    id
}

/// Staff tokens of four reviewers, one per reviewer role, in role order.
pub async fn reviewers(app: &TestApp) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for role in ["SALES", "PRODUCT", "TECHNICAL", "LEGAL"] {
        let id = user(app, &format!("Reviewer {role}")).await;
        out.push((
            role,
            app.token(&format!("user:{}", db_id(&id)), Role::Staff, None),
        ));
    }
    out
}

/// A proposal version content with one quote line and two items, one not negotiable.
pub fn proposal_content(stage: &str, unit_price: &str) -> Value {
    json!({ "stage": stage, "summary": "Fleet tracking platform", "currency": "CNY",
        "modules": ["Tracking", "Reports"], "highlights": ["cost down 20 %"],
        "afterSalesTerms": "24x7 support, 1 hour first response",
        "quoteLines": [{ "item": "Licence", "quantity": 10, "unit": "seat", "unitPrice": unit_price }],
        "items": [{ "name": "Source code ownership", "negotiable": false },
                  { "name": "Payment schedule", "negotiable": true }] })
}

/// Submits a version and has every reviewer approve it; returns its status after.
pub async fn approve(app: &TestApp, reviewers: &[(&str, String)], version: &str) -> String {
    app.ok(
        "mutation($id: ID!) { submitProposalVersion(id: $id) { status } }",
        json!({ "id": version }),
    )
    .await;
    let mut status = String::new();
    for (role, token) in reviewers {
        let body = app
            .gql_as(
                Some(token),
                "mutation($id: ID!, $r: ReviewerRole!) { reviewProposalVersion(id: $id, role: $r, verdict: APPROVED) { status } }",
                json!({ "id": version, "r": role }),
            )
            .await;
        assert!(body.get("errors").is_none(), "{body}");
        status = body["data"]["reviewProposalVersion"]["status"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
    }
    status
}
