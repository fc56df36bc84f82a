//! One subscriber's stream of events: replay from the log, then live.

use std::{collections::VecDeque, sync::Arc};

use entity::{EntityKind, EventKind, event};
use futures_util::{Stream, stream};
use sea_orm::{ColumnTrait, Condition};
use tokio::sync::broadcast::{Receiver, error::RecvError};

use super::{
    Hub,
    hub::{PAGE, backoff, read_after},
};
use crate::auth::{
    Scope,
    scope::{Visible, event_visible, redact, visible},
};

/// Which events a subscriber receives. Every field narrows; the scope is the caller's.
#[derive(Debug, Clone, Copy)]
pub struct Filter {
    pub scope: Scope,
    pub project_id: Option<i64>,
    pub client_id: Option<i64>,
    pub entity_kind: Option<EntityKind>,
    /// Kinds of event that pass; empty: every kind.
    pub kinds: &'static [EventKind],
}

impl Filter {
    pub fn new(scope: Scope) -> Self {
        Self {
            scope,
            project_id: None,
            client_id: None,
            entity_kind: None,
            kinds: &[],
        }
    }

    /// Whether a live event passes: the same rule as [`Filter::condition`], in memory.
    pub fn matches(&self, e: &event::Model) -> bool {
        event_visible(self.scope, e)
            && self.project_id.is_none_or(|p| e.project_id == Some(p))
            && self.client_id.is_none_or(|c| e.client_id == Some(c))
            && self.entity_kind.is_none_or(|k| e.entity_kind == k)
            && (self.kinds.is_empty() || self.kinds.contains(&e.kind))
    }

    /// The rule in SQL, for replay from the log.
    pub fn condition(&self) -> Condition {
        let mut c = Condition::all().add(visible::<event::Entity>(self.scope));
        if let Some(p) = self.project_id {
            c = c.add(event::Column::ProjectId.eq(p));
        }
        if let Some(id) = self.client_id {
            c = c.add(event::Column::ClientId.eq(id));
        }
        if let Some(k) = self.entity_kind {
            c = c.add(event::Column::EntityKind.eq(k));
        }
        if !self.kinds.is_empty() {
            c = c.add(event::Column::Kind.is_in(self.kinds.iter().copied()));
        }
        c
    }
}

struct State {
    hub: Hub,
    rx: Receiver<Arc<event::Model>>,
    filter: Filter,
    /// Events up to here were delivered or skipped; only later ones may follow.
    last: i64,
    /// Whether the log must be read before the receiver (replay, or after lagging).
    behind: bool,
    replayed: VecDeque<Visible<event::Model>>,
}

/// The events that pass `filter`: those after `after` from the log, then each new one as
/// it is published. Without `after`, only events committed from now on.
///
/// The receiver is taken before the log is read, so an event is either in the replay or
/// still in the receiver; `last` drops what both hold. A subscriber that lags behind the
/// shared buffer reads what it missed from the log. Idle, it costs no query. A database
/// outage delays the stream (it retries) but does not end or thin it.
pub fn feed(
    hub: &Hub,
    filter: Filter,
    after: Option<i64>,
) -> impl Stream<Item = Visible<event::Model>> + use<> {
    let rx = hub.subscribe();
    if after.is_some() {
        crate::metrics::replay();
    }
    let start = State {
        last: after.or_else(|| hub.head()).unwrap_or(0),
        behind: after.is_some() || hub.head().is_none(),
        hub: hub.clone(),
        rx,
        filter,
        replayed: VecDeque::new(),
    };
    stream::unfold(start, |mut s| async move {
        let mut failures = 0;
        loop {
            if let Some(e) = s.replayed.pop_front() {
                return Some((e, s));
            }
            if s.behind {
                // Boxed: the query's future is large and rarely alive; the stream's state
                // stays small while it waits for live events.
                let read = Box::pin(read_after(s.hub.db(), s.last, s.filter.condition()));
                match read.await {
                    Ok(rows) => {
                        s.behind = rows.len() as u64 == PAGE;
                        if let Some(e) = rows.last() {
                            s.last = e.id;
                        }
                        s.replayed.extend(redact(s.filter.scope, rows));
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, "replaying events failed; retrying");
                        tokio::time::sleep(backoff(failures)).await;
                        failures += 1;
                    }
                }
                continue;
            }
            match s.rx.recv().await {
                Ok(e) if e.id > s.last => {
                    s.last = e.id;
                    if s.filter.matches(&e) {
                        return Some((Visible::new(s.filter.scope, (*e).clone()), s));
                    }
                }
                Ok(_) => {}
                Err(RecvError::Lagged(_)) => {
                    crate::metrics::replay();
                    s.behind = true;
                }
                Err(RecvError::Closed) => return None,
            }
        }
    })
}
