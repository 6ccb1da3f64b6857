#!/usr/bin/env bash
# Kill -9 loop: start `apipodctl serve` (release build), drive load with key writes (the CLI and
# the admin API) and proxied requests, kill -9 it at a random moment, RESTARTS times; after each
# kill the database passes PRAGMA integrity_check and holds every acknowledged key
# (Benchmarks/kill_loop.py). Prints the totals.
# Usage: Benchmarks/kill-loop.sh   (RESTARTS=200 SEED=1 to change)
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
need python3
require_free_ports 18131

swift build -c release --product apipodctl >/dev/null
BIN=.build/release/apipodctl
export DATABASE_PATH="$WORK/keys.db"
KEY=$($BIN keys create --name kill-loop 2>/dev/null)
python3 -u Benchmarks/kill_loop.py --binary "$BIN" --work "$WORK" --key "$KEY" \
    --restarts "${RESTARTS:-200}" --seed "${SEED:-1}" --port 18131
