#!/usr/bin/env bash
# What a crash loses from usage accounting (SPEC §9: at most the last second). `serve` proxies
# a steady load (wrk) to an upstream that counts every answer it writes; after LOAD seconds serve
# is killed with SIGKILL in the middle of the load. Then the upstream's own count is compared with
# the requests and tokens `apipodctl usage` finds stored, and the loss is given in seconds of load.
# Usage: Benchmarks/usage-crash.sh [BINARY]   (default .build/release/apipodctl; LOAD=5 CONNECTIONS=16)
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
need wrk python3
LOAD=${LOAD:-5}
CONNECTIONS=${CONNECTIONS:-16}
require_free_ports 18140 18141

if [ $# -eq 0 ]; then
    swift build -c release --product apipodctl >/dev/null
    set -- .build/release/apipodctl
fi
BIN=$(realpath "$1")
python3 Benchmarks/usage_counting_upstream.py --port 18140 --counts "$WORK/answered" &
STARTED_PIDS+=($!)
export DATABASE_PATH="$WORK/usage.db"
APIPOD_KEY=$("$BIN" keys create --name crash 2>/dev/null)
export APIPOD_KEY
ANTIGRAVITY_URL=http://127.0.0.1:18140 "$BIN" serve --host 127.0.0.1 --port 18141 2>"$WORK/serve.log" &
SERVE=$!
STARTED_PIDS+=($SERVE)
wait_port 18140; wait_port 18141

wrk -t1 -c"$CONNECTIONS" -d"$((LOAD + 5))s" -s Benchmarks/chat.lua http://127.0.0.1:18141/v1/chat/completions >"$WORK/wrk.txt" 2>&1 &
WRK=$!
STARTED_PIDS+=($WRK)
sleep "$LOAD"
kill -9 "$SERVE"
killed_at=$(date +%s.%N)
wait "$SERVE" 2>/dev/null || true
sleep 0.5
answered=$(cat "$WORK/answered")
kill "$WRK" 2>/dev/null || true
wait "$WRK" 2>/dev/null || true

stored=$("$BIN" usage --since 1h --by model --json | python3 -c '
import json, sys
totals = json.load(sys.stdin)["totals"]
print(totals["requests"], totals["input_tokens"], totals["output_tokens"])')
read -r requests input output <<< "$stored"
python3 - "$answered" "$requests" "$input" "$output" "$LOAD" <<'PY'
import sys
answered, requests, input_tokens, output_tokens, load = (int(value) for value in sys.argv[1:])
rate = answered / load
lost = answered - requests
print(f"upstream answered {answered} requests in {load} s ({rate:.0f}/s) before serve was killed with SIGKILL")
print(f"stored: {requests} requests, {input_tokens} input and {output_tokens} output tokens "
      f"(the upstream's usage says {requests * 11} and {requests * 7} for that many)")
print(f"lost: {lost} requests = {lost / rate if rate else 0:.2f} s of load (the bound is 1 s, plus answers in flight)")
PY
