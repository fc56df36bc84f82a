//! Wiring: database connection, migrations, application state, router, server.

use std::{sync::Arc, time::Duration};

use axum::{
    Router,
    extract::{DefaultBodyLimit, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::get,
    serve::{Listener, ListenerExt},
};
use sea_orm::DatabaseConnection;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::{sync::CancellationToken, task::LocalPoolHandle};
use tower_http::trace::TraceLayer;

use crate::{
    alarms::Alarms,
    auth::token::TokenKeys,
    graphql::{self, AppSchema, QueryLimits},
    http::{self, rate_limit::RateLimiter, ws},
    live::Hub,
    time::Time,
};

/// Settings of the HTTP application.
#[derive(Debug, Clone)]
pub struct Options {
    pub graphiql: bool,
    pub introspection: bool,
    /// Origins allowed by CORS (validated by the configuration).
    pub cors_origins: Vec<String>,
    /// The bearer token `/metrics` asks for; open without one.
    pub metrics_token: Option<String>,
    pub max_body_bytes: usize,
    pub rate_limit_per_minute: u32,
    pub ws: WsOptions,
    /// Where "now" comes from: the system clock, or a manual one in tests.
    pub time: Time,
    /// The reviewer roles a proposal version needs (`PROPOSAL_REVIEWERS`).
    pub proposal_reviewers: Vec<entity::ReviewerRole>,
    /// Where documents' bytes go, and the largest accepted.
    pub documents: crate::documents::DocumentStore,
    /// Webhook delivery timers.
    pub webhooks: crate::webhooks::WebhookOptions,
    /// E-mail delivery: the SMTP server, links, retries.
    pub mail: crate::mail::MailOptions,
    /// Whether this server queues the weekly digests (Friday afternoon in each policy's
    /// time zone). Test servers on the system clock turn them off, so that what they
    /// send does not depend on the day they run.
    pub weekly_digests: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            graphiql: true,
            cors_origins: Vec::new(),
            metrics_token: None,
            introspection: true,
            max_body_bytes: 1 << 20,
            rate_limit_per_minute: 600,
            ws: WsOptions::default(),
            time: Time::default(),
            proposal_reviewers: graphql::proposal::ReviewPolicy::default().0,
            documents: crate::documents::DocumentStore::new("data/documents", 20 << 20),
            webhooks: crate::webhooks::WebhookOptions::default(),
            mail: crate::mail::MailOptions::default(),
            weekly_digests: true,
        }
    }
}

/// Limits and timers of GraphQL over WebSocket.
#[derive(Debug, Clone)]
pub struct WsOptions {
    /// Operations running at once on one connection (0: no limit).
    pub max_operations: usize,
    /// Open connections per caller (0: no limit).
    pub max_connections_per_caller: usize,
    /// How long a client has to send `connection_init`.
    pub init_timeout: Duration,
    /// How often the server pings.
    pub keepalive: Duration,
    /// How long a client may take to accept one message before it is closed as too slow.
    pub send_timeout: Duration,
}

impl Default for WsOptions {
    fn default() -> Self {
        Self {
            max_operations: 100,
            max_connections_per_caller: 50,
            init_timeout: Duration::from_secs(10),
            keepalive: Duration::from_secs(15),
            send_timeout: Duration::from_secs(10),
        }
    }
}

/// Everything a request handler needs. Cheap to clone: every field is a handle.
#[derive(Clone)]
pub struct AppState {
    /// The executable GraphQL schema (holds a handle to the database).
    pub schema: AppSchema,
    /// The connection pool, for request data and health checks.
    pub db: DatabaseConnection,
    /// The connection GraphQL's reads run on (the pool, and kept connections).
    pub reads: crate::reads::Reads,
    /// Settings.
    pub options: Arc<Options>,
    /// How bearer tokens are checked.
    pub tokens: Arc<TokenKeys>,
    /// Requests per caller.
    pub rate_limiter: Arc<RateLimiter>,
    /// The single-threaded executors websocket sessions run on, one per core: identical
    /// subscriptions of one thread share an execution (see `http::ws::shared`).
    pub executor: LocalPoolHandle,
    /// The live fan-out of committed events.
    pub hub: Hub,
    /// The recently parsed queries of HTTP requests.
    pub queries: Arc<crate::http::parsed::ParsedQueries>,
    /// What websockets share: connections per caller, parsed operations.
    pub ws: Arc<ws::Shared>,
    /// Cancelled when the server begins to shut down: websockets close with 1001.
    pub shutdown: CancellationToken,
    /// The service-level alarm task.
    pub alarms: Alarms,
    /// Contacts who have left: their tokens are refused, their websockets closed.
    pub departed: Arc<crate::auth::departed::Departed>,
    /// The webhook delivery task.
    pub webhooks: crate::webhooks::Webhooks,
    /// The e-mail sender task.
    pub mailer: crate::mail::Mailer,
}

impl AppState {
    /// The application state; starts the live hub's tasks on the current runtime.
    pub fn new(db: DatabaseConnection, options: Options, tokens: TokenKeys) -> Self {
        let hub = Hub::start(db.clone());
        let departed = crate::auth::departed::Departed::start(db.clone(), hub.clone());
        let reads = crate::reads::Reads::new(&db);
        let mut builder =
            graphql::schema_builder(db.clone(), reads.clone(), QueryLimits::default())
                .data(hub.clone())
                .data(departed.clone())
                .data(options.time.clone())
                .data(options.documents.clone())
                .data(options.mail.links.clone())
                .data(graphql::proposal::ReviewPolicy(
                    options.proposal_reviewers.clone(),
                ));
        if !options.introspection {
            builder = builder.disable_introspection();
        }
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let shutdown = CancellationToken::new();
        let alarms = Alarms::start(
            db.clone(),
            hub.clone(),
            options.time.clone(),
            options.weekly_digests,
            shutdown.clone(),
        );
        let webhooks = crate::webhooks::Webhooks::start(
            db.clone(),
            hub.clone(),
            options.time.clone(),
            options.webhooks.clone(),
            shutdown.clone(),
        );
        let mailer = crate::mail::Mailer::start(
            db.clone(),
            hub.clone(),
            options.time.clone(),
            options.mail.clone(),
            shutdown.clone(),
        );
        Self {
            departed,
            webhooks,
            mailer,
            schema: builder.finish(),
            db,
            reads,
            rate_limiter: Arc::new(RateLimiter::new(options.rate_limit_per_minute)),
            queries: Arc::default(),
            ws: Arc::new(ws::Shared::new(options.ws.max_connections_per_caller)),
            hub,
            shutdown,
            alarms,
            options: Arc::new(options),
            tokens: Arc::new(tokens),
            executor: LocalPoolHandle::new(threads),
        }
    }
}

pub use crate::database::{connect, migrate};

async fn metrics(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    if let Some(token) = &state.options.metrics_token {
        let given = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| crate::http::operation::bearer_token(v, false));
        if !given.is_some_and(|given| same_secret(given.as_bytes(), token.as_bytes())) {
            return (
                StatusCode::UNAUTHORIZED,
                [(axum::http::header::WWW_AUTHENTICATE, "Bearer")],
                "a bearer token is required (METRICS_TOKEN)",
            )
                .into_response();
        }
    }
    let body = crate::metrics::render(&state.reads, state.options.time.now()).await;
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

/// Whether two secrets are equal, in a time that does not say where they differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Response {
    if let Err(err) = state.db.ping().await {
        tracing::warn!(error = %err, "database not reachable");
        return (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response();
    }
    match crate::database::migrated(&state.db).await {
        Ok(true) => {}
        Ok(false) => {
            return (StatusCode::SERVICE_UNAVAILABLE, "migrations not applied").into_response();
        }
        Err(err) => {
            tracing::debug!(error = %err, "reading the migration state failed");
            return (StatusCode::SERVICE_UNAVAILABLE, "migration state unknown").into_response();
        }
    }
    if !state.hub.is_listening() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "event listener not connected",
        )
            .into_response();
    }
    (StatusCode::OK, "ready").into_response()
}

/// The HTTP application.
pub fn router(state: AppState) -> Router {
    let max_body = state.options.max_body_bytes;
    let origins: Vec<axum::http::HeaderValue> = state
        .options
        .cors_origins
        .iter()
        .filter_map(|o| axum::http::HeaderValue::from_str(o.trim()).ok())
        .collect();
    let cors = (!origins.is_empty()).then(|| {
        use axum::http::{Method, header};
        tower_http::cors::CorsLayer::new()
            .allow_origin(origins)
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
            .max_age(Duration::from_secs(600))
    });
    let mut app = Router::new()
        .route(
            "/graphql",
            get(http::graphql::get).post(http::graphql::post),
        )
        .route("/documents/{id}", get(http::documents::download))
        .route(
            "/mail/unsubscribe/{token}",
            get(http::unsubscribe::confirm).post(http::unsubscribe::unsubscribe),
        )
        .merge(http::assets::routes())
        .route("/", get(|| async { Redirect::temporary("/graphiql") }))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/readyz", get(readyz))
        .layer(DefaultBodyLimit::max(max_body));
    if let Some(cors) = cors {
        app = app.layer(cors);
    }
    // A 5xx is not an error of the server's by itself (a 503 from /readyz while starting
    // is the probe working): real failures are logged where they happen, with context.
    let trace = TraceLayer::new_for_http()
        .on_failure(tower_http::trace::DefaultOnFailure::new().level(tracing::Level::DEBUG));
    app.layer(trace).with_state(state)
}

/// `listener`, each accepted connection with Nagle's algorithm off: with it on, a write made
/// while earlier data is unacknowledged waits for the ACK (a round trip, or the peer's
/// delayed-ACK timer, 40 ms on Linux): the tail of a large response after its full
/// segments, the second of two websocket frames sent close together.
pub fn accepting(
    listener: TcpListener,
) -> impl Listener<Io = TcpStream, Addr = std::net::SocketAddr> {
    listener.tap_io(|stream| {
        if let Err(err) = stream.set_nodelay(true) {
            tracing::debug!(%err, "TCP_NODELAY not set on an accepted connection");
        }
    })
}

/// Serves until SIGINT or SIGTERM, then closes websockets with 1001 and finishes
/// in-flight requests.
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    let shutdown = state.shutdown.clone();
    let sessions = state.ws.sessions.clone();
    let webhooks = state.webhooks.clone();
    let mailer = state.mailer.clone();
    // No request is answered before the portal gate knows who has left.
    state.departed.ready().await;
    axum::serve(accepting(listener), router(state))
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            shutdown.cancel();
        })
        .await?;
    // Websockets were told to close (1001) when shutdown began; let them finish sending
    // that, within a bound (a client that reads nothing is cut off by the send timeout).
    sessions.close();
    if tokio::time::timeout(Duration::from_secs(15), sessions.wait())
        .await
        .is_err()
    {
        tracing::warn!("websocket sessions still open after 15 s; exiting");
    }
    // Webhook requests under way finish and the leases go, so another instance goes on.
    if tokio::time::timeout(Duration::from_secs(15), webhooks.stopped())
        .await
        .is_err()
    {
        tracing::warn!("webhook deliveries still under way after 15 s; exiting");
    }
    // Messages being sent finish; the rest stay claimed until their claim runs out.
    if tokio::time::timeout(Duration::from_secs(15), mailer.stopped())
        .await
        .is_err()
    {
        tracing::warn!("e-mail still being sent after 15 s; exiting");
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn accepted_connections_have_nagles_algorithm_off() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut listener = accepting(listener);
        let _client = TcpStream::connect(addr).await.unwrap();
        let (stream, _) = listener.accept().await;
        assert!(stream.nodelay().unwrap());
    }
}
