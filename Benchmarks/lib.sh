# Shared helpers for the benchmark scripts (sourced, not run).
# Every process a script starts is recorded and stopped by its own PID on exit.

STARTED_PIDS=()
WORK=$(mktemp -d /tmp/apipod-bench.XXXXXX)
cleanup() {
    for pid in "${STARTED_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

need() {
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y $tool" >&2; exit 69; }
    done
}

# prepare_load: the tools every load script needs, and as many descriptors as the machine allows.
prepare_load() {
    need wrk nginx python3
    ulimit -n "$(ulimit -Hn)"
}

# start_chat_upstream PORT: an nginx of one worker answering every request with the same short
# chat completion, the upstream the proxy benchmarks put behind apipodctl and nginx alike; its
# PID is left in $LAST_PID.
start_chat_upstream() {
    local answer='{"id":"chatcmpl-1","object":"chat.completion","created":0,"model":"gemini-3-flash","choices":[{"index":0,"message":{"role":"assistant","content":"Hello there!"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}}'
    start_nginx upstream 1 "listen 127.0.0.1:$1 backlog=4096; location / { default_type application/json; return 200 '$answer'; }"
}

# require_free_ports PORT...: stops the script if anything already listens on one of them, since
# wait_port would then take that other server for ours and the figures would be of it.
require_free_ports() {
    for port in "$@"; do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "port $port is already in use by another process: stop it first" >&2
            exit 69
        fi
    done
}

# wait_port PORT: until something accepts on 127.0.0.1:PORT (at most 10 s).
wait_port() {
    for _ in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing listens on port $1" >&2
    exit 69
}

# start_nginx NAME WORKERS SERVER_BLOCK [HTTP_EXTRA]: an nginx of our own in $WORK/NAME;
# its PID is left in $LAST_PID (not printed: a $(...) subshell would run the EXIT trap).
start_nginx() {
    local dir="$WORK/$1"
    mkdir -p "$dir/logs"
    cat > "$dir/nginx.conf" <<CONF
worker_processes $2;
worker_rlimit_nofile 65536;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
daemon off;
events { worker_connections 32768; multi_accept on; }
http {
    access_log off;
    keepalive_timeout 300s;
    keepalive_requests 1000000;
    client_body_temp_path $dir/body; proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fcgi; uwsgi_temp_path $dir/uwsgi; scgi_temp_path $dir/scgi;
    client_max_body_size 20m;
    ${4:-}
    server { $3 }
}
CONF
    nginx -p "$dir" -c "$dir/nginx.conf" &
    LAST_PID=$!
    STARTED_PIDS+=($LAST_PID)
}

# cpu_ticks PID: user+system clock ticks of PID and its children (nginx workers).
cpu_ticks() {
    local total=0 pid
    for pid in "$1" $(pgrep -P "$1" || true); do
        [ -r "/proc/$pid/stat" ] || continue
        total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
    done
    echo "$total"
}

# rss_kb PID: resident memory of PID and its children, in KiB.
rss_kb() {
    local total=0 pid
    for pid in "$1" $(pgrep -P "$1" || true); do
        [ -r "/proc/$pid/status" ] || continue
        total=$((total + $(awk '/VmRSS/ {print $2}' "/proc/$pid/status")))
    done
    echo "$total"
}

# scrape_metrics PORT: the text of GET /metrics from a serve on 127.0.0.1:PORT.
scrape_metrics() {
    python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics").read().decode())' "$1"
}

# measure_wrk LABEL PID URL CONNECTIONS [WRK_ARGS...]: one wrk run; prints a table row
# "label c req/s p50 p99 cpu-µs/req".
measure_wrk() {
    local label=$1 pid=$2 url=$3 connections=$4
    shift 4
    local before after out rps p50 p99 ticks
    before=$(cpu_ticks "$pid")
    out=$(wrk -t"${THREADS:-2}" -c"$connections" -d"${DURATION:-10}"s --latency "$@" "$url")
    after=$(cpu_ticks "$pid")
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
    p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
    ticks=$((after - before))
    printf '%s\t%s\t%s\n' "$label" "$connections" "$rps" >> "$WORK/results.tsv"
    local requests
    requests=$(echo "$out" | awk '/requests in/ {print $1}')
    local errors
    errors=$(echo "$out" | awk '/Non-2xx|Socket errors/ {printf "%s ", $0}')
    awk -v l="$label" -v c="$connections" -v r="$rps" -v a="$p50" -v b="$p99" -v t="$ticks" -v n="$requests" -v e="$errors" \
        'BEGIN { printf "%-22s c=%-5s %10.0f req/s  p50 %-8s p99 %-8s cpu %6.1f µs/req %s\n", l, c, r, a, b, (n > 0 ? t * 10000 / n : 0), e }'
}

# ratio_summary OURS REFERENCE: for each connection count measured so far, the req/s of OURS
# over REFERENCE round by round (each round runs both back to back), and the median of those
# ratios. On a shared, noisy machine the median of paired rounds is the figure to quote.
ratio_summary() {
    python3 - "$WORK/results.tsv" "$1" "$2" <<'PY'
import statistics, sys
path, ours, reference = sys.argv[1:4]
runs = {}
for line in open(path):
    label, connections, rps = line.rstrip("\n").split("\t")
    runs.setdefault((label, connections), []).append(float(rps or 0))
for connections in sorted({c for _, c in runs}, key=int):
    pairs = zip(runs.get((ours, connections), []), runs.get((reference, connections), []))
    ratios = [a / b for a, b in pairs if b > 0]
    if ratios:
        rounds = " ".join(f"{r:.2f}" for r in ratios)
        print(f"{ours} / {reference}, c={connections}: rounds {rounds}; median {statistics.median(ratios):.2f}")
PY
}
