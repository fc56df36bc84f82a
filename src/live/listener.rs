//! PostgreSQL `LISTEN`: commits of other server instances wake this instance's pump.

use std::time::Duration;

use sea_orm::sqlx::postgres::{PgConnectOptions, PgListener, PgPool, PgPoolOptions};

use super::{CHANNEL, Hub, hub::backoff};

/// Listens for as long as the process runs. After any loss of the connection it
/// reconnects and wakes the pump, which catches up from the log: notifications missed
/// while disconnected cost nothing but latency.
pub async fn listen(hub: Hub) {
    // Only started on PostgreSQL (see `Hub::start`).
    let pool = own_connection(hub.db().get_postgres_connection_pool());
    let mut failures = 0;
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(err) => {
                hub.set_listening(false);
                tracing::warn!(error = %err, "event listener cannot connect; retrying");
                tokio::time::sleep(backoff(failures)).await;
                failures += 1;
                continue;
            }
        };
        if let Err(err) = listener.listen(CHANNEL).await {
            hub.set_listening(false);
            tracing::warn!(error = %err, "LISTEN failed; retrying");
            tokio::time::sleep(backoff(failures)).await;
            failures += 1;
            continue;
        }
        failures = 0;
        hub.set_listening(true);
        tracing::info!(channel = CHANNEL, "event listener connected");
        // Anything committed while we were away is in the log.
        hub.wake();
        loop {
            match listener.try_recv().await {
                Ok(Some(_)) => hub.wake(),
                // The connection was lost; the listener reconnects on the next call.
                Ok(None) => {
                    hub.set_listening(false);
                    tracing::warn!("event listener lost its connection; reconnecting");
                    break;
                }
                Err(err) => {
                    hub.set_listening(false);
                    tracing::warn!(error = %err, "event listener failed; reconnecting");
                    break;
                }
            }
        }
        // A fresh listener re-issues LISTEN and starts from a clean connection.
        tokio::time::sleep(backoff(0)).await;
    }
}

/// A pool of one connection for the listener, to the application pool's database. A
/// `LISTEN` holds its connection for the life of the process: taken from the application
/// pool, it left that pool one connection fewer, and none when it had one
/// (`DB_MAX_CONNECTIONS` under 4): every write and every `/readyz` then waited out its
/// acquire timeout, and the instance never became ready.
fn own_connection(pool: &PgPool) -> PgPool {
    PgPoolOptions::new()
        .max_connections(1)
        // Held until lost; the pool only reconnects it.
        .max_lifetime(None)
        .idle_timeout(None)
        .acquire_timeout(Duration::from_secs(10))
        .connect_lazy_with(PgConnectOptions::clone(&pool.connect_options()))
}
