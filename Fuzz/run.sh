#!/usr/bin/env bash
# Builds the HTTP parser fuzzer (libFuzzer + AddressSanitizer) from Fuzz/HTTPParserFuzz.swift and
# Sources/ApipodKit/HTTP/*.swift, seeds Fuzz/corpus/ with the test fixtures, and fuzzes for
# SECONDS (default 60). Crashing inputs land in Fuzz/artifacts/.
# Usage: Fuzz/run.sh [SECONDS] [extra libFuzzer flags…]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
binary=.build/fuzz/http-parser-fuzz
mkdir -p .build/fuzz Fuzz/corpus Fuzz/artifacts

swiftc -swift-version 6 -parse-as-library -sanitize=fuzzer,address -O \
    -module-name HTTPParserFuzz Fuzz/HTTPParserFuzz.swift Sources/ApipodKit/HTTP/*.swift -o "$binary"

seed() { printf '%b' "$2" > "Fuzz/corpus/seed-$1"; }
seed get 'GET /v1/models HTTP/1.1\r\nHost: localhost:8081\r\nAuthorization: Bearer apk_test\r\nAccept: */*\r\n\r\n'
seed post 'POST /v1/chat/completions HTTP/1.1\r\nHost: proxy\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"model":"cursor-pro-sonnet","stream":1}'
seed chunked 'POST /v1/messages HTTP/1.1\r\nHost: proxy\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\nA ; ext ; other="q"\r\n, world!!!\r\n0\r\nX-Checksum: 1\r\nX-Other: 2\r\n\r\n'
seed pipelined 'GET / HTTP/1.1\r\nHost: h\r\n\r\n\r\nGET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\nPOST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nok'
seed response-length 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}'
seed response-chunked 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\nf\r\ndata: {"a":1}\n\n\r\nf\r\ndata: {"b":2}\n\n\r\n0\r\n\r\n'
seed response-close 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nstreamed until the server closes'
seed response-empty 'HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\nHTTP/1.1 304 Not Modified\r\nETag: "x"\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'
seed response-continue 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </style.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'

# The Swift runtime's backtracer hangs under AddressSanitizer; libFuzzer reports crashes itself.
SWIFT_BACKTRACE=enable=no exec "$binary" Fuzz/corpus -max_total_time="$seconds" -artifact_prefix=Fuzz/artifacts/ -dict=Fuzz/http.dict -print_final_stats=1 "$@"
