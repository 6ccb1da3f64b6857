#!/usr/bin/env bash
# Soak test of faults: `apipodctl serve` (release build) in front of a mock upstream, ROUNDS rounds
# of garbage, cut heads and bodies, smuggling attempts, wrong keys, clients hanging up and
# upstreams dying mid-stream, mixed with good requests (Benchmarks/soak.py); prints serve's open
# descriptors and RSS before and after, good requests answered/failed, and what is left open
# at the upstream.
# Usage: Benchmarks/soak.sh   (ROUNDS=100000 CONCURRENCY=32 SEED=1 to change)
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
need python3
require_free_ports 18121

swift build -c release --product apipodctl >/dev/null
BIN=.build/release/apipodctl
export DATABASE_PATH="$WORK/keys.db"
KEY=$($BIN keys create --name soak 2>/dev/null)
python3 -u Benchmarks/soak.py --binary "$BIN" --work "$WORK" --key "$KEY" \
    --rounds "${ROUNDS:-100000}" --concurrency "${CONCURRENCY:-32}" --seed "${SEED:-1}" --port 18121
