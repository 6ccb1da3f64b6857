#!/usr/bin/env bash
# Memory of the limiter state for 10,000 keys with limits (issue 12's target: under 2 MB).
# First exactly: Benchmarks/LimiterMemory, built against the release ApipodKit, makes and uses
# the limiters of KEYS keys and reports the heap they take (glibc's mallinfo2). Then as `serve`
# holds them: `serve` on a database of KEYS keys that each carry rpm, concurrency and a daily quota of 0
# (so every request is refused by the quota and no upstream is needed). After a warm-up of as
# many requests with one key (buffers, code, SQLite's page cache), each key makes one request:
# its record is loaded, its KeyLimiter made and checked. The growth of the resident set is an
# upper bound of the limiter state: it also holds the authenticator's cache entries (the
# digest and record of each key), which exist with or without limits.
# Usage: Benchmarks/limiter-memory.sh   (KEYS=10000 to change)
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
need python3
KEYS=${KEYS:-10000}
require_free_ports 18141
swift build -c release --product apipodctl >/dev/null
binary=$(realpath .build/release/apipodctl)
swiftc -O -import-objc-header Benchmarks/LimiterMemory/malloc.h -I .build/release/Modules -I Sources/CSystem \
    Benchmarks/LimiterMemory/main.swift .build/release/ApipodKit.build/*.o -lsqlite3 -o "$WORK/limiter-memory"
echo "== KeyLimiters alone"
"$WORK/limiter-memory" "$KEYS"

export DATABASE_PATH="$WORK/keys.db"
"$binary" db migrate >/dev/null
python3 - "$DATABASE_PATH" "$KEYS" "$WORK/keys.txt" <<'PY'
import base64, hashlib, os, sqlite3, sys, time
path, count, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
db = sqlite3.connect(path)
keys = []
for i in range(count):
    key = "apk_" + base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
    keys.append(key)
    db.execute("INSERT INTO api_keys (key_digest, display_prefix, name, tier, active, created_at, rpm, concurrency, daily_tokens) "
               "VALUES (?, ?, ?, 'elite', 1, ?, 600, 4, 0)", (hashlib.sha256(key.encode()).digest(), key[:12], f"k{i}", int(time.time())))
db.commit()
open(out, "w").write("\n".join(keys))
PY
"$binary" serve --host 127.0.0.1 --port 18141 2>"$WORK/serve.log" &
server=$!
STARTED_PIDS+=($server)
wait_port 18141
send() {
    python3 - "$1" "$2" <<'PY'
import http.client, sys
keys = open(sys.argv[1]).read().split("\n")
keys = keys[:1] * len(keys) if sys.argv[2] == "one" else keys
connection = http.client.HTTPConnection("127.0.0.1", 18141)
refused = 0
for key in keys:
    connection.request("POST", "/v1/chat/completions", body=b'{"model":"m"}',
                       headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    refused += response.status == 429
print(refused)
PY
}
refused=$(send "$WORK/keys.txt" one)
before=$(rss_kb "$server")
refused_all=$(send "$WORK/keys.txt" all)
after=$(rss_kb "$server")
echo "== serve, $KEYS keys with rpm 600, concurrency 4, daily_tokens 0"
echo "warm-up: $refused requests with one key refused 429; resident $before KiB"
echo "one request per key: $refused_all refused 429 by their quota; resident $after KiB"
echo "growth for $KEYS keys (limiter state, the key cache's entries, SQLite's page cache): $((after - before)) KiB"
