#!/usr/bin/env python3
"""Streaming, memory-per-stream and large-body figures for `apipodctl serve`, each measured
straight to an upstream and through the proxy in the same run (started by Benchmarks/proxy.sh).

The upstream lives in this process: it stamps every server-sent event with the monotonic time
it was written, so the client can tell how long each piece took to arrive, directly or through
the proxy, on the same clock.
"""
import argparse
import asyncio
import json
import os
import statistics
import subprocess
import time

UPSTREAM_PORT = 18110
PROXY_PORT = 18111


def ticks(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1])
    return 0


async def upstream(reader, writer, settings):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = await reader.readexactly(length) if length else b""
            request = json.loads(body) if body[:1] == b"{" else {}
            if request.get("stream"):
                events, interval = request.get("events", 10), request.get("interval", 0.1)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
                for index in range(events):
                    event = f'data: {{"n":{index},"t":{time.monotonic():.6f}}}\n\n'.encode()
                    writer.write(f"{len(event):x}\r\n".encode() + event + b"\r\n")
                    await writer.drain()
                    await asyncio.sleep(interval)
                writer.write(b"0\r\n\r\n")
            else:
                answer = json.dumps({"model": request.get("model"), "received": len(body)}).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(answer) + answer)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


def request_bytes(port, key, body):
    return (f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body


async def stream(port, key, events, interval, first_event=None):
    """Returns (time to first event, [per-event delay from upstream write to client read])."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
    body = json.dumps({"model": "cursor-pro-sonnet", "stream": True, "events": events, "interval": interval}).encode()
    started = time.monotonic()
    writer.write(request_bytes(port, key, body))
    await writer.drain()
    await reader.readuntil(b"\r\n\r\n")
    delays, first = [], None
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            break
        chunk = await reader.readexactly(size + 2)
        now = time.monotonic()
        for line in chunk.split(b"\n"):
            if line.startswith(b"data: "):
                sent = json.loads(line[6:])["t"]
                delays.append(now - sent)
                if first is None:
                    first = now - started
                    if first_event:
                        first_event.set_result(None) if not first_event.done() else None
    writer.close()
    return first, delays


def summary(values):
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def piece_delays(key):
    print("== streamed pieces: 20 streams x 10 events 100 ms apart; delay from the upstream's write to the client's read")
    results = {}
    for label, port in (("direct", UPSTREAM_PORT), ("via apipodctl", PROXY_PORT)):
        firsts, delays = [], []
        for _ in range(20):
            first, each = await stream(port, key, 10, 0.1)
            firsts.append(first)
            delays += each
        results[label] = (summary(firsts), summary(delays))
        (f50, f99), (d50, d99) = results[label]
        print(f"{label:<16} first piece after {f50 * 1000:6.2f} ms (p99 {f99 * 1000:6.2f})   "
              f"per-piece delay p50 {d50 * 1000:6.3f} ms  p99 {d99 * 1000:6.3f} ms")
    added50 = (results["via apipodctl"][1][0] - results["direct"][1][0]) * 1000
    added99 = (results["via apipodctl"][1][1] - results["direct"][1][1]) * 1000
    print(f"added by the proxy: p50 {added50:.3f} ms, p99 {added99:.3f} ms per piece")


async def memory_per_stream(key, proxy_pid, count):
    print(f"== {count} concurrent streams through apipodctl (events 1 s apart)")
    before = rss_kb(proxy_pid)
    firsts = [asyncio.get_running_loop().create_future() for _ in range(count)]
    tasks = []
    for index in range(count):
        tasks.append(asyncio.create_task(stream(PROXY_PORT, key, 25, 1.0, firsts[index])))
        if index % 250 == 249:
            await asyncio.sleep(0.05)
    done, _ = await asyncio.wait(firsts, timeout=60)
    await asyncio.sleep(2)
    during = rss_kb(proxy_pid)
    failed = sum(1 for task in tasks if task.done() and task.exception())
    print(f"{len(done)} of {count} streams open, {failed} failed: RSS {before / 1024:.1f} MB -> {during / 1024:.1f} MB, "
          f"{(during - before) / max(len(done), 1):.1f} KB per stream")
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.sleep(1)


def large_body(key, proxy_pid):
    import http.client
    print("== 1 MB request body (model rewritten), 40 requests on one keep-alive connection")
    content = "x" * (1 << 20)
    body = json.dumps({"model": "cursor-pro-sonnet", "messages": [{"role": "user", "content": content}]}).encode()
    for label, port in (("direct", UPSTREAM_PORT), ("via apipodctl", PROXY_PORT)):
        connection = http.client.HTTPConnection("127.0.0.1", port)
        times = []
        cpu_before = ticks(proxy_pid)
        for _ in range(40):
            started = time.monotonic()
            connection.request("POST", "/v1/chat/completions", body=body,
                               headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
            answer = json.loads(connection.getresponse().read())
            times.append(time.monotonic() - started)
            assert answer["received"] == len(body) - len("cursor-pro-sonnet") + len(answer["model"]), answer
        cpu = (ticks(proxy_pid) - cpu_before) * 10  # ms, 100 ticks per second
        median, p99 = summary(times)
        extra = f", proxy CPU {cpu / 40:.2f} ms per request" if port == PROXY_PORT else ""
        print(f"{label:<16} {median * 1000:7.2f} ms per request (p99 {p99 * 1000:.2f}){extra}")
        connection.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--streams", default="1000 10000")
    parser.add_argument("--memory-only", action="store_true", help="measure memory per stream only")
    options = parser.parse_args()
    key = os.environ["APIPOD_KEY"]
    server = await asyncio.start_server(lambda r, w: upstream(r, w, None), "127.0.0.1", UPSTREAM_PORT, backlog=8192, limit=1 << 22)
    environment = dict(os.environ, ANTIGRAVITY_URL=f"http://127.0.0.1:{UPSTREAM_PORT}")
    log = open(os.path.join(options.work, "serve-streams.log"), "w")
    proxy = subprocess.Popen([options.binary, "serve", "--host", "127.0.0.1", "--port", str(PROXY_PORT)], env=environment, stderr=log)
    try:
        for _ in range(100):
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", PROXY_PORT)
                writer.close()
                break
            except OSError:
                await asyncio.sleep(0.1)
        if not options.memory_only:
            await piece_delays(key)
            await asyncio.get_running_loop().run_in_executor(None, large_body, key, proxy.pid)
        limit = int(subprocess.run(["sh", "-c", "ulimit -n"], capture_output=True, text=True).stdout)
        for count in (int(value) for value in options.streams.split()):
            if 2 * count + 64 > limit:
                fitting = (limit - 64) // 2
                print(f"== {count} streams need {2 * count + 64} descriptors in the proxy; this machine's hard limit is {limit}: measuring {fitting}")
                count = fitting
            await memory_per_stream(key, proxy.pid, count)
    finally:
        proxy.terminate()
        proxy.wait()
        server.close()


asyncio.run(main())
