//! PostgreSQL `LISTEN`: commits of other server instances wake this instance's pump.

use sea_orm::sqlx::postgres::PgListener;

use super::{CHANNEL, Hub, hub::backoff};

/// Listens for as long as the process runs. After any loss of the connection it
/// reconnects and wakes the pump, which catches up from the log: notifications missed
/// while disconnected cost nothing but latency.
pub async fn listen(hub: Hub) {
    // Only started on PostgreSQL (see `Hub::start`).
    let pool = hub.db().get_postgres_connection_pool().clone();
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
