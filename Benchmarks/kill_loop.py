#!/usr/bin/env python3
"""Kill -9 loop for `apipodctl serve` (started by Benchmarks/kill-loop.sh): RESTARTS times, start
serve, drive load (proxied requests, which write last-use times; keys created with
`apipodctl keys create` and through `POST /admin/create-key`), kill -9 serve at a random moment,
then check the database: `PRAGMA integrity_check` is ok and every key whose creation was
acknowledged (the CLI exited 0, the API answered 201) is there. Prints the totals.

The checks after each kill are the functions in CHECKS; one that verifies usage rows (at most
the last second's lost) joins them when usage accounting lands.
"""
import argparse
import asyncio
import json
import os
import random
import sqlite3
import subprocess
import sys
import time


class Load:
    """What the load acknowledged, by key name, and what it counted."""

    def __init__(self):
        self.acknowledged = set()
        self.cli_created = 0
        self.api_created = 0
        self.proxied = 0
        self.refused = 0


def integrity(database, load):
    with sqlite3.connect(database) as connection:
        result = connection.execute("PRAGMA integrity_check").fetchall()
    return [] if result == [("ok",)] else [f"integrity_check: {result[:3]}"]


def acknowledged_keys(database, load):
    with sqlite3.connect(database) as connection:
        names = {row[0] for row in connection.execute("SELECT name FROM api_keys")}
    lost = load.acknowledged - names
    return [f"{len(lost)} acknowledged keys missing, e.g. {sorted(lost)[:3]}"] if lost else []


CHECKS = [integrity, acknowledged_keys]


async def upstream(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if length:
                await reader.readexactly(length)
            answer = b'{"ok":true,"usage":{"prompt_tokens":5,"completion_tokens":3}}'
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(answer) + answer)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def http(port, method, path, headers, body):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\nConnection: close\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers) + "\r\n"
        writer.write(head.encode() + body)
        data = await asyncio.wait_for(reader.read(), 10)
        return int(data.split()[1]) if data.startswith(b"HTTP/1.1 ") else 0
    finally:
        writer.close()


async def proxy_load(port, key, load, stop):
    while not stop.is_set():
        try:
            status = await http(port, "POST", "/v1/chat/completions", [("Authorization", f"Bearer {key}")], b'{"model":"m"}')
            load.proxied += status == 200
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, IndexError, ValueError):
            load.refused += 1
            await asyncio.sleep(0.01)


async def admin_load(port, secret, load, stop, names):
    while not stop.is_set():
        name = next(names)
        try:
            status = await http(port, "POST", "/admin/create-key", [("x-admin-secret", secret), ("Content-Type", "application/json")],
                                json.dumps({"name": name}).encode())
            if status == 201:
                load.acknowledged.add(name)
                load.api_created += 1
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, IndexError, ValueError):
            load.refused += 1
            await asyncio.sleep(0.01)


async def cli_load(binary, environment, load, stop, names):
    while not stop.is_set():
        name = next(names)
        process = await asyncio.create_subprocess_exec(
            binary, "keys", "create", "--name", name, env=environment,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        if await process.wait() == 0:
            load.acknowledged.add(name)
            load.cli_created += 1


def wait_ready(port, proxy):
    import socket
    for _ in range(200):
        if proxy.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.02)
    return False


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--restarts", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=18131)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    database = os.environ["DATABASE_PATH"]
    secret = "kill-loop-admin-secret-" + str(options.seed)
    server = await asyncio.start_server(upstream, "127.0.0.1", 0)
    environment = dict(os.environ, ANTIGRAVITY_URL=f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", ADMIN_SECRET=secret)
    load = Load()
    counter = iter(range(10**9))
    cli_names = (f"cli-{index}" for index in counter)
    api_names = (f"api-{index}" for index in counter)
    problems, restarts, not_ready = [], 0, 0
    started = time.monotonic()
    log = open(os.path.join(options.work, "serve-kill.log"), "w")
    for round_index in range(options.restarts):
        proxy = subprocess.Popen([options.binary, "serve", "--host", "127.0.0.1", "--port", str(options.port)],
                                 env=environment, stderr=log)
        if not wait_ready(options.port, proxy):
            not_ready += 1
            problems.append(f"round {round_index}: serve did not start (exit {proxy.poll()})")
        stop = asyncio.Event()
        tasks = [asyncio.create_task(proxy_load(options.port, options.key, load, stop)) for _ in range(4)]
        tasks.append(asyncio.create_task(admin_load(options.port, secret, load, stop, api_names)))
        tasks.append(asyncio.create_task(admin_load(options.port, secret, load, stop, api_names)))
        tasks.append(asyncio.create_task(cli_load(options.binary, environment, load, stop, cli_names)))
        await asyncio.sleep(rng.uniform(0.02, 0.6))
        proxy.kill()
        proxy.wait()
        restarts += 1
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        for check in CHECKS:
            problems += [f"round {round_index}: {problem}" for problem in check(database, load)]
        if round_index % 20 == 19:
            print(f"  {round_index + 1} kills, {time.monotonic() - started:.0f} s, {len(load.acknowledged)} keys acknowledged, "
                  f"{len(problems)} problems", flush=True)
    server.close()
    print(f"{restarts} kill -9 restarts in {time.monotonic() - started:.0f} s (seed {options.seed}); serve failed to start {not_ready} times")
    print(f"load: {load.proxied} proxied requests answered 200, {load.cli_created} keys created by the CLI, "
          f"{load.api_created} by the admin API, {load.refused} requests refused or cut by a kill")
    print(f"checks after each restart ({', '.join(check.__name__ for check in CHECKS)}): {len(problems)} problems")
    for problem in problems[:10]:
        print(f"  {problem}")
    return 1 if problems else 0


sys.exit(asyncio.run(main()))
