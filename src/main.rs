//! The `delivery-desk` command: parse configuration, start logging, run the command.

use std::{process::ExitCode, time::Duration};

use clap::Parser;
use delivery_desk::{
    auth::token::Role,
    config::{Cli, Command, Config, LogFormat},
    database, graphql, seed, startup,
};
use tracing_subscriber::EnvFilter;

/// mimalloc: under many small, short-lived allocations across threads (a response per
/// subscriber per event) it is faster than glibc's malloc and fragments less.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn init_tracing(config: &Config) {
    let filter = EnvFilter::try_new(&config.log_level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match config.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(message) = cli.config.validate() {
        eprintln!("configuration error: {message}");
        return ExitCode::from(2);
    }
    init_tracing(&cli.config);
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let config = cli.config;
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::ExportSchema { out } = &command {
        let sdl = graphql::sdl();
        return match out {
            Some(path) => std::fs::write(path, sdl)
                .map_err(|e| format!("cannot write {}: {e}", path.display())),
            None => {
                print!("{sdl}");
                Ok(())
            }
        };
    }
    let keys = config.token_keys()?;
    if let Command::Token {
        role,
        user_id,
        contact_id,
        client_id,
        ttl_hours,
    } = &command
    {
        let sub = match (role, user_id, contact_id) {
            (Role::Client, _, Some(contact)) => format!("contact:{contact}"),
            (Role::Client, _, None) => {
                return Err("a CLIENT token needs --contact-id and --client-id".into());
            }
            (_, Some(user), _) => format!("user:{user}"),
            (_, None, _) => return Err("a staff token needs --user-id".into()),
        };
        let token = keys.mint(sub, *role, *client_id, ttl_hours.saturating_mul(3600))?;
        println!("{token}");
        return Ok(());
    }
    if config.jwt_secret.is_none() && config.jwt_public_key_file.is_none() {
        tracing::warn!(
            "no JWT_SECRET or JWT_PUBLIC_KEY_FILE: using the development secret in data/dev-jwt-secret"
        );
    }
    // The embedded database serves one process that writes (see `database::claim_sqlite`).
    let holder = match command {
        Command::Serve | Command::Demo => database::Holder::Server,
        _ => database::Holder::Command,
    };
    let _claim = database::claim_sqlite(&config.database_url, holder)?;
    // The port is taken before the database is touched: a port in use is said at once.
    if matches!(command, Command::Demo)
        && (config.jwt_secret.is_some() || config.jwt_public_key_file.is_some())
    {
        return Err(
            "`demo` mints development tokens and is for development only: unset JWT_SECRET \
             and JWT_PUBLIC_KEY_FILE, or run `serve` (and `seed-demo`)"
                .into(),
        );
    }
    let listener = match command {
        Command::Serve | Command::Demo => Some(
            tokio::net::TcpListener::bind(config.bind)
                .await
                .map_err(|e| format!("cannot listen on {} (BIND_ADDR): {e}", config.bind))?,
        ),
        _ => None,
    };
    let db = startup::connect(&config.database_url, config.db_max_connections)
        .await
        .map_err(|e| format!("cannot open database (DATABASE_URL): {e}"))?;
    startup::migrate(&db)
        .await
        .map_err(|e| format!("migration failed: {e}"))?;
    let documents = delivery_desk::documents::DocumentStore::new(
        &config.documents_dir,
        config.max_upload_bytes,
    );
    match command {
        Command::Migrate => {
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::SeedDemo => {
            let summary = seed::demo(&db, &documents)
                .await
                .map_err(|e| format!("seeding failed: {}", e.message()))?;
            tracing::info!("{summary}");
            Ok(())
        }
        Command::Serve | Command::Demo | Command::ExportSchema { .. } | Command::Token { .. } => {
            let Some(listener) = listener else {
                return Err("only `serve` listens".into());
            };
            if matches!(command, Command::Demo) {
                if seed::is_empty(&db).await.map_err(|e| e.message())? {
                    let summary = seed::demo(&db, &documents)
                        .await
                        .map_err(|e| format!("seeding failed: {}", e.message()))?;
                    tracing::info!("{summary}");
                }
                let base = format!("http://{}", config.bind);
                let welcome = seed::welcome(&db, &keys, &base)
                    .await
                    .map_err(|e| e.message())?;
                // Never fatal: a closed stdout (`demo | head`) must not stop the server.
                use std::io::Write;
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{welcome}").and_then(|()| out.flush());
            }
            tracing::info!(
                "GraphQL at http://{}/graphql, GraphiQL at http://{}/graphiql",
                config.bind,
                config.bind
            );
            let options = startup::Options {
                graphiql: config.graphiql,
                cors_origins: config.cors_origins.clone(),
                metrics_token: config.metrics_token.clone(),
                introspection: config.introspection,
                max_body_bytes: config.max_body_bytes,
                rate_limit_per_minute: config.rate_limit_per_minute,
                ws: startup::WsOptions {
                    max_operations: config.ws_max_operations,
                    max_connections_per_caller: config.ws_max_connections_per_caller,
                    init_timeout: Duration::from_secs(config.ws_init_timeout_seconds),
                    keepalive: Duration::from_secs(config.ws_keepalive_seconds),
                    send_timeout: Duration::from_secs(config.ws_send_timeout_seconds),
                },
                time: delivery_desk::time::Time::default(),
                proposal_reviewers: config.proposal_reviewers.clone(),
                documents: documents.clone(),
                webhooks: delivery_desk::webhooks::WebhookOptions {
                    timeout: Duration::from_secs(config.webhook_timeout_seconds),
                    disable_after: Duration::from_secs(config.webhook_disable_after_hours * 3600),
                    allow_private: config.webhook_allow_private_addresses,
                    ..Default::default()
                },
                mail: delivery_desk::mail::MailOptions {
                    smtp: config
                        .smtp_url
                        .as_deref()
                        .map(delivery_desk::mail::SmtpSettings::parse)
                        .transpose()?,
                    links: delivery_desk::mail::Links::new(&config.public_url),
                    ..Default::default()
                },
                weekly_digests: true,
            };
            let state = startup::AppState::new(db, options, keys);
            startup::serve(listener, state)
                .await
                .map_err(|e| format!("server error: {e}"))
        }
    }
}
