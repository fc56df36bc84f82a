#!/usr/bin/env bash
# One-time set-up of a development or CI machine (Debian/Ubuntu):
#  - makes sure PostgreSQL runs on 127.0.0.1:5432 and accepts the `postgres` user
#    without a password from localhost (the test suite's second database engine);
#  - installs Chromium and Node.js (Debian packages) and the browser tests' one npm
#    package (playwright-core, pinned in tests/browser/package-lock.json), for the
#    headless-browser checks of GraphiQL and the live board;
#  - builds the workspace and its tests.
# Safe to run again: it only installs or starts what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo is missing: install Rust from https://rustup.rs (rustup default stable), then run this again." >&2
  exit 1
fi

pg_ready() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; }

if ! pg_ready; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    say "installing PostgreSQL"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    hba=/etc/postgresql/$version/main/pg_hba.conf
    # Local development only: trust the loopback interface, as the test URL has no password.
    as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  say "starting PostgreSQL $version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || as_root pg_ctlcluster "$version" main start
  for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
fi
pg_ready || { echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }
psql -h 127.0.0.1 -U postgres -d postgres -tAc 'SELECT 1' >/dev/null \
  || { echo "PostgreSQL refuses user postgres on 127.0.0.1 without a password (see pg_hba.conf)" >&2; exit 1; }
say "PostgreSQL ready on 127.0.0.1:5432"

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
say "installing the browser tests' npm package"
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)

say "building (a clean build takes a few minutes)"
cargo build --workspace --all-targets
say "done: run the server with 'cargo run --release', the tests with 'cargo test --workspace'"
