#!/usr/bin/env bash
# Sticky sessions keep nothing per session (SPEC §8: rendezvous hashing, no table): serve's RSS
# after N distinct X-Session-Id values (default 100,000) stays where it was after a warm-up of
# the same size with one session. Prints both figures and their difference.
#   swift build -c release && Benchmarks/sessions-rss.sh [BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
prepare_load
BINARY=${1:-.build/release/apipodctl}
SESSIONS=${SESSIONS:-100000}
UPSTREAM_PORT=18150 PROXY_PORT=18151
require_free_ports $UPSTREAM_PORT $PROXY_PORT

start_chat_upstream $UPSTREAM_PORT; STARTED_PIDS+=("$LAST_PID")
export DATABASE_PATH="$WORK/keys.db"
APIPOD_KEY=$("$BINARY" keys create --name bench --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')
export APIPOD_KEY
PORT=$PROXY_PORT ANTIGRAVITY_URL="http://127.0.0.1:$UPSTREAM_PORT" "$BINARY" serve 2>"$WORK/serve.log" &
SERVE=$!; STARTED_PIDS+=("$SERVE")
wait_port $PROXY_PORT

# wrk stops after its duration, not a count: run until SESSIONS requests have been made.
run_until() {
    local script=$1 done=0 out run=0
    while [ "$done" -lt "$SESSIONS" ]; do
        run=$((run + 1))
        out=$(RUN=$run wrk -t2 -c16 -d2s -s "$script" "http://127.0.0.1:$PROXY_PORT/v1/chat/completions")
        done=$((done + $(awk '/requests in/ {print $1}' <<<"$out")))
    done
    echo "$done"
}
warm=$(run_until Benchmarks/chat.lua)
before=$(rss_kb "$SERVE")
made=$(run_until Benchmarks/sessions.lua)
after=$(rss_kb "$SERVE")
echo "warm-up: $warm requests without a session; RSS ${before} KiB"
echo "then:    $made requests, each with a new X-Session-Id; RSS ${after} KiB ($((after - before)) KiB difference)"
