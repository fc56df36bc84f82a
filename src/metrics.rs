//! Prometheus metrics, served at `/metrics` in the text exposition format.
//!
//! Counters and histograms are process-wide (one server per process); gauges that
//! describe the database (clocks by state, pool use) are read when scraped.

use std::{
    collections::HashSet,
    sync::{LazyLock, Mutex},
    time::Duration,
};

use entity::{ClockPhase, ticket_clock};
use prometheus_client::{
    encoding::{EncodeLabelSet, text::encode},
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{Histogram, exponential_buckets},
    },
    registry::Registry,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use crate::reads::Reads;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Request {
    operation: String,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Operation {
    operation: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct State {
    state: &'static str,
}

/// How a GraphQL request over HTTP ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Executed without errors.
    Ok,
    /// Executed; the response carries field errors.
    Error,
    /// Not executed: unparsable, invalid, over a limit (4xx).
    Invalid,
    /// Refused before execution: bad token or over the rate limit.
    Refused,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
            Outcome::Invalid => "invalid",
            Outcome::Refused => "refused",
        }
    }
}

/// Distinct operation names kept as labels; later ones count as `other`, so callers
/// cannot grow the metrics without bound.
const MAX_OPERATIONS: usize = 200;

struct Metrics {
    registry: Registry,
    requests: Family<Request, Counter>,
    latency: Family<Operation, Histogram, fn() -> Histogram>,
    ws_connections: Gauge,
    ws_operations: Gauge,
    delivered: Counter,
    replays: Counter,
    published: Counter,
    clocks: Family<State, Gauge>,
    outbox: Family<State, Gauge>,
    pool: Family<State, Gauge>,
    reads: Family<State, Gauge>,
    names: Mutex<HashSet<String>>,
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut registry = Registry::default();
    let requests = Family::<Request, Counter>::default();
    registry.register(
        "graphql_requests",
        "GraphQL requests over HTTP by operation name and outcome",
        requests.clone(),
    );
    let latency =
        Family::<Operation, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
    registry.register(
        "graphql_request_duration_seconds",
        "Time to answer a GraphQL request over HTTP, by operation name",
        latency.clone(),
    );
    let ws_connections = Gauge::default();
    registry.register(
        "websocket_connections",
        "Open websocket connections",
        ws_connections.clone(),
    );
    let ws_operations = Gauge::default();
    registry.register(
        "websocket_subscriptions",
        "Operations (subscriptions, and queries while they run) open on websockets",
        ws_operations.clone(),
    );
    let published = Counter::default();
    registry.register(
        "events_published",
        "Events read from the log and published to live feeds",
        published.clone(),
    );
    let delivered = Counter::default();
    registry.register(
        "subscription_results_delivered",
        "Subscription results written to websockets",
        delivered.clone(),
    );
    let replays = Counter::default();
    registry.register(
        "feed_replays",
        "Live feeds that read the log to catch up (resumed from a cursor, or lagging)",
        replays.clone(),
    );
    let clocks = Family::<State, Gauge>::default();
    registry.register(
        "service_level_clocks",
        "Service-level clocks by state",
        clocks.clone(),
    );
    let outbox = Family::<State, Gauge>::default();
    registry.register(
        "outbox_messages",
        "E-mail in the outbox by status (PENDING waiting, FAILED given up, ...)",
        outbox.clone(),
    );
    let pool = Family::<State, Gauge>::default();
    registry.register(
        "db_pool_connections",
        "Database pool connections: open, idle and the configured maximum",
        pool.clone(),
    );
    let reads = Family::<State, Gauge>::default();
    registry.register(
        "db_read_connections",
        "Connections reads keep beside the pool (PostgreSQL): open, idle and the maximum",
        reads.clone(),
    );
    Metrics {
        registry,
        requests,
        latency,
        ws_connections,
        ws_operations,
        delivered,
        replays,
        published,
        clocks,
        outbox,
        pool,
        reads,
        names: Mutex::default(),
    }
});

/// The label of an operation name: `anonymous`, the name, or `other` past
/// [`MAX_OPERATIONS`] distinct names, for a name no schema could declare, or for a name
/// not yet a label when `may_add` is false.
fn operation_label(name: Option<&str>, may_add: bool) -> String {
    let Some(name) = name.filter(|n| !n.is_empty()) else {
        return "anonymous".into();
    };
    let valid = name.len() <= 100
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if !valid {
        return "other".into();
    }
    let mut names = METRICS.names.lock().unwrap_or_else(|p| p.into_inner());
    if names.contains(name) || may_add && names.len() < MAX_OPERATIONS {
        names.insert(name.to_owned());
        name.to_owned()
    } else {
        "other".into()
    }
}

/// Counts one GraphQL request over HTTP and its duration. Only an authenticated caller's
/// request (`authenticated`) may make its operation's name a label: the labels are few,
/// and an anonymous client sending made-up names (refused, invalid, or `{ __typename }`)
/// once took them all, so that every real operation after counted as `other` until a
/// restart. (A known caller's invalid operation keeps its name: a deployed client with a
/// broken query is what an operator looks for.)
pub fn request(operation: Option<&str>, outcome: Outcome, took: Duration, authenticated: bool) {
    let operation = operation_label(operation, authenticated);
    METRICS
        .requests
        .get_or_create(&Request {
            operation: operation.clone(),
            outcome: outcome.label(),
        })
        .inc();
    METRICS
        .latency
        .get_or_create(&Operation { operation })
        .observe(took.as_secs_f64());
}

/// A websocket opened; the guard marks it closed when dropped.
pub fn ws_connection() -> GaugeGuard {
    GaugeGuard::new(&METRICS.ws_connections)
}

/// A subscription started on a websocket; the guard marks it ended when dropped.
pub fn ws_subscription() -> GaugeGuard {
    GaugeGuard::new(&METRICS.ws_operations)
}

pub fn delivered() {
    METRICS.delivered.inc();
}

pub fn replay() {
    METRICS.replays.inc();
}

pub fn published(n: u64) {
    METRICS.published.inc_by(n);
}

/// Holds a gauge up by one while it lives.
pub struct GaugeGuard(Gauge);

impl GaugeGuard {
    fn new(g: &Gauge) -> Self {
        g.inc();
        Self(g.clone())
    }
}

impl Drop for GaugeGuard {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// The text exposition, with the database gauges read now.
pub async fn render(reads: &Reads, now: chrono::DateTime<chrono::Utc>) -> String {
    let db = reads.pool();
    if let Err(err) = read_database_gauges(db, now).await {
        tracing::warn!(error = %err, "reading service-level clocks and the outbox for /metrics failed");
    }
    let m = &*METRICS;
    set_use(&m.pool, pool_use(db));
    let kept = reads.kept();
    set_use(
        &m.reads,
        (count(kept.open), count(kept.idle), count(kept.max)),
    );
    let mut out = String::new();
    if encode(&mut out, &m.registry).is_err() {
        return String::new();
    }
    out
}

/// A connection gauge's open, idle and maximum states.
fn set_use(family: &Family<State, Gauge>, (open, idle, max): (i64, i64, i64)) {
    for (state, value) in [("open", open), ("idle", idle), ("max", max)] {
        family.get_or_create(&State { state }).set(value);
    }
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Open, idle and maximum connections of the pool.
fn pool_use(db: &DatabaseConnection) -> (i64, i64, i64) {
    match db.get_database_backend() {
        sea_orm::DatabaseBackend::Sqlite => {
            let p = db.get_sqlite_connection_pool();
            let max = i64::from(p.options().get_max_connections());
            (i64::from(p.size()), count(p.num_idle()), max)
        }
        sea_orm::DatabaseBackend::Postgres => {
            let p = db.get_postgres_connection_pool();
            let max = i64::from(p.options().get_max_connections());
            (i64::from(p.size()), count(p.num_idle()), max)
        }
        _ => (0, 0, 0),
    }
}

/// Clocks by state as people see them: RUNNING splits into AT_RISK and BREACHED by the
/// stored instants (counted now), the other stored phases as they are.
async fn read_database_gauges(
    db: &DatabaseConnection,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), sea_orm::DbErr> {
    let by_phase: Vec<(ClockPhase, i64)> = ticket_clock::Entity::find()
        .select_only()
        .column(ticket_clock::Column::Phase)
        .column_as(ticket_clock::Column::Id.count(), "n")
        .group_by(ticket_clock::Column::Phase)
        .into_tuple()
        .all(db)
        .await?;
    let running = |c: sea_orm::Condition| {
        ticket_clock::Entity::find()
            .filter(ticket_clock::Column::Phase.eq(ClockPhase::Running))
            .filter(c)
    };
    use sea_orm::PaginatorTrait;
    let breached = running(sea_orm::Condition::all().add(ticket_clock::Column::BreachesAt.lt(now)))
        .count(db)
        .await?;
    let at_risk = running(
        sea_orm::Condition::all()
            .add(ticket_clock::Column::AtRiskAt.lte(now))
            .add(ticket_clock::Column::BreachesAt.gte(now)),
    )
    .count(db)
    .await?;
    let get = |p: ClockPhase| {
        by_phase
            .iter()
            .find(|(x, _)| *x == p)
            .map_or(0, |(_, n)| *n)
    };
    let to_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let running_total = get(ClockPhase::Running);
    let m = &*METRICS;
    for (state, n) in [
        (
            "RUNNING",
            running_total - to_i64(breached) - to_i64(at_risk),
        ),
        ("AT_RISK", to_i64(at_risk)),
        ("BREACHED", to_i64(breached)),
        ("PAUSED", get(ClockPhase::Paused)),
        ("MET", get(ClockPhase::Met)),
        ("CANCELLED", get(ClockPhase::Cancelled)),
    ] {
        m.clocks.get_or_create(&State { state }).set(n);
    }
    let outbox: Vec<(entity::MailStatus, i64)> = entity::outbox_message::Entity::find()
        .select_only()
        .column(entity::outbox_message::Column::Status)
        .column_as(entity::outbox_message::Column::Id.count(), "n")
        .group_by(entity::outbox_message::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    for status in <entity::MailStatus as sea_orm::Iterable>::iter() {
        let n = outbox
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(0, |(_, n)| *n);
        m.outbox
            .get_or_create(&State {
                state: status.as_str(),
            })
            .set(n);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_labels_are_bounded() {
        assert_eq!(operation_label(None, true), "anonymous");
        assert_eq!(operation_label(Some("Dashboard"), true), "Dashboard");
        assert_eq!(operation_label(Some("drop table; --"), true), "other");
        assert_eq!(operation_label(Some(&"x".repeat(101)), true), "other");
        // Names nobody vouched for take no label, and a label once taken stays.
        for i in 0..MAX_OPERATIONS + 10 {
            assert_eq!(operation_label(Some(&format!("Junk{i}")), false), "other");
        }
        assert_eq!(operation_label(Some("Dashboard"), false), "Dashboard");
        for i in 0..MAX_OPERATIONS + 10 {
            operation_label(Some(&format!("Op{i}")), true);
        }
        assert_eq!(operation_label(Some("OneTooMany"), true), "other");
        assert_eq!(operation_label(Some("Dashboard"), true), "Dashboard");
    }
}
