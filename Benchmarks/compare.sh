#!/usr/bin/env bash
# Two builds of `apipodctl serve` side by side, loaded at the same time: for changes too small
# for proxy.sh's ratios to nginx, which swing by more than they do.
#
# Both proxies sit in front of the same upstream (nginx answering a fixed chat completion) and
# each gets its own wrk (-t1 -c$CONNECTIONS) over the same seconds, so whatever else the
# machine does hits both alike. Per round it prints each side's requests and CPU per request
# (user + system clock ticks of the process over its requests, and the user part alone) and
# B's ratios to A; then the
# medians. Run it once with the same binary on both sides to see the noise floor (in
# session 4: CPU ratios 0.98-1.02).
#
# Usage: Benchmarks/compare.sh BINARY_A BINARY_B   (ROUNDS=5 DURATION=4 CONNECTIONS=500)
#   ROUTES_A / ROUTES_B: a routes file for one side only, e.g. the same binary without and with
#   ROUTES_B=Benchmarks/routes-3x10x3.json (3 providers, 10 models, 3 aliases, all on the upstream).
#   e.g. git worktree add /tmp/base HEAD~1 && (cd /tmp/base && swift build -c release)
#        swift build -c release && Benchmarks/compare.sh /tmp/base/.build/release/apipodctl .build/release/apipodctl
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 BINARY_A BINARY_B" >&2; exit 64; }
A=$(realpath "$1")
B=$(realpath "$2")
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
prepare_load
require_free_ports 18120 18121 18122
ROUNDS=${ROUNDS:-5}
CONNECTIONS=${CONNECTIONS:-500}

start_chat_upstream 18120
export DATABASE_PATH="$WORK/keys.db"
APIPOD_KEY=$("$A" keys create --name compare 2>/dev/null)
export APIPOD_KEY
# Each side on its own copy of the database: a newer build migrates its schema, which an older
# build then refuses to open (its migrations are unknown to it).
cp "$WORK/keys.db" "$WORK/keys-b.db"
databases=("$WORK/keys.db" "$WORK/keys-b.db")
port=18121
routes=("${ROUTES_A:-}" "${ROUTES_B:-}")
side=0
for binary in "$A" "$B"; do
    DATABASE_PATH=${databases[$side]} ROUTES_FILE=${routes[$side]} ANTIGRAVITY_URL=http://127.0.0.1:18120 ANTIGRAVITY_KEY=upstream-key \
        BENCH_ALPHA_KEY=a BENCH_BETA_KEY=b BENCH_GAMMA_KEY=c "$binary" serve --host 127.0.0.1 --port $port 2>/dev/null &
    STARTED_PIDS+=($!)
    port=$((port + 1))
    side=$((side + 1))
done
PID_A=${STARTED_PIDS[1]}
PID_B=${STARTED_PIDS[2]}
wait_port 18120; wait_port 18121; wait_port 18122

echo "== A: $A${ROUTES_A:+ (ROUTES_FILE=$ROUTES_A)}"
echo "== B: $B${ROUTES_B:+ (ROUTES_FILE=$ROUTES_B)}"
echo "== POST /v1/chat/completions, wrk -t1 -c$CONNECTIONS -d${DURATION:-4}s against each, at the same time"
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
user_ticks() { awk '{print $14}' "/proc/$1/stat"; }
for round in $(seq 1 "$ROUNDS"); do
    before_a=$(ticks "$PID_A"); before_b=$(ticks "$PID_B")
    user_a=$(user_ticks "$PID_A"); user_b=$(user_ticks "$PID_B")
    wrk -t1 -c"$CONNECTIONS" -d"${DURATION:-4}"s -s Benchmarks/chat.lua http://127.0.0.1:18121/v1/chat/completions > "$WORK/a.out" &
    load_a=$!
    STARTED_PIDS+=($load_a)
    wrk -t1 -c"$CONNECTIONS" -d"${DURATION:-4}"s -s Benchmarks/chat.lua http://127.0.0.1:18122/v1/chat/completions > "$WORK/b.out"
    wait "$load_a"
    after_a=$(ticks "$PID_A"); after_b=$(ticks "$PID_B")
    user_a=$(($(user_ticks "$PID_A") - user_a)); user_b=$(($(user_ticks "$PID_B") - user_b))
    if grep -q "Non-2xx\|Socket errors" "$WORK/a.out" "$WORK/b.out"; then
        echo "round $round: errors:"; grep -h "Non-2xx\|Socket errors" "$WORK/a.out" "$WORK/b.out"
    fi
    requests_a=$(awk '/requests in/ {print $1}' "$WORK/a.out")
    requests_b=$(awk '/requests in/ {print $1}' "$WORK/b.out")
    if [ "${requests_a:-0}" -eq 0 ] || [ "${requests_b:-0}" -eq 0 ]; then
        echo "round $round: a side answered no request; see $WORK/a.out and $WORK/b.out" >&2
        exit 1
    fi
    awk -v na="$requests_a" -v nb="$requests_b" -v ca=$((after_a - before_a)) -v cb=$((after_b - before_b)) \
        -v sa="$user_a" -v sb="$user_b" -v r="$round" 'BEGIN {
        ua = ca * 10000 / na; ub = cb * 10000 / nb
        printf "round %d: A %8d requests %6.2f µs CPU each (user %5.1f) | B %8d requests %6.2f µs CPU each (user %5.1f) | B/A requests %.3f, CPU per request %.3f, user %.3f\n", r, na, ua, sa * 10000 / na, nb, ub, sb * 10000 / nb, nb / na, ub / ua, (sb / nb) / (sa / na)
    }' | tee -a "$WORK/rounds.txt"
done
python3 - "$WORK/rounds.txt" <<'PY'
import re, statistics, sys
rows = [re.findall(r"requests ([\d.]+), CPU per request ([\d.]+), user ([\d.]+)", line)[0] for line in open(sys.argv[1])]
print(f"median B/A: requests {statistics.median(float(r) for r, _, _ in rows):.3f}, "
      f"CPU per request {statistics.median(float(c) for _, c, _ in rows):.3f}, "
      f"user CPU per request {statistics.median(float(u) for _, _, u in rows):.3f} (below 1: B is cheaper)")
PY
