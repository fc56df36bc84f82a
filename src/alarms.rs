//! The alarm task: writes an at-risk or breach event when a ticket's clock reaches its
//! instant (see `service::service_levels::fire_due`), and the at-risk and overdue alerts
//! of kickoff obligations (`service::kickoff::fire_due`), and it queues the weekly digests
//! on Friday afternoon (`service::outbox::digests`).
//!
//! It sleeps until the next instant any running clock comes due (at most [`MAX_SLEEP`],
//! against jumps of the system clock), and looks again whenever a ticket's event is
//! published, here or, through LISTEN/NOTIFY, by another instance: a ticket change may
//! start, stop or move a clock. With no clock running it does not wake at all, so an idle
//! server runs no query. Every instance runs one; each alert is claimed by a conditional update,
//! so it is written once whoever finds it first, and a restart misses nothing: what came
//! due while no task ran is due at the first look.

use std::{sync::Arc, time::Duration};

use entity::EntityKind;
use sea_orm::DatabaseConnection;
use tokio::sync::{Notify, broadcast};
use tokio_util::sync::CancellationToken;

use crate::{
    auth::Caller,
    live::Hub,
    service::{Ctx, kickoff, outbox, service_levels},
    time::Time,
};

const MAX_SLEEP: Duration = Duration::from_secs(15 * 60);

/// A handle on the alarm task.
#[derive(Clone)]
pub struct Alarms {
    look: Arc<Notify>,
}

impl Alarms {
    /// Starts the task on the current runtime; it stops when `stop` is cancelled.
    /// `digests`: whether it also queues the weekly digests.
    pub fn start(
        db: DatabaseConnection,
        hub: Hub,
        time: Time,
        digests: bool,
        stop: CancellationToken,
    ) -> Self {
        let look = Arc::new(Notify::new());
        tokio::spawn(run(db, hub, time, digests, stop, look.clone()));
        Self { look }
    }

    /// Makes the task look for due alerts now (tests call it after moving the time).
    pub fn look_now(&self) {
        self.look.notify_one();
    }
}

async fn run(
    db: DatabaseConnection,
    hub: Hub,
    time: Time,
    digests: bool,
    stop: CancellationToken,
    look: Arc<Notify>,
) {
    let mut events = hub.subscribe();
    let caller = Caller::System;
    // When the next weekly digest comes due (none known: look at once).
    let mut digest_at = None;
    loop {
        let ctx = Ctx {
            db: &db,
            caller: &caller,
            live: Some(&hub),
            time: &time,
        };
        let sleep = match look_once(ctx, digests.then_some(&mut digest_at)).await {
            Ok(Some(at)) => (at - time.now())
                .to_std()
                .unwrap_or(Duration::ZERO)
                // Breaches fire strictly after their instant.
                .saturating_add(Duration::from_millis(1))
                .min(MAX_SLEEP),
            // Nothing running: only a change can start a clock.
            Ok(None) => Duration::MAX,
            Err(e) => {
                tracing::warn!(error = ?e, "alerts failed; retrying");
                Duration::from_secs(5)
            }
        };
        // Only changes that start, stop or move clocks need a look.
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                () = look.notified() => break,
                () = nap(sleep) => break,
                received = events.recv() => match received {
                    // A policy's time zone says when its projects' digests go out.
                    Ok(e) if e.entity_kind == EntityKind::ServiceLevelPolicy => {
                        digest_at = None;
                        break;
                    }
                    Ok(e) if moves_clocks(e.entity_kind) => break,
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(_)) => break,
                    Err(broadcast::error::RecvError::Closed) => {
                        events = hub.subscribe();
                        break;
                    }
                },
            }
        }
    }
}

/// Sleeps for `d`; `Duration::MAX` is forever.
async fn nap(d: Duration) {
    if d == Duration::MAX {
        std::future::pending::<()>().await;
    } else {
        tokio::time::sleep(d).await;
    }
}

fn moves_clocks(kind: EntityKind) -> bool {
    matches!(
        kind,
        EntityKind::Ticket
            | EntityKind::TicketComment
            | EntityKind::ServiceLevelPolicy
            // Kickoff obligations start (and are met) with these.
            | EntityKind::Kickoff
    )
}

/// Writes every alert that came due (service levels, kickoff obligations), queues the
/// weekly digests when `digest_at` has come (none: this server queues none), and returns
/// the next instant one comes due.
async fn look_once(
    ctx: Ctx<'_>,
    mut digest_at: Option<&mut Option<chrono::DateTime<chrono::Utc>>>,
) -> crate::error::AppResult<Option<chrono::DateTime<chrono::Utc>>> {
    let n = service_levels::fire_due(ctx).await?;
    if n > 0 {
        tracing::info!(alerts = n, "service-level alerts written");
    }
    let n = kickoff::fire_due(ctx).await?;
    if n > 0 {
        tracing::info!(alerts = n, "kickoff alerts written");
    }
    let now = ctx.time.now();
    if let Some(digest_at) = digest_at.as_deref_mut()
        && digest_at.is_none_or(|at| at <= now)
    {
        // A digest that cannot be built must not hold up the alerts: tried again later.
        *digest_at = match outbox::digests(ctx).await {
            Ok(next) => next,
            Err(e) => {
                tracing::warn!(error = ?e, "weekly digests failed; trying again in 5 minutes");
                Some(now + chrono::Duration::minutes(5))
            }
        };
    }
    let next = [
        service_levels::next_due(ctx.db).await?,
        kickoff::next_due(ctx.db).await?,
        digest_at.and_then(|at| *at),
    ];
    Ok(next.into_iter().flatten().min())
}
