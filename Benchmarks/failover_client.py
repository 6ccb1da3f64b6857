"""Sequential keep-alive requests for Benchmarks/failover.sh: latency of one upstream round
trip, of a proxied request, and of a proxied request that fails over once; prints medians and
90th percentiles in milliseconds and the failover's extra cost beside the target."""
import argparse
import http.client
import os
import statistics
import time

BODY = b'{"model":"%s","messages":[{"role":"user","content":"Hello!"}],"stream":false}'


def measure(port, model, requests, key):
    connection = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Content-Type": "application/json", "Authorization": "Bearer " + key}
    times = []
    for index in range(requests + 200):
        started = time.perf_counter()
        connection.request("POST", "/v1/chat/completions", body=BODY % model.encode(), headers=headers)
        response = connection.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise SystemExit(f"{model}: status {response.status}")
        if model == "failover" and response.getheader("x-apipod-attempts") != "2":
            raise SystemExit(f"failover: x-apipod-attempts {response.getheader('x-apipod-attempts')}, expected 2")
        if index >= 200:  # the first ones warm the pools
            times.append(elapsed * 1000)
    connection.close()
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=5000)
    args = parser.parse_args()
    key = os.environ["APIPOD_KEY"]
    rtt = measure(18130, "direct", args.requests, key)
    direct = measure(18132, "direct", args.requests, key)
    failover = measure(18132, "failover", args.requests, key)
    for name, (median, p90) in (("rtt (upstream alone)", rtt), ("direct via proxy", direct), ("failover via proxy", failover)):
        print(f"{name:22} median {median:.3f} ms   p90 {p90:.3f} ms")
    extra = failover[0] - direct[0]
    budget = rtt[0] + 0.2
    print(f"failover adds {extra:.3f} ms (median); target <= rtt + 0.2 ms = {budget:.3f} ms: {'met' if extra <= budget else 'NOT met'}")


if __name__ == "__main__":
    main()
