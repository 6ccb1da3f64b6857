#!/usr/bin/env bash
# The HTTP engine against nginx, side by side in one run on this machine:
#   1. a trivial 200 handler (Benchmarks/HelloServer) vs nginx `return 200` (2 workers),
#      wrk -t2 at 64 and 1000 connections, ROUNDS rounds alternating;
#   2. RSS with IDLE keep-alive connections held open (one request each, then idle).
# Usage: Benchmarks/engine.sh   (DURATION=10 ROUNDS=2 IDLE=10000 to change)
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
prepare_load
require_free_ports 18090 18091
ROUNDS=${ROUNDS:-2}
IDLE=${IDLE:-10000}

swift build -c release --product apipod-hello >/dev/null
start_nginx hello 2 'listen 127.0.0.1:18090 backlog=4096; location / { default_type text/plain; return 200 "Hello, World!"; }'
NGINX=$LAST_PID
.build/release/apipod-hello 18091 2 2>/dev/null &
OURS=$!
STARTED_PIDS+=($OURS)
wait_port 18090
wait_port 18091

echo "== trivial 200 response: wrk -t2 -d${DURATION:-10}s, nginx (2 workers) vs apipod-hello (2 loops)"
for connections in 64 1000; do
    for round in $(seq 1 "$ROUNDS"); do
        measure_wrk "nginx return 200" "$NGINX" http://127.0.0.1:18090/ "$connections"
        measure_wrk "apipod engine" "$OURS" http://127.0.0.1:18091/ "$connections"
    done
done
ratio_summary "apipod engine" "nginx return 200"

echo "== $IDLE idle keep-alive connections (one request each, then held)"
for entry in "nginx:$NGINX:18090" "apipod engine:$OURS:18091"; do
    IFS=: read -r label pid port <<< "$entry"
    before=$(rss_kb "$pid")
    python3 Benchmarks/hold_connections.py --port "$port" --count "$IDLE" --hold 3 > "$WORK/hold.out" &
    holder=$!
    STARTED_PIDS+=($holder)
    while ! grep -q ready "$WORK/hold.out" 2>/dev/null; do sleep 0.2; done
    during=$(rss_kb "$pid")
    wait "$holder" || true
    awk -v l="$label" -v b="$before" -v d="$during" -v n="$IDLE" -v h="$(cat "$WORK/hold.out")" \
        'BEGIN { printf "%-22s RSS before %7.1f MB, holding %7.1f MB: +%.2f KB per connection (%s)\n", l, b/1024, d/1024, (d-b)/n, h }'
done
