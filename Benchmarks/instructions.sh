#!/usr/bin/env bash
# Instructions and simulated cache misses per request of the HTTP engine, counted by valgrind's
# callgrind: unlike req/s on this shared machine, the counts barely move between runs, so a
# change of a few percent shows. One loop of Benchmarks/HelloServer serves CONNECTIONS
# keep-alive connections from wrk; counting covers only the measured window. The caches are
# modelled on this machine's: 48 KiB L1d and a 1 MiB L2 per core (callgrind's "LL").
# Usage: Benchmarks/instructions.sh   (CONNECTIONS=500 SECONDS_COUNTED=8 TOP=25 to change;
#        KEEP=FILE keeps the profile for callgrind_annotate --tree=caller FILE)
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
prepare_load
need valgrind callgrind_control callgrind_annotate
CONNECTIONS=${CONNECTIONS:-500}
SECONDS_COUNTED=${SECONDS_COUNTED:-8}
TOP=${TOP:-25}
PORT=${PORT:-18097}
require_free_ports "$PORT"

swift build -c release --product apipod-hello >/dev/null
valgrind --tool=callgrind --instr-atstart=no --cache-sim=yes --D1=49152,12,64 --LL=1048576,16,64 \
    --callgrind-out-file="$WORK/callgrind.out" .build/release/apipod-hello "$PORT" 1 2>"$WORK/valgrind.log" &
SERVER=$!
STARTED_PIDS+=($SERVER)
wait_port "$PORT"
# Warm up: the first requests fault in code and grow the loop's tables.
wrk -t2 -c"$CONNECTIONS" -d2s "http://127.0.0.1:$PORT/" >/dev/null
callgrind_control -i on "$SERVER" >/dev/null 2>&1
requests=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_COUNTED}s" "http://127.0.0.1:$PORT/" | awk '/requests in/ {print $1}')
callgrind_control -i off "$SERVER" >/dev/null 2>&1
callgrind_control -d "$SERVER" >/dev/null 2>&1
sleep 1
[ -n "${KEEP:-}" ] && cp "$WORK"/callgrind.out.* "$KEEP"
echo "== apipod-hello, 1 loop, wrk -c$CONNECTIONS, $requests requests counted (each wrk run also opens and closes $CONNECTIONS connections)"
python3 Benchmarks/callgrind_report.py "$WORK"/callgrind.out.* "$requests" "$TOP"
