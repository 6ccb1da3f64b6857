#!/usr/bin/env bash
# How fast `apipodctl usage` reads a year of usage: generates a year of hourly buckets for
# KEYS keys × MODELS models (every key uses every model once a day, at an hour of its own:
# KEYS × MODELS × 365 rows) and the daily roll-ups serve would have written alongside, then
# times whole CLI runs (process start included), median of RUNS.
# Usage: Benchmarks/usage-query.sh [BINARY]   (default .build/release/apipodctl; KEYS=1000 MODELS=20 RUNS=5)
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
need sqlite3 python3
KEYS=${KEYS:-1000}
MODELS=${MODELS:-20}
RUNS=${RUNS:-5}
if [ $# -eq 0 ]; then
    swift build -c release --product apipodctl >/dev/null
    set -- .build/release/apipodctl
fi
BIN=$(realpath "$1")
export DATABASE_PATH="$WORK/usage.db"
"$BIN" db migrate >/dev/null
"$BIN" keys create --name first >/dev/null 2>&1
today=$(( $(date +%s) / 86400 * 86400 ))
start=$(( today - 364 * 86400 ))
generated=$( { /usr/bin/time -f %e sqlite3 "$DATABASE_PATH" <<SQL
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $KEYS * $MODELS * 365 - 1)
INSERT INTO usage_buckets (hour, key_id, model, requests, errors, input_tokens, output_tokens, cached_tokens, cost_usd)
SELECT $start + (i / ($KEYS * $MODELS)) * 86400 + ((i * 7) % 24) * 3600, 1 + i % $KEYS, 'model-' || ((i / $KEYS) % $MODELS),
       1 + i % 5, i % 3 = 0, 1000 + i % 997, 200 + i % 101, 500, 0.001 * (1 + i % 5) FROM n;
INSERT INTO usage_days_by_model SELECT hour - hour % 86400, model, sum(requests), sum(errors), sum(input_tokens),
       sum(output_tokens), sum(cached_tokens), sum(cost_usd) FROM usage_buckets GROUP BY 1, 2;
INSERT INTO usage_days_by_key SELECT hour - hour % 86400, key_id, sum(requests), sum(errors), sum(input_tokens),
       sum(output_tokens), sum(cached_tokens), sum(cost_usd) FROM usage_buckets GROUP BY 1, 2;
COMMIT;
SQL
} 2>&1 | tail -1)
rows=$(sqlite3 "$DATABASE_PATH" "SELECT count(*) FROM usage_buckets")
echo "generated $rows hourly buckets ($KEYS keys x $MODELS models x 365 days) in ${generated} s; database $(du -h "$DATABASE_PATH" | cut -f1)"

time_runs() {
    local label=$1; shift
    python3 - "$RUNS" "$BIN" "$@" <<'PY' | sed "s/^/$label: /"
import subprocess, sys, time
runs, command = int(sys.argv[1]), sys.argv[2:]
times = []
for _ in range(runs):
    started = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
    times.append((time.perf_counter() - started) * 1000)
times.sort()
lines = result.stdout.decode().count("\n")
print(f"median {times[len(times) // 2]:.0f} ms (min {times[0]:.0f}, max {times[-1]:.0f}) over {runs} runs, {lines} lines of output")
PY
}
time_runs "usage --by day --since 365d" usage --by day --since 365d
time_runs "usage --by model --since 365d --json" usage --by model --since 365d --json
time_runs "usage --by day --since 365d --key 1" usage --by day --since 365d --key 1
time_runs "usage --by key --since 30d" usage --by key --since 30d
time_runs "usage --by hour --since 1d (hourly table)" usage --by hour --since 1d
