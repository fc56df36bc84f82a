//! Configuration: command-line flags, each also readable from the environment, checked
//! at start with messages that name the setting.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

/// Delivery Desk: a GraphQL API for delivering what was sold.
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub config: Config,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Load a realistic demo data set into the database.
    SeedDemo,
    /// Print the GraphQL schema (SDL) to stdout, or write it to a file.
    ExportSchema {
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Settings shared by all commands.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Database URL: `sqlite://PATH?mode=rwc` (embedded) or `postgres://USER@HOST:PORT/DB`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/delivery-desk.db?mode=rwc",
        global = true
    )]
    pub database_url: String,
    /// Address and port to listen on.
    #[arg(
        long,
        env = "BIND_ADDR",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: SocketAddr,
    /// Log filter, e.g. `info` or `delivery_desk=debug,sea_orm=info`.
    #[arg(long, env = "LOG_LEVEL", default_value = "info", global = true)]
    pub log_level: String,
    /// Log output format.
    #[arg(
        long,
        env = "LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,
    /// Largest request body accepted, in bytes (larger is 413).
    #[arg(
        long,
        env = "MAX_BODY_BYTES",
        default_value_t = 1_048_576,
        global = true
    )]
    pub max_body_bytes: usize,
    /// Serve GraphiQL at /graphiql.
    #[arg(long, env = "GRAPHIQL", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub graphiql: bool,
    /// Largest number of pooled database connections.
    #[arg(long, env = "DB_MAX_CONNECTIONS", default_value_t = 16, global = true)]
    pub db_max_connections: u32,
}

impl Config {
    /// Checks what clap's types cannot; the message names the setting.
    pub fn validate(&self) -> Result<(), String> {
        let url = self.database_url.as_str();
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(format!(
                "DATABASE_URL (--database-url) must start with sqlite: or postgres://, got {url:?}"
            ));
        }
        if self.max_body_bytes < 1024 {
            return Err("MAX_BODY_BYTES (--max-body-bytes) must be at least 1024".into());
        }
        if self.db_max_connections == 0 {
            return Err("DB_MAX_CONNECTIONS (--db-max-connections) must be at least 1".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("delivery-desk").chain(args.iter().copied())).unwrap()
    }

    #[test]
    fn defaults_serve_on_an_embedded_sqlite_file() {
        let cli = parse(&[]);
        assert!(cli.command.is_none());
        assert!(cli.config.database_url.starts_with("sqlite://"));
        assert!(cli.config.validate().is_ok());
    }

    #[test]
    fn an_unknown_database_scheme_is_named_in_the_error() {
        let cli = parse(&["--database-url", "mysql://x"]);
        assert!(cli.config.validate().unwrap_err().contains("DATABASE_URL"));
    }
}
