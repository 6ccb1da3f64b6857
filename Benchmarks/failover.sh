#!/usr/bin/env bash
# What one failover costs (issue 11's target: no more than one upstream round trip plus 0.2 ms
# per attempt). Two nginx upstreams on loopback: `good` answers a chat completion, `bad` answers
# 503 at once (with `Retry-After: 0`, so the provider never cools down and every request really
# fails over). One apipodctl serve with a routes file where model `direct` goes to `good` and
# model `failover` goes to `bad` with `direct` as its fallback.
#
# Sequential keep-alive requests (failover_client.py) measure, by median and 90th percentile:
#   rtt       client -> good directly: one upstream round trip;
#   direct    client -> proxy -> good;
#   failover  client -> proxy -> bad (503) -> good.
# and prints failover - direct beside rtt + 0.2 ms.
#
# Usage: Benchmarks/failover.sh [BINARY]   (default .build/release/apipodctl; REQUESTS=5000)
set -euo pipefail
BINARY=$(realpath "${1:-.build/release/apipodctl}")
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
need nginx python3
require_free_ports 18130 18131 18132

answer='{"id":"chatcmpl-1","object":"chat.completion","created":0,"model":"direct","choices":[{"index":0,"message":{"role":"assistant","content":"Hello there!"},"finish_reason":"stop"}]}'
start_nginx good 1 "listen 127.0.0.1:18130; location / { default_type application/json; return 200 '$answer'; }"
start_nginx bad 1 "listen 127.0.0.1:18131; location / { add_header Retry-After 0 always; default_type application/json; return 503 '{\"error\":\"overloaded\"}'; }"
cat > "$WORK/routes.json" <<JSON
{ "providers": { "good": { "url": "http://127.0.0.1:18130" }, "bad": { "url": "http://127.0.0.1:18131" } },
  "models": { "direct": { "provider": "good" }, "failover": { "provider": "bad", "fallback": ["direct"] } } }
JSON
export DATABASE_PATH="$WORK/keys.db"
APIPOD_KEY=$("$BINARY" keys create --name failover 2>/dev/null)
export APIPOD_KEY
ROUTES_FILE="$WORK/routes.json" "$BINARY" serve --host 127.0.0.1 --port 18132 2>/dev/null &
STARTED_PIDS+=($!)
wait_port 18130; wait_port 18131; wait_port 18132

echo "== $BINARY, ${REQUESTS:-5000} sequential keep-alive requests per case"
python3 Benchmarks/failover_client.py --requests "${REQUESTS:-5000}"
