//! The connection GraphQL's reads run on.
//!
//! sqlx's pool tests every connection it takes back with a round trip (`Sync`, then wait
//! for `ReadyForQuery`; no option turns it off), and SeaORM takes a connection from the
//! pool and gives it back for every statement. For a request of one statement that is
//! half of its round trips to PostgreSQL, and a wake of both processes
//! (docs/benchmarks.md). A statement read to its end leaves its connection ready for the
//! next, so on PostgreSQL reads keep connections of their own and take them back without
//! the test. One whose read was cancelled or failed midway is closed instead: only a
//! clean finish puts a connection back.
//!
//! Reads beyond the kept connections, writes, and everything on SQLite go through the pool.

use std::{
    sync::{
        Arc, Mutex, OnceLock,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use sea_orm::{
    ConnAcquireErr, ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, ExecResult,
    QueryResult, RuntimeErr, Statement, metric,
    sea_query::Values,
    sqlx::{
        self, Connection,
        postgres::{PgConnectOptions, PgConnection},
    },
};
use sea_query_sqlx::SqlxValues;
use tokio::time::timeout;

/// A kept connection unused for this long is tested before use, as the pool tests its
/// own (see `database::connect`): one left from before a database restart is replaced
/// instead of failing a request.
const TEST_IF_IDLE_FOR: Duration = Duration::from_secs(1);
/// Kept connections unused this long are closed (the pool's own idle timeout).
const IDLE_TIMEOUT: Duration = Duration::from_secs(600);
/// Connections are renewed after this long (the pool's own maximum lifetime).
const MAX_LIFETIME: Duration = Duration::from_secs(1800);

/// What a statement report goes to: the one `DatabaseConnection::set_metric_callback`
/// takes, for the statements that do not pass through the pool.
pub type MetricCallback = Arc<dyn Fn(&metric::Info<'_>) + Send + Sync>;

/// How many connections reads keep (see [`Reads::kept`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeptUse {
    pub open: usize,
    pub idle: usize,
    pub max: usize,
}

/// The reads' connection: the pool, and on PostgreSQL the connections reads keep.
/// Cheap to clone. For reads only: a statement whose kept connection broke under it is
/// run again on the pool, which only a statement that changes nothing may be.
#[derive(Clone)]
pub struct Reads {
    db: DatabaseConnection,
    kept: Option<Arc<Kept>>,
}

impl Reads {
    /// Reads on `db`. On PostgreSQL they keep up to as many connections of their own as
    /// the pool holds (opened when first needed; `database::connect` gives the pool half
    /// of the connections asked for); on SQLite every read takes the pool.
    pub fn new(db: &DatabaseConnection) -> Self {
        let kept = (db.get_database_backend() == DatabaseBackend::Postgres).then(|| {
            let pool = db.get_postgres_connection_pool();
            Arc::new(Kept {
                options: (*pool.connect_options()).clone(),
                limit: pool.options().get_max_connections() as usize,
                wait: pool.options().get_acquire_timeout(),
                open: AtomicUsize::new(0),
                idle: Mutex::default(),
                metric: OnceLock::new(),
            })
        });
        Self {
            db: db.clone(),
            kept,
        }
    }

    /// The pool, for what is not a read.
    pub fn pool(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Reports every statement run on a kept connection to `callback` (the pool's
    /// statements report to the pool's own). Set once; later calls are ignored.
    pub fn set_metric_callback(&self, callback: MetricCallback) {
        if let Some(kept) = &self.kept {
            let _ = kept.metric.set(callback);
        }
    }

    /// The kept connections: open (in use or idle), idle, and the most there may be.
    /// All 0 on SQLite.
    pub fn kept(&self) -> KeptUse {
        self.kept
            .as_ref()
            .map_or(KeptUse::default(), |kept| KeptUse {
                open: kept.open.load(Ordering::Relaxed),
                idle: kept.idle.lock().unwrap_or_else(|e| e.into_inner()).len(),
                max: kept.limit,
            })
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for Reads {
    fn get_database_backend(&self) -> DatabaseBackend {
        self.db.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.db.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.db.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        if let Some(kept) = &self.kept
            && let Some(mut lease) = kept.lease().await?
        {
            let started = Instant::now();
            // `fetch_optional` reads to the end of the results: the connection is ready.
            let result = query(&stmt).fetch_optional(lease.connection()).await;
            if let Some(row) = kept.finish(lease, &stmt, started, result) {
                return row.map(|row| row.map(QueryResult::from));
            }
        }
        self.db.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        if let Some(kept) = &self.kept
            && let Some(mut lease) = kept.lease().await?
        {
            let started = Instant::now();
            let result = query(&stmt).fetch_all(lease.connection()).await;
            if let Some(rows) = kept.finish(lease, &stmt, started, result) {
                return rows.map(|rows| rows.into_iter().map(QueryResult::from).collect());
            }
        }
        self.db.query_all_raw(stmt).await
    }
}

/// The statement as sqlx runs it: prepared and cached on its connection, as the pool's.
fn query(stmt: &Statement) -> sqlx::query::Query<'_, sqlx::Postgres, SqlxValues> {
    let values = stmt.values.clone().unwrap_or(Values(Vec::new()));
    sqlx::query_with(sqlx::AssertSqlSafe(stmt.sql.as_str()), SqlxValues(values))
}

/// Whether `err` says the connection is gone rather than the statement wrong: a broken
/// socket, or the server's last word before it closed the connection (SQLSTATE class 08,
/// connection exception, or 57P, operator intervention: a terminated backend, a
/// shutdown or restart).
fn lost(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_) | sqlx::Error::Protocol(_) | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(e) => e
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
        _ => false,
    }
}

/// The connections reads keep.
struct Kept {
    options: PgConnectOptions,
    limit: usize,
    /// The longest a read waits to open or test a connection: the pool's acquire timeout
    /// (an unreachable host would otherwise hold it for the TCP timeout, minutes).
    wait: Duration,
    /// Kept connections open: in use, idle, or being opened.
    open: AtomicUsize,
    /// Most recently used last: the next read takes the warmest.
    idle: Mutex<Vec<Idle>>,
    metric: OnceLock<MetricCallback>,
}

struct Idle {
    conn: PgConnection,
    born: Instant,
    since: Instant,
}

impl Kept {
    /// A connection ready for a statement: an idle one (tested if unused for a while),
    /// else a new one while fewer than the limit are open; `None` when all are in use.
    async fn lease(&self) -> Result<Option<Lease<'_>>, DbErr> {
        loop {
            let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let Some(idle) = idle else { break };
            // Leased before the test below awaits: cancelled there, it is uncounted.
            let mut lease = Lease::of(self, Some(idle));
            let conn = lease.held();
            if conn.born.elapsed() > MAX_LIFETIME {
                lease.close();
                continue;
            }
            if conn.since.elapsed() > TEST_IF_IDLE_FOR
                && !matches!(timeout(self.wait, conn.conn.ping()).await, Ok(Ok(())))
            {
                continue; // dropped with the lease
            }
            return Ok(Some(lease));
        }
        let reserved = self
            .open
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |open| {
                (open < self.limit).then_some(open + 1)
            })
            .is_ok();
        if !reserved {
            return Ok(None);
        }
        // Counted from here: if opening fails or is cancelled, the lease's drop uncounts it.
        let mut lease = Lease::of(self, None);
        let conn = timeout(self.wait, PgConnection::connect_with(&self.options))
            .await
            .map_err(|_| DbErr::ConnectionAcquire(ConnAcquireErr::Timeout))?
            .map_err(|err| DbErr::Conn(RuntimeErr::SqlxError(Arc::new(err))))?;
        let now = Instant::now();
        lease.conn = Some(Idle {
            conn,
            born: now,
            since: now,
        });
        Ok(Some(lease))
    }

    /// Reports a statement run on `lease` and settles the lease: back to the idle ones
    /// after a clean finish, closed after an error. `None` when the connection broke: a
    /// read is safe to run again, and the pool runs it.
    fn finish<T>(
        &self,
        lease: Lease<'_>,
        stmt: &Statement,
        started: Instant,
        result: Result<T, sqlx::Error>,
    ) -> Option<Result<T, DbErr>> {
        if let Some(callback) = self.metric.get() {
            callback(&metric::Info {
                elapsed: started.elapsed(),
                statement: stmt,
                failed: result.is_err(),
            });
        }
        match result {
            Ok(value) => {
                lease.give_back();
                Some(Ok(value))
            }
            Err(err) if lost(&err) => None,
            Err(err) => Some(Err(DbErr::Query(RuntimeErr::SqlxError(Arc::new(err))))),
        }
    }
}

/// A kept connection in use, counted in `open` while it lives. Only [`Lease::give_back`]
/// returns it to the idle ones; dropped otherwise (a cancelled or failed read), the
/// connection is closed and uncounted.
struct Lease<'a> {
    kept: &'a Kept,
    conn: Option<Idle>,
    returned: bool,
}

impl<'a> Lease<'a> {
    fn of(kept: &'a Kept, conn: Option<Idle>) -> Self {
        Self {
            kept,
            conn,
            returned: false,
        }
    }

    fn held(&mut self) -> &mut Idle {
        self.conn
            .as_mut()
            .expect("a lease in use holds its connection")
    }

    fn connection(&mut self) -> &mut PgConnection {
        &mut self.held().conn
    }

    /// Back to the idle ones, after a statement read to its end. Those unused for the
    /// idle timeout are closed on the way.
    fn give_back(mut self) {
        let Some(mut conn) = self.conn.take() else {
            return;
        };
        let now = Instant::now();
        conn.since = now;
        let mut idle = self.kept.idle.lock().unwrap_or_else(|e| e.into_inner());
        let stale: Vec<Idle> = idle
            .extract_if(.., |c| now.duration_since(c.since) > IDLE_TIMEOUT)
            .collect();
        idle.push(conn);
        drop(idle);
        self.returned = true;
        if !stale.is_empty() {
            self.kept.open.fetch_sub(stale.len(), Ordering::AcqRel);
            close(stale);
        }
    }

    /// Closes the connection politely (a `Terminate` message), in the background.
    fn close(mut self) {
        if let Some(conn) = self.conn.take() {
            close(vec![conn]);
        }
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if !self.returned {
            self.kept.open.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

fn close(conns: Vec<Idle>) {
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(async move {
            for idle in conns {
                let _ = idle.conn.close().await;
            }
        });
    }
}
