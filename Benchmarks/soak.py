#!/usr/bin/env python3
"""Soak test of faults for `apipodctl serve` (started by Benchmarks/soak.sh): ROUNDS rounds, spread
over CONCURRENCY workers, of hostile and broken traffic mixed with good requests, against a mock
upstream that lives in this process. Prints the open descriptors and RSS of `serve` before and
after, the good requests answered and failed, and the connections left open at the upstream.

Kinds of round (weights in KINDS): a good request (JSON or a short stream); random garbage;
a head cut off; a body cut off; request-smuggling attempts (Content-Length with
Transfer-Encoding, two different Content-Lengths, an obs-folded header, a bad chunk size, a space
before the colon); a wrong key; a client that hangs up mid-stream; an upstream that dies
mid-stream.
"""
import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time

SMUGGLING = [
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nContent-Length: 13\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\n\r\n",
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nContent-Length: 2\r\n"
    b"Content-Length: 40\r\n\r\n{}",
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nX-Folded: a\r\n b\r\n"
    b"Content-Length: 2\r\n\r\n{}",
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"zz\r\n{}\r\n0\r\n\r\n",
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nContent-Length : 2\r\n\r\n{}",
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nTransfer-Encoding: gzip, chunked\r\n"
    b"Content-Length: 2\r\n\r\n{}",
    b"GET /health HTTP/1.1\r\nHost: x\nX: y\r\n\r\n",
]

KINDS = [("good", 30), ("good_stream", 10), ("garbage", 8), ("cut_head", 8), ("cut_body", 8),
         ("smuggling", 10), ("wrong_key", 8), ("client_hangup", 9), ("upstream_dies", 9)]


class Upstream:
    """The mock upstream: JSON answers, short streams, and streams it breaks off on request."""

    def __init__(self):
        self.open = 0

    async def serve(self, reader, writer):
        self.open += 1
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
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
                    for index in range(request.get("events", 3)):
                        event = f"data: {index}\n\n".encode()
                        writer.write(f"{len(event):x}\r\n".encode() + event + b"\r\n")
                        await writer.drain()
                        if request.get("die") and index == 1:
                            writer.transport.abort()
                            return
                        await asyncio.sleep(request.get("interval", 0.002))
                    writer.write(b"0\r\n\r\n")
                else:
                    answer = json.dumps({"model": request.get("model"), "ok": True}).encode()
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(answer) + answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError, ValueError, asyncio.CancelledError):
            pass
        finally:
            self.open -= 1
            writer.close()


def request(key, body, extra=b""):
    return (b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key.encode()
            + b"\r\nContent-Type: application/json\r\nContent-Length: %d\r\n" % len(body) + extra + b"\r\n" + body)


async def read_response(reader):
    """(status, body, complete): the whole response, or what came before the connection ended."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if b":" in line:
            name, value = line.split(b":", 1)
            headers[name.strip().lower()] = value.strip()
    body = b""
    if headers.get(b"transfer-encoding") == b"chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                return status, body, True
            body += (await reader.readexactly(size + 2))[:-2]
    length = int(headers.get(b"content-length", b"0"))
    body = await reader.readexactly(length)
    return status, body, True


class Soak:
    def __init__(self, port, key, seed):
        self.port = port
        self.key = key
        self.random = random.Random(seed)
        self.counts = {kind: 0 for kind, _ in KINDS}
        self.good_answered = 0
        self.good_failed = []
        self.bad_unexpected = []

    async def connect(self):
        return await asyncio.open_connection("127.0.0.1", self.port)

    async def round(self, kind):
        self.counts[kind] += 1
        reader, writer = await self.connect()
        try:
            await getattr(self, kind)(reader, writer)
        finally:
            writer.close()

    async def good(self, reader, writer):
        writer.write(request(self.key, b'{"model":"cursor-pro-sonnet","messages":[]}'))
        try:
            status, body, _ = await asyncio.wait_for(read_response(reader), 30)
            if status == 200 and json.loads(body).get("ok"):
                self.good_answered += 1
                return
            self.good_failed.append(f"good: {status} {body[:80]!r}")
        except Exception as error:  # noqa: BLE001 - every failure of a good request is reported
            self.good_failed.append(f"good: {type(error).__name__} {error}")

    async def good_stream(self, reader, writer):
        writer.write(request(self.key, b'{"model":"m","stream":true,"events":3}'))
        try:
            status, body, _ = await asyncio.wait_for(read_response(reader), 30)
            if status == 200 and body == b"data: 0\n\ndata: 1\n\ndata: 2\n\n":
                self.good_answered += 1
                return
            self.good_failed.append(f"good_stream: {status} {body[:80]!r}")
        except Exception as error:  # noqa: BLE001
            self.good_failed.append(f"good_stream: {type(error).__name__} {error}")

    async def expect_refusal(self, reader, kind, allowed=(400, 401, 403, 404, 405, 411, 413, 431, 501, 505)):
        """Reads whatever comes back until the server closes; a 2xx here is a bug."""
        try:
            data = await asyncio.wait_for(reader.read(65536), 5)
            rest = data
            while data:
                data = await asyncio.wait_for(reader.read(65536), 5)
                rest += data
        except (ConnectionError, asyncio.TimeoutError):
            return
        if rest.startswith(b"HTTP/1.1 "):
            status = int(rest.split()[1])
            if status not in allowed:
                self.bad_unexpected.append(f"{kind}: {status}")

    async def garbage(self, reader, writer):
        writer.write(self.random.randbytes(self.random.randint(1, 2048)))
        # Half end their side at once; the other half stop sending, and hang up a moment later.
        if self.random.random() < 0.5:
            writer.write_eof()
            await self.expect_refusal(reader, "garbage")
        else:
            await asyncio.sleep(0.01)

    async def cut_head(self, reader, writer):
        whole = request(self.key, b"{}")
        writer.write(whole[: self.random.randint(1, whole.index(b"\r\n\r\n"))])
        await writer.drain()
        # Half the cut heads hang up at once, half wait a little first.
        if self.random.random() < 0.5:
            await asyncio.sleep(0.01)

    async def cut_body(self, reader, writer):
        body = b'{"model":"m","messages":[' + b"1," * 200 + b"1]}"
        whole = request(self.key, body)
        writer.write(whole[: len(whole) - self.random.randint(1, len(body))])
        await writer.drain()
        await asyncio.sleep(0.005)

    async def smuggling(self, reader, writer):
        writer.write(self.random.choice(SMUGGLING).replace(b"{key}", self.key.encode()))
        await self.expect_refusal(reader, "smuggling")

    async def wrong_key(self, reader, writer):
        wrong = "apk_" + "".join(self.random.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(43))
        writer.write(request(wrong, b'{"model":"m"}', b"Connection: close\r\n"))
        try:
            status, _, _ = await asyncio.wait_for(read_response(reader), 30)
            if status not in (401, 403):
                self.bad_unexpected.append(f"wrong_key: {status}")
        except Exception as error:  # noqa: BLE001
            self.bad_unexpected.append(f"wrong_key: {type(error).__name__}")

    async def client_hangup(self, reader, writer):
        writer.write(request(self.key, b'{"model":"m","stream":true,"events":20,"interval":0.005}'))
        await reader.readuntil(b"\r\n\r\n")
        await reader.read(64)
        writer.transport.abort()

    async def upstream_dies(self, reader, writer):
        writer.write(request(self.key, b'{"model":"m","stream":true,"events":5,"die":true}'))
        try:
            status, body, complete = await asyncio.wait_for(read_response(reader), 30)
            self.bad_unexpected.append(f"upstream_dies: a complete answer {status}")
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass


def descriptors(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1])
    return 0


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--rounds", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=18121)
    options = parser.parse_args()

    upstream = Upstream()
    server = await asyncio.start_server(upstream.serve, "127.0.0.1", 0, backlog=4096)
    upstream_port = server.sockets[0].getsockname()[1]
    log = open(os.path.join(options.work, "serve-soak.log"), "w")
    environment = dict(os.environ, ANTIGRAVITY_URL=f"http://127.0.0.1:{upstream_port}")
    proxy = subprocess.Popen([options.binary, "serve", "--host", "127.0.0.1", "--port", str(options.port)], env=environment, stderr=log)
    soak = Soak(options.port, options.key, options.seed)
    try:
        for _ in range(100):
            try:
                _, writer = await soak.connect()
                writer.close()
                break
            except OSError:
                await asyncio.sleep(0.1)
        # Warm-up: every loop has run requests and streams once, so the baseline holds what
        # serve keeps for good (its threads' arenas, the key cache, the upstream pool).
        for _ in range(20):
            await asyncio.gather(*(soak.round(kind) for kind in ("good", "good_stream", "client_hangup", "upstream_dies") for _ in range(8)))
        await asyncio.sleep(2)
        before = (descriptors(proxy.pid), rss_kb(proxy.pid))
        warm_good = soak.good_answered
        soak.good_answered, soak.good_failed = 0, []
        soak.counts = {kind: 0 for kind, _ in KINDS}

        names = [kind for kind, weight in KINDS for _ in range(weight)]
        plan = [soak.random.choice(names) for _ in range(options.rounds)]
        started = time.monotonic()
        next_report = started + 10

        async def worker(rounds):
            nonlocal next_report
            for kind in rounds:
                try:
                    await soak.round(kind)
                except (ConnectionError, asyncio.IncompleteReadError, asyncio.TimeoutError, asyncio.LimitOverrunError) as error:
                    if kind.startswith("good"):
                        soak.good_failed.append(f"{kind}: {type(error).__name__}")
                if time.monotonic() > next_report:
                    next_report = time.monotonic() + 10
                    done = sum(soak.counts.values())
                    print(f"  {done} rounds, {time.monotonic() - started:.0f} s: fds {descriptors(proxy.pid)}, "
                          f"RSS {rss_kb(proxy.pid) / 1024:.1f} MB", flush=True)

        await asyncio.gather(*(worker(plan[index::options.concurrency]) for index in range(options.concurrency)))
        elapsed = time.monotonic() - started
        await asyncio.sleep(2)
        after = (descriptors(proxy.pid), rss_kb(proxy.pid))
        print(f"{options.rounds} rounds in {elapsed:.0f} s ({options.rounds / elapsed:.0f}/s), {options.concurrency} at a time, after "
              f"{warm_good} warm-up requests: " + ", ".join(f"{kind} {count}" for kind, count in soak.counts.items()))
        print(f"serve open descriptors: {before[0]} before, {after[0]} after")
        print(f"serve RSS: {before[1] / 1024:.1f} MB before, {after[1] / 1024:.1f} MB after ({(after[1] - before[1]) / before[1] * 100:+.1f} %)")
        good = soak.counts["good"] + soak.counts["good_stream"]
        print(f"good requests: {good} sent, {soak.good_answered} answered, {len(soak.good_failed)} failed")
        for failure in soak.good_failed[:5]:
            print(f"  failed: {failure}")
        print(f"hostile rounds answered other than expected: {len(soak.bad_unexpected)}")
        for item in soak.bad_unexpected[:5]:
            print(f"  {item}")
        print(f"connections open at the mock upstream after the run: {upstream.open} (serve's idle keep-alive pool)")
        still_running = proxy.poll() is None
        print(f"serve still running: {still_running}")
        return 0 if still_running and not soak.good_failed else 1
    finally:
        proxy.terminate()
        proxy.wait()
        server.close()


sys.exit(asyncio.run(main()))
