//! Loader batches run by the request's own task, started the moment the request can go no
//! further without data.
//!
//! A DataLoader hands each batch to a spawner. Spawned as a task, a batch would race the
//! request for the keys (on a multi-threaded runtime it may run before the request has
//! asked for all of them), or wait for a timer. Here the batch is queued instead, and
//! [`Driven`] polls the request and its batches together: it starts the queued batches
//! only when a poll of the request ends without the request waking itself, that is, when
//! every branch of the query waits for rows. Each relation level then costs exactly one
//! query, and no time: no delay window, no thread hop, no extra task.

use std::{
    future::Future,
    pin::Pin,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    task::{Context, Poll, Wake, Waker},
};

use futures_util::{
    Stream, StreamExt, future::BoxFuture, stream::FuturesUnordered, task::AtomicWaker,
};

/// Polls of the request in one poll of [`Driven`] before it lets other tasks run.
const BUDGET: usize = 128;

/// Where one request's loaders queue their batches.
#[derive(Clone, Default)]
pub struct Batches(Arc<Mutex<Vec<BoxFuture<'static, ()>>>>);

impl Batches {
    /// The spawner for the request's DataLoaders.
    pub fn spawner(&self) -> impl Fn(BoxFuture<'static, ()>) + Send + Sync + 'static {
        let queue = self.0.clone();
        move |batch| queue.lock().unwrap_or_else(|e| e.into_inner()).push(batch)
    }

    fn take(&self) -> Vec<BoxFuture<'static, ()>> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Notes that the request was woken, and wakes the task that drives it.
#[derive(Default)]
struct Flag {
    woken: AtomicBool,
    task: AtomicWaker,
}

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.task.wake();
    }
}

/// The request (a future or a stream) with its batches.
pub struct Driven<R> {
    request: R,
    batches: Batches,
    running: FuturesUnordered<BoxFuture<'static, ()>>,
    flag: Arc<Flag>,
    waker: Waker,
}

impl<R> Driven<R> {
    pub fn new(request: R, batches: Batches) -> Self {
        let flag = Arc::new(Flag::default());
        Self {
            request,
            batches,
            running: FuturesUnordered::new(),
            waker: Waker::from(flag.clone()),
            flag,
        }
    }

    /// Polls the request until it is ready or waits on nothing but rows not yet loaded,
    /// starting its batches whenever it can go no further.
    fn drive<T>(
        &mut self,
        cx: &mut Context<'_>,
        mut poll: impl FnMut(&mut R, &mut Context<'_>) -> Poll<T>,
    ) -> Poll<T> {
        self.flag.task.register(cx.waker());
        for _ in 0..BUDGET {
            self.flag.woken.store(false, Ordering::Release);
            if let Poll::Ready(out) = poll(&mut self.request, &mut Context::from_waker(&self.waker))
            {
                return Poll::Ready(out);
            }
            if self.flag.woken.load(Ordering::Acquire) {
                // The request can go on by itself: it may still ask for more keys.
                continue;
            }
            self.start_batches(cx);
            if !self.flag.woken.load(Ordering::Acquire) {
                return Poll::Pending;
            }
        }
        // A request that keeps waking itself: start what it queued so far rather than
        // starve it, and let other tasks run.
        self.start_batches(cx);
        cx.waker().wake_by_ref();
        Poll::Pending
    }

    /// Starts the queued batches and runs every batch as far as it goes. Batches that
    /// finish hand their rows to the request, which wakes it.
    fn start_batches(&mut self, cx: &mut Context<'_>) {
        self.running.extend(self.batches.take());
        while let Poll::Ready(Some(())) = self.running.poll_next_unpin(cx) {}
    }
}

impl<F: Future + Unpin> Future for Driven<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.get_mut().drive(cx, |f, cx| Pin::new(f).poll(cx))
    }
}

impl<S: Stream + Unpin> Stream for Driven<S> {
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        self.get_mut().drive(cx, |s, cx| s.poll_next_unpin(cx))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// A request that asks for keys over several polls, yielding between them as
    /// `FuturesUnordered` does, then waits for the batch.
    #[tokio::test]
    async fn a_batch_starts_only_when_the_request_waits_for_rows() {
        let batches = Batches::default();
        let spawn = batches.spawner();
        let keys = Arc::new(Mutex::new(Vec::<u32>::new()));
        let taken = Arc::new(Mutex::new(Vec::<Vec<u32>>::new()));
        let started = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let request = {
            let (keys, taken, started) = (keys.clone(), taken.clone(), started.clone());
            async move {
                let mut tx = Some(tx);
                for key in 0..10 {
                    keys.lock().unwrap().push(key);
                    if key == 0 {
                        let (keys, taken, started, tx) =
                            (keys.clone(), taken.clone(), started.clone(), tx.take());
                        spawn(Box::pin(async move {
                            started.fetch_add(1, Ordering::SeqCst);
                            taken
                                .lock()
                                .unwrap()
                                .push(std::mem::take(&mut *keys.lock().unwrap()));
                            if let Some(tx) = tx {
                                let _ = tx.send(());
                            }
                        }));
                    }
                    // Yield as a join does: wake ourselves, return once.
                    let mut yielded = false;
                    std::future::poll_fn(|cx| {
                        if yielded {
                            Poll::Ready(())
                        } else {
                            yielded = true;
                            cx.waker().wake_by_ref();
                            Poll::Pending
                        }
                    })
                    .await;
                }
                rx.await.unwrap();
                "done"
            }
        };
        let out = Driven::new(Box::pin(request), batches).await;
        assert_eq!(out, "done");
        assert_eq!(started.load(Ordering::SeqCst), 1);
        assert_eq!(*taken.lock().unwrap(), vec![(0..10).collect::<Vec<_>>()]);
    }

    #[tokio::test]
    async fn a_request_that_loads_nothing_just_runs() {
        let out = Driven::new(Box::pin(async { 7 }), Batches::default()).await;
        assert_eq!(out, 7);
    }
}
