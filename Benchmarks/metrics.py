#!/usr/bin/env python3
"""What `GET /metrics` costs, and whether its overhead histogram tells the truth (issue 13).

    python3 Benchmarks/metrics.py --binary .build/release/apipodctl [--models 40] [--scrapes 1000] [--requests 2000]
    python3 Benchmarks/metrics.py --between BEFORE AFTER   (two saved scrapes; what proxy.sh uses)

1. Series: requests for --models different model names through `serve` (each passes through to
   the mock upstream) give series by route, code and model, attempts by provider, model and
   outcome, and tokens by model and kind, beside the histograms. Prints how many samples a
   scrape holds.
2. Scrape cost: --scrapes scrapes on one keep-alive connection, back to back; the server's CPU
   (user + system ticks from /proc) over them, less its CPU over as long a quiet spell, per scrape.
3. Overhead: --requests sequential chat requests, alternately straight to the upstream and through
   `serve`; the median added latency the client sees (through minus straight) beside the median
   of `apipod_proxy_overhead_seconds` over the same requests (linear within its bucket).

Everything runs on 127.0.0.1 and stops by itself; the processes it starts are stopped by PID.
"""
import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

UPSTREAM_PORT = 18130
PROXY_PORT = 18131
HERE = os.path.dirname(os.path.abspath(__file__))


def ticks(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def wait_port(port):
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).connect()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"nothing listens on port {port}")


def chat(connection, model, key=None):
    body = json.dumps({"model": model, "messages": [{"role": "user", "content": "hi"}]})
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    connection.request("POST", "/v1/chat/completions", body=body, headers=headers)
    answer = connection.getresponse()
    answer.read()
    return answer.status


def scrape(connection):
    connection.request("GET", "/metrics")
    answer = connection.getresponse()
    text = answer.read().decode()
    assert answer.status == 200, answer.status
    return text


def histogram(text, name):
    """Cumulative bucket counts of one unlabelled histogram: [(upper bound, count)]."""
    buckets = []
    for line in text.splitlines():
        if line.startswith(name + "_bucket{"):
            bound = line.split('le="', 1)[1].split('"', 1)[0]
            buckets.append((float("inf") if bound == "+Inf" else float(bound), int(float(line.rsplit(" ", 1)[1]))))
    return buckets


def median_of(before, after):
    """The median of the observations between two scrapes, linear within its bucket."""
    counts = [(bound, end - start) for (bound, end), (_, start) in zip(after, before)]
    total = counts[-1][1]
    half = total / 2
    lower, below = 0.0, 0
    for bound, cumulative in counts:
        if cumulative >= half:
            inside = cumulative - below
            return lower + (bound - lower) * ((half - below) / inside if inside else 0)
        lower, below = bound, cumulative
    return lower


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary")
    parser.add_argument("--between", nargs=2, metavar=("BEFORE", "AFTER"),
                        help="print the overhead histogram's median between two saved scrapes, and stop")
    parser.add_argument("--models", type=int, default=40)
    parser.add_argument("--scrapes", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=2000)
    options = parser.parse_args()
    if options.between:
        before, after = (histogram(open(path).read(), "apipod_proxy_overhead_seconds") for path in options.between)
        print(f"apipod_proxy_overhead_seconds p50 over the same requests: {median_of(before, after) * 1000:.3f} ms "
              f"({after[-1][1] - before[-1][1]} observations)")
        return
    if not options.binary:
        parser.error("--binary is required")
    work = tempfile.mkdtemp(prefix="apipod-metrics.")
    environment = dict(os.environ, DATABASE_PATH=os.path.join(work, "keys.db"),
                       ANTIGRAVITY_URL=f"http://127.0.0.1:{UPSTREAM_PORT}", ANTIGRAVITY_KEY="upstream-secret")
    key = subprocess.run([options.binary, "keys", "create", "--name", "metrics"], env=environment,
                         capture_output=True, text=True, check=True).stdout.strip()
    started = []
    try:
        started.append(subprocess.Popen([sys.executable, os.path.join(HERE, "mock_upstream.py"), "--port", str(UPSTREAM_PORT)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        log = open(os.path.join(work, "serve.log"), "w")
        serve = subprocess.Popen([options.binary, "serve", "--host", "127.0.0.1", "--port", str(PROXY_PORT)],
                                 env=environment, stderr=log)
        started.append(serve)
        wait_port(UPSTREAM_PORT)
        wait_port(PROXY_PORT)
        proxy = http.client.HTTPConnection("127.0.0.1", PROXY_PORT)
        direct = http.client.HTTPConnection("127.0.0.1", UPSTREAM_PORT)

        for index in range(options.models):
            assert chat(proxy, f"bench-model-{index:03}", key) == 200
        refused = http.client.HTTPConnection("127.0.0.1", PROXY_PORT)
        assert chat(refused, "bench-model-000", "apk_wrong") >= 400
        refused.close()
        text = scrape(proxy)
        samples = [line for line in text.splitlines() if line and not line.startswith("#")]
        print(f"== a scrape after {options.models} models: {len(samples)} samples, {len(text)} bytes")

        time.sleep(0.5)
        quiet_start, wall_start = ticks(serve.pid), time.monotonic()
        time.sleep(2)
        quiet = (ticks(serve.pid) - quiet_start) / (time.monotonic() - wall_start)
        before, wall_start = ticks(serve.pid), time.monotonic()
        for _ in range(options.scrapes):
            scrape(proxy)
        wall = time.monotonic() - wall_start
        spent = (ticks(serve.pid) - before) - quiet * wall
        print(f"== {options.scrapes} scrapes in {wall:.2f} s: server CPU {spent * 10 / options.scrapes:.3f} ms per scrape "
              f"(ticks of 10 ms over the run, less {quiet * 10:.2f} ms/s measured idle)")

        for _ in range(50):
            chat(direct, "warm")
            chat(proxy, "warm", key)
        first = histogram(scrape(proxy), "apipod_proxy_overhead_seconds")
        straight, through = [], []
        for _ in range(options.requests):
            start = time.perf_counter()
            chat(direct, "gemini-3-flash")
            straight.append(time.perf_counter() - start)
            start = time.perf_counter()
            chat(proxy, "gemini-3-flash", key)
            through.append(time.perf_counter() - start)
        last = histogram(scrape(proxy), "apipod_proxy_overhead_seconds")
        added = (statistics.median(through) - statistics.median(straight)) * 1000
        reported = median_of(first, last) * 1000
        print(f"== {options.requests} requests each way, one at a time: straight p50 {statistics.median(straight) * 1000:.3f} ms, "
              f"through p50 {statistics.median(through) * 1000:.3f} ms")
        print(f"added latency p50 {added:.3f} ms; apipod_proxy_overhead_seconds p50 {reported:.3f} ms; "
              f"difference {reported - added:+.3f} ms")
    finally:
        for process in started:
            process.terminate()
            process.wait()


main()
