//! Identical subscriptions run once.
//!
//! Ten thousand dashboards watching the same feed would otherwise execute the same
//! selection ten thousand times per event. Subscriptions with the same document,
//! variables (including `after`), operation name and caller form a group: the first
//! starts the execution, every member receives its results. A member that joins later
//! receives what its own execution would have: from now on, or, if it resumes from a
//! cursor, first what the group has already produced (the group began at the same
//! cursor, so that is exactly what its own replay would have been), then the rest live;
//! no gap, no duplicate. A group that has produced more than [`HISTORY`] results takes
//! no new resuming members (they start a group of their own). A member more than
//! [`BUFFER`] results behind the group is told so, and its connection closes with 1013
//! so that its client resumes from its last cursor.
//!
//! The caller is part of the key because results depend on who asks (scope, redaction);
//! the group ends when its last member leaves.
//!
//! A group lives on one executor thread, and members on another thread form a group of
//! their own: so one execution per thread, and waking the members of a result never
//! crosses threads (a cross-thread wake is a system call; at ten thousand members per
//! event they were about 4 % of the server's CPU per delivery).

use std::{
    collections::HashMap,
    hash::Hash,
    sync::{Arc, Mutex, Weak},
    thread::{self, ThreadId},
};

use futures_util::{Stream, StreamExt, stream::BoxStream};
use tokio::sync::broadcast;
use tokio_stream::wrappers::{BroadcastStream, errors::BroadcastStreamRecvError};
use tokio_util::sync::CancellationToken;

/// Results a group keeps for members that join later.
pub const HISTORY: usize = 256;
/// Results a member may fall behind its group.
pub const BUFFER: usize = 1024;

/// One result for a member, or word that it fell too far behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery<T> {
    Item(T),
    Behind,
}

struct State<T> {
    history: Vec<T>,
    /// More than [`HISTORY`] results were produced: no new members.
    closed: bool,
    /// `None` once the execution has ended: members drain, then end.
    sender: Option<broadcast::Sender<T>>,
}

/// A running shared execution; members hold it, and the last one out stops it.
struct Group<T> {
    state: Arc<Mutex<State<T>>>,
    stop: CancellationToken,
}

impl<T> Drop for Group<T> {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The groups, by key and executor thread.
pub struct Groups<K, T> {
    groups: Mutex<HashMap<(ThreadId, K), Running<T>>>,
}

type Running<T> = Weak<Group<T>>;

impl<K, T> Default for Groups<K, T> {
    fn default() -> Self {
        Self {
            groups: Mutex::default(),
        }
    }
}

impl<K: Hash + Eq, T: Clone + Send + Sync + 'static> Groups<K, T> {
    /// Joins the group of `key` on this thread, or starts one that runs `start()`'s
    /// stream on a task of the current local set (the caller's executor thread).
    /// `resumes`: the member replays from a cursor, so it needs what the group has
    /// produced so far.
    pub fn join(
        &self,
        key: K,
        resumes: bool,
        start: impl FnOnce() -> BoxStream<'static, T>,
    ) -> BoxStream<'static, Delivery<T>> {
        let key = (thread::current().id(), key);
        let mut groups = lock(&self.groups);
        if let Some(group) = groups.get(&key).and_then(Weak::upgrade) {
            let state = lock(&group.state);
            if let (false, Some(sender)) = (resumes && state.closed, &state.sender) {
                let history = if resumes {
                    state.history.clone()
                } else {
                    Vec::new()
                };
                let rx = sender.subscribe();
                drop(state);
                return member(group, history, rx);
            }
        }
        if groups.len() >= 64 {
            groups.retain(|_, g| g.strong_count() > 0);
        }
        let (sender, rx) = broadcast::channel(BUFFER);
        let state = Arc::new(Mutex::new(State {
            history: Vec::new(),
            closed: false,
            sender: Some(sender),
        }));
        let group = Arc::new(Group {
            state: state.clone(),
            stop: CancellationToken::new(),
        });
        groups.insert(key, Arc::downgrade(&group));
        drop(groups);
        tokio::task::spawn_local(drive(start(), state, group.stop.clone()));
        member(group, Vec::new(), rx)
    }

    /// Groups running now (for tests).
    pub fn running(&self) -> usize {
        lock(&self.groups)
            .values()
            .filter(|g| g.strong_count() > 0)
            .count()
    }
}

async fn drive<T: Clone>(
    mut results: BoxStream<'static, T>,
    state: Arc<Mutex<State<T>>>,
    stop: CancellationToken,
) {
    loop {
        let next = tokio::select! {
            () = stop.cancelled() => return,
            next = results.next() => next,
        };
        let mut s = lock(&state);
        let Some(item) = next else {
            s.sender = None;
            return;
        };
        if !s.closed {
            if s.history.len() < HISTORY {
                s.history.push(item.clone());
            } else {
                s.closed = true;
                s.history = Vec::new();
            }
        }
        if let Some(sender) = &s.sender {
            // No receiver now only means every member has left; `stop` follows.
            let _ = sender.send(item);
        }
    }
}

fn member<T: Clone + Send + Sync + 'static>(
    group: Arc<Group<T>>,
    history: Vec<T>,
    rx: broadcast::Receiver<T>,
) -> BoxStream<'static, Delivery<T>> {
    let live = BroadcastStream::new(rx).scan((), |(), r| {
        futures_util::future::ready(Some(match r {
            Ok(item) => Delivery::Item(item),
            Err(BroadcastStreamRecvError::Lagged(_)) => Delivery::Behind,
        }))
    });
    let stream = futures_util::stream::iter(history.into_iter().map(Delivery::Item)).chain(live);
    Box::pin(Holding {
        stream,
        _group: group,
    })
}

/// A member's stream, keeping its group alive while it lasts.
struct Holding<S, T> {
    stream: S,
    _group: Arc<Group<T>>,
}

impl<S: Stream + Unpin, T> Stream for Holding<S, T> {
    type Item = S::Item;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.stream.poll_next_unpin(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use futures_util::stream;
    use tokio::{sync::mpsc, task::LocalSet};
    use tokio_stream::wrappers::UnboundedReceiverStream;

    use super::*;

    async fn take(s: &mut BoxStream<'static, Delivery<u32>>, n: usize) -> Vec<Delivery<u32>> {
        let mut out = Vec::new();
        for _ in 0..n {
            let next = tokio::time::timeout(Duration::from_secs(2), s.next()).await;
            out.push(next.expect("in time").expect("an item"));
        }
        out
    }

    fn items(v: &[u32]) -> Vec<Delivery<u32>> {
        v.iter().copied().map(Delivery::Item).collect()
    }

    #[tokio::test]
    async fn members_share_one_execution_and_late_members_miss_nothing() {
        LocalSet::new()
            .run_until(async {
                let groups: Groups<&str, u32> = Groups::default();
                let (tx, rx) = mpsc::unbounded_channel();
                let starts = Arc::new(std::sync::atomic::AtomicUsize::new(0));
                let counted = starts.clone();
                let mut a = groups.join("q", true, move || {
                    counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    UnboundedReceiverStream::new(rx).boxed()
                });
                tx.send(1).unwrap();
                tx.send(2).unwrap();
                assert_eq!(take(&mut a, 2).await, items(&[1, 2]));
                // A later member resuming from the same cursor gets 1 and 2 from the
                // history, then 3 live, like `a`; one that does not resume, only 3.
                let mut b = groups.join("q", true, || unreachable!("the group runs already"));
                let mut live_only = groups.join("q", false, || unreachable!("the group runs"));
                tx.send(3).unwrap();
                assert_eq!(take(&mut b, 3).await, items(&[1, 2, 3]));
                assert_eq!(take(&mut live_only, 1).await, items(&[3]));
                assert_eq!(take(&mut a, 1).await, items(&[3]));
                assert_eq!(starts.load(std::sync::atomic::Ordering::SeqCst), 1);
                // Another key is another group.
                let mut c = groups.join("other", true, || stream::iter([9]).boxed());
                assert_eq!(take(&mut c, 1).await, items(&[9]));
                // The execution ends: members drain and end.
                drop(tx);
                assert_eq!(a.next().await, None);
                assert_eq!(b.next().await, None);
                // The last member out stops the group.
                assert_eq!(live_only.next().await, None);
                drop((a, b, c, live_only));
                tokio::task::yield_now().await;
                assert_eq!(groups.running(), 0);
            })
            .await;
    }

    #[test]
    fn each_thread_runs_its_own_group_so_wakes_stay_on_their_thread() {
        let groups: Arc<Groups<&str, u32>> = Arc::default();
        let starts = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        // Both threads' members have joined before either group runs.
        let joined = Arc::new(std::sync::Barrier::new(2));
        let on_a_thread = || {
            let (groups, starts, joined) = (groups.clone(), starts.clone(), joined.clone());
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_time()
                    .build()
                    .expect("a runtime");
                LocalSet::new().block_on(&runtime, async {
                    let mut members = Vec::new();
                    for _ in 0..3 {
                        let starts = starts.clone();
                        members.push(groups.join("q", false, move || {
                            starts.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            stream::iter([1]).boxed()
                        }));
                    }
                    joined.wait();
                    for mut m in members {
                        assert_eq!(take(&mut m, 1).await, items(&[1]));
                    }
                });
            })
        };
        let (a, b) = (on_a_thread(), on_a_thread());
        a.join().expect("thread a");
        b.join().expect("thread b");
        // Three members on each of two threads: two executions, not six.
        assert_eq!(starts.load(std::sync::atomic::Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_member_too_far_behind_is_told_and_a_long_group_takes_no_resuming_newcomers() {
        LocalSet::new()
            .run_until(async {
                let groups: Groups<&str, u32> = Groups::default();
                let total = u32::try_from(BUFFER + HISTORY + 10).unwrap();
                let (tx, rx) = mpsc::unbounded_channel();
                let mut slow =
                    groups.join("q", true, move || UnboundedReceiverStream::new(rx).boxed());
                for i in 0..total {
                    tx.send(i).unwrap();
                }
                // Let the group run ahead of the member that never reads.
                for _ in 0..50 {
                    tokio::task::yield_now().await;
                }
                // The group runs on but has outgrown its history: a live-only newcomer
                // still joins it, a resuming one starts its own.
                let mut live = groups.join("q", false, || unreachable!("joins the running group"));
                let mut newcomer = groups.join("q", true, || stream::iter([7]).boxed());
                assert_eq!(
                    take(&mut newcomer, 1).await,
                    items(&[7]),
                    "a group of its own"
                );
                tx.send(99).unwrap();
                assert_eq!(take(&mut live, 1).await, items(&[99]));
                assert_eq!(slow.next().await, Some(Delivery::Behind));
            })
            .await;
    }
}
