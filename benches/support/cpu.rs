//! CPU time spent by each side of a benchmark, read from `/proc` (Linux).
//!
//! Each thread's and process's `schedstat` gives the nanoseconds it has run on a CPU, so
//! a difference of two readings is the CPU a side spent between them, whatever the
//! number of cores. The benchmark process is split by thread name: the server runs on its
//! own runtime (threads named [`SERVER_THREADS`], plus the request executor's unnamed
//! threads), the load generator on tokio's default-named workers, and SQLite's driver on
//! `sqlx-sqlite-worker-*` threads (SQLite's work is done there). Another process (a
//! PostgreSQL backend, a peer server) is read whole, all its threads.

#![allow(dead_code, reason = "each benchmark uses the part it needs")]

use std::{fs, path::Path};

/// The name of the benchmarked server's runtime threads.
pub const SERVER_THREADS: &str = "dd-server";

/// CPU nanoseconds of one side, by where they were spent.
#[derive(Clone, Copy, Debug, Default)]
pub struct Reading {
    /// Threads of this process that serve requests (ours and the hand-written twin).
    pub server: u64,
    /// SQLite's driver threads in this process.
    pub sqlite: u64,
    /// PostgreSQL backends connected to the benchmark's database.
    pub postgres: u64,
    /// The peer server's process (PostGraphile), when there is one.
    pub peer: u64,
}

impl Reading {
    /// CPU spent from `before` to `self`.
    pub fn since(&self, before: &Reading) -> Reading {
        Reading {
            server: self.server.saturating_sub(before.server),
            sqlite: self.sqlite.saturating_sub(before.sqlite),
            postgres: self.postgres.saturating_sub(before.postgres),
            peer: self.peer.saturating_sub(before.peer),
        }
    }

    pub fn add(&mut self, more: Reading) {
        self.server += more.server;
        self.sqlite += more.sqlite;
        self.postgres += more.postgres;
        self.peer += more.peer;
    }
}

/// Reads the CPU counters now. `database` names the PostgreSQL database whose backends
/// count (None on SQLite); `peer` is the peer server's process id.
pub fn read(database: Option<&str>, peer: Option<u32>) -> Reading {
    let mut r = Reading::default();
    let me = std::process::id().to_string();
    for task in entries("/proc/self/task") {
        let Some(tid) = task.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
            continue;
        };
        let comm = fs::read_to_string(task.join("comm")).unwrap_or_default();
        let comm = comm.trim_end();
        let ns = run_ns(&task);
        if comm.starts_with("sqlx-sqlite") {
            r.sqlite += ns;
        } else if comm.starts_with(SERVER_THREADS) || (tid != me && !comm.starts_with("tokio-")) {
            // The executor's threads are unnamed and carry the program's name; tokio's
            // default-named workers are the load generator's, the main thread waits.
            r.server += ns;
        }
    }
    if let Some(name) = database {
        for proc in entries("/proc") {
            let is_pid = proc
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()));
            if !is_pid {
                continue;
            }
            // A backend's command line is "postgres: [<cluster>:] <user> <database> <client>
            // <state>" (Debian's clusters put their name first).
            let cmdline = fs::read(proc.join("cmdline")).unwrap_or_default();
            let cmdline = String::from_utf8_lossy(&cmdline);
            if cmdline.starts_with("postgres: ") && cmdline.split_whitespace().any(|w| w == name) {
                r.postgres += run_ns(&proc);
            }
        }
    }
    if let Some(pid) = peer {
        r.peer = process_ns(&pid.to_string());
    }
    r
}

/// Nanoseconds all threads of process `pid` (`"self"` for this one) have run on a CPU.
pub fn process_ns(pid: &str) -> u64 {
    entries(&format!("/proc/{pid}/task"))
        .iter()
        .map(|task| run_ns(task))
        .sum()
}

fn entries(dir: &str) -> Vec<std::path::PathBuf> {
    fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default()
}

/// Nanoseconds a thread (or a single-threaded process) has run on a CPU.
fn run_ns(path: &Path) -> u64 {
    fs::read_to_string(path.join("schedstat"))
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}
