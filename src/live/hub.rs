//! The in-process fan-out of committed events.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering},
    },
    time::Duration,
};

use entity::event;
use sea_orm::{
    ColumnTrait, DatabaseBackend, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use tokio::sync::{Notify, broadcast};

/// Events read from the log per query.
pub const PAGE: u64 = 500;

/// Events kept in memory for subscribers that are briefly behind; one further behind is
/// caught up from the log. Shared by all subscribers, so memory does not grow with them.
pub const BUFFER: usize = 4096;

/// The fan-out of one server process. Cheap to clone.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    db: DatabaseConnection,
    sender: broadcast::Sender<Arc<event::Model>>,
    wake: Notify,
    /// The id of the newest event published; -1 until the pump has read the log's head.
    head: AtomicI64,
    /// Whether notifications from other instances arrive (always true on SQLite, where
    /// this process is the only writer).
    listening: AtomicBool,
    /// Woken whenever `listening` changes.
    listening_changed: Notify,
    published: AtomicU64,
}

impl Hub {
    /// Starts the pump (and on PostgreSQL the listener) on the current runtime.
    pub fn start(db: DatabaseConnection) -> Self {
        Self::with_buffer(db, BUFFER)
    }

    /// Like [`Hub::start`], keeping `buffer` events in memory.
    pub fn with_buffer(db: DatabaseConnection, buffer: usize) -> Self {
        let postgres = db.get_database_backend() == DatabaseBackend::Postgres;
        let inner = Arc::new(Inner {
            sender: broadcast::channel(buffer).0,
            wake: Notify::new(),
            head: AtomicI64::new(-1),
            listening: AtomicBool::new(!postgres),
            listening_changed: Notify::new(),
            published: AtomicU64::new(0),
            db,
        });
        let hub = Self { inner };
        tokio::spawn(pump(hub.clone()));
        if postgres {
            tokio::spawn(super::listener::listen(hub.clone()));
        }
        hub
    }

    /// Says that events may have been committed: the pump reads the log after its head.
    /// Wakes are coalesced; one that arrives while the pump reads causes another read.
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// A receiver of every event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<event::Model>> {
        self.inner.sender.subscribe()
    }

    /// The newest event published, or `None` before the pump has read the log's head.
    pub fn head(&self) -> Option<i64> {
        let head = self.inner.head.load(Ordering::Acquire);
        (head >= 0).then_some(head)
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.inner.db
    }

    /// Whether this process hears about other instances' commits (see `/readyz`).
    pub fn is_listening(&self) -> bool {
        self.inner.listening.load(Ordering::Acquire)
    }

    pub(super) fn set_listening(&self, listening: bool) {
        self.inner.listening.store(listening, Ordering::Release);
        self.inner.listening_changed.notify_waiters();
    }

    /// Waits until this process hears other instances' commits, for at most `wait`;
    /// whether it does.
    pub async fn until_listening(&self, wait: std::time::Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let changed = self.inner.listening_changed.notified();
            if self.is_listening() {
                return true;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return self.is_listening();
            }
        }
    }

    /// Events published since start.
    pub fn published(&self) -> u64 {
        self.inner.published.load(Ordering::Relaxed)
    }

    /// Subscribers currently receiving.
    pub fn receivers(&self) -> usize {
        self.inner.sender.receiver_count()
    }
}

/// The newest event id in the log (0 when it is empty).
pub async fn log_head(db: &DatabaseConnection) -> Result<i64, DbErr> {
    let newest = event::Entity::find()
        .order_by_desc(event::Column::Id)
        .one(db)
        .await?;
    Ok(newest.map_or(0, |e| e.id))
}

/// Events after `after`, oldest first, at most [`PAGE`].
pub async fn read_after(
    db: &DatabaseConnection,
    after: i64,
    filter: sea_orm::Condition,
) -> Result<Vec<event::Model>, DbErr> {
    event::Entity::find()
        .filter(event::Column::Id.gt(after))
        .filter(filter)
        .order_by_asc(event::Column::Id)
        .limit(PAGE)
        .all(db)
        .await
}

/// Waits a little longer after each failure, up to five seconds.
pub(super) fn backoff(failures: u32) -> Duration {
    Duration::from_millis((100u64 << failures.min(6)).min(5_000))
}

/// Publishes every committed event exactly once, in id order. The log is the source: a
/// wake only says "look", so a lost or duplicated wake loses or duplicates nothing.
async fn pump(hub: Hub) {
    let inner = &hub.inner;
    let mut failures = 0;
    let mut head = loop {
        match log_head(&inner.db).await {
            Ok(head) => break head,
            Err(err) => {
                tracing::warn!(error = %err, "event log unreadable; retrying");
                tokio::time::sleep(backoff(failures)).await;
                failures += 1;
            }
        }
    };
    inner.head.store(head, Ordering::Release);
    loop {
        inner.wake.notified().await;
        loop {
            match read_after(&inner.db, head, sea_orm::Condition::all()).await {
                Ok(rows) => {
                    failures = 0;
                    let full = rows.len() as u64 == PAGE;
                    for row in rows {
                        head = row.id;
                        inner.head.store(head, Ordering::Release);
                        inner.published.fetch_add(1, Ordering::Relaxed);
                        crate::metrics::published(1);
                        // No receiver is not an error: nobody is listening.
                        let _ = inner.sender.send(Arc::new(row));
                    }
                    if !full {
                        break;
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %err, "reading new events failed; retrying");
                    tokio::time::sleep(backoff(failures)).await;
                    failures += 1;
                }
            }
        }
    }
}
