#!/usr/bin/env bash
# Instructions and simulated cache misses per proxied request, counted by valgrind's callgrind
# (as instructions.sh does for the engine): `serve` in front of nginx answering a fixed chat
# completion, loaded by wrk with Benchmarks/chat.lua (the alias model, a client key). The
# counts barely move between runs where req/s and CPU time swing with the machine's load, so
# a change on the request path shows even on a busy host. The headline figure has the cost of
# an idle window as long as the loaded one taken off (timers, the usage writer's flushes). Give two binaries to compare them,
# one after the other under the same load.
# CONNECTIONS=1 gives the steadiest count (runs of one binary within 0.3k); at 50 it moves 2-4k
# with how many requests each loop pass batches, which valgrind's slowdown varies.
# Usage: Benchmarks/proxy-instructions.sh [BINARY...]   (default .build/release/apipodctl;
#        CONNECTIONS=50 SECONDS_COUNTED=6 TOP=25 to change; KEY_OPTIONS="--rpm 10000000
#        --concurrency 1000 --daily-tokens 1000000000000" gives the key limits that all pass;
#        KEEP=DIR keeps each binary's callgrind output there, for callgrind_annotate --tree=caller)
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
prepare_load
need valgrind callgrind_control callgrind_annotate
CONNECTIONS=${CONNECTIONS:-50}
SECONDS_COUNTED=${SECONDS_COUNTED:-6}
TOP=${TOP:-25}
require_free_ports 18130 18131

if [ $# -eq 0 ]; then
    swift build -c release --product apipodctl >/dev/null
    set -- .build/release/apipodctl
fi
start_chat_upstream 18130
wait_port 18130
for binary in "$@"; do
    binary=$(realpath "$binary")
    export DATABASE_PATH="$WORK/keys-$RANDOM.db"
    # shellcheck disable=SC2086 # KEY_OPTIONS is a list of words
    APIPOD_KEY=$("$binary" keys create --name bench ${KEY_OPTIONS:-} 2>/dev/null)
    export APIPOD_KEY
    ANTIGRAVITY_URL=http://127.0.0.1:18130 ANTIGRAVITY_KEY=upstream-key valgrind --tool=callgrind --instr-atstart=no \
        --cache-sim=yes --D1=49152,12,64 --LL=1048576,16,64 --callgrind-out-file="$WORK/proxy.out" \
        "$binary" serve --host 127.0.0.1 --port 18131 2>"$WORK/valgrind.log" &
    server=$!
    STARTED_PIDS+=($server)
    wait_port 18131
    # Warm up: the first requests fault in code, fill the key cache and the upstream pool.
    wrk -t1 -c"$CONNECTIONS" -d2s -s Benchmarks/chat.lua http://127.0.0.1:18131/v1/chat/completions >/dev/null
    callgrind_control -i on "$server" >/dev/null 2>&1
    requests=$(wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_COUNTED}s" -s Benchmarks/chat.lua http://127.0.0.1:18131/v1/chat/completions \
        | awk '/requests in/ {print $1}')
    callgrind_control -i off "$server" >/dev/null 2>&1
    callgrind_control -d "$server" >/dev/null 2>&1
    # The same time again without load: what the timers and the usage writer cost anyway, taken
    # off the total, so runs that proxied different numbers of requests compare.
    callgrind_control -i on "$server" >/dev/null 2>&1
    sleep "$SECONDS_COUNTED"
    callgrind_control -i off "$server" >/dev/null 2>&1
    callgrind_control -d "$server" >/dev/null 2>&1
    sleep 1
    echo "== $binary serve${KEY_OPTIONS:+ (key: $KEY_OPTIONS)}, wrk -c$CONNECTIONS, $requests proxied requests counted"
    python3 Benchmarks/callgrind_report.py "$WORK"/proxy.out.1 "$requests" "$TOP" "$WORK"/proxy.out.2
    kill "$server"
    wait "$server" 2>/dev/null || true
    if [ -n "${KEEP:-}" ]; then
        mkdir -p "$KEEP"
        for out in "$WORK"/proxy.out.*; do cp "$out" "$KEEP/$(basename "$binary").$(basename "$out")"; done
        echo "callgrind output kept in $KEEP"
    fi
    rm -f "$WORK"/proxy.out*
done
