#!/usr/bin/env bash
# Routing decisions (SPEC §8, issue 11: under 1 µs each, sticky or not) and `route simulate`'s
# whole-process times (issue 11: --sessions 1000000 under 1 s; issue 15: -n 1000000 ≤ 100 ms).
#
# 1. In process (Benchmarks/RoutingBench): ns per decision for the plain weighted draw and for a
#    sticky session's first choice and whole ranking over 2 and 4 targets, median of ROUNDS rounds.
# 2. Whole process (hyperfine -N, RUNS runs after 3 warm-ups): route simulate -n and --sessions with
#    one million draws (2 targets, and 4 targets from a routes file), and --version for the start-up
#    alone; prints each command's median and mean wall time and its mean CPU time (user + system),
#    which a busy machine inflates less than the wall time.
#
# Usage: Benchmarks/routing.sh   (DECISIONS=1000000 ROUNDS=7 RUNS=30)
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
need hyperfine python3

swift build -c release --product apipodctl >/dev/null
swift build -c release --product apipod-routing-bench >/dev/null
BIN=$(realpath .build/release/apipodctl)

echo "== routing decisions, in process ($(git rev-parse --short HEAD))"
.build/release/apipod-routing-bench "${DECISIONS:-1000000}" "${ROUNDS:-7}"

cat > "$WORK/four.json" <<'JSON'
{ "aliases": { "four": { "targets": [
    { "model": "claude-sonnet-4-5", "weight": 20 }, { "model": "gemini-3-flash", "weight": 80 },
    { "model": "gemini-3-pro", "weight": 30 }, { "model": "deepseek-chat", "weight": 10 } ] } } }
JSON

echo
echo "== whole process, hyperfine -N, ${RUNS:-30} runs"
hyperfine -N --warmup 3 --runs "${RUNS:-30}" --style none --export-json "$WORK/times.json" \
    "$BIN route simulate -n 1000000 --seed 42" \
    "$BIN route simulate --sessions 1000000 --seed 42" \
    "$BIN route simulate --sessions 1000000 --seed 42 --routes $WORK/four.json --model four" \
    "$BIN --version" >/dev/null
python3 - "$WORK/times.json" "$BIN" <<'PY'
import json, sys
for result in json.load(open(sys.argv[1]))["results"]:
    command = result["command"].replace(sys.argv[2], "apipodctl").split(" --routes")[0]
    if "--routes" in result["command"]:
        command += " (4 targets)"
    cpu = (result["user"] + result["system"]) * 1000
    print(f"{command:68} median {result['median'] * 1000:7.1f} ms, mean {result['mean'] * 1000:7.1f} ms ± {result['stddev'] * 1000:5.1f}, CPU (user+sys) {cpu:6.1f} ms")
PY
