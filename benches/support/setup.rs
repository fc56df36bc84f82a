//! What every benchmark reads from its environment, and the PostgreSQL database it runs in.
#![allow(dead_code, reason = "each benchmark uses the part it needs")]

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

/// `name` parsed, or `default` when unset or unreadable.
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// A comma-separated list of counts, e.g. `BENCH_CLIENTS=1,8,32`.
pub fn env_list(name: &str, default: &str) -> Vec<usize> {
    std::env::var(name)
        .unwrap_or_else(|_| default.into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

/// The `p` quantile (0..=1) of sorted samples, nearest rank; NaN when there are none.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// The PostgreSQL server to run on (`BENCH_DATABASE_URL`); SQLite when unset or empty.
pub fn postgres_server() -> Option<String> {
    std::env::var("BENCH_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// The URL of database `name` on `server` (a server URL, options kept). Without an
/// `sslmode`, `sslmode=disable`: our driver would otherwise choose TLS on loopback (its
/// default is `prefer`) and PostGraphile's driver would not, so that the two sides of a
/// comparison would not talk to PostgreSQL alike (OpenSSL was 8 % of PostgreSQL's CPU
/// under our dashboard).
pub fn database_url(server: &str, name: &str) -> String {
    let (path, query) = server.split_once('?').unwrap_or((server, ""));
    let base = path.rsplit_once('/').map_or(path, |(b, _)| b);
    let mut options: Vec<&str> = query.split('&').filter(|o| !o.is_empty()).collect();
    if !options.iter().any(|o| o.starts_with("sslmode=")) {
        options.push("sslmode=disable");
    }
    format!("{base}/{name}?{}", options.join("&"))
}

/// A database created for one run on the PostgreSQL server, dropped by [`Self::drop`].
pub struct PgDatabase {
    admin: DatabaseConnection,
    pub name: String,
    /// The URL of the new database.
    pub url: String,
}

impl PgDatabase {
    pub async fn create(server: &str, name: String) -> Self {
        let admin = Database::connect(server)
            .await
            .expect("BENCH_DATABASE_URL is reachable");
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("create database");
        Self {
            url: database_url(server, &name),
            admin,
            name,
        }
    }

    pub async fn drop(self) {
        let _ = self
            .admin
            .execute_unprepared(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .await;
    }
}
