//! The portal gate of contacts who have left their client.
//!
//! A token is trusted as issued until it expires, but a contact marked as having left
//! must lose access at once: their tokens are refused and their open websockets closed
//! with 4403. Checking the database on every request would put a statement on every
//! portal request, so each process keeps the set of departed contacts in memory: read at
//! start, and kept current from the event log (the contact's `LEFT` event), which reaches
//! every instance through the live hub (LISTEN/NOTIFY on PostgreSQL). A gap in the feed
//! (a subscriber that fell behind) reloads the set from the database.

use std::{
    collections::HashSet,
    sync::{Arc, RwLock},
    time::Duration,
};

use entity::{ContactStatus, EntityKind};
use sea_orm::DatabaseConnection;
use tokio::sync::{broadcast::error::RecvError, watch};

use super::Caller;
use crate::{live::Hub, service::handover};

/// Contacts who have left, shared by the requests and websockets of one process.
pub struct Departed {
    ids: RwLock<HashSet<i64>>,
    /// Bumped on every change; websockets watch it.
    changed: watch::Sender<u64>,
    /// True once the set was first read.
    ready: watch::Sender<bool>,
}

impl Departed {
    /// Starts following the event log on the current runtime.
    pub fn start(db: DatabaseConnection, hub: Hub) -> Arc<Self> {
        let this = Arc::new(Self {
            ids: RwLock::default(),
            changed: watch::channel(0).0,
            ready: watch::channel(false).0,
        });
        tokio::spawn(follow(this.clone(), db, hub));
        this
    }

    /// Whether `caller` is a contact who has left.
    pub fn refuses(&self, caller: &Caller) -> bool {
        match caller {
            Caller::Contact { contact_id, .. } => self
                .ids
                .read()
                .map(|ids| ids.contains(contact_id))
                // A poisoned lock: refuse portal users rather than let a departed one in.
                .unwrap_or(true),
            _ => false,
        }
    }

    /// Changes whenever a contact is added to the set.
    pub fn watch(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// Resolves once the set has been read from the database.
    pub async fn ready(&self) {
        let mut rx = self.ready.subscribe();
        let _ = rx.wait_for(|ready| *ready).await;
    }

    fn replace(&self, ids: Vec<i64>) {
        if let Ok(mut set) = self.ids.write() {
            *set = ids.into_iter().collect();
        }
        self.changed.send_modify(|n| *n += 1);
    }

    /// Adds a contact this process has just marked as left, before the event log's
    /// feed brings it (which it does on every other instance).
    pub fn add(&self, id: i64) {
        if let Ok(mut set) = self.ids.write() {
            set.insert(id);
        }
        self.changed.send_modify(|n| *n += 1);
    }
}

/// Reads the set until it succeeds (subscribed first, so no event falls in between).
async fn reload(departed: &Departed, db: &DatabaseConnection) {
    let mut wait = Duration::from_millis(100);
    loop {
        match handover::departed(db).await {
            Ok(ids) => {
                departed.replace(ids);
                departed.ready.send_replace(true);
                return;
            }
            Err(e) => {
                tracing::warn!(error = ?e, "cannot read the contacts who have left; retrying");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(5));
            }
        }
    }
}

async fn follow(departed: Arc<Departed>, db: DatabaseConnection, hub: Hub) {
    let mut events = hub.subscribe();
    reload(&departed, &db).await;
    loop {
        match events.recv().await {
            Ok(e) => {
                if e.entity_kind == EntityKind::Contact
                    && e.to_status.as_deref() == Some(ContactStatus::Left.as_str())
                {
                    departed.add(e.entity_id);
                }
            }
            Err(RecvError::Lagged(_)) => reload(&departed, &db).await,
            Err(RecvError::Closed) => return,
        }
    }
}
