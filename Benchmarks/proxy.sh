#!/usr/bin/env bash
# apipodctl serve against nginx proxy_pass, side by side in one run, both in front of the same
# upstream (nginx answering a fixed chat completion):
#   1. throughput, wrk -t2 at 64 and 1000 connections: straight to the upstream, through nginx
#      proxy_pass (2 workers, keep-alive pool, buffering off), through apipodctl (auth + routing
#      + model rewrite on every request);
#   2. added latency at one request at a time (wrk -c1): p50/p99 of each path;
#   3. streaming, memory per stream and a 1 MB body: Benchmarks/streams.py.
# Usage: Benchmarks/proxy.sh   (DURATION=10 ROUNDS=2 STREAMS="1000 10000" to change)
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
prepare_load
require_free_ports 18100 18101 18102
ROUNDS=${ROUNDS:-2}

swift build -c release --product apipodctl >/dev/null
BIN=.build/release/apipodctl
start_chat_upstream 18100
UPSTREAM=$LAST_PID
start_nginx proxy 2 'listen 127.0.0.1:18101 backlog=4096; location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; }' \
    'upstream backend { server 127.0.0.1:18100; keepalive 256; }'
NGINX=$LAST_PID
export DATABASE_PATH="$WORK/keys.db"
APIPOD_KEY=$($BIN keys create --name bench 2>/dev/null)
export APIPOD_KEY
ANTIGRAVITY_URL=http://127.0.0.1:18100 ANTIGRAVITY_KEY=upstream-key $BIN serve --host 127.0.0.1 --port 18102 2>"$WORK/serve.log" &
OURS=$!
STARTED_PIDS+=($OURS)
wait_port 18100; wait_port 18101; wait_port 18102

echo "== throughput: POST /v1/chat/completions (small body), wrk -t2 -d${DURATION:-10}s"
for connections in 64 1000; do
    for round in $(seq 1 "$ROUNDS"); do
        measure_wrk "upstream direct" "$UPSTREAM" http://127.0.0.1:18100/v1/chat/completions "$connections" -s Benchmarks/chat.lua
        measure_wrk "nginx proxy_pass" "$NGINX" http://127.0.0.1:18101/v1/chat/completions "$connections" -s Benchmarks/chat.lua
        measure_wrk "apipodctl serve" "$OURS" http://127.0.0.1:18102/v1/chat/completions "$connections" -s Benchmarks/chat.lua
    done
done
ratio_summary "apipodctl serve" "nginx proxy_pass"

echo "== latency, one request at a time (wrk -t1 -c1 -d5s)"
for entry in "upstream direct:18100:$UPSTREAM" "nginx proxy_pass:18101:$NGINX" "apipodctl serve:18102:$OURS"; do
    IFS=: read -r label port pid <<< "$entry"
    if [ "$port" = 18102 ]; then scrape_metrics 18102 > "$WORK/metrics-before"; fi
    THREADS=1 DURATION=5 measure_wrk "$label" "$pid" "http://127.0.0.1:$port/v1/chat/completions" 1 -s Benchmarks/chat.lua
    if [ "$port" = 18102 ]; then scrape_metrics 18102 > "$WORK/metrics-after"; fi
done
# What serve's own overhead histogram says of the same requests, to set beside wrk's p50s above
# (through apipodctl minus upstream direct).
python3 Benchmarks/metrics.py --between "$WORK/metrics-before" "$WORK/metrics-after"
echo "serve log: $(grep -c ' 200 ' "$WORK/serve.log") requests answered 200, $(grep -vc ' 200 \|apipodctl serve:' "$WORK/serve.log") others; first others:"
grep -v ' 200 \|apipodctl serve:' "$WORK/serve.log" | head -3 || true

python3 -u Benchmarks/streams.py --binary "$BIN" --work "$WORK" --streams "${STREAMS:-1000 10000}"
