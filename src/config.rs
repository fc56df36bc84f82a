//! Configuration: command-line flags, each also readable from the environment, checked
//! at start with messages that name the setting.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::auth::token::{Role, TokenKeys};

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
    /// Serve with the demo data, for a first look (development only): loads the demo set
    /// into an empty database and prints links to GraphiQL and the board, each carrying a
    /// development token.
    Demo,
    /// Apply pending migrations and exit.
    Migrate,
    /// Load a realistic demo data set into the database.
    SeedDemo,
    /// Print the GraphQL schema (SDL) to stdout, or write it to a file.
    ExportSchema {
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Mint a bearer token for development (needs the HS256 secret).
    Token {
        /// ADMIN, STAFF and STAFF_READONLY need --user-id; CLIENT needs --contact-id and --client-id.
        #[arg(long, value_enum)]
        role: Role,
        #[arg(long)]
        user_id: Option<i64>,
        #[arg(long)]
        contact_id: Option<i64>,
        #[arg(long)]
        client_id: Option<i64>,
        /// Lifetime in hours.
        #[arg(long, default_value_t = 12)]
        ttl_hours: i64,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PublicKeyAlgorithm {
    Rs256,
    Es256,
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
    /// HS256 secret for bearer tokens (at least 32 bytes). Without it and without a public
    /// key, a development secret is created in `data/dev-jwt-secret`.
    #[arg(long, env = "JWT_SECRET", hide_env_values = true, global = true)]
    pub jwt_secret: Option<String>,
    /// PEM public key of the identity provider that issues tokens (RS256 or ES256).
    #[arg(long, env = "JWT_PUBLIC_KEY_FILE", global = true)]
    pub jwt_public_key_file: Option<PathBuf>,
    /// Algorithm of the public key.
    #[arg(
        long,
        env = "JWT_ALGORITHM",
        value_enum,
        default_value = "rs256",
        global = true
    )]
    pub jwt_algorithm: PublicKeyAlgorithm,
    /// The audience (`aud`) tokens must name.
    #[arg(
        long,
        env = "JWT_AUDIENCE",
        default_value = "delivery-desk",
        global = true
    )]
    pub jwt_audience: String,
    /// Answer introspection queries (turn off in production if the schema is private).
    #[arg(long, env = "INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub introspection: bool,
    /// Requests per minute one caller may make (429 with Retry-After beyond; 0: no limit).
    #[arg(
        long,
        env = "RATE_LIMIT_PER_MINUTE",
        default_value_t = 600,
        global = true
    )]
    pub rate_limit_per_minute: u32,
    /// Operations running at once on one websocket (0: no limit).
    #[arg(long, env = "WS_MAX_OPERATIONS", default_value_t = 100, global = true)]
    pub ws_max_operations: usize,
    /// Open websockets per caller (0: no limit); beyond it a connection closes with 1013.
    #[arg(
        long,
        env = "WS_MAX_CONNECTIONS_PER_CALLER",
        default_value_t = 50,
        global = true
    )]
    pub ws_max_connections_per_caller: usize,
    /// Seconds a websocket client has to send `connection_init` (then 4408).
    #[arg(long, env = "WS_INIT_TIMEOUT_SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub ws_init_timeout_seconds: u64,
    /// Seconds between the server's keep-alive pings on a websocket.
    #[arg(long, env = "WS_KEEPALIVE_SECONDS", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub ws_keepalive_seconds: u64,
    /// Seconds a websocket client may take to accept one message before it is closed as
    /// too slow (1013; it resumes from its last cursor).
    #[arg(long, env = "WS_SEND_TIMEOUT_SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub ws_send_timeout_seconds: u64,
    /// Largest number of pooled database connections (default: four per core of this
    /// machine, 4 to 16). On PostgreSQL the event listener's `LISTEN` holds one more.
    #[arg(long, env = "DB_MAX_CONNECTIONS", default_value_t = default_db_connections(), global = true)]
    pub db_max_connections: u32,
    /// Folder of uploaded documents' bytes (content-addressed); the database holds what
    /// they are. Instances sharing a database share this folder (a common volume).
    #[arg(
        long,
        env = "DOCUMENTS_DIR",
        default_value = "data/documents",
        global = true
    )]
    pub documents_dir: PathBuf,
    /// Largest document accepted, in bytes (larger is refused as BAD_USER_INPUT).
    #[arg(
        long,
        env = "MAX_UPLOAD_BYTES",
        default_value_t = 20 * 1024 * 1024,
        global = true
    )]
    pub max_upload_bytes: u64,
    /// How long a webhook receiver has to answer one request, in seconds.
    #[arg(
        long,
        env = "WEBHOOK_TIMEOUT_SECONDS",
        default_value_t = 10,
        global = true
    )]
    pub webhook_timeout_seconds: u64,
    /// A webhook failing without a success for this many hours is disabled.
    #[arg(
        long,
        env = "WEBHOOK_DISABLE_AFTER_HOURS",
        default_value_t = 72,
        global = true
    )]
    pub webhook_disable_after_hours: u64,
    /// Let webhooks reach loopback, private and link-local addresses (receivers on the
    /// server's own network); by default only public addresses are reached.
    #[arg(long, env = "WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default_value_t = false, action = clap::ArgAction::Set, global = true)]
    pub webhook_allow_private_addresses: bool,
    /// Where e-mail goes, with its TLS mode, credentials and sender, e.g.
    /// `smtp://user:pass@mail.example:587?tls=required&from=Desk%20%3Cdesk%40vendor.example%3E`
    /// (see docs/mail.md). Without it messages wait in the outbox.
    #[arg(long, env = "SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The address people reach this server at, for the links in e-mail.
    #[arg(
        long,
        env = "PUBLIC_URL",
        default_value = "http://127.0.0.1:8080",
        global = true
    )]
    pub public_url: String,
    /// Browser origins allowed to call the API from their pages (CORS), comma-separated,
    /// e.g. `https://portal.example.com`; none by default (same origin only).
    #[arg(long, env = "CORS_ORIGINS", value_delimiter = ',', global = true)]
    pub cors_origins: Vec<String>,
    /// A bearer token `/metrics` asks of its scraper (at least 16 characters); without
    /// it `/metrics` is open, for a scraper on a network the public cannot reach.
    #[arg(long, env = "METRICS_TOKEN", hide_env_values = true, global = true)]
    pub metrics_token: Option<String>,
    /// The reviewer roles whose approval a proposal version needs before the client may
    /// see it, comma-separated: any of SALES, PRODUCT, TECHNICAL, LEGAL.
    #[arg(
        long,
        env = "PROPOSAL_REVIEWERS",
        value_delimiter = ',',
        default_value = "SALES,PRODUCT,TECHNICAL,LEGAL",
        value_parser = reviewer_role,
        global = true
    )]
    pub proposal_reviewers: Vec<entity::ReviewerRole>,
}

fn reviewer_role(s: &str) -> Result<entity::ReviewerRole, String> {
    entity::ReviewerRole::parse(s.trim())
        .ok_or_else(|| format!("{s:?} is not one of SALES, PRODUCT, TECHNICAL, LEGAL"))
}

/// Where the development token secret is kept when no key is configured.
const DEV_SECRET_FILE: &str = "data/dev-jwt-secret";

impl Config {
    /// The keys bearer tokens are checked with, from the settings.
    pub fn token_keys(&self) -> Result<TokenKeys, String> {
        if let Some(path) = &self.jwt_public_key_file {
            let pem = std::fs::read(path).map_err(|e| {
                format!("JWT_PUBLIC_KEY_FILE {} cannot be read: {e}", path.display())
            })?;
            let algorithm = match self.jwt_algorithm {
                PublicKeyAlgorithm::Rs256 => jsonwebtoken::Algorithm::RS256,
                PublicKeyAlgorithm::Es256 => jsonwebtoken::Algorithm::ES256,
            };
            return TokenKeys::public_key(&pem, algorithm, &self.jwt_audience);
        }
        if let Some(secret) = &self.jwt_secret {
            return TokenKeys::hs256(secret.as_bytes(), &self.jwt_audience);
        }
        TokenKeys::hs256(dev_secret()?.as_bytes(), &self.jwt_audience)
    }

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
        check_log_filter(&self.log_level)
            .map_err(|why| format!("LOG_LEVEL (--log-level): {why}"))?;
        if self.max_body_bytes < 1024 {
            return Err("MAX_BODY_BYTES (--max-body-bytes) must be at least 1024".into());
        }
        if self.webhook_timeout_seconds == 0 {
            return Err(
                "WEBHOOK_TIMEOUT_SECONDS (--webhook-timeout-seconds) must be at least 1".into(),
            );
        }
        if let Some(url) = &self.smtp_url {
            crate::mail::SmtpSettings::parse(url)?;
        }
        if !(self.public_url.starts_with("http://") || self.public_url.starts_with("https://")) {
            return Err(format!(
                "PUBLIC_URL (--public-url) must start with http:// or https://, got {:?}",
                self.public_url
            ));
        }
        if self.max_upload_bytes == 0 {
            return Err("MAX_UPLOAD_BYTES (--max-upload-bytes) must be at least 1".into());
        }
        if self.db_max_connections == 0 {
            return Err("DB_MAX_CONNECTIONS (--db-max-connections) must be at least 1".into());
        }
        for origin in &self.cors_origins {
            check_origin(origin.trim())
                .map_err(|why| format!("CORS_ORIGINS (--cors-origins): {origin:?} {why}"))?;
        }
        if self
            .metrics_token
            .as_ref()
            .is_some_and(|t| t.chars().count() < 16)
        {
            return Err("METRICS_TOKEN (--metrics-token) must be at least 16 characters".into());
        }
        Ok(())
    }
}

/// A log filter: comma-separated directives, each a level (`info`) or a target and a
/// level (`delivery_desk=debug`). tracing's own parser takes much that is not meant (an
/// unknown level turns into a target), so the shape is checked here first.
fn check_log_filter(filter: &str) -> Result<(), String> {
    const LEVELS: [&str; 6] = ["trace", "debug", "info", "warn", "error", "off"];
    let level = |l: &str| LEVELS.contains(&l.trim().to_ascii_lowercase().as_str());
    let target = |t: &str| {
        !t.is_empty()
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':' || c == '-')
    };
    for directive in filter.split(',').map(str::trim) {
        let ok = match directive.split_once('=') {
            None => level(directive),
            Some((t, l)) => target(t.trim()) && level(l),
        };
        if !ok {
            return Err(format!(
                "{directive:?} is not a level nor TARGET=LEVEL (levels: {}; e.g. `info` or \
                 `delivery_desk=debug,sea_orm=warn`)",
                LEVELS.join(", ")
            ));
        }
    }
    tracing_subscriber::EnvFilter::try_new(filter)
        .map(|_| ())
        .map_err(|e| format!("{filter:?}: {e}"))
}

/// An origin is a scheme, a host and an optional port: `https://portal.example.com:8443`.
fn check_origin(origin: &str) -> Result<(), &'static str> {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or("must start with http:// or https://")?;
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (rest, None),
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if !host_ok {
        return Err("is not an origin (scheme://host[:port], no path)");
    }
    if port.is_some_and(|p| p.parse::<u16>().is_err()) {
        return Err("has a bad port");
    }
    Ok(())
}

/// The development secret, created on first use (64 hex characters from the OS).
fn dev_secret() -> Result<String, String> {
    if let Ok(secret) = std::fs::read_to_string(DEV_SECRET_FILE) {
        return Ok(secret.trim().to_owned());
    }
    let mut bytes = [0u8; 32];
    use std::io::Read;
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| format!("cannot create a development JWT secret: {e}; set JWT_SECRET"))?;
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let path = std::path::Path::new(DEV_SECRET_FILE);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, &secret).map_err(|e| format!("cannot write {DEV_SECRET_FILE}: {e}"))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
    Ok(secret)
}

/// The pool's default size: [`pool_size_for`] this machine's cores.
pub fn default_db_connections() -> u32 {
    pool_size_for(std::thread::available_parallelism().map_or(2, |n| n.get()))
}

/// Four connections per core, 4 to 16. A request's statements cost PostgreSQL about what
/// the request costs this server, so more connections than a few per core only queue in
/// the database; and the driver hands idle connections out oldest first, so each extra
/// one is a colder backend on every round (measured in docs/benchmarks.md, "Plain
/// fields"). Never above 16, the old default, so that instances sharing a database ask
/// it for no more connections than before.
pub fn pool_size_for(cores: usize) -> u32 {
    u32::try_from(cores.saturating_mul(4))
        .unwrap_or(u32::MAX)
        .clamp(4, 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("delivery-desk").chain(args.iter().copied())).unwrap()
    }

    #[test]
    fn the_pool_is_four_connections_a_core_from_4_to_16() {
        let sizes: Vec<u32> = [0, 1, 2, 3, 4, 64, usize::MAX]
            .into_iter()
            .map(pool_size_for)
            .collect();
        assert_eq!(sizes, [4, 4, 8, 12, 16, 16, 16]);
        assert_eq!(
            parse(&[]).config.db_max_connections,
            default_db_connections()
        );
        assert_eq!(
            parse(&["--db-max-connections", "3"])
                .config
                .db_max_connections,
            3
        );
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

    #[test]
    fn log_filters_are_checked_at_start() {
        for good in [
            "info",
            "delivery_desk=debug,sea_orm=warn",
            "WARN",
            "tower_http=off",
        ] {
            assert!(check_log_filter(good).is_ok(), "{good}");
        }
        for bad in ["delivery_desk=loud", "verbose++", "", "info,", "=debug"] {
            assert!(check_log_filter(bad).is_err(), "{bad}");
        }
        let cli = parse(&["--log-level", "delivery_desk=loud"]);
        assert!(cli.config.validate().unwrap_err().contains("LOG_LEVEL"));
    }

    #[test]
    fn cors_origins_are_checked() {
        assert!(check_origin("https://portal.example.com").is_ok());
        assert!(check_origin("http://localhost:3000").is_ok());
        assert!(check_origin("portal.example.com").is_err());
        assert!(check_origin("https://portal.example.com/app").is_err());
        assert!(check_origin("https://x:99999").is_err());
        let cli = parse(&["--cors-origins", "https://a.example,https://b.example"]);
        assert_eq!(cli.config.cors_origins.len(), 2);
        assert!(cli.config.validate().is_ok());
        let bad = parse(&["--cors-origins", "a.example"]);
        assert!(bad.config.validate().unwrap_err().contains("CORS_ORIGINS"));
    }

    #[test]
    fn a_metrics_token_is_long_enough_to_guess_slowly() {
        let short = parse(&["--metrics-token", "fifteen chars.."]);
        assert!(
            short
                .config
                .validate()
                .unwrap_err()
                .contains("METRICS_TOKEN")
        );
        assert!(
            parse(&["--metrics-token", "sixteen chars..."])
                .config
                .validate()
                .is_ok()
        );
    }
}
