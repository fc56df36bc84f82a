//! Webhook deliveries: each active endpoint follows the event log by its cursor and
//! receives the events it wants, in order, one request per event, signed.
//!
//! - One instance delivers to an endpoint at a time: it holds the endpoint's lease (a
//!   conditional update of `lease_owner`/`lease_until`), renews it with every step, and
//!   every write it makes is conditional on still holding it. Several instances share the
//!   endpoints between them; an instance that dies leaves a lease that runs out.
//! - Each endpoint is delivered to by its own task, so a slow or dead endpoint delays
//!   nobody else, and never the API.
//! - A failed attempt is logged and retried with exponential backoff, the same event
//!   again (order is kept); an endpoint failing longer than `disable_after` is disabled.
//! - Successes are written in batches (at most 100, or a quarter second): their log rows
//!   and the cursor in one transaction.
//! - At least once: an instance that dies between a receiver's answer and the batch's
//!   write leaves those events to be sent again. `Delivery-Desk-Event-Id` lets a receiver
//!   drop the repeat.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
use entity::{WebhookStatus, webhook_delivery as delivery, webhook_endpoint as endpoint};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, Set,
    prelude::Expr,
};
use tokio_util::sync::CancellationToken;

use crate::{
    domain::webhook::{backoff, gives_up, signature},
    live::{Hub, hub::read_after},
    public_address,
    service::webhooks::interest_of,
    time::Time,
};

/// Timers of webhook delivery.
#[derive(Debug, Clone)]
pub struct WebhookOptions {
    /// How long a receiver has to answer one request.
    pub timeout: Duration,
    /// The wait after the first failure; doubled after each next one.
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// An endpoint failing without a success for this long is disabled.
    pub disable_after: Duration,
    /// How long an instance holds an endpoint without renewing.
    pub lease: Duration,
    /// The longest wait between two looks at the endpoints when no event comes: a look
    /// also wakes when the earliest backoff or another instance's lease ends.
    pub poll: Duration,
    /// Whether deliveries may reach addresses that are not public (`public_address`).
    pub allow_private: bool,
}

impl Default for WebhookOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            backoff_base: Duration::from_secs(5),
            backoff_cap: Duration::from_secs(3600),
            disable_after: Duration::from_secs(3 * 24 * 3600),
            lease: Duration::from_secs(60),
            poll: Duration::from_secs(60),
            allow_private: false,
        }
    }
}

/// The signature header (`t=…,v1=…`, see `docs/webhooks.md`).
pub const SIGNATURE_HEADER: &str = "Delivery-Desk-Signature";
/// The event's global id: what a receiver deduplicates on.
pub const EVENT_HEADER: &str = "Delivery-Desk-Event-Id";

/// A handle on the delivery task.
#[derive(Clone)]
pub struct Webhooks {
    stopped: CancellationToken,
}

impl Webhooks {
    /// Starts the delivery task on the current runtime. When `stop` is cancelled it lets
    /// the requests under way finish (each within the timeout), starts no other, and lets
    /// its leases go, so another instance takes over at once.
    pub fn start(
        db: DatabaseConnection,
        hub: Hub,
        time: Time,
        options: WebhookOptions,
        stop: CancellationToken,
    ) -> Self {
        let stopped = CancellationToken::new();
        tokio::spawn(run(db, hub, time, options, stop, stopped.clone()));
        Self { stopped }
    }

    /// Resolves once the task has stopped and released its leases.
    pub async fn stopped(&self) {
        self.stopped.cancelled().await;
    }
}

/// Successful deliveries not yet written, and how far they (and events passed over) go.
struct Done {
    cursor: i64,
    rows: Vec<delivery::ActiveModel>,
    since: Instant,
}

impl Done {
    /// Most successes written at once.
    const BATCH: usize = 100;
    /// Longest a success waits to be written.
    const WAIT: Duration = Duration::from_millis(250);

    fn new(cursor: i64) -> Self {
        Self {
            cursor,
            rows: Vec::new(),
            since: Instant::now(),
        }
    }

    fn add(&mut self, row: delivery::ActiveModel, event: i64) {
        self.rows.push(row);
        self.cursor = event;
    }

    fn due(&self) -> bool {
        self.rows.len() >= Self::BATCH || self.since.elapsed() >= Self::WAIT
    }
}

struct Worker {
    db: DatabaseConnection,
    time: Time,
    options: WebhookOptions,
    http: reqwest::Client,
    /// This instance's name in leases.
    me: String,
    /// Endpoints this instance is delivering to now.
    busy: Mutex<HashSet<i64>>,
    /// Told when a delivery task ends: an event it did not see may be waiting.
    ended: tokio::sync::Notify,
}

async fn run(
    db: DatabaseConnection,
    hub: Hub,
    time: Time,
    options: WebhookOptions,
    stop: CancellationToken,
    stopped: CancellationToken,
) {
    let _done = stopped.drop_guard();
    let mut builder = reqwest::Client::builder()
        .timeout(options.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("DeliveryDesk-Webhooks/", env!("CARGO_PKG_VERSION")));
    if !options.allow_private {
        builder = builder.dns_resolver(Arc::new(public_address::PublicOnly));
    }
    let http = match builder.build() {
        Ok(http) => http,
        Err(e) => {
            tracing::error!(error = %e, "webhooks: no HTTP client; deliveries stopped");
            return;
        }
    };
    let me = format!("{}-{}", std::process::id(), crate::random::hex(6));
    let worker = Arc::new(Worker {
        db,
        time,
        options,
        http,
        me,
        busy: Mutex::new(HashSet::new()),
        ended: tokio::sync::Notify::new(),
    });
    let mut events = hub.subscribe();
    // Whether any endpoint is active: without one, a commit costs the worker no
    // statement. Read again when a webhook's event comes (from any instance), when the
    // feed lagged, and at each timer.
    let mut active = true;
    loop {
        let wait = if !active {
            worker.options.poll
        } else {
            match worker.clone().claim_and_spawn(&stop).await {
                Ok(Some(at)) => (at - worker.now())
                    .to_std()
                    .unwrap_or_default()
                    .min(worker.options.poll),
                Ok(None) => worker.options.poll,
                Err(e) => {
                    tracing::warn!(error = %e, "webhooks: looking for endpoints failed");
                    Duration::from_secs(1).min(worker.options.poll)
                }
            }
        };
        // Idle, nothing is read: the next look is at an event, at a task's end, or when
        // the earliest backoff or foreign lease ends.
        let recount = tokio::select! {
            _ = stop.cancelled() => break,
            e = events.recv() => match e {
                Ok(e) => e.entity_kind == entity::EntityKind::Webhook,
                Err(_) => true,
            },
            _ = worker.ended.notified() => false,
            _ = tokio::time::sleep(wait) => true,
        };
        if recount {
            active = worker.any_active().await.unwrap_or(true);
        }
    }
    // Requests under way end within the timeout; then the leases go.
    let until = Instant::now() + worker.options.timeout + Duration::from_secs(1);
    while worker.busy.lock().map(|b| !b.is_empty()).unwrap_or(false) && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let released = worker.release(None).await;
    if let Err(e) = released {
        tracing::warn!(error = %e, "webhooks: leases not released; they run out");
    }
}

impl Worker {
    async fn any_active(&self) -> Result<bool, sea_orm::DbErr> {
        use sea_orm::PaginatorTrait;
        Ok(endpoint::Entity::find()
            .filter(endpoint::Column::Status.eq(WebhookStatus::Active))
            .count(&self.db)
            .await?
            > 0)
    }

    fn now(&self) -> DateTime<Utc> {
        self.time.now()
    }

    fn lease_until(&self) -> DateTime<Utc> {
        self.now() + chrono::Duration::from_std(self.options.lease).unwrap_or_default()
    }

    /// Claims every active endpoint with something to do whose lease is free, and starts
    /// a delivery task for each.
    /// Claims every active endpoint with something to do whose lease is free, and starts
    /// a delivery task for each; returns when the earliest endpoint waiting (its backoff,
    /// or another instance's lease) may go on.
    async fn claim_and_spawn(
        self: Arc<Self>,
        stop: &CancellationToken,
    ) -> Result<Option<DateTime<Utc>>, sea_orm::DbErr> {
        let now = self.now();
        let free = Condition::any()
            .add(endpoint::Column::LeaseUntil.is_null())
            .add(endpoint::Column::LeaseUntil.lt(now));
        let head = crate::live::hub::log_head(&self.db).await?;
        let behind = endpoint::Entity::find()
            .filter(endpoint::Column::Status.eq(WebhookStatus::Active))
            .filter(endpoint::Column::Cursor.lt(head))
            .all(&self.db)
            .await?;
        let mut next: Option<DateTime<Utc>> = None;
        let mut candidates = Vec::new();
        for ep in behind {
            let waits = [ep.next_attempt_at, ep.lease_until]
                .into_iter()
                .flatten()
                .filter(|t| *t > now)
                .max();
            match waits {
                Some(t) => next = Some(next.map_or(t, |n| n.min(t))),
                None => candidates.push(ep),
            }
        }
        for ep in candidates {
            if self.busy.lock().map(|b| b.contains(&ep.id)).unwrap_or(true) {
                continue;
            }
            let claimed = endpoint::Entity::update_many()
                .col_expr(endpoint::Column::LeaseOwner, Expr::value(self.me.clone()))
                .col_expr(
                    endpoint::Column::LeaseUntil,
                    Expr::value(self.lease_until()),
                )
                .filter(endpoint::Column::Id.eq(ep.id))
                .filter(endpoint::Column::Status.eq(WebhookStatus::Active))
                .filter(free.clone())
                .exec(&self.db)
                .await?;
            if claimed.rows_affected == 0 {
                continue; // another instance has it
            }
            if let Ok(mut busy) = self.busy.lock() {
                busy.insert(ep.id);
            }
            let worker = self.clone();
            let stop = stop.clone();
            tokio::spawn(async move {
                if let Err(e) = worker.deliver(ep.id, &stop).await {
                    tracing::warn!(endpoint = ep.id, error = %e, "webhooks: delivery task failed");
                }
                if let Ok(mut busy) = worker.busy.lock() {
                    busy.remove(&ep.id);
                }
                worker.ended.notify_one();
            });
        }
        Ok(next)
    }

    /// An update of endpoint `id` that applies only while this instance holds its lease
    /// (and renews it); false when the lease was lost.
    async fn update_held(
        &self,
        id: i64,
        set: impl FnOnce(sea_orm::UpdateMany<endpoint::Entity>) -> sea_orm::UpdateMany<endpoint::Entity>,
    ) -> Result<bool, sea_orm::DbErr> {
        let update = endpoint::Entity::update_many()
            .col_expr(
                endpoint::Column::LeaseUntil,
                Expr::value(self.lease_until()),
            )
            .filter(endpoint::Column::Id.eq(id))
            .filter(endpoint::Column::LeaseOwner.eq(self.me.clone()));
        Ok(set(update).exec(&self.db).await?.rows_affected == 1)
    }

    /// Lets the lease of endpoint `id` go, or every lease this instance holds.
    async fn release(&self, id: Option<i64>) -> Result<(), sea_orm::DbErr> {
        let mut update = endpoint::Entity::update_many()
            .col_expr(
                endpoint::Column::LeaseOwner,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                endpoint::Column::LeaseUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(endpoint::Column::LeaseOwner.eq(self.me.clone()));
        if let Some(id) = id {
            update = update.filter(endpoint::Column::Id.eq(id));
        }
        update.exec(&self.db).await?;
        Ok(())
    }

    /// Delivers to endpoint `id` until it is caught up, fails (then backs off) or the
    /// lease is lost; then lets the lease go.
    async fn deliver(&self, id: i64, stop: &CancellationToken) -> Result<(), sea_orm::DbErr> {
        let outcome = self.deliver_held(id, stop).await;
        self.release(Some(id)).await?;
        outcome
    }

    async fn deliver_held(&self, id: i64, stop: &CancellationToken) -> Result<(), sea_orm::DbErr> {
        loop {
            let Some(ep) = endpoint::Entity::find_by_id(id).one(&self.db).await? else {
                return Ok(());
            };
            if ep.lease_owner.as_deref() != Some(&self.me) || ep.status != WebhookStatus::Active {
                return Ok(());
            }
            let interest = interest_of(&ep);
            let events = read_after(&self.db, ep.cursor, Condition::all()).await?;
            if events.is_empty() {
                return Ok(());
            }
            // Successes are written in batches (their log rows and the cursor, in one
            // transaction): one write per delivery would make the database, not the
            // receivers, the limit. A crash loses at most a batch's cursor: those events
            // are sent again (at least once).
            let mut done = Done::new(ep.cursor);
            for e in events {
                if stop.is_cancelled() {
                    break;
                }
                if !interest.wants(&e) {
                    done.cursor = e.id;
                    continue;
                }
                let attempt = ep.failures + 1;
                let (status, error, latency) = self.send(&ep, &e).await;
                let row = delivery::ActiveModel {
                    endpoint_id: Set(ep.id),
                    event_id: Set(e.id),
                    attempt: Set(attempt),
                    status_code: Set(status),
                    error: Set(error.clone()),
                    latency_ms: Set(i32::try_from(latency.as_millis()).unwrap_or(i32::MAX)),
                    succeeded: Set(error.is_none()),
                    at: Set(self.now()),
                    ..Default::default()
                };
                let Some(error) = error else {
                    done.add(row, e.id);
                    if done.due() && !self.flush(ep.id, &mut done).await? {
                        return Ok(());
                    }
                    if ep.failures > 0 {
                        // The endpoint recovered: go on from the fresh row.
                        break;
                    }
                    continue;
                };
                if !self.flush(ep.id, &mut done).await? {
                    return Ok(());
                }
                row.insert(&self.db).await?;
                self.failed(&ep, done.cursor, attempt, error).await?;
                return Ok(());
            }
            if !self.flush(ep.id, &mut done).await? {
                return Ok(());
            }
        }
    }

    /// Writes the batch's log rows and cursor, conditional on the lease (which it renews);
    /// false when the lease was lost (nothing is written then).
    async fn flush(&self, id: i64, done: &mut Done) -> Result<bool, sea_orm::DbErr> {
        use sea_orm::TransactionTrait;
        let txn = self.db.begin().await?;
        let held = endpoint::Entity::update_many()
            .col_expr(
                endpoint::Column::LeaseUntil,
                Expr::value(self.lease_until()),
            )
            .col_expr(endpoint::Column::Cursor, Expr::value(done.cursor))
            .filter(endpoint::Column::Id.eq(id))
            .filter(endpoint::Column::LeaseOwner.eq(self.me.clone()));
        let held = if done.rows.is_empty() {
            held
        } else {
            held.col_expr(endpoint::Column::Failures, Expr::value(0))
                .col_expr(
                    endpoint::Column::FailingSince,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .col_expr(
                    endpoint::Column::NextAttemptAt,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
        };
        if held.exec(&txn).await?.rows_affected == 0 {
            txn.rollback().await?;
            return Ok(false);
        }
        if !done.rows.is_empty() {
            delivery::Entity::insert_many(std::mem::take(&mut done.rows))
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        done.since = Instant::now();
        Ok(true)
    }

    /// Records a failed attempt: the next one after the backoff, or the endpoint disabled
    /// when it has failed for too long. `cursor` keeps what was passed over.
    async fn failed(
        &self,
        ep: &endpoint::Model,
        cursor: i64,
        attempt: i32,
        error: String,
    ) -> Result<(), sea_orm::DbErr> {
        let now = self.now();
        let since = ep.failing_since.unwrap_or(now);
        let wait = backoff(
            u32::try_from(attempt).unwrap_or(u32::MAX),
            self.options.backoff_base,
            self.options.backoff_cap,
        );
        let next = now + chrono::Duration::from_std(wait).unwrap_or_default();
        let give_up = gives_up(since, now, self.options.disable_after);
        if give_up {
            tracing::warn!(endpoint = ep.id, url = %ep.url, "webhooks: endpoint disabled after failing since {since}");
        }
        self.update_held(ep.id, |u| {
            let u = u
                .col_expr(endpoint::Column::Cursor, Expr::value(cursor))
                .col_expr(endpoint::Column::Failures, Expr::value(attempt))
                .col_expr(endpoint::Column::FailingSince, Expr::value(since))
                .col_expr(endpoint::Column::NextAttemptAt, Expr::value(next));
            if give_up {
                u.col_expr(
                    endpoint::Column::Status,
                    Expr::value(WebhookStatus::Disabled.as_str()),
                )
                .col_expr(
                    endpoint::Column::DisabledReason,
                    Expr::value(format!("failing since {since}: {error}")),
                )
            } else {
                u
            }
        })
        .await?;
        Ok(())
    }

    /// One signed POST of `e` to the endpoint: (status, error if it failed, latency).
    async fn send(
        &self,
        ep: &endpoint::Model,
        e: &entity::event::Model,
    ) -> (Option<i32>, Option<String>, Duration) {
        if !self.options.allow_private
            && let Some(refused) = reqwest::Url::parse(&ep.url)
                .ok()
                .and_then(|url| public_address::literal_refused(&url))
        {
            return (None, Some(refused.to_string()), Duration::ZERO);
        }
        let body = crate::graphql::event::payload(e).to_string();
        let timestamp = chrono::Utc::now().timestamp();
        let started = Instant::now();
        let sent = self
            .http
            .post(&ep.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(
                SIGNATURE_HEADER,
                signature(&ep.secret, timestamp, body.as_bytes()),
            )
            .header(
                EVENT_HEADER,
                crate::graphql::ids::encode(crate::graphql::ids::NodeKind::Event, e.id).0,
            )
            .body(body)
            .send()
            .await;
        let latency = started.elapsed();
        match sent {
            Ok(res) if res.status().is_success() => {
                (Some(i32::from(res.status().as_u16())), None, latency)
            }
            Ok(res) => {
                let code = res.status().as_u16();
                (
                    Some(i32::from(code)),
                    Some(format!("answered {code}")),
                    latency,
                )
            }
            Err(err) => (None, Some(self.no_answer(&err)), latency),
        }
    }

    /// What the log says of an attempt that got no answer.
    fn no_answer(&self, err: &reqwest::Error) -> String {
        if let Some(refused) = public_address::cause(err) {
            refused.to_string()
        } else if err.is_timeout() {
            format!("no answer within {:?}", self.options.timeout)
        } else if err.is_connect() {
            "connection refused or unreachable".into()
        } else {
            format!("request failed: {err}")
        }
    }
}
