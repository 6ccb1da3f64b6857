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
python3 - "$WORK"/callgrind.out.* "$requests" "$TOP" <<'PY'
import re, subprocess, sys
path, requests, top = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
text = subprocess.run(["callgrind_annotate", "--threshold=100", path], capture_output=True, text=True).stdout
events, rows = None, []
for line in text.splitlines():
    if line.startswith("Events shown:"):
        events = line.split(":", 1)[1].split()
        continue
    if events is None or not re.match(r"^\s*[\d,]+\s", line):
        continue
    fields = re.sub(r"\(\s*[\d.]+%\)", "", line).split()
    try:
        counts = dict(zip(events, (0 if f == "." else int(f.replace(",", "")) for f in fields[:len(events)])))
    except ValueError:
        continue
    rows.append((counts, " ".join(fields[len(events):])))
def misses(counts, level):
    return (counts.get(level + "mr", 0) + counts.get(level + "mw", 0)) / requests
total = rows[0][0]
print(f"per request: {total['Ir'] / requests:,.0f} instructions, {misses(total, 'D1'):.1f} L1d misses, {misses(total, 'DL'):.1f} L2 misses")
names = [name.split(":", 1)[-1].split(" [")[0] for _, name in rows[1:top + 1]]
plain = subprocess.run(["swift", "demangle", "--simplified", "--compact"], input="\n".join(names),
                       capture_output=True, text=True).stdout.splitlines()
print(f"{'instr':>7} {'L1d':>5} {'L2':>5}  function (self cost per request)")
for (counts, _), name in zip(rows[1:top + 1], plain):
    print(f"{counts['Ir'] / requests:7.0f} {misses(counts, 'D1'):5.2f} {misses(counts, 'DL'):5.2f}  {name[:110]}")
PY
